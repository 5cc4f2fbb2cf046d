/**
 * Outbox throughput: delivered rows per second for a batch of no-op deliveries on PostgreSQL,
 * our outbox worker against graphile-worker 0.17.3 on the same database and machine.
 *
 *   npx tsx bench/outbox.ts            (or: npm run bench:outbox)
 *
 * Creates a scratch database `ws_bench_outbox_<random>` on the server named by
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it with our
 * migrator and graphile-worker's, and drops it at the end. For every run the rows/jobs are
 * inserted (chunks of 1,000) and analysed first; the clock starts when the workers start and
 * stops when the outbox table (ours) or graphile-worker's jobs table is empty. One unmeasured
 * warm-up pass runs every configuration on a few rows; then each configuration runs
 * BENCH_REPEATS times, interleaved, and the median is reported. Before each measured run the
 * bench waits for a quiet CPU (up to 5 s, 60 s in all), since the machine may be shared.
 *
 * It also runs two bench-only copies of the worker with a different claim ("one trip", "tx-held
 * lock"; see the Investigation section below) to measure what they would change.
 *
 * Besides rows per second it reports the database work per 1,000 deliveries from
 * pg_stat_database (commits, rows written, buffer accesses), which does not depend on how busy
 * the machine is.
 *
 * Environment: BENCH_ROWS (default 20000), BENCH_REPEATS (default 3), BENCH_DATABASE_URL,
 * BENCH_ONLY (a regular expression over configuration keys, e.g. `^ours:` or `4x200`),
 * BENCH_LOG_LEVEL (our workers' pino level, default `silent`; `info` logs a line per delivered row
 * to stderr, so redirect it: `2>/dev/null`).
 * Progress goes to stderr; the Markdown report goes to stdout.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  type AddJobsJobSpec,
  Logger as GraphileLogger,
  makeWorkerUtils,
  run,
  runMigrations,
  type Task,
} from 'graphile-worker';
import { sql } from 'kysely';
import pRetry from 'p-retry';
import pg from 'pg';
import { newId } from '../src/domain/ids.js';
import { createLogger, type Logger } from '../src/log.js';
import { connect } from '../src/store/connect.js';
import { toJson } from '../src/store/dialect.js';
import { migrate } from '../src/store/migrator.js';
import { retryDelayMs } from '../src/worker/backoff.js';
import type { DeliveryResult, Destination } from '../src/worker/destinations.js';
import { type OutboxRow, OutboxStore } from '../src/worker/outbox-store.js';
import { OutboxWorker, type WorkerEvents, type WorkerOptions } from '../src/worker/outbox-worker.js';

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WARMUP_ROWS = 2_000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'silent';
const CHUNK = 1_000;
/** Connections in each run's worker pool, for ours and graphile-worker alike. */
const POOL_SIZE = 10;
/** Our configurations: loops × batch size. graphile-worker runs the same shapes. */
const SHAPES = [
  { loops: 1, batchSize: 50 },
  { loops: 1, batchSize: 200 },
  { loops: 4, batchSize: 50 },
  { loops: 4, batchSize: 200 },
] as const;
type Shape = (typeof SHAPES)[number];

const progress = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Resolves once `add` has counted `target` settled deliveries. */
function countdown(target: number) {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    done,
    add(n: number) {
      count += n;
      if (count >= target) resolve();
    },
  };
}

/** Polls until `count()` is zero; only reached once every delivery was seen settling. */
async function untilZero(count: () => Promise<number>): Promise<void> {
  while ((await count()) > 0) await sleep(2);
}

/** Opens every connection of a pool before the clock starts, so neither side pays for connecting. */
async function warm(query: (text: string) => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: POOL_SIZE }, () => query('select pg_sleep(0.02)')));
}

