/**
 * The feed a server process creates: in-process, plus the relay that brings other processes'
 * changes into it: LISTEN/NOTIFY on PostgreSQL (./pg-relay.ts), polling the events table's
 * high-water mark every `pollMs` on SQLite and SQL Server (./poll-relay.ts; 0 polls never).
 */
import type { Logger } from '../log.js';
import type { Store } from '../store/connect.js';
import { type ChangeFeed, inProcessFeed } from './feed.js';
import { relayPostgresChanges } from './pg-relay.js';
import { relayPolledChanges } from './poll-relay.js';

export function processFeed(store: Store, log: Logger, options: { readonly pollMs: number }): ChangeFeed {
  const feed = inProcessFeed();
  const listening = store.dialect === 'postgres' ? relayPostgresChanges(store.rawUrl, feed, log) : null;
  const polling =
    store.dialect !== 'postgres' && options.pollMs > 0
      ? relayPolledChanges(store, feed, options.pollMs, log)
      : null;
  return {
    subscribe: feed.subscribe,
    publish: feed.publish,
    ...(polling ? { ownEvents: (ids: readonly string[]) => polling.ownEvents(ids) } : {}),
    async close() {
      await listening?.close();
      await polling?.close();
      await feed.close();
    },
  };
}
