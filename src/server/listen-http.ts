/**
 * 2026-era `subscriptions/listen` over Streamable HTTP: each listen is one POST whose answer is
 * an SSE stream that stays open. The SDK's handler writes the stream (acknowledgement, stamped
 * notifications, keep-alives, the graceful close); its event bus is shared by every stream of a
 * handler and matches URIs exactly, and `workstream://today` is a different panel for each
 * member, so each stream here gets a handler and a bus of its own (src/live/listen.ts): it hears
 * only its caller's org, only the URIs it named, for that member. A listen naming a URI no change
 * updates is refused before the SDK sees it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpHttpHandler, type McpServerFactory } from '@modelcontextprotocol/server';
import type { ChangeFeed } from '../live/feed.js';
import { checkListen, listenBus, listenRequest } from '../live/listen.js';
import type { Logger } from '../log.js';
import type { Actor } from '../workstream/deps.js';

export interface HttpListenOptions {
  readonly feed: ChangeFeed;
  readonly windowMs?: number | undefined;
  readonly log: Logger;
  readonly maxRequestBodySize: number;
  /** Open listen streams at once, across callers; a further listen is refused. */
  readonly maxStreams?: number;
}

export interface HttpListen {
  /** Serves `parsed` when it is a `subscriptions/listen` request; answers whether it did. */
  serve(
    req: IncomingMessage & { auth?: unknown },
    res: ServerResponse,
    parsed: unknown,
    actor: Actor,
    factory: McpServerFactory,
  ): Promise<boolean>;
  /** How many streams are open (tests, metrics). */
  readonly open: number;
  /** Ends every open stream gracefully (the empty listen result). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_STREAMS = 1024;

function answer(res: ServerResponse, id: string | number, error: { code: number; message: string }): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id, error }));
}

export function httpListen(options: HttpListenOptions): HttpListen {
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  const streams = new Set<McpHttpHandler>();
  const live = {
    feed: options.feed,
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
  };
  return {
    async serve(req, res, parsed, actor, factory) {
      const listen = listenRequest(parsed);
      if (!listen) return false;
      const checked = checkListen(listen.uris, actor.memberId);
      if (!checked.ok) {
        answer(res, listen.id, checked.error);
        return true;
      }
      if (streams.size >= maxStreams) {
        options.log.warn({ open: streams.size }, 'subscriptions/listen refused: stream limit reached');
        answer(res, listen.id, { code: -32603, message: 'Subscription limit reached' });
        return true;
      }
      const handler = createMcpHandler(factory, {
        legacy: 'reject',
        bus: listenBus(live, actor, checked.watched),
        maxSubscriptions: 1,
        maxRequestBodySize: options.maxRequestBodySize,
        onerror: (error) => options.log.warn({ err: error }, 'subscriptions/listen failed'),
      });
      streams.add(handler);
      res.once('close', () => {
        streams.delete(handler);
        void handler.close();
      });
      await toNodeHandler(handler, {
        onerror: (error) => options.log.error({ err: error }, 'subscriptions/listen handler failed'),
        maxRequestBodySize: options.maxRequestBodySize,
      })(req as never, res, parsed);
      return true;
    },
    get open() {
      return streams.size;
    },
    async close() {
      const open = [...streams];
      streams.clear();
      await Promise.all(open.map((handler) => handler.close()));
    },
  };
}
