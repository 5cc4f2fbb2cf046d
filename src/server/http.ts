/**
 * Streamable HTTP: stateless MCP at /mcp (a fresh server per request, serving 2026-07-28 and
 * 2025-era clients alike), behind Host/Origin checks and a bearer token; plus /healthz
 * (the process answers), /api/health (the database answers) and /metrics (Prometheus).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  hostHeaderValidation,
  localhostHostValidation,
  localhostOriginValidation,
  originValidation,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { httpRequestAnswered } from '../observability/metrics.js';
import type { Store } from '../store/connect.js';
import { databaseNow } from '../store/dialect.js';
import type { ToolSelection } from '../tools/index.js';
import type { Workstream } from '../workstream/workstream.js';
import { actorOf, authenticate } from './auth.js';
import { createServer } from './mcp.js';
import type { Metrics } from './metrics.js';

export interface HttpOptions extends ToolSelection {
  readonly store: Store;
  readonly workstream: Workstream;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly host: string;
  /** 0 picks a free port; the running server reports the one it got. */
  readonly port: number;
  /** Host names accepted in Host and Origin; by default the loopback names when bound to loopback. */
  readonly allowedHosts?: readonly string[] | undefined;
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:8787/mcp. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const HEALTH_TIMEOUT_MS = 3000;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/** DNS-rebinding protection: which Host and Origin headers /mcp accepts. */
function hostGuard(options: HttpOptions): Guard | null {
  const allowed = [...(options.allowedHosts ?? []), ...(isLoopback(options.host) ? LOOPBACK_NAMES : [])];
  if (allowed.length === 0) return null;
  const explicit = (options.allowedHosts ?? []).length > 0;
  const host = explicit ? hostHeaderValidation(allowed) : localhostHostValidation();
  const origin = explicit ? originValidation(allowed) : localhostOriginValidation();
  return (req, res) => host(req, res) && origin(req, res);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function bearer(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

async function databaseHealth(store: Store): Promise<{ status: number; body: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      databaseNow(store.db, store.dialect),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)),
          HEALTH_TIMEOUT_MS,
        );
      }),
    ]);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 200, body: { status: 'ok', database: { dialect: store.dialect, latencyMs } } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 503,
      body: { status: 'unavailable', database: { dialect: store.dialect, error: message.slice(0, 300) } },
    };
  } finally {
    clearTimeout(timer);
  }
}

export async function startHttpServer(options: HttpOptions): Promise<RunningHttpServer> {
  const { store, log, metrics } = options;
  const handler = createMcpHandler(
    (context) =>
      createServer({
        workstream: options.workstream,
        actor: actorOf(context.authInfo),
        log,
        metrics,
        ...(options.toolsets ? { toolsets: options.toolsets } : {}),
        ...(options.readOnly ? { readOnly: true } : {}),
      }),
    { onerror: (error) => log.warn({ err: error }, 'MCP request failed') },
  );
  const mcp = toNodeHandler(handler, { onerror: (error) => log.error({ err: error }, 'MCP handler failed') });
  const guard = hostGuard(options);
  if (!guard) {
    log.warn(
      { host: options.host },
      'listening beyond loopback without WORKSTREAM_ALLOWED_HOSTS: Host and Origin are not checked (bearer tokens still are)',
    );
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') {
      if (guard && !guard(req, res)) return;
      const token = bearer(req);
      const auth = token === null ? null : await authenticate(store, token);
      if (!auth) {
        sendJson(
          res,
          401,
          {
            error: {
              code: 'UNAUTHORIZED',
              message:
                token === null
                  ? 'Send Authorization: Bearer <token>.'
                  : 'The bearer token is unknown or revoked.',
              nextStep: 'Issue a token with `workstream token create --org SLUG --member EMAIL`.',
            },
          },
          { 'www-authenticate': 'Bearer realm="workstream"' },
        );
        return;
      }
      await mcp(Object.assign(req, { auth }), res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} ${path} is not served.` } },
        { allow: 'GET' },
      );
      return;
    }
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return;
      case '/api/health': {
        const { status, body } = await databaseHealth(store);
        sendJson(res, status, body);
        return;
      }
      case '/metrics':
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(await metrics.text());
        return;
      default:
        sendJson(res, 404, {
          error: { code: 'NOT_FOUND', message: `Nothing at ${path}; MCP is served at /mcp.` },
        });
    }
  };

  const server = createHttpServer((req, res) => {
    res.once('finish', () => httpRequestAnswered(req.url ?? '/', res.statusCode));
    route(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'HTTP request failed');
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'INTERNAL', message: 'Unexpected error; see the server log.' } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) => {
      const why = {
        EADDRINUSE: 'the port is in use',
        EACCES: 'not allowed',
        EADDRNOTAVAIL: 'no such local address',
      }[error.code ?? ''];
      reject(
        why
          ? new ConfigError(
              `cannot listen on ${options.host}:${options.port}: ${why}; choose another with --host / --port (WORKSTREAM_HTTP_HOST / WORKSTREAM_HTTP_PORT)`,
            )
          : error,
      );
    };
    server.once('error', refused);
    server.listen(options.port, options.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the HTTP server has no TCP address');
  const { port } = address;
  const shownHost =
    options.host === '0.0.0.0' || options.host === '::'
      ? '127.0.0.1'
      : options.host.includes(':') && !options.host.startsWith('[')
        ? `[${options.host}]`
        : options.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    close: async () => {
      await handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
