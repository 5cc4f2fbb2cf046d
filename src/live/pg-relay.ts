/**
 * Changes from other processes on PostgreSQL: LISTEN on the changes channel and publish what
 * other processes committed (servers, the worker's SLA sweep) into this process's feed. The
 * changes this process sent are already in its feed and are skipped. Reconnects with backoff.
 */
import pg from 'pg';
import type { Logger } from '../log.js';
import { CHANGES_CHANNEL, PROCESS_ORIGIN } from './changes.js';
import { type Change, type ChangeFeed, inProcessFeed } from './feed.js';

export function relayPostgresChanges(url: string, feed: ChangeFeed, log: Logger): { close(): Promise<void> } {
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
    next.on('notification', (message) => {
      try {
        const body = JSON.parse(message.payload ?? '{}') as { origin?: string; changes?: Change[] };
        if (body.origin !== PROCESS_ORIGIN && Array.isArray(body.changes)) feed.publish(body.changes);
      } catch (error) {
        log.warn({ err: error }, 'unreadable change notification');
      }
    });
    next.on('error', (error) => {
      log.warn({ err: error }, 'change relay lost its connection; reconnecting');
      if (client === next) client = null;
      void next.end().catch(() => {});
      schedule();
    });
    try {
      await next.connect();
      await next.query(`listen ${CHANGES_CHANNEL}`);
      if (closed) return void (await next.end());
      client = next;
      failures = 0;
    } catch (error) {
      log.warn({ err: error }, 'change relay could not connect; retrying');
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

/**
 * The feed a server process creates: in-process, plus the PostgreSQL relay when the store is
 * PostgreSQL. SQLite and SQL Server hear only this process's changes (polling the events
 * high-water mark for other processes is not built yet).
 */
export function processFeed(url: string, log: Logger): ChangeFeed {
  const feed = inProcessFeed();
  const relay = /^postgres(ql)?:/.test(url) ? relayPostgresChanges(url, feed, log) : null;
  return {
    subscribe: feed.subscribe,
    publish: feed.publish,
    async close() {
      await relay?.close();
      await feed.close();
    },
  };
}
