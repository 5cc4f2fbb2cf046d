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
import { observeDelivery } from '../observability/observe.js';
import { retryDelayMs } from './backoff.js';
import type { DeliveryResult, Destination } from './destinations.js';
import type { OutboxRow, OutboxStore } from './outbox-store.js';

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
    const sweep = () => {
      this.#sweep().finally(() => {
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
    while (!this.stopping) {
      let rows: OutboxRow[];
      try {
        rows = await this.outbox.claim(workerId, this.#options.batchSize);
        outboxMetrics.claimed(rows.length);
        failures = 0;
      } catch (error) {
        failures += 1;
        const backoff = Math.min(5_000, 100 * 2 ** failures);
        this.log.error({ worker: workerId, err: error, retryInMs: backoff }, 'claim failed; retrying');
        await sleep(backoff, this.#stopping.signal);
        continue;
      }
      if (rows.length === 0) {
        await this.#idle(idleMs);
        idleMs = Math.min(this.#options.maxIdleMs, idleMs * 2);
        continue;
      }
      idleMs = 50;
      this.log.debug({ worker: workerId, claimed: rows.length }, 'claimed');
      await this.#deliverBatch(workerId, rows);
    }
  }

  #idle(ms: number): Promise<void> {
    return sleep(ms, this.#stopping.signal, (wake) => {
      this.#wake = wake;
    }).finally(() => {
      this.#wake = null;
    });
  }

  async #deliverBatch(workerId: string, rows: OutboxRow[]): Promise<void> {
    const batchStarted = Date.now();
    const inFlight = new Set(rows.map((row) => row.id));
    // Long deliveries keep their lease; a stalled process stops renewing and loses it.
    const renew = setInterval(
      () =>
        void this.outbox
          .renew(workerId, [...inFlight])
          .catch((error) => this.log.warn({ err: error }, 'lease renewal failed')),
      this.#options.leaseMs / 3,
    );
    try {
      const settled = await Promise.all(
        rows.map(async (row) => {
          const started = Date.now();
          const result = await this.#deliverOne(row);
          inFlight.delete(row.id);
          return { row, result, ms: Date.now() - started };
        }),
      );
      const done = settled.filter((s) => s.result !== 'abandoned' && s.result.ok).map((s) => s.row.id);
      // Completion must land even across a database hiccup: the receiver already has these.
      const completed = await this.#persist(() => this.outbox.complete(workerId, done));
      if (completed < done.length)
        this.log.warn(
          { worker: workerId, lost: done.length - completed },
          'rows were reclaimed before completion; they will be delivered again',
        );
      for (const { row, result, ms } of settled) {
        if (result === 'abandoned') continue;
        if (result.ok) {
          // Per row at debug: at info, logging every delivery costs the worker 6–22% of its rate.
          this.log.debug(
            { row: row.id, event: row.event_id, destination: row.destination, attempt: row.attempts, ms },
            'delivered',
          );
          this.events.onSettled?.(row, result);
        } else {
          await this.#failed(workerId, row, result, ms);
        }
      }
      this.log.info(
        { worker: workerId, claimed: rows.length, delivered: done.length, ms: Date.now() - batchStarted },
        'batch settled',
      );
      const abandoned = settled.filter((s) => s.result === 'abandoned').map((s) => s.row);
      if (abandoned.length > 0) {
        const released = await this.#persist(() =>
          this.outbox.release(
            workerId,
            abandoned.map((row) => row.id),
          ),
        );
        outboxMetrics.released(released);
        this.log.warn({ worker: workerId, released }, 'released unfinished deliveries on shutdown');
        for (const row of abandoned) this.events.onSettled?.(row, { ok: false, released: true });
      }
    } finally {
      clearInterval(renew);
    }
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
      return await Promise.race([observeDelivery(row, () => destination.deliver(row, signal)), abandoned]);
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
      if (moved) outboxMetrics.deadLettered(row.destination);
      if (moved)
        this.log.error(
          {
            row: row.id,
            event: row.event_id,
            destination: row.destination,
            attempt: row.attempts,
            ms,
            error: result.error,
            permanent: result.permanent,
          },
          'dead-lettered',
        );
    } else {
      const delayMs = retryDelayMs(row.attempts);
      const scheduled = await this.#persist(() =>
        this.outbox.retryLater(workerId, row, result.error, delayMs),
      );
      if (scheduled) outboxMetrics.retryScheduled(row.destination);
      if (scheduled)
        this.log.warn(
          {
            row: row.id,
            event: row.event_id,
            destination: row.destination,
            attempt: row.attempts,
            ms,
            error: result.error,
            retryInMs: delayMs,
          },
          'retry scheduled',
        );
    }
    this.events.onSettled?.(row, result);
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

  async #sweep(): Promise<void> {
    try {
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
