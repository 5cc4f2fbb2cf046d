/**
 * 2026-era `subscriptions/listen` (protocol revision 2026-07-28) from the change feed. The SDK's
 * serving entries own the wire (the acknowledgement, stamping each notification with the
 * subscription id, keep-alives, the graceful close); this module decides, with the rule both
 * eras share (./subscriptions.ts), which URIs a listen may name and when each is updated:
 *
 * - on a connection (stdio, in-memory), `listeningTransport` sits between the wire and the SDK's
 *   `serveStdio`: it refuses a listen naming a URI no change updates, and holds the URIs of each
 *   open listen in the connection's watch until it is cancelled or answered; the watch's updates
 *   go out through the pinned instance, whose entry routes them onto the listens naming them;
 * - over HTTP, `listenBus` is the event bus of one listen stream: it hears only that caller's
 *   org, only the URIs that stream named, for that member (src/server/listen-http.ts).
 */
import type {
  JSONRPCMessage,
  MessageExtraInfo,
  ServerEvent,
  ServerEventBus,
  Transport,
} from '@modelcontextprotocol/server';
import type { Actor } from '../workstream/deps.js';
import type { Watched } from './feed.js';
import { type LiveOptions, type ResourceWatch, resourceWatch, watchedUris } from './subscriptions.js';

type Id = string | number;

/** What a `subscriptions/listen` request names, or null when it is not one. */
export function listenRequest(
  message: unknown,
): { readonly id: Id; readonly uris: readonly string[] | null } | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const { method, id, params } = message as { method?: unknown; id?: unknown; params?: unknown };
  if (method !== 'subscriptions/listen' || (typeof id !== 'string' && typeof id !== 'number')) return null;
  const notifications = (params as { notifications?: { resourceSubscriptions?: unknown } } | undefined)
    ?.notifications;
  const uris = notifications?.resourceSubscriptions;
  // A malformed filter is the SDK's to refuse (Invalid params, naming the filter).
  if (!Array.isArray(uris) || !uris.every((uri) => typeof uri === 'string')) return { id, uris: null };
  return { id, uris };
}

export type ListenCheck =
  | { readonly ok: true; readonly watched: Map<string, Watched> }
  | { readonly ok: false; readonly error: { readonly code: number; readonly message: string } };

/** Whether a listen's URIs can be served for `memberId`: the URIs and what each watches, or the refusal. */
export function checkListen(uris: readonly string[] | null, memberId: string): ListenCheck {
  const found = watchedUris(uris ?? [], memberId);
  if (found.ok) return found;
  return {
    ok: false,
    error: { code: -32602, message: `Invalid params: notifications.resourceSubscriptions: ${found.message}` },
  };
}

const holderOf = (id: Id) => `listen:${JSON.stringify(id)}`;

/**
 * The connection's wire with `subscriptions/listen` checked and its URIs held in `watch`. A
 * listen the entry refuses (limit, envelope, a 2025-era connection) or ends (its empty result)
 * and a cancelled one are dropped from the watch.
 */
export function listeningTransport(inner: Transport, watch: ResourceWatch, actor: Actor): Transport {
  const wire: Transport = {
    start() {
      inner.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
        const listen = listenRequest(message);
        if (listen) {
          const checked = checkListen(listen.uris, actor.memberId);
          if (!checked.ok) {
            void inner
              .send({ jsonrpc: '2.0', id: listen.id, error: checked.error })
              .catch((error: unknown) => {
                wire.onerror?.(error instanceof Error ? error : new Error(String(error)));
              });
            return;
          }
          watch.hold(holderOf(listen.id), checked.watched);
        } else if (
          'method' in message &&
          message.method === 'notifications/cancelled' &&
          !('id' in message)
        ) {
          const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
          if (typeof requestId === 'string' || typeof requestId === 'number') watch.drop(holderOf(requestId));
        }
        wire.onmessage?.(message, extra);
      };
      inner.onclose = () => {
        watch.close();
        wire.onclose?.();
      };
      inner.onerror = (error) => wire.onerror?.(error);
      return inner.start();
    },
    send(message, options) {
      // A response to a listen ends it: the entry's refusal, or its graceful close.
      if (!('method' in message) && 'id' in message && message.id !== undefined && message.id !== null)
        watch.drop(holderOf(message.id));
      return inner.send(message, options);
    },
    close: () => inner.close(),
  };
  if (inner.setProtocolVersion) wire.setProtocolVersion = (version) => inner.setProtocolVersion?.(version);
  if (inner.setSupportedProtocolVersions)
    wire.setSupportedProtocolVersions = (versions) => inner.setSupportedProtocolVersions?.(versions);
  return wire;
}

/**
 * The event bus of one HTTP listen stream for `actor`: the SDK subscribes to it once the stream
 * is acknowledged and unsubscribes when it ends; meanwhile the watch delivers the stream's URIs
 * as `resource_updated` events. Nothing else publishes on it.
 */
export function listenBus(live: LiveOptions, actor: Actor, watched: Map<string, Watched>): ServerEventBus {
  let listener: ((event: ServerEvent) => void) | undefined;
  const watch = resourceWatch(live, actor, (uri) => listener?.({ kind: 'resource_updated', uri }));
  return {
    publish(event) {
      listener?.(event);
    },
    subscribe(next) {
      listener = next;
      watch.hold('stream', watched);
      let live = true;
      return () => {
        if (!live) return;
        live = false;
        listener = undefined;
        watch.close();
      };
    },
  };
}
