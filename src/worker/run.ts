/** `workstream worker`: the outbox dispatcher as a process, with graceful shutdown on SIGTERM/SIGINT. */
import type { Config } from '../config.js';
import { systemClock } from '../domain/clock.js';
import { type EnrichmentConfig, loadEnrichmentConfig } from '../enrichment/config.js';
import { EnrichmentDestination, enrichmentDestination } from '../enrichment/destination.js';
import { createLogger, type Logger } from '../log.js';
import { databaseFigures } from '../observability/figures.js';
import { watchDatabase } from '../observability/metrics.js';
import { exposeMetrics } from '../observability/metrics-server.js';
import { observeSweep } from '../observability/observe.js';
import { connect, type Store } from '../store/connect.js';
import { sweepSlas } from '../workstream/sla-sweep.js';
import { AlertsDestination, type Destination, WebhookDestination } from './destinations.js';
import { listenForOutbox } from './listen.js';
import { OutboxStore } from './outbox-store.js';
import { OutboxWorker, type WorkerOptions } from './outbox-worker.js';

export interface DestinationOptions {
  /** Enrichment providers to deliver `enrichment:<name>` rows to (none: such rows dead-letter). */
  readonly enrichment?: EnrichmentConfig | undefined;
  /** The worker's --max-attempts, so enrichment knows which attempt is the last. */
  readonly maxAttempts?: number | undefined;
}

export function defaultDestinations(
  store: Store,
  log: Logger,
  options: DestinationOptions = {},
): Destination[] {
  const { enrichment, maxAttempts } = options;
  return [
    new WebhookDestination(store.db),
    new AlertsDestination(log),
    ...(enrichment
      ? [enrichmentDestination(store, log, enrichment, maxAttempts ? { maxAttempts } : {})]
      : []),
  ];
}

/** Destinations holding connections (enrichment providers) let go of them on shutdown. */
async function closeDestinations(destinations: readonly Destination[]): Promise<void> {
  await Promise.all(destinations.map((d) => (d instanceof EnrichmentDestination ? d.close() : undefined)));
}

export interface RunningWorker {
  readonly worker: OutboxWorker;
  /** Stops claiming, drains, releases, closes connections. */
  stop(): Promise<void>;
}

export interface StartOptions extends WorkerOptions {
  /** How often this worker sweeps SLA clocks for warnings and breaches (0: never). */
  readonly slaSweepMs?: number;
  /** Enrichment providers this worker calls (WORKSTREAM_ENRICHMENT_CONFIG). */
  readonly enrichment?: EnrichmentConfig | undefined;
}

/**
 * Runs the SLA sweep on a jittered schedule. Several workers may sweep at once: each clock's
 * warning and breach is still emitted once.
 */
function scheduleSlaSweep(store: Store, log: Logger, everyMs: number, wake: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const result = await observeSweep(() => sweepSlas({ store, clock: systemClock }));
      if (result.warned + result.breached > 0) {
        log.info(result, 'SLA sweep');
        wake();
      }
    } catch (error) {
      log.error({ err: error }, 'SLA sweep failed');
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs * (0.75 + Math.random() / 2));
  };
  timer = setTimeout(() => void tick(), everyMs * Math.random());
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Starts a worker over an open store (the server's in-process worker uses this too). */
export function startWorker(store: Store, log: Logger, options: StartOptions = {}): RunningWorker {
  const { enrichment, ...workerOptions } = options;
  const destinations = defaultDestinations(store, log, { enrichment, maxAttempts: options.maxAttempts });
  const worker = new OutboxWorker(new OutboxStore(store), destinations, log, workerOptions);
  worker.start();
  const slaSweepMs = options.slaSweepMs ?? 30_000;
  const stopSweeping =
    slaSweepMs > 0 ? scheduleSlaSweep(store, log, slaSweepMs, () => worker.wake()) : () => {};
  const listener =
    store.dialect === 'postgres' ? listenForOutbox(store.rawUrl, () => worker.wake(), log) : null;
  const unwatch = watchDatabase(databaseFigures(store));
  log.info(
    {
      worker: worker.id,
      db: store.url,
      ...workerOptions,
      enrichment: enrichment?.providers.map((p) => p.name),
    },
    'worker started',
  );
  return {
    worker,
    async stop() {
      unwatch();
      stopSweeping();
      await worker.stop();
      await closeDestinations(destinations);
      await listener?.close();
    },
  };
}

export async function runWorkerProcess(config: Config, options: StartOptions): Promise<void> {
  const log = createLogger(config.logLevel, 'workstream-worker');
  // A broken providers file stops the worker before it connects, in one line.
  const enrichment = config.enrichmentConfig ? loadEnrichmentConfig(config.enrichmentConfig) : undefined;
  const store = await connect(config.dbUrl, {
    onIdleError: (error) => log.warn({ err: error }, 'database connection dropped'),
  });
  const running = startWorker(store, log, { ...options, enrichment });
  const metrics = await exposeMetrics(config.metrics, log, {
    role: 'worker',
    healthy: () => !running.worker.stopping,
  });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down: no new claims, draining in-flight deliveries');
      running
        .stop()
        .then(() => metrics?.close())
        .then(() => store.close())
        .then(resolve, (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          resolve();
        });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
