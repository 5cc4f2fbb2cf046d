/**
 * MCP over stdio for desktop clients: one connection, one caller (from the configuration),
 * both protocol eras. stdout carries the protocol and nothing else; logs go to stderr.
 */
import { setFlagsFromString } from 'node:v8';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createServer, type ServerOptions } from './mcp.js';

/** Serves until the client closes stdin or the process is told to stop. */
export async function serveOverStdio(options: ServerOptions): Promise<void> {
  // One client making one call at a time: V8's young generation stays at its first size instead
  // of doubling up to 16 MB a half under a run of calls and keeping it while the process idles
  // (about 30 MB of resident memory after 500 calls, for no measurable change in latency;
  // docs/benchmarks.md, "Idle memory").
  setFlagsFromString('--semi-space-growth-factor=1');
  const handle = serveStdio(() => createServer(options), {
    onerror: (error) => options.log.warn({ err: error }, 'stdio transport error'),
  });
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