function cpuTimes(): { idle: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

/** Milliseconds of quiet-waiting left for the whole bench, so a busy machine cannot stretch it much. */
let quietBudgetMs = 60_000;

/** Waits until the machine is at least 80% idle over 250 ms, for at most 5 s; false if it never was. */
async function quietCpu(): Promise<boolean> {
  const started = Date.now();
  const deadline = started + Math.max(250, Math.min(5_000, quietBudgetMs)); // at least one sample
  try {
    return await waitQuiet(deadline);
  } finally {
    quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - started));
  }
}

async function waitQuiet(deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    let before: ReturnType<typeof cpuTimes>;
    try {
      before = cpuTimes();
    } catch {
      return true; // no /proc/stat: nothing to wait for
    }
    await sleep(250);
    const after = cpuTimes();
    if ((after.idle - before.idle) / Math.max(1, after.total - before.total) >= 0.8) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Database work: pg_stat_database counters of the bench database, read from the maintenance
// database once every connection to the bench database has closed (backends flush on exit).
// ---------------------------------------------------------------------------------------------

interface DbWork {
  commits: number;
  written: number;
  buffers: number;
}

class DbCounters {
  constructor(
    private readonly server: pg.Client,
    private readonly database: string,
  ) {}

  async settled(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const { rows } = await this.server.query(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [this.database],
      );
      if (rows[0].n === 0) break;
      await sleep(10);
    }
    await sleep(20);
  }

  async read(): Promise<DbWork> {
    await this.settled();
    const { rows } = await this.server.query(
      `select xact_commit::float8 as commits, (tup_inserted + tup_updated + tup_deleted)::float8 as written,
              (blks_hit + blks_read)::float8 as buffers
       from pg_stat_database where datname = $1`,
      [this.database],
    );
    return rows[0] as DbWork;
  }
}

interface RunResult {
  rate: number;
  work: DbWork;
}

const perThousand = (before: DbWork, after: DbWork, rows: number): DbWork => ({
  commits: ((after.commits - before.commits) * 1000) / rows,
  written: ((after.written - before.written) * 1000) / rows,
  buffers: ((after.buffers - before.buffers) * 1000) / rows,
});

// ---------------------------------------------------------------------------------------------
// Ours: events + outbox rows, OutboxWorker (or a bench copy) with a no-op destination.
// ---------------------------------------------------------------------------------------------

const noop: Destination = {
  handles: (destination) => destination === 'noop',
  deliver: async () => ({ ok: true }),
};

type OurWorker = 'src' | 'one-trip' | 'tx-lock';

async function seedOurs(url: string, orgId: string, rows: number): Promise<void> {
  const store = await connect(url, { poolSize: 1 });
  try {
    await sql`truncate outbox, dead_letters, events`.execute(store.db);
    for (let done = 0; done < rows; done += CHUNK) {
      const events = Array.from({ length: Math.min(CHUNK, rows - done) }, () => ({
        id: newId('evt'),
        org_id: orgId,
        entity_type: 'candidate',
        entity_id: 'cand_bench',
        type: 'bench.noop',
        actor_id: 'bench',
        occurred_at: new Date(),
      }));
      await store.db.insertInto('events').values(events).execute();
      await store.db
        .insertInto('outbox')
        .values(
          events.map((e) => ({
            id: newId('obx'),
            org_id: orgId,
            event_id: e.id,
            destination: 'noop',
            payload_json: toJson({ eventId: e.id }),
          })),
        )
        .execute();
    }
    await sql`vacuum analyze outbox`.execute(store.db);
  } finally {
    await store.close();
  }
}

