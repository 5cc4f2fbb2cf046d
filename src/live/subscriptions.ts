/**
 * Resource subscriptions of both protocol eras over one implementation:
 *
 * - which URIs can be subscribed and what each watches (`subscribable`, over `watchedBy`), the
 *   same for `resources/subscribe` and `subscriptions/listen`, so both refuse the same URIs;
 * - `resourceWatch`: one subscriber's watched URIs, listening to its org's changes on the feed
 *   only while it watches something, marking each URI a change updates (`resourcesChanged`) and
 *   delivering each marked URI once per window.
 *
 * The era-specific parts are thin: `serveResourceSubscriptions` (2025: the request handlers on
 * one instance serving a whole connection), ./listen.ts (2026: `subscriptions/listen` on a
 * connection, and over HTTP).
 */
import { type McpServer, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { Actor } from '../workstream/deps.js';
import { type ChangeFeed, resourcesChanged, type Watched, watchedBy } from './feed.js';

export interface LiveOptions {
  readonly feed: ChangeFeed;
  /** Notifications for one URI within this many milliseconds become one. */
  readonly windowMs?: number;
}

export const DEFAULT_WINDOW_MS = 150;

/** URIs one listen may name, and 2025-era subscriptions one connection may hold. */
export const MAX_SUBSCRIBED_URIS = 256;

/** What can be subscribed, for the refusal's message. */
export const SUBSCRIBABLE =
  'workstream://today, workstream://sla/breaches and workstream://{signals|candidates|pursuits}/{id} (a query is allowed)';

export type Subscribable =
  | { readonly ok: true; readonly watched: Watched }
  | { readonly ok: false; readonly message: string };

/** Whether `uri` can be subscribed by `memberId`, and what it watches; the rule of both eras. */
export function subscribable(uri: string, memberId: string): Subscribable {
  const watched = watchedBy(uri, memberId);
  if (watched) return { ok: true, watched };
  return {
    ok: false,
    message: `${JSON.stringify(uri).slice(0, 200)} cannot be subscribed: no change updates it. Subscribe to ${SUBSCRIBABLE}.`,
  };
}

/** The URIs of a subscription, each with what it watches, or the refusal of the first that cannot be. */
export function watchedUris(
  uris: readonly string[],
  memberId: string,
):
  | { readonly ok: true; readonly watched: Map<string, Watched> }
  | { readonly ok: false; readonly message: string } {
  if (uris.length > MAX_SUBSCRIBED_URIS)
    return {
      ok: false,
      message: `at most ${MAX_SUBSCRIBED_URIS} URIs in one subscription (got ${uris.length}); listen more than once.`,
    };
  const watched = new Map<string, Watched>();
  for (const uri of uris) {
    const found = subscribable(uri, memberId);
    if (!found.ok) return found;
    watched.set(uri, found.watched);
  }
  return { ok: true, watched };
}

export interface ResourceWatch {
  /** Watch `uris` for `holder` (a 2025 subscription or a listen request), replacing what it held. */
  hold(holder: string, uris: ReadonlyMap<string, Watched>): void;
  /** Stop watching what `holder` held; a URI another holder holds is still watched. */
  drop(holder: string): void;
  /** Whether `holder` holds anything. */
  holds(holder: string): boolean;
  /** Drops every holder and stops listening. */
  close(): void;
}

/**
 * One subscriber's watched URIs in `actor`'s org: `deliver(uri)` is called, at most once per URI
 * per window, for each watched URI a change updates. Changes of other orgs never reach it (the
 * feed is subscribed per org); the feed is listened to only while something is watched.
 */
export function resourceWatch(
  live: LiveOptions,
  actor: Actor,
  deliver: (uri: string) => void,
): ResourceWatch {
  const windowMs = live.windowMs ?? DEFAULT_WINDOW_MS;
  const holders = new Map<string, ReadonlyMap<string, Watched>>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | null = null;

  const watching = (uri: string) => {
    for (const uris of holders.values()) if (uris.has(uri)) return true;
    return false;
  };
  const flush = () => {
    timer = undefined;
    const uris = [...pending];
    pending.clear();
    for (const uri of uris) if (watching(uri)) deliver(uri);
  };
  const stop = () => {
    unsubscribe?.();
    unsubscribe = null;
    pending.clear();
    clearTimeout(timer);
    timer = undefined;
  };
  const listen = () => {
    unsubscribe ??= live.feed.subscribe(actor.orgId, (change) => {
      for (const uris of holders.values())
        for (const [uri, watched] of uris) if (resourcesChanged(watched, change)) pending.add(uri);
      if (pending.size > 0 && timer === undefined) {
        timer = setTimeout(flush, windowMs);
        timer.unref();
      }
    });
  };

  const drop = (holder: string) => {
    holders.delete(holder);
    if (holders.size === 0) stop();
  };
  return {
    hold(holder, uris) {
      if (uris.size === 0) drop(holder);
      else {
        holders.set(holder, uris);
        listen();
      }
    },
    drop,
    holds: (holder) => holders.has(holder),
    close() {
      holders.clear();
      stop();
    },
  };
}

/**
 * 2025-era `resources/subscribe` / `resources/unsubscribe` on one instance serving one caller for
 * a whole connection (stdio, in-memory): advertises `resources.subscribe` and sends
 * `notifications/resources/updated` through `watch`. Call before the instance connects.
 */
export function serveResourceSubscriptions(server: McpServer, actor: Actor, watch: ResourceWatch): void {
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', async (request) => {
    const uri = request.params.uri;
    const found = watchedUris([uri], actor.memberId);
    if (!found.ok) throw new ProtocolError(ProtocolErrorCode.InvalidParams, found.message);
    if (!subscribed.has(uri) && subscribed.size >= MAX_SUBSCRIBED_URIS)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `at most ${MAX_SUBSCRIBED_URIS} subscribed URIs on one connection: unsubscribe one first.`,
      );
    subscribed.add(uri);
    watch.hold(`resource:${uri}`, found.watched);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (request) => {
    subscribed.delete(request.params.uri);
    watch.drop(`resource:${request.params.uri}`);
    return {};
  });
}

/** A watch delivering to one instance's connection, closed with it. */
export function instanceWatch(server: McpServer, actor: Actor, live: LiveOptions): ResourceWatch {
  const watch = resourceWatch(live, actor, (uri) => {
    void server.server.sendResourceUpdated({ uri }).catch(() => watch.close());
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    watch.close();
    previous?.();
  };
  return watch;
}
