/**
 * The outbox dispatcher: loops that claim batches of due rows, deliver them concurrently, and
 * complete, retry or dead-letter each one. Any number of these may run against one database,
 * in one process or many; the claim statement keeps them from ever sharing a row.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import pRetry from 'p-retry';
import type { Logger } from '../log.js';
import { outboxMetrics } from '../observability/metrics.js';
import { observeDeliveries, traceDeliveryAttempt } from '../observability/observe.js';
import { tracingEnabled } from '../observability/tracing.js';
import { retryDelayMs } from './backoff.js';
import { type DeliveryResult, type Destination, permanent, retry } from './destinations.js';
import type { OutboxRow, OutboxStore, Range } from './outbox-store.js';

export interface WorkerOptions {
  /** Claim loops in this process. */
  readonly loops?: number;
  /** Rows a loop claims and delivers at once. */
  readonly batchSize?: number;
  /** Attempts before a row moves to the dead letters; default: the row's own max_attempts (10). */
  readonly maxAttempts?: number;
  /** Rows whose lease is older than this are reclaimed (a crashed or stalled worker's). */
  readonly leaseMs?: number;
  /** Longest wait between polls when idle. */
  readonly maxIdleMs?: number;
  /** How long shutdown waits for in-flight deliveries before releasing them. */
  readonly drainMs?: number;
  /** Interval of the stats log line. */
  readonly statsEveryMs?: number;
}

export interface WorkerEvents {
  /** Called after each row settles; tests and metrics listen here. */
  onSettled?: (row: OutboxRow, result: DeliveryResult | { ok: false; released: true }) => void;
}

/** Under load, how often a loop also claims due retries beside its range. */
const RETRY_CHECK_MS = 1_000;

type Settled = { row: OutboxRow; result: DeliveryResult | 'abandoned'; ms: number };
type Pending = { leaseId: string; settled: Settled[] };

const thrown = (error: unknown): DeliveryResult =>
  retry(error instanceof Error ? error.message : String(error));

const DEFAULTS = {
  loops: 1,
  batchSize: 50,
  leaseMs: 5 * 60_000,
  maxIdleMs: 2_000,
  drainMs: 10_000,
  statsEveryMs: 60_000,
} as const;

/**
 * Waits `ms`, or less if `signal` aborts or the wake function handed to `onWake` is called.
 * Listeners are removed when the wait ends: a worker idles millions of times in its life.
 */
