/**
 * Outbox throughput on PostgreSQL: deliveries per second of no-op deliveries with a realistic
 * event payload, our `OutboxWorker` (src/, unchanged) against graphile-worker 0.17.3 on the same
 * database, with 1 and with 2 worker processes a side.
 *
 *   npx tsx bench/outbox.ts            (or: npm run bench:outbox)
 *
 * Creates a scratch database `ws_bench_outbox_<random>` on the server named by
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it with our
 * migrator and graphile-worker's, and drops it at the end.
 *
 * Each run: insert the rows (ours: events + outbox rows; graphile-worker: jobs) in chunks of
 * 1,000 and VACUUM ANALYZE; start the worker processes (children of this one), each opens and
 * warms a 10-connection pool and says it is ready; the clock starts when all are told to go and
 * stops when they have reported every delivery; then the table must be empty. In each round
 * every configuration runs once, in a rotating order; ours ÷ graphile-worker is taken within
 * each round (paired), and the report shows the median of those ratios with their range.
 *
 * Database work per 1,000 deliveries comes from pg_stat_database of the bench database
 * (commits, rows inserted + updated + deleted, buffer hits + reads), read once every connection
 * has closed, and does not depend on how busy the machine is.
 *
 * Environment: BENCH_ROWS (default 20000), BENCH_ROUNDS (default 3), BENCH_DATABASE_URL,
 * BENCH_ONLY (a regular expression over configuration keys, e.g. `^ours` or `2p`).
 * Progress goes to stderr; the Markdown report goes to stdout.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type AddJobsJobSpec,
  Logger as GraphileLogger,
  makeWorkerUtils,
  run,
  runMigrations,
} from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import { newId } from '../src/domain/ids.js';
import { createLogger } from '../src/log.js';
import { connect } from '../src/store/connect.js';
import { toJson } from '../src/store/dialect.js';
import { migrate } from '../src/store/migrator.js';
import type { Destination } from '../src/worker/destinations.js';
import { OutboxStore } from '../src/worker/outbox-store.js';
import { OutboxWorker } from '../src/worker/outbox-worker.js';

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHUNK = 1_000;
/** BENCH_CPU_PROF=dir: every worker process writes a V8 CPU profile there (node --cpu-prof). */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
/** Connections in each worker process's pool, ours and graphile-worker's alike. */
const POOL_SIZE = 10;
/** Ours: loops × batch per process. */
const [oursLoops, oursBatch] = (process.env.BENCH_OURS ?? '4x200').split('x').map(Number);
const OURS = { loops: oursLoops ?? 4, batchSize: oursBatch ?? 200 } as const;
/** graphile-worker batch jobs: items per job, jobs at once per process (as many in flight as ours). */
const BATCH = { itemsPerJob: 200, concurrency: 4 } as const;
/** graphile-worker plain jobs, one per delivery, at its best measured setting. */
const PLAIN = { concurrency: 10, localQueue: 500 } as const;

type Kind = 'ours' | 'batch' | 'plain';
const KINDS: readonly Kind[] = ['ours', 'batch', 'plain'];
const PROCESSES = [1, 2] as const;

const progress = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** What one event delivers: the outbox payload appendEvents writes, about 400 bytes of JSON. */
function eventPayload(orgId: string): Record<string, unknown> {
  const eventId = newId('evt');
  return {
    eventId,
    type: 'candidate.qualified',
    orgId,
    entityType: 'candidate',
    entityId: newId('cand'),
    actorId: newId('mem'),
    from: 'new',
    to: 'qualified',
    reason: 'Budget confirmed on the discovery call; decision expected this quarter',
    data: { title: 'Regional fleet telematics RFP', accountName: 'Northwind Logistics', priority: 'high' },
    occurredAt: new Date().toISOString(),
  };
}
const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(eventPayload(newId('org'))));

// ---------------------------------------------------------------------------------------------
// Worker processes: `bench/outbox.ts child <kind> <url>`, driven over IPC.
// ---------------------------------------------------------------------------------------------

type ToChild = { go: true } | { stop: true };
type FromChild = { ready: true } | { delivered: number } | { stopped: true };

const silentGraphile = new GraphileLogger(() => () => {});

/**
 * The delivery every side makes, once per delivery: ours through a destination, graphile-worker's
 * plain job once per job and its batch job once per item (as a handler that delivers each item of
 * its batch must), so neither side is timed for skipping the call.
 */
