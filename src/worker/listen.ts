/**
 * PostgreSQL LISTEN on the outbox channel: commands NOTIFY when they commit outbox rows, so an
 * idle worker starts at once instead of at its next poll. Polling still runs underneath; this
 * only shortens the wait.
 */
import type { Logger } from '../log.js';
import { type Listening, listenOn } from '../store/pg-listen.js';
import { OUTBOX_CHANNEL } from '../workstream/outbox-channel.js';

export function listenForOutbox(url: string, onNotify: () => void, log: Logger): Listening {
  return listenOn(
    url,
    OUTBOX_CHANNEL,
    // After a (re)connection too: rows may have been committed while nobody listened.
    { notified: onNotify, listening: onNotify },
    log,
    'outbox listener',
  );
}