async function runOurs(
  url: string,
  counters: DbCounters,
  orgId: string,
  shape: Shape,
  which: OurWorker,
  rows: number,
): Promise<RunResult> {
  await seedOurs(url, orgId, rows);
  const before = await counters.read();
  const store = await connect(url, { poolSize: POOL_SIZE });
  await warm((text) => sql.raw(text).execute(store.db));
  const settled = countdown(rows);
  const options = { loops: shape.loops, batchSize: shape.batchSize, maxIdleMs: 10 };
  const events = { onSettled: () => settled.add(1) };
  const log = createLogger(LOG_LEVEL);
  const worker =
    which === 'src'
      ? new OutboxWorker(new OutboxStore(store), [noop], log, options, events)
      : new BenchOutboxWorker(new BenchOutboxStore(store), [noop], log, options, events, which);
  const started = performance.now();
  worker.start();
  await settled.done;
  await untilZero(async () => {
    const row = await store.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await store.close();
  return { rate: rows / seconds, work: perThousand(before, await counters.read(), rows) };
}

// ---------------------------------------------------------------------------------------------
// graphile-worker 0.17.3: its own schema (graphile_worker), plain jobs (one per row) and batch
// jobs (an array payload of `batch` items, one job per batch).
// ---------------------------------------------------------------------------------------------

const silentGraphile = new GraphileLogger(() => () => {});

interface GraphileMode {
  /** Items per job: 1 is a plain job with an object payload; more is a batch job (array payload). */
  readonly itemsPerJob: number;
  readonly concurrency: number;
  /** localQueue.size: jobs fetched (and locked) per round trip; -1 disables. */
  readonly localQueue: number;
  /** completeJobBatchDelay: ms to gather completions into one statement; -1 disables. */
  readonly completeDelay: number;
}

/** Batched: jobs of `batch` items, one worker per loop, so as many deliveries are in flight as in ours. */
const batchedMode = (shape: Shape): GraphileMode => ({
  itemsPerJob: shape.batchSize,
  concurrency: shape.loops,
  localQueue: -1,
  completeDelay: -1,
});

/** Plain: one job per row, concurrency loops × batch, with its local queue and batched completion. */
const plainMode = (concurrency: number): GraphileMode => ({
  itemsPerJob: 1,
  concurrency,
  localQueue: concurrency,
  completeDelay: 0,
});

async function seedGraphile(url: string, mode: GraphileMode, rows: number): Promise<void> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphile });
  try {
    await utils.withPgClient((client) => client.query('truncate graphile_worker._private_jobs'));
    const jobs = rows / mode.itemsPerJob;
    for (let done = 0; done < jobs; done += CHUNK) {
      const specs: AddJobsJobSpec[] = Array.from({ length: Math.min(CHUNK, jobs - done) }, () => ({
        identifier: 'noop',
        payload:
          mode.itemsPerJob === 1
            ? { eventId: newId('evt') }
            : Array.from({ length: mode.itemsPerJob }, () => ({ eventId: newId('evt') })),
      }));
      await utils.addJobs(specs);
    }
    await utils.withPgClient((client) => client.query('vacuum analyze graphile_worker._private_jobs'));
  } finally {
    await utils.release();
  }
}

async function runGraphile(
  url: string,
  counters: DbCounters,
  mode: GraphileMode,
  rows: number,
): Promise<RunResult> {
  await seedGraphile(url, mode, rows);
  const before = await counters.read();
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  await warm((text) => pool.query(text));
  const settled = countdown(rows);
  const noopTask: Task = async (payload) => {
    settled.add(Array.isArray(payload) ? payload.length : 1);
  };
  const started = performance.now();
  const runner = await run({
    pgPool: pool,
    taskList: { noop: noopTask },
    parsedCronItems: [],
    concurrency: mode.concurrency,
    pollInterval: 10,
    noHandleSignals: true,
    logger: silentGraphile,
    preset: { worker: { localQueue: { size: mode.localQueue }, completeJobBatchDelay: mode.completeDelay } },
  });
  await settled.done;
  await untilZero(async () =>
    Number((await pool.query('select count(*) as n from graphile_worker._private_jobs')).rows[0].n),
  );
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  await pool.end();
  return { rate: rows / seconds, work: perThousand(before, await counters.read(), rows) };
}