const deliverNothing = async (_item: unknown) => ({ ok: true as const });
const noop: Destination = { handles: () => true, deliver: (row) => deliverNothing(row) };

async function child(kind: Kind, url: string): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  let pending = 0;
  let flushing = false;
  const count = (n: number) => {
    pending += n;
    if (flushing) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      send({ delivered: pending });
      pending = 0;
    });
  };
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  const stopped = new Promise<void>((resolve) =>
    process.on('message', (m: ToChild) => 'stop' in m && resolve()),
  );
  if (kind === 'ours') {
    const store = await connect(url, { poolSize: POOL_SIZE });
    await Promise.all(Array.from({ length: POOL_SIZE }, () => sql`select pg_sleep(0.02)`.execute(store.db)));
    const worker = new OutboxWorker(
      new OutboxStore(store),
      [noop],
      createLogger('silent'),
      { ...OURS, maxIdleMs: 10 },
      { onSettled: () => count(1) },
    );
    send({ ready: true });
    await go;
    worker.start();
    await stopped;
    await worker.stop();
    await store.close();
  } else {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
    pool.on('error', () => {});
    await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('select pg_sleep(0.02)')));
    send({ ready: true });
    await go;
    const runner = await run({
      pgPool: pool,
      taskList: {
        noop: async (payload) => {
          if (Array.isArray(payload)) {
            await Promise.all(payload.map(deliverNothing));
            count(payload.length);
          } else {
            await deliverNothing(payload);
            count(1);
          }
        },
      },
      parsedCronItems: [],
      concurrency: kind === 'batch' ? BATCH.concurrency : PLAIN.concurrency,
      pollInterval: 10,
      noHandleSignals: true,
      logger: silentGraphile,
      preset: {
        worker: kind === 'plain' ? { localQueue: { size: PLAIN.localQueue }, completeJobBatchDelay: 0 } : {},
      },
    });
    await stopped;
    await runner.stop();
    await pool.end();
  }
  send({ stopped: true });
  process.disconnect?.();
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

async function dbWork(server: pg.Client, database: string): Promise<DbWork> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await server.query(
      'select count(*)::int as n from pg_stat_activity where datname = $1',
      [database],
    );
    if (rows[0].n === 0) break;
    await sleep(10);
  }
  await sleep(20);
  const { rows } = await server.query(
    `select xact_commit::float8 as commits, (tup_inserted + tup_updated + tup_deleted)::float8 as written,
            (blks_hit + blks_read)::float8 as buffers
     from pg_stat_database where datname = $1`,
    [database],
  );
  return rows[0] as DbWork;
}

function cpuTimes(): { idle: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

/** Waits until the machine is at least 80% idle over 250 ms, for at most 5 s; false if it never was. */
async function quietCpu(): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const before = cpuTimes();
    await sleep(250);
    const after = cpuTimes();
    if ((after.idle - before.idle) / Math.max(1, after.total - before.total) >= 0.8) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// One run: seed, start the processes, time the deliveries, check the table is empty.
// ---------------------------------------------------------------------------------------------

async function seed(kind: Kind, url: string, orgId: string, rows: number): Promise<void> {
  if (kind === 'ours') {
    const store = await connect(url, { poolSize: 1 });
    try {
      await sql`truncate outbox, outbox_leases, dead_letters, events`.execute(store.db);
      for (let done = 0; done < rows; done += CHUNK) {
        const payloads = Array.from({ length: Math.min(CHUNK, rows - done) }, () => eventPayload(orgId));
        await store.db
          .insertInto('events')
          .values(
            payloads.map((p) => ({
              id: p.eventId as string,
              org_id: orgId,
              entity_type: 'candidate',
              entity_id: p.entityId as string,
              type: p.type as string,
              actor_id: p.actorId as string,
              occurred_at: new Date(),
            })),
          )
          .execute();
        await store.db
          .insertInto('outbox')
          .values(
            payloads.map((p) => ({
              id: newId('obx'),
              org_id: orgId,
              event_id: p.eventId as string,
              destination: 'noop',
              payload_json: toJson(p),
            })),
          )
          .execute();
      }
      await sql`vacuum analyze outbox`.execute(store.db);
    } finally {
      await store.close();
    }
    return;
  }
  const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphile });
  try {
    await utils.withPgClient((client) => client.query('truncate graphile_worker._private_jobs'));
    const perJob = kind === 'batch' ? BATCH.itemsPerJob : 1;
    const jobs = rows / perJob;
    for (let done = 0; done < jobs; done += CHUNK) {
      const specs: AddJobsJobSpec[] = Array.from({ length: Math.min(CHUNK, jobs - done) }, () => ({
        identifier: 'noop',
        payload:
          perJob === 1 ? eventPayload(orgId) : Array.from({ length: perJob }, () => eventPayload(orgId)),
      }));
      await utils.addJobs(specs);
    }
    await utils.withPgClient((client) => client.query('vacuum analyze graphile_worker._private_jobs'));
  } finally {
    await utils.release();
  }
}

