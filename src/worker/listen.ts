/**
 * PostgreSQL LISTEN on the outbox channel: commands NOTIFY when they commit outbox rows, so an
 * idle worker starts at once instead of at its next poll. Polling still runs underneath; this
 * only shortens the wait, and reconnects with backoff when the connection drops.
 */
import pg from 'pg';
import type { Logger } from '../log.js';
import { OUTBOX_CHANNEL } from '../workstream/outbox-channel.js';

export function listenForOutbox(url: string, onNotify: () => void, log: Logger): { close(): Promise<void> } {
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
    const next = new pg.Client({ connectionString: url });
    next.on('notification', onNotify);
    next.on('error', (error) => {
      log.warn({ err: error }, 'outbox listener lost its connection; reconnecting');
      if (client === next) client = null;
      void next.end().catch(() => {});
      schedule();
    });
    try {
      await next.connect();
      await next.query(`listen ${OUTBOX_CHANNEL}`);
      if (closed) return void (await next.end());
      client = next;
      failures = 0;
      onNotify(); // rows may have been committed while nobody listened
    } catch (error) {
      log.warn({ err: error }, 'outbox listener could not connect; retrying');
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