// ---------------------------------------------------------------------------------------------
// Investigation: a copy of src/worker/outbox-worker.ts (commit 9288e6f) with two optional
// changes marked ONE-TRIP and TX-LOCK, so their effect is measured without touching src/.
// Everything unmarked is the original's, except that the 60-second stats log timer is left out
// (it never fires during a run).
//
// ONE-TRIP: the completion (DELETE) of a batch is sent in the same statement as the next claim,
// halving round trips and commits; a batch's rows count as settled once that statement returns.
// (Not production-ready as written: it drops the lost-lease count.)
//
// TX-LOCK: a different claim. The batch is locked with SELECT … FOR UPDATE SKIP LOCKED inside a
// transaction that stays open while it is delivered, and deleted in that same transaction: no
// lease UPDATE (a new row version and three index entries per row), just a row lock. A crash
// releases the rows at once (the transaction aborts). A sketch to measure throughput only:
// failed deliveries are not handled, and it holds a transaction (and a connection) open for as
// long as a batch's deliveries take.
// ---------------------------------------------------------------------------------------------

function benchSleep(ms: number, signal?: AbortSignal, onWake?: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    onWake?.(done);
  });
}

class BenchOutboxStore extends OutboxStore {
  /** ONE-TRIP: deletes the previous batch and claims the next in one statement. */
  async completeAndClaim(
    workerId: string,
    doneIds: readonly string[],
    batchSize: number,
  ): Promise<OutboxRow[]> {
    const result = await sql<OutboxRow>`
      with done as (
        delete from outbox where id = any(${[...doneIds]}::text[]) and locked_by = ${workerId}
      ), next as (
        select id from outbox
        where locked_at is null and run_at <= now()
        order by run_at, id
        limit ${batchSize}
        for update skip locked
      )
      update outbox as o
      set locked_by = ${workerId}, locked_at = now(), attempts = o.attempts + 1, updated_at = now()
      from next
      where o.id = next.id
      returning o.*`.execute(this.store.db);
    return result.rows.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : 1));
  }

  /** TX-LOCK: locks a batch in a transaction, hands it to `deliver`, deletes what it returns, commits. */
  lockDeliverDelete(
    batchSize: number,
    deliver: (rows: OutboxRow[]) => Promise<string[]>,
  ): Promise<OutboxRow[]> {
    return this.store.db.transaction().execute(async (tx) => {
      const { rows } = await sql<OutboxRow>`
        select * from outbox
        where locked_at is null and run_at <= now()
        order by run_at, id
        limit ${batchSize}
        for update skip locked`.execute(tx);
      if (rows.length === 0) return rows;
      const done = await deliver(rows);
      if (done.length > 0) await sql`delete from outbox where id = any(${done}::text[])`.execute(tx);
      const deleted = new Set(done);
      return rows.filter((row) => deleted.has(row.id));
    });
  }
}

class BenchOutboxWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #options: Required<Omit<WorkerOptions, 'maxAttempts'>> & { maxAttempts: number | undefined };
  readonly #stopping = new AbortController();
  readonly #abandon = new AbortController();
  #wake: (() => void) | null = null;
  #loops: Promise<void>[] = [];
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly outbox: BenchOutboxStore,
    private readonly destinations: readonly Destination[],
    private readonly log: Logger,
    options: WorkerOptions,
    private readonly events: WorkerEvents,
    private readonly mode: 'one-trip' | 'tx-lock',
  ) {
    this.#options = {
      loops: 1,
      batchSize: 50,
      leaseMs: 5 * 60_000,
      maxIdleMs: 2_000,
      drainMs: 10_000,
      statsEveryMs: 60_000,
      ...options,
      maxAttempts: options.maxAttempts,
    };
    setMaxListeners(2 * this.#options.batchSize * this.#options.loops + 10, this.#abandon.signal);
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  start(): void {
    for (let i = 0; i < this.#options.loops; i++) {
      const id = `${this.id}#${i}`;
      this.#loops.push(this.mode === 'tx-lock' ? this.#txLockLoop(id) : this.#loop(id));
    }
    const sweepEvery = Math.max(1_000, this.#options.leaseMs / 5);
    const sweep = () => {
      this.#sweep().finally(() => {
        if (!this.stopping) this.#timers.push(setTimeout(sweep, sweepEvery * (0.5 + Math.random())));
      });
    };
    sweep();
  }

  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    if (!this.stopping) this.#stopping.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.wake();
    const finished = new AbortController();
    const drained = Promise.all(this.#loops).then(() => {
      finished.abort();
      return true;
    });
    const timedOut = benchSleep(this.#options.drainMs, finished.signal).then(() => false);
    if (!(await Promise.race([drained, timedOut]))) {
      this.#abandon.abort();
      await Promise.all(this.#loops);
    }
    this.log.info({ worker: this.id }, 'worker stopped');
  }

  async #loop(workerId: string): Promise<void> {
    let idleMs = 50;
    let failures = 0;
    let delivered: OutboxRow[] = []; // ONE-TRIP: delivered, to be deleted by the next claim
    while (!this.stopping) {
      let rows: OutboxRow[];
      try {
        // ONE-TRIP: was `rows = await this.outbox.claim(workerId, this.#options.batchSize);`
        rows = await this.outbox.completeAndClaim(
          workerId,
          delivered.map((row) => row.id),
          this.#options.batchSize,
        );
        this.#settled(delivered);
        delivered = [];
        failures = 0;
      } catch (error) {
        failures += 1;
        const backoff = Math.min(5_000, 100 * 2 ** failures);
        this.log.error({ worker: workerId, err: error, retryInMs: backoff }, 'claim failed; retrying');
        await benchSleep(backoff, this.#stopping.signal);
        continue;
      }
      if (rows.length === 0) {
        await this.#idle(idleMs);
        idleMs = Math.min(this.#options.maxIdleMs, idleMs * 2);
        continue;
      }
      idleMs = 50;
      this.log.debug({ worker: workerId, claimed: rows.length }, 'claimed');
      delivered = await this.#deliverBatch(workerId, rows);
    }
    if (delivered.length > 0) {
      // ONE-TRIP: on shutdown, the last batch is completed on its own.
      await this.#persist(() =>
        this.outbox.complete(
          workerId,
          delivered.map((row) => row.id),
        ),
      );
      this.#settled(delivered);
    }
  }

  /** TX-LOCK: claim, deliver and delete each batch in one transaction. */
  async #txLockLoop(workerId: string): Promise<void> {
    let idleMs = 50;
    while (!this.stopping) {
      let rows: OutboxRow[];
      try {
        rows = await this.outbox.lockDeliverDelete(this.#options.batchSize, async (locked) => {
          const results = await Promise.all(locked.map((row) => this.#deliverOne(row)));
          return locked
            .filter((_, i) => {
              const result = results[i];
              return result !== undefined && result !== 'abandoned' && result.ok;
            })
            .map((row) => row.id);
        });
      } catch (error) {
        this.log.error({ worker: workerId, err: error }, 'batch failed; retrying');
        await benchSleep(100, this.#stopping.signal);
        continue;
      }
      if (rows.length === 0) {
        await this.#idle(idleMs);
        idleMs = Math.min(this.#options.maxIdleMs, idleMs * 2);
        continue;
      }
      idleMs = 50;
      this.#settled(rows);
    }
  }

  /** ONE-TRIP and TX-LOCK: rows whose deletion has landed. */
  #settled(rows: readonly OutboxRow[]): void {
    for (const row of rows) {
      this.log.info(
        { row: row.id, event: row.event_id, destination: row.destination, attempt: row.attempts },
        'delivered',
      );
      this.events.onSettled?.(row, { ok: true });
    }
  }

  #idle(ms: number): Promise<void> {
    return benchSleep(ms, this.#stopping.signal, (wake) => {
      this.#wake = wake;
    }).finally(() => {
      this.#wake = null;
    });
  }

  /** ONE-TRIP: returns the delivered rows, which the next claim deletes (was: deleted them here). */
  async #deliverBatch(workerId: string, rows: OutboxRow[]): Promise<OutboxRow[]> {
    const inFlight = new Set(rows.map((row) => row.id));
    const renew = setInterval(
      () =>
        void this.outbox
          .renew(workerId, [...inFlight])
          .catch((error) => this.log.warn({ err: error }, 'lease renewal failed')),
      this.#options.leaseMs / 3,
    );
    const delivered: OutboxRow[] = [];
    try {
      const settled = await Promise.all(
        rows.map(async (row) => {
          const started = Date.now();
          const result = await this.#deliverOne(row);
          inFlight.delete(row.id);
          return { row, result, ms: Date.now() - started };
        }),
      );
      for (const { row, result, ms } of settled) {
        if (result === 'abandoned') continue;
        if (result.ok) delivered.push(row);
        else await this.#failed(workerId, row, result, ms);
      }
      const abandoned = settled.filter((s) => s.result === 'abandoned').map((s) => s.row);
      if (abandoned.length > 0) {
        const released = await this.#persist(() =>
          this.outbox.release(
            workerId,
            abandoned.map((row) => row.id),
          ),
        );
        this.log.warn({ worker: workerId, released }, 'released unfinished deliveries on shutdown');
        for (const row of abandoned) this.events.onSettled?.(row, { ok: false, released: true });
      }
    } finally {
      clearInterval(renew);
    }
    return delivered;
  }

  async #deliverOne(row: OutboxRow): Promise<DeliveryResult | 'abandoned'> {
    const destination = this.destinations.find((candidate) => candidate.handles(row.destination));
    if (!destination)
      return { ok: false, permanent: true, error: `no destination handles '${row.destination}'` };
    const signal = this.#abandon.signal;
    let onAbandon = () => {};
    const abandoned = new Promise<'abandoned'>((resolve) => {
      onAbandon = () => resolve('abandoned');
      if (signal.aborted) onAbandon();
      signal.addEventListener('abort', onAbandon, { once: true });
    });
    try {
      return await Promise.race([destination.deliver(row, signal), abandoned]);
    } catch (error) {
      return { ok: false, permanent: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      signal.removeEventListener('abort', onAbandon);
    }
  }

  async #failed(
    workerId: string,
    row: OutboxRow,
    result: Extract<DeliveryResult, { ok: false }>,
    ms: number,
  ): Promise<void> {
    const maxAttempts = this.#options.maxAttempts ?? row.max_attempts;
    if (result.permanent || row.attempts >= maxAttempts) {
      const moved = await this.#persist(() => this.outbox.deadLetter(workerId, row, result.error));
      if (moved)
        this.log.error(
          { row: row.id, event: row.event_id, attempt: row.attempts, ms, error: result.error },
          'dead-lettered',
        );
    } else {
      const delayMs = retryDelayMs(row.attempts);
      const scheduled = await this.#persist(() =>
        this.outbox.retryLater(workerId, row, result.error, delayMs),
      );
      if (scheduled)
        this.log.warn(
          { row: row.id, event: row.event_id, attempt: row.attempts, ms, error: result.error },
          'retry scheduled',
        );
    }
    this.events.onSettled?.(row, result);
  }

  #persist<T>(write: () => Promise<T>): Promise<T> {
    return pRetry(write, {
      retries: 8,
      minTimeout: 100,
      maxTimeout: 5_000,
      onFailedAttempt: ({ error, attemptNumber }) =>
        this.log.warn({ err: error, attempt: attemptNumber }, 'outbox write failed; retrying'),
    });
  }

  async #sweep(): Promise<void> {
    try {
      const reclaimed = await this.outbox.reclaim(this.#options.leaseMs, 500);
      if (reclaimed.length > 0)
        this.log.warn({ worker: this.id, rows: reclaimed }, 'reclaimed expired leases');
    } catch (error) {
      this.log.error({ err: error }, 'reclaim sweep failed');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The plan, the runs and the report.
// ---------------------------------------------------------------------------------------------

interface Config {
  readonly key: string;
  readonly run: (rows: number) => Promise<RunResult>;
}

const shapeKey = (shape: Shape) => `${shape.loops}x${shape.batchSize}`;
const plainConcurrencies = [...new Set(SHAPES.map((s) => s.loops * s.batchSize))];

async function main(): Promise<void> {
  if (ROWS % 200 !== 0) throw new Error('BENCH_ROWS must be a multiple of 200 (the largest batch job)');
  const name = `ws_bench_outbox_${randomBytes(4).toString('hex')}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const server = new pg.Client({ connectionString: SERVER_URL });
  await server.connect();
  const pgVersion = String((await server.query('select version() as v')).rows[0].v);
  await server.query(`create database ${name}`);
  progress(`created database ${name}`);
  const counters = new DbCounters(server, name);
  const loadBefore = loadavg();
  try {
    const setup = await connect(dbUrl, { poolSize: 1 });
    const orgId = newId('org');
    try {
      await migrate(setup);
      await setup.db.insertInto('orgs').values({ id: orgId, name: 'Bench', slug: 'bench' }).execute();
    } finally {
      await setup.close();
    }
    await runMigrations({ connectionString: dbUrl, logger: silentGraphile });

    const configs: Config[] = [];
    for (const shape of SHAPES) {
      configs.push({
        key: `ours:${shapeKey(shape)}`,
        run: (rows) => runOurs(dbUrl, counters, orgId, shape, 'src', rows),
      });
      configs.push({
        key: `batched:${shapeKey(shape)}`,
        run: (rows) => runGraphile(dbUrl, counters, batchedMode(shape), rows),
      });
      configs.push({
        key: `onetrip:${shapeKey(shape)}`,
        run: (rows) => runOurs(dbUrl, counters, orgId, shape, 'one-trip', rows),
      });
      configs.push({
        key: `txlock:${shapeKey(shape)}`,
        run: (rows) => runOurs(dbUrl, counters, orgId, shape, 'tx-lock', rows),
      });
    }
    for (const concurrency of plainConcurrencies) {
      configs.push({
        key: `plain:${concurrency}`,
        run: (rows) => runGraphile(dbUrl, counters, plainMode(concurrency), rows),
      });
    }
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
    const selected = only ? configs.filter((c) => only.test(c.key)) : configs;

    const began = performance.now();
    for (const config of selected) await config.run(WARMUP_ROWS);
    progress(`warm-up done in ${Math.round((performance.now() - began) / 1000)} s`);
    const samples = new Map<string, RunResult[]>();
    let noisy = 0;
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      for (const config of selected) {
        if (!(await quietCpu())) noisy += 1;
        const result = await config.run(ROWS);
        samples.set(config.key, [...(samples.get(config.key) ?? []), result]);
        progress(
          `run ${repeat}/${REPEATS} ${config.key.padEnd(20)} ${Math.round(result.rate).toString().padStart(7)} rows/s`,
        );
      }
    }
    const wallSeconds = (performance.now() - began) / 1000;
    report({
      samples,
      pgVersion,
      wallSeconds,
      noisy,
      runs: REPEATS * selected.length,
      loads: [loadBefore, loadavg()],
    });
  } finally {
    await server.query(`drop database if exists ${name} with (force)`);
    await server.end();
    progress(`dropped database ${name}`);
  }
}

interface Report {
  samples: Map<string, RunResult[]>;
  pgVersion: string;
  wallSeconds: number;
  noisy: number;
  runs: number;
  loads: number[][];
}

function report({ samples, pgVersion, wallSeconds, noisy, runs, loads }: Report): void {
  const rate = (key: string) => median((samples.get(key) ?? []).map((r) => r.rate));
  const work = (key: string, field: keyof DbWork) =>
    median((samples.get(key) ?? []).map((r) => r.work[field]));
  const fmt = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n).toLocaleString('en-US') : '–');
  const ratio = (a: number, b: number) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {}
  const load = (l: number[] | undefined) => (l ?? []).map((x) => x.toFixed(2)).join(' ');
  const lines = [
    `### Outbox throughput: ${ROWS.toLocaleString('en-US')} no-op deliveries, median of ${REPEATS}`,
    '',
    `- date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- node ${process.version}; nproc ${nproc}; cpu ${cpus()[0]?.model ?? 'unknown'}`,
    `- ${pgVersion}`,
    `- ${POOL_SIZE} pool connections per run on each side; graphile-worker 0.17.3`,
    `- load average before/after: ${load(loads[0])} / ${load(loads[1])}; ${noisy} of ${runs} runs started without a quiet (≥80% idle) CPU; all runs took ${Math.round(wallSeconds)} s`,
    '',
    '| loops × batch | ours rows/s | graphile batched rows/s | ours / batched | graphile plain rows/s | ours / plain |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const shape of SHAPES) {
    const ours = rate(`ours:${shapeKey(shape)}`);
    const batched = rate(`batched:${shapeKey(shape)}`);
    const plain = rate(`plain:${shape.loops * shape.batchSize}`);
    lines.push(
      `| ${shape.loops} × ${shape.batchSize} | ${fmt(ours)} | ${fmt(batched)} | ${ratio(ours, batched)} | ${fmt(plain)} | ${ratio(ours, plain)} |`,
    );
  }
  lines.push(
    '',
    `- ours: \`OutboxWorker\` from src/, \`loops\` × \`batchSize\` as shown, no-op destination, logger \`${LOG_LEVEL}\`.`,
    '- graphile batched: batch jobs (payload = array of `batch` items), concurrency = loops, so the same',
    '  number of deliveries is in flight; no local queue.',
    '- graphile plain: one job per row, concurrency = localQueue.size = loops × batch, completeJobBatchDelay 0.',
    `- both graphile modes: pollInterval 10 ms, no-op task, jobs added with addJobs in chunks of ${CHUNK}.`,
    '',
    '#### Investigation: bench copies of the worker with a changed claim (src/ unchanged)',
    '',
    '- one trip: each batch is deleted by the statement that claims the next one (half the commits).',
    '- tx-held lock: each batch is locked (FOR UPDATE SKIP LOCKED), delivered and deleted in one open',
    '  transaction: no lease UPDATE. Both are sketches in bench/outbox.ts, not the shipped worker.',
    '',
    '| loops × batch | ours (src) | one trip | tx-held lock | one trip / batched | tx-held lock / batched | tx-held lock / plain |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const shape of SHAPES) {
    const k = shapeKey(shape);
    const batched = rate(`batched:${k}`);
    const plain = rate(`plain:${shape.loops * shape.batchSize}`);
    const oneTrip = rate(`onetrip:${k}`);
    const txLock = rate(`txlock:${k}`);
    lines.push(
      `| ${shape.loops} × ${shape.batchSize} | ${fmt(rate(`ours:${k}`))} | ${fmt(oneTrip)} | ${fmt(txLock)} | ${ratio(oneTrip, batched)} | ${ratio(txLock, batched)} | ${ratio(txLock, plain)} |`,
    );
  }
  lines.push(
    '',
    '#### Database work per 1,000 deliveries (pg_stat_database of the bench database, median)',
    '',
    '| configuration | commits | rows written | buffer accesses |',
    '|---|---:|---:|---:|',
    ...[...samples.keys()].map(
      (key) =>
        `| ${key} | ${fmt(work(key, 'commits'))} | ${fmt(work(key, 'written'))} | ${fmt(work(key, 'buffers'))} |`,
    ),
    '',
    '#### Every run (rows/s)',
    '',
    '| configuration | runs |',
    '|---|---|',
    ...[...samples].map(([key, results]) => `| ${key} | ${results.map((r) => fmt(r.rate)).join(', ')} |`),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
