/**
 * A PostgreSQL LISTEN that stays up: one dedicated connection listening on `channel`, reconnected
 * with backoff (200 ms doubling, at most 10 s) when it drops. The outbox wake-up
 * (src/worker/listen.ts) and the change relay (src/live/pg-relay.ts) both stand on it.
 */
import type pg from 'pg';
import type { Logger } from '../log.js';

export interface Listening {
  close(): Promise<void>;
}

export function listenOn(
  url: string,
  channel: string,
  handlers: {
    /** Each notification's payload. */
    readonly notified: (payload: string | undefined) => void;
    /** After each (re)connection: what was sent while nobody listened is not heard. */
    readonly listening?: () => void;
  },
  log: Logger,
  what: string,
): Listening {
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let failures = 0;

  const schedule = () => {
    if (closed || retry) return;
    failures += 1;
    retry = setTimeout(
      () => {
        retry = undefined;
        void connect();
      },
      Math.min(10_000, 200 * 2 ** failures),
    );
    retry.unref();
  };

  const connect = async (): Promise<void> => {
    // Imported on the first connection: a process on SQLite never loads the PostgreSQL driver.
    const { default: driver } = await import('pg');
    if (closed) return;
    const next = new driver.Client({ connectionString: url });
    next.on('notification', (message) => handlers.notified(message.payload));
    next.on('error', (error) => {
      log.warn({ err: error }, `${what} lost its connection; reconnecting`);
      if (client === next) client = null;
      void next.end().catch(() => {});
      schedule();
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      if (closed) return void (await next.end());
      client = next;
      failures = 0;
      handlers.listening?.();
    } catch (error) {
      log.warn({ err: error }, `${what} could not connect; retrying`);
      await next.end().catch(() => {});
      schedule();
    }
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
