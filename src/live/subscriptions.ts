/**
 * 2025-era resource subscriptions (`resources/subscribe`, `resources/unsubscribe`) on one MCP
 * server instance that serves one caller for a whole connection (stdio, in-memory): the instance
 * listens to its org's changes on the feed and sends `notifications/resources/updated` for each
 * subscribed URI a change updates (`resourcesChanged`), at most once per URI per window.
 *
 * HTTP serves each request with a pooled instance and has no session to send on later, so it
 * does not advertise subscriptions (src/server/http.ts).
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { Actor } from '../workstream/deps.js';
import { type ChangeFeed, resourcesChanged, type Watched, watchedBy } from './feed.js';

export interface LiveOptions {
  readonly feed: ChangeFeed;
  /** Notifications for one URI within this many milliseconds become one. */
  readonly windowMs?: number;
}

export const DEFAULT_WINDOW_MS = 150;

/** Advertises `resources.subscribe` and serves it; call before the instance connects. */
export function serveSubscriptions(server: McpServer, actor: Actor, live: LiveOptions): void {
  const windowMs = live.windowMs ?? DEFAULT_WINDOW_MS;
  const watching = new Map<string, Watched>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | null = null;

  const flush = () => {
    timer = undefined;
    const uris = [...pending];
    pending.clear();
    for (const uri of uris)
      if (watching.has(uri)) void server.server.sendResourceUpdated({ uri }).catch(() => stop());
  };
  const stop = () => {
    unsubscribe?.();
    unsubscribe = null;
    watching.clear();
    pending.clear();
    clearTimeout(timer);
  };
  const listen = () => {
    unsubscribe ??= live.feed.subscribe(actor.orgId, (change) => {
      for (const [uri, watched] of watching) if (resourcesChanged(watched, change)) pending.add(uri);
      if (pending.size > 0 && timer === undefined) {
        timer = setTimeout(flush, windowMs);
        timer.unref();
      }
    });
  };

  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler('resources/subscribe', async (request) => {
    const uri = request.params.uri;
    const watched = watchedBy(uri, actor.memberId);
    // A URI the feed never changes is accepted and simply never updated.
    if (watched) {
      watching.set(uri, watched);
      listen();
    }
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (request) => {
    watching.delete(request.params.uri);
    if (watching.size === 0) stop();
    return {};
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    stop();
    previous?.();
  };
}
