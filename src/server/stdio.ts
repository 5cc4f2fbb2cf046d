/**
 * MCP over stdio for desktop clients: one connection, one caller (from the configuration),
 * both protocol eras. stdout carries the protocol and nothing else; logs go to stderr.
 *
 * `serveConnection` serves any one-connection transport the same way (stdio, and the in-memory
 * pairs of tests): the SDK's `serveStdio` entry pins the connection to the era its first message
 * speaks and builds its instance; with a change feed, one watch per connection serves the
 * 2025-era `resources/subscribe` of a 2025 instance and the 2026-era `subscriptions/listen` the
 * entry answers (src/live/listen.ts), with the same rule.
 */
import type { McpServer, Transport } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { listeningTransport } from '../live/listen.js';
import { resourceWatch } from '../live/subscriptions.js';
import { createServer, type ServerOptions } from './mcp.js';

export interface Connection {
  close(): Promise<void>;
}

/** Serves one connection over `transport` until it closes. */
export function serveConnection(options: ServerOptions, transport: Transport): Connection {
  const onerror = (error: Error) => options.log.warn({ err: error }, 'stdio transport error');
  const { live } = options;
  if (!live) return serveStdio(() => createServer(options), { transport, onerror });
  // The instance serving the connection now (a discarded discovery probe is replaced).
  let current: McpServer | undefined;
  const watch = resourceWatch(live, options.actor, (uri) => {
    void current?.server.sendResourceUpdated({ uri }).catch(() => {});
  });
  const wire = listeningTransport(transport, watch, options.actor);
  return serveStdio(
    (context) => {
      const { live: _legacyOnly, ...rest } = options;
      current =
        context.era === 'modern'
          ? createServer({ ...rest, listen: true })
          : createServer({ ...options, liveWatch: watch });
      return current;
    },
    { transport: wire, onerror },
  );
}

/** Serves until the client closes stdin or the process is told to stop. */
export async function serveOverStdio(options: ServerOptions): Promise<void> {
  const handle = serveConnection(options, new StdioServerTransport());
  options.log.info({ actor: options.actor }, 'serving MCP on stdio');
  await new Promise<void>((resolve) => {
    let ended = false;
    // stdin reports both 'end' and 'close' when the client goes: the session ends once.
    const stop = (why: string) => () => {
      if (ended) return;
      ended = true;
      options.log.info({ why }, 'stdio session ended');
      resolve();
    };
    process.stdin.once('end', stop('stdin closed'));
    process.stdin.once('close', stop('stdin closed'));
    process.once('SIGTERM', stop('SIGTERM'));
    process.once('SIGINT', stop('SIGINT'));
  });
  await handle.close();
}