async function left(kind: Kind, url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = kind === 'ours' ? 'outbox' : 'graphile_worker._private_jobs';
    return Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

interface RunResult {
  rate: number;
  work: DbWork;
}

async function runOnce(
  kind: Kind,
  processes: number,
  context: { url: string; server: pg.Client; database: string; orgId: string },
  rows: number,
): Promise<RunResult> {
  const { url, server, database, orgId } = context;
  await seed(kind, url, orgId, rows);
  const before = await dbWork(server, database);
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  let delivered = 0;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => {
    allDelivered = resolve;
  });
  const ready = Promise.all(
    Array.from({ length: processes }, () => {
      const execArgv = ['--import', 'tsx'];
      if (CPU_PROF_DIR) execArgv.push('--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`);
      const worker = fork(self, ['child', kind, url], { execArgv });
      children.push(worker);
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (message: FromChild) => {
          if ('ready' in message) resolve();
          if ('delivered' in message) {
            delivered += message.delivered;
            if (delivered >= rows) allDelivered();
          }
        });
        worker.once('exit', (code) => code && reject(new Error(`a ${kind} worker exited with ${code}`)));
      });
    }),
  );
  await ready;
  await quietCpu();
  const started = performance.now();
  for (const worker of children) worker.send({ go: true } satisfies ToChild);
  await done;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    children.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          worker.send({ stop: true } satisfies ToChild);
        }),
    ),
  );
  const remaining = await left(kind, url);
  if (remaining > 0) throw new Error(`${kind}: ${remaining} rows left after every delivery was reported`);
  return { rate: rows / seconds, work: perThousand(before, await dbWork(server, database), rows) };
}

const perThousand = (before: DbWork, after: DbWork, rows: number): DbWork => ({
  commits: ((after.commits - before.commits) * 1000) / rows,
  written: ((after.written - before.written) * 1000) / rows,
  buffers: ((after.buffers - before.buffers) * 1000) / rows,
});

// ---------------------------------------------------------------------------------------------
// The rounds and the report.
// ---------------------------------------------------------------------------------------------

const key = (kind: Kind, processes: number) => `${kind}:${processes}p`;

async function main(): Promise<void> {
  if (ROWS % BATCH.itemsPerJob !== 0)
    throw new Error(`BENCH_ROWS must be a multiple of ${BATCH.itemsPerJob}`);
  const database = `ws_bench_outbox_${randomBytes(4).toString('hex')}`;
  const parsed = new URL(SERVER_URL);
  parsed.pathname = `/${database}`;
  const url = parsed.toString();
  const server = new pg.Client({ connectionString: SERVER_URL });
  await server.connect();
  const pgVersion = String((await server.query('select version() as v')).rows[0].v);
  await server.query(`create database ${database}`);
  progress(`created database ${database}`);
  const loadBefore = loadavg();
  try {
    const setup = await connect(url, { poolSize: 1 });
    const orgId = newId('org');
    try {
      await migrate(setup);
      await setup.db.insertInto('orgs').values({ id: orgId, name: 'Bench', slug: 'bench' }).execute();
    } finally {
      await setup.close();
    }
    await runMigrations({ connectionString: url, logger: silentGraphile });
    const context = { url, server, database, orgId };
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
    const configs = PROCESSES.flatMap((p) =>
      KINDS.map((kind) => ({ kind, processes: p, key: key(kind, p) })),
    ).filter((c) => !only || only.test(c.key));

    const began = performance.now();
    for (const config of configs) await runOnce(config.kind, config.processes, context, 2_000); // warm-up
    progress(`warm-up done in ${Math.round((performance.now() - began) / 1000)} s`);
    const samples = new Map<string, RunResult[]>();
    const rounds: Map<string, number>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const rates = new Map<string, number>();
      // Rotate the order so no configuration always runs first (or right after another).
      const order = configs
        .map((_, i) => configs[(i + round) % configs.length])
        .filter((c) => c !== undefined);
      for (const config of order) {
        const result = await runOnce(config.kind, config.processes, context, ROWS);
        samples.set(config.key, [...(samples.get(config.key) ?? []), result]);
        rates.set(config.key, result.rate);
        progress(
          `round ${round + 1}/${ROUNDS} ${config.key.padEnd(9)} ${Math.round(result.rate).toString().padStart(7)}/s`,
        );
      }
      rounds.push(rates);
    }
    report(samples, rounds, {
      pgVersion,
      wallSeconds: (performance.now() - began) / 1000,
      loads: [loadBefore, loadavg()],
    });
  } finally {
    await server.query(`drop database if exists ${database} with (force)`);
    await server.end();
    progress(`dropped database ${database}`);
  }
}

