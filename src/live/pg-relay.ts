/**
 * Changes from other processes on PostgreSQL: LISTEN on the changes channel and publish what
 * other processes committed (servers, the worker's SLA sweep) into this process's feed. The
 * changes this process sent are already in its feed and are skipped.
 */
import type { Logger } from '../log.js';
import { type Listening, listenOn } from '../store/pg-listen.js';
import { CHANGES_CHANNEL, PROCESS_ORIGIN } from './changes.js';
import type { Change, ChangeFeed } from './feed.js';

export function relayPostgresChanges(url: string, feed: ChangeFeed, log: Logger): Listening {
  return listenOn(
    url,
    CHANGES_CHANNEL,
    {
      notified: (payload) => {
        try {
          const body = JSON.parse(payload ?? '{}') as { origin?: string; changes?: Change[] };
          if (body.origin !== PROCESS_ORIGIN && Array.isArray(body.changes)) feed.publish(body.changes);
        } catch (error) {
          log.warn({ err: error }, 'unreadable change notification');
        }
      },
    },
    log,
    'change relay',
  );
}
