/** `workstream worker`: the outbox dispatcher as a process, with graceful shutdown on SIGTERM/SIGINT. */
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { connect, type Store } from '../store/connect.js';
import { AlertsDestination, type Destination, WebhookDestination } from './destinations.js';
import { listenForOutbox } from './listen.js';
import { OutboxStore } from './outbox-store.js';
import { OutboxWorker, type WorkerOptions } from './outbox-worker.js';

export function defaultDestinations(store: Store, log: Logger): Destination[] {
  return [new WebhookDestination(store.db), new AlertsDestination(log)];
}

export interface RunningWorker {
  readonly worker: OutboxWorker;
  /** Stops claiming, drains, releases, closes connections. */
  stop(): Promise<void>;
}

/** Starts a worker over an open store (the server's in-process worker uses this too). */
export function startWorker(store: Store, log: Logger, options: WorkerOptions = {}): RunningWorker {
  const worker = new OutboxWorker(new OutboxStore(store), defaultDestinations(store, log), log, options);
  worker.start();
  const listener =
    store.dialect === 'postgres' ? listenForOutbox(store.rawUrl, () => worker.wake(), log) : null;
  log.info({ worker: worker.id, db: store.url, ...options }, 'worker started');
  return {
    worker,
    async stop() {
      await worker.stop();
      await listener?.close();
    },
  };
}

export async function runWorkerProcess(config: Config, options: WorkerOptions): Promise<void> {
  const log = createLogger(config.logLevel, 'workstream-worker');
  const store = await connect(config.dbUrl, {
    onIdleError: (error) => log.warn({ err: error }, 'database connection dropped'),
  });
  const running = startWorker(store, log, options);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down: no new claims, draining in-flight deliveries');
      running
        .stop()
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