function report(
  samples: Map<string, RunResult[]>,
  rounds: Map<string, number>[],
  meta: { pgVersion: string; wallSeconds: number; loads: number[][] },
): void {
  const fmt = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n).toLocaleString('en-US') : '–');
  const rate = (k: string) => median((samples.get(k) ?? []).map((r) => r.rate));
  const ratios = (a: string, b: string) =>
    rounds.map((r) => (r.get(a) ?? 0) / (r.get(b) ?? Number.NaN)).filter((x) => Number.isFinite(x) && x > 0);
  const ratio = (a: string, b: string) => {
    const all = ratios(a, b);
    if (all.length === 0) return '–';
    return `${median(all).toFixed(2)}× (${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)})`;
  };
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {}
  const load = (l: number[] | undefined) => (l ?? []).map((x) => x.toFixed(2)).join(' ');
  const lines = [
    `### Outbox throughput: ${ROWS.toLocaleString('en-US')} deliveries of a ${PAYLOAD_BYTES}-byte payload, ${ROUNDS} rounds`,
    '',
    `- date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; node ${process.version}; nproc ${nproc}; cpu ${cpus()[0]?.model ?? 'unknown'}`,
    `- ${meta.pgVersion}`,
    `- ${POOL_SIZE} pool connections per worker process on each side; graphile-worker 0.17.3`,
    `- ours: ${OURS.loops} loops × ${OURS.batchSize} per process; graphile batch: jobs of ${BATCH.itemsPerJob} items, concurrency ${BATCH.concurrency}; graphile plain: concurrency ${PLAIN.concurrency}, localQueue ${PLAIN.localQueue}, completeJobBatchDelay 0; pollInterval 10 ms`,
    `- load average before/after: ${load(meta.loads[0])} / ${load(meta.loads[1])}; all runs took ${Math.round(meta.wallSeconds)} s`,
    '',
    '| processes a side | ours /s | graphile batch /s | graphile plain /s | ours ÷ batch (paired, median, range) | ours ÷ plain (paired, median, range) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const p of PROCESSES) {
    const [o, b, pl] = KINDS.map((kind) => key(kind, p)) as [string, string, string];
    if (!samples.has(o) && !samples.has(b) && !samples.has(pl)) continue;
    lines.push(
      `| ${p} | ${fmt(rate(o))} | ${fmt(rate(b))} | ${fmt(rate(pl))} | ${ratio(o, b)} | ${ratio(o, pl)} |`,
    );
  }
  const work = (k: string, field: keyof DbWork) => median((samples.get(k) ?? []).map((r) => r.work[field]));
  lines.push(
    '',
    '#### Database work per 1,000 deliveries (pg_stat_database, median)',
    '',
    '| configuration | commits | rows written | buffer accesses |',
    '|---|---:|---:|---:|',
    ...[...samples.keys()].map(
      (k) =>
        `| ${k} | ${fmt(work(k, 'commits'))} | ${fmt(work(k, 'written'))} | ${fmt(work(k, 'buffers'))} |`,
    ),
    '',
    '#### Every run (deliveries/s)',
    '',
    '| configuration | runs |',
    '|---|---|',
    ...[...samples].map(([k, results]) => `| ${k} | ${results.map((r) => fmt(r.rate)).join(', ')} |`),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

const [mode, kind, childUrl] = process.argv.slice(2);
const main$ = mode === 'child' && kind && childUrl ? child(kind as Kind, childUrl) : main();
main$.catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