function sleep(ms: number, signal?: AbortSignal, onWake?: (wake: () => void) => void): Promise<void> {
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

export class OutboxWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #options: Required<Omit<WorkerOptions, 'maxAttempts'>> & { maxAttempts: number | undefined };
  readonly #stopping = new AbortController();
  /** Aborted when draining is over: deliveries still running are abandoned and their rows released. */
  readonly #abandon = new AbortController();
  #wake: (() => void) | null = null;
  #loops: Promise<void>[] = [];
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly outbox: OutboxStore,
    private readonly destinations: readonly Destination[],
    private readonly log: Logger,
    options: WorkerOptions = {},
    private readonly events: WorkerEvents = {},
  ) {
    this.#options = { ...DEFAULTS, ...options, maxAttempts: options.maxAttempts };
    // Every row in flight listens for abandonment (and its destination may too): that is the
    // batch times the loops, legitimately more than Node's default warning threshold of 10.
    setMaxListeners(2 * this.#options.batchSize * this.#options.loops + 10, this.#abandon.signal);
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  start(): void {
    for (let i = 0; i < this.#options.loops; i++) this.#loops.push(this.#loop(`${this.id}#${i}`));
    // Reclaiming needs no leader: each worker sweeps on a jittered schedule, batched.
    const sweepEvery = Math.max(1_000, this.#options.leaseMs / 5);
    let first = true;
    const sweep = () => {
      this.#sweep(first).finally(() => {
        first = false;
        if (!this.stopping) this.#timers.push(setTimeout(sweep, sweepEvery * (0.5 + Math.random())));
      });
    };
    // A worker that starts (often: restarts after a crash) sweeps at once.
    sweep();
    this.#timers.push(setInterval(() => void this.#logStats(), this.#options.statsEveryMs).unref());
  }

  /** Wakes idle loops early, e.g. on a PostgreSQL NOTIFY that rows were written. */
  wake(): void {
    this.#wake?.();
  }

  /** Stops claiming, lets in-flight deliveries finish within the drain time, then releases the rest. */
  async stop(): Promise<void> {
    if (!this.stopping) this.#stopping.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.wake();
    const finished = new AbortController();
    const drained = Promise.all(this.#loops).then(() => {
      finished.abort(); // ends the drain timer, which would otherwise hold the process open
      return true;
    });
    const timedOut = sleep(this.#options.drainMs, finished.signal).then(() => false);
    if (!(await Promise.race([drained, timedOut]))) {
      this.#abandon.abort();
      await Promise.all(this.#loops);
    }
    this.log.info({ worker: this.id }, 'worker stopped');
  }

  async #loop(workerId: string): Promise<void> {
    let idleMs = 50;
    let failures = 0;
    let retriesCheckedAt = 0;
    // A range whose every row was delivered: completed by the call that claims the next.
    let pending: Pending | null = null;
    while (!this.stopping) {
      let range: Range | null;
      let retries: OutboxRow[] = [];
      try {
        const { batchSize } = this.#options;
        const claimed = await this.outbox.completeAndClaim(workerId, batchSize, pending?.leaseId);
        if (pending) this.#completed(workerId, pending, claimed.completed);
        pending = null;
        range = claimed.range;
        outboxMetrics.claimed(range?.rows.length ?? 0);
        // Retries are claimed when the log is caught up, and at least once a second under load.
        const now = Date.now();
        if ((range?.rows.length ?? 0) < batchSize || now - retriesCheckedAt >= RETRY_CHECK_MS) {
          retriesCheckedAt = now;
          retries = await this.outbox.claimRetries(workerId, batchSize);
          outboxMetrics.claimed(retries.length);
        }
        failures = 0;
      } catch (error) {
        failures += 1;
        const backoff = Math.min(5_000, 100 * 2 ** failures);
        this.log.error({ worker: workerId, err: error, retryInMs: backoff }, 'claim failed; retrying');
        await sleep(backoff, this.#stopping.signal);
        continue;
      }
      if (!range && retries.length === 0) {
        await this.#idle(idleMs);
        idleMs = Math.min(this.#options.maxIdleMs, idleMs * 2);
        continue;
      }
      idleMs = 50;
      this.log.debug(
        { worker: workerId, range: range?.rows.length ?? 0, retries: retries.length },
        'claimed',
      );
      pending = await this.#deliverBatch(workerId, range, retries);
    }
    if (pending) {
      const { leaseId } = pending;
      const none = { failed: [], dead: [], abandoned: [] };
      this.#completed(
        workerId,
        pending,
        await this.#persist(() => this.outbox.settleRange(workerId, leaseId, none)),
      );
    }
  }

  /** A fully delivered range's completion has landed (or found the lease taken back). */
  #completed(workerId: string, { settled }: Pending, kept: boolean): void {
    if (!kept) {
      this.log.warn(
        { worker: workerId, lost: settled.length },
        'rows were reclaimed before completion; they will be delivered again',
      );
      return;
    }
    for (const { row, result, ms } of settled) {
      this.#delivered(row, ms);
      if (result !== 'abandoned') this.events.onSettled?.(row, result);
    }
  }

  #idle(ms: number): Promise<void> {
    return sleep(ms, this.#stopping.signal, (wake) => {
      this.#wake = wake;
    }).finally(() => {
      this.#wake = null;
    });
  }

  /** Delivers a claimed batch and settles it, except a fully delivered range: that is returned. */
  async #deliverBatch(workerId: string, range: Range | null, retries: OutboxRow[]): Promise<Pending | null> {
    const batchStarted = Date.now();
    const inFlight = new Set(retries.map((row) => row.id));
    // Long deliveries keep their lease; a stalled process stops renewing and loses it.
    const renew = setInterval(
      () =>
        void this.outbox
          .renew(workerId, range?.leaseId ?? null, [...inFlight])
          .catch((error) => this.log.warn({ err: error }, 'lease renewal failed')),
      this.#options.leaseMs / 3,
    );
    // One abandonment listener and one race for the whole batch, not one of each per row: a
    // delivery that has not settled when the drain ends counts as abandoned.
    const signal = this.#abandon.signal;
    let onAbandon = () => {};
    const abandoned = new Promise<'abandoned'>((resolve) => {
      onAbandon = () => resolve('abandoned');
      if (signal.aborted) onAbandon();
      else signal.addEventListener('abort', onAbandon, { once: true });
    });
    try {
      const [fromRange, fromRetries] = await Promise.all([
        this.#deliverAll(range?.rows ?? [], inFlight, abandoned),
        this.#deliverAll(retries, inFlight, abandoned),
      ]);
      observeDeliveries(fromRange);
      observeDeliveries(fromRetries);
      let delivered = 0;
      let pending: Pending | null = null;
      if (range && fromRange.every((s) => s.result !== 'abandoned' && s.result.ok)) {
        pending = { leaseId: range.leaseId, settled: fromRange };
        delivered += fromRange.length;
      } else if (range) delivered += await this.#settleRange(workerId, range.leaseId, fromRange);
      if (retries.length > 0) delivered += await this.#settleRetries(workerId, fromRetries);
      this.log.info(
        {
          worker: workerId,
          claimed: (range?.rows.length ?? 0) + retries.length,
          delivered,
          ms: Date.now() - batchStarted,
        },
        'batch settled',
      );
      return pending;
    } finally {
      clearInterval(renew);
      signal.removeEventListener('abort', onAbandon);
    }
  }

  /** Settles a leased range in one write (more only when some of it failed); returns rows delivered. */
  async #settleRange(workerId: string, leaseId: string, settled: Settled[]): Promise<number> {
    const failed: { row: OutboxRow; error: string; delayMs: number }[] = [];
    const dead: { row: OutboxRow; error: string }[] = [];
    const abandoned: string[] = [];
    let delivered = 0;
    for (const { row, result } of settled) {
      if (result === 'abandoned') abandoned.push(row.id);
      else if (result.ok) delivered += 1;
      else if (this.#isLast(row, result)) dead.push({ row, error: result.error });
      else failed.push({ row, error: result.error, delayMs: retryDelayMs(row.attempts) });
    }
    // The settlement must land even across a database hiccup: receivers already have these.
    const kept = await this.#persist(() =>
      this.outbox.settleRange(workerId, leaseId, { failed, dead, abandoned }),
    );
    if (!kept) {
      this.log.warn(
        { worker: workerId, lost: settled.length },
        'rows were reclaimed before completion; they will be delivered again',
      );
      return 0;
    }
    const delays = new Map(failed.map((f) => [f.row.id, f.delayMs]));
    for (const { row, result, ms } of settled) {
      if (result === 'abandoned') continue;
      if (result.ok) this.#delivered(row, ms);
      else this.#logFailure(row, result, ms, delays.get(row.id));
      this.events.onSettled?.(row, result);
    }
    this.#logReleased(workerId, abandoned.length, settled);
    return delivered;
  }

  /** Settles retry rows, each on its own lock; returns rows delivered. */
  async #settleRetries(workerId: string, settled: Settled[]): Promise<number> {
    const done = settled.filter((s) => s.result !== 'abandoned' && s.result.ok).map((s) => s.row.id);
    const completed = await this.#persist(() => this.outbox.complete(workerId, done));
    if (completed < done.length)
      this.log.warn(
        { worker: workerId, lost: done.length - completed },
        'rows were reclaimed before completion; they will be delivered again',
      );
    for (const { row, result, ms } of settled) {
      if (result === 'abandoned') continue;
      if (result.ok) {
        this.#delivered(row, ms);
        this.events.onSettled?.(row, result);
      } else {
        await this.#failed(workerId, row, result, ms);
      }
    }
    const abandoned = settled.filter((s) => s.result === 'abandoned').map((s) => s.row.id);
    if (abandoned.length > 0) {
      const released = await this.#persist(() => this.outbox.release(workerId, abandoned));
      this.#logReleased(workerId, released, settled);
    }
    return done.length;
  }

  #delivered(row: OutboxRow, ms: number): void {
    // Per row at debug: at info, logging every delivery costs the worker 6–22% of its rate; the
    // check spares building the fields of a line that is not written.
    if (!this.log.isLevelEnabled('debug')) return;
    this.log.debug(
      { row: row.id, event: row.event_id, destination: row.destination, attempt: row.attempts, ms },
      'delivered',
    );
  }

  #logReleased(workerId: string, released: number, settled: Settled[]): void {
    if (released === 0) return;
    outboxMetrics.released(released);
    this.log.warn({ worker: workerId, released }, 'released unfinished deliveries on shutdown');
    for (const { row, result } of settled)
      if (result === 'abandoned') this.events.onSettled?.(row, { ok: false, released: true });
  }

  #isLast(row: OutboxRow, result: Extract<DeliveryResult, { ok: false }>): boolean {
    return result.permanent || row.attempts >= (this.#options.maxAttempts ?? row.max_attempts);
  }

  /**
   * Delivers rows concurrently; each settles into its own slot. When `abandoned` resolves first,
   * the rows still running are abandoned and later outcomes are ignored. A span per delivery is
   * made only when tracing is on; the series are recorded per batch (observeDeliveries).
   */
  #deliverAll(
    rows: readonly OutboxRow[],
    inFlight: Set<string>,
    abandoned: Promise<'abandoned'>,
  ): Promise<Settled[]> {
    const n = rows.length;
    if (n === 0) return Promise.resolve([]);
    const traced = tracingEnabled();
    const started = Date.now();
    const settled = new Array<Settled | undefined>(n);
    let left = n;
    const all = new Promise<Settled[]>((resolve) => {
      for (let i = 0; i < n; i++) {
        const row = rows[i] as OutboxRow;
        this.#attempt(row, traced).then((result) => {
          settled[i] = { row, result, ms: Date.now() - started };
          inFlight.delete(row.id);
          if (--left === 0) resolve(settled as Settled[]);
        });
      }
    });
    return Promise.race([
      all,
      abandoned.then(() => rows.map((row, i): Settled => settled[i] ?? { row, result: 'abandoned', ms: 0 })),
    ]);
  }

  /** The destination of each destination name, found once. */
  readonly #destinationOf = new Map<string, Destination | null>();

  /** One delivery attempt; a throw counts as worth another try. */
  #attempt(row: OutboxRow, traced: boolean): Promise<DeliveryResult> {
    let to = this.#destinationOf.get(row.destination);
    if (to === undefined) {
      to = this.destinations.find((candidate) => candidate.handles(row.destination)) ?? null;
      if (this.#destinationOf.size < 10_000) this.#destinationOf.set(row.destination, to);
    }
    if (!to) return Promise.resolve(permanent(`no destination handles '${row.destination}'`));
    const destination = to;
    const signal = this.#abandon.signal;
    try {
      const attempt = traced
        ? traceDeliveryAttempt(row, () => destination.deliver(row, signal))
        : destination.deliver(row, signal);
      return attempt.catch(thrown);
    } catch (error) {
      return Promise.resolve(thrown(error));
    }
  }

  async #failed(
    workerId: string,
    row: OutboxRow,
    result: Extract<DeliveryResult, { ok: false }>,
    ms: number,
  ): Promise<void> {
    if (this.#isLast(row, result)) {
      const moved = await this.#persist(() => this.outbox.deadLetter(workerId, row, result.error));
      if (moved) this.#logFailure(row, result, ms, undefined);
    } else {
      const delayMs = retryDelayMs(row.attempts);
      const scheduled = await this.#persist(() =>
        this.outbox.retryLater(workerId, row, result.error, delayMs),
      );
      if (scheduled) this.#logFailure(row, result, ms, delayMs);
    }
    this.events.onSettled?.(row, result);
  }

  /** `retry scheduled` (warn) with the delay, or `dead-lettered` (error) without one. */
  #logFailure(
    row: OutboxRow,
    result: Extract<DeliveryResult, { ok: false }>,
    ms: number,
    retryInMs: number | undefined,
  ): void {
    if (retryInMs === undefined) outboxMetrics.deadLettered(row.destination);
    else outboxMetrics.retryScheduled(row.destination);
    const fields = {
      row: row.id,
      event: row.event_id,
      destination: row.destination,
      attempt: row.attempts,
      ms,
      error: result.error,
    };
    if (retryInMs === undefined) this.log.error({ ...fields, permanent: result.permanent }, 'dead-lettered');
    else this.log.warn({ ...fields, retryInMs }, 'retry scheduled');
  }

  /** Writes that record a delivery's outcome are retried through connection loss or a restart. */
  #persist<T>(write: () => Promise<T>): Promise<T> {
    return pRetry(write, {
      retries: 8,
      minTimeout: 100,
      maxTimeout: 5_000,
      onFailedAttempt: ({ error, attemptNumber }) =>
        this.log.warn({ err: error, attempt: attemptNumber }, 'outbox write failed; retrying'),
    });
  }

  async #sweep(starting: boolean): Promise<void> {
    try {
      // The embedded database's processes share one host: on start, what dead ones held is
      // taken back at once instead of after the lease (a SIGKILLed `serve --worker`).
      if (starting && this.outbox.store.dialect === 'sqlite') {
        const released = await this.outbox.reclaimFromDeadProcesses();
        outboxMetrics.reclaimed(released.length);
        if (released.length > 0)
          this.log.warn({ worker: this.id, rows: released }, 'reclaimed what stopped processes held');
      }
      const reclaimed = await this.outbox.reclaim(this.#options.leaseMs, 500);
      outboxMetrics.reclaimed(reclaimed.length);
      if (reclaimed.length > 0)
        this.log.warn({ worker: this.id, rows: reclaimed }, 'reclaimed expired leases');
    } catch (error) {
      this.log.error({ err: error }, 'reclaim sweep failed');
    }
  }

  async #logStats(): Promise<void> {
    try {
      this.log.info({ worker: this.id, ...(await this.outbox.stats()) }, 'outbox stats');
    } catch (error) {
      this.log.warn({ err: error }, 'outbox stats failed');
    }
  }
}
