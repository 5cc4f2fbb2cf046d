/**
 * MCP over stdio for desktop clients: one connection, one caller (from the configuration),
 * both protocol eras. stdout carries the protocol and nothing else; logs go to stderr.
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createServer, type ServerOptions } from './mcp.js';

/** Serves until the client closes stdin or the process is told to stop. */
export async function serveOverStdio(options: ServerOptions): Promise<void> {
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
