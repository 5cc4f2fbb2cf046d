/**
 * Streamable HTTP: stateless MCP at /mcp (an instance per request, reused from ./pool.ts,
 * serving 2026-07-28 and 2025-era clients alike), behind the Host/Origin check, CORS, a bearer token (static or OAuth,
 * src/access/gate.ts), rate limits and body limits; plus the OAuth protected resource metadata
 * (RFC 9728), /healthz (the process answers), /api/health (the database answers) and /metrics.
 *
 * The order on /mcp is the point: Host/Origin, then a CORS preflight (browsers send no token on
 * one), then the token, then the rate budget, and only then is the body read — a stranger's
 * 100 MB body is refused before a byte of it is read.
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
import { createMcpHandler, type McpServerFactory } from '@modelcontextprotocol/server';
import { AccessAudit } from '../access/audit.js';
import { allowOrigin, answerPreflight } from '../access/cors.js';
import { AccessGate, type Refused } from '../access/gate.js';
import type { Access } from '../access/levels.js';
import { OAuthResourceServer } from '../access/oauth.js';
import { RateLimiter } from '../access/rate-limit.js';
import { ConfigError } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { ChangeFeed } from '../live/feed.js';
import type { Logger } from '../log.js';
import { httpRequestAnswered } from '../observability/metrics.js';
import type { Store } from '../store/connect.js';
import { databaseNow } from '../store/dialect.js';
import { TOOLSET_ICONS } from '../tools/icons.js';
import { selectTools, type ToolSelection } from '../tools/index.js';
import type { Toolset } from '../tools/toolsets.js';
import type { Workstream } from '../workstream/workstream.js';
import { actorOf } from './auth.js';
import { httpListen } from './listen-http.js';
import { createServer } from './mcp.js';
import type { Metrics } from './metrics.js';
import { serverPool } from './pool.js';
import { todayWeb } from './today-web.js';

export interface HttpLimits {
  /** Largest request body; a larger one is refused with 413 before it is read. */
  readonly maxBodyBytes: number;
  /** Open connections at once; further ones are closed by the server. */
  readonly maxConnections: number;
  /** Time a client has to send a whole request. */
  readonly requestTimeoutMs: number;
  /** Time a client has to send the request headers (at most requestTimeoutMs). */
  readonly headersTimeoutMs?: number;
  /** Time an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs?: number;
  readonly tokenPerMinute: number;
  readonly orgPerMinute: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxConnections: 512,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  tokenPerMinute: 600,
  orgPerMinute: 3000,
};

export interface HttpOAuthOptions {
  readonly issuers: readonly string[];
  readonly audience?: readonly string[] | undefined;
  readonly memberClaim: string;
  readonly scopePrefix: string;
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string } | undefined;
}

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
  /** Listen beyond loopback with no allowed hosts (any Host accepted); refused otherwise. */
  readonly allowAnyHost?: boolean | undefined;
  /** The MCP endpoint as clients reach it; default the listening address. */
  readonly publicUrl?: string | undefined;
  /** Browser origins allowed to call /mcp (CORS), beyond those the Origin check accepts. */
  readonly corsOrigins?: readonly string[] | undefined;
  readonly limits?: Partial<HttpLimits> | undefined;
  /** Accept OAuth access tokens from these issuers (see docs/auth.md). */
  readonly oauth?: HttpOAuthOptions | undefined;
  /** The organization OAuth users belong to (slug); default: the one their claim matches. */
  readonly oauthOrg?: string | undefined;
  /** The clock token expiry is judged by; the system clock by default. */
  readonly clock?: Clock;
  /**
   * The change feed /today/events and 2026-era `subscriptions/listen` streams listen to
   * (src/live/feed.ts); without one /today polls and no subscriptions are advertised.
   */
  readonly changeFeed?: ChangeFeed | undefined;
  /** Updates of one resource within this many milliseconds become one notification. */
  readonly liveWindowMs?: number | undefined;
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:8787/mcp. */
  readonly url: string;
  readonly port: number;
  /** The access audit trail this server writes. */
  readonly audit: AccessAudit;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const HEALTH_TIMEOUT_MS = 3000;
/** After refusing a request whose body is still coming, how long the socket may take to say goodbye. */
const REFUSED_LINGER_MS = 2000;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/** DNS-rebinding protection: which Host and Origin headers /mcp accepts. */
function hostGuard(options: HttpOptions): Guard | null {
  const publicHost = options.publicUrl ? new URL(options.publicUrl).hostname : null;
  const named = [
    ...(options.allowedHosts ?? []),
    ...(publicHost && !isLoopback(publicHost) ? [publicHost] : []),
  ];
  const allowed = [...named, ...(isLoopback(options.host) ? LOOPBACK_NAMES : [])];
  if (allowed.length === 0) return null;
  const explicit = named.length > 0;
  const host = explicit ? hostHeaderValidation(allowed) : localhostHostValidation();
  const origin = explicit ? originValidation(allowed) : localhostOriginValidation();
  const corsOrigins = new Set(options.corsOrigins ?? []);
  return (req, res) =>
    host(req, res) && (corsOrigins.has(String(req.headers.origin ?? '')) || origin(req, res));
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

/** True when the request still has a body on the wire that nobody will read. */
function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.readableEnded) return false;
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Answers without reading the body: the connection is closed after the answer, so a client
 * cannot make the server read (or wait for) what it sends after the headers.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const unread = hasUnreadBody(req);
  sendJson(res, status, body, unread ? { ...headers, connection: 'close' } : headers);
  if (unread) {
    res.once('finish', () => {
      req.socket.end();
      setTimeout(() => req.socket.destroy(), REFUSED_LINGER_MS).unref();
    });
  }
}

type Body = { ok: true; text: string } | { ok: false; status: 413 | 400; message: string };

/** Reads the body up to the limit; a declared length over it is refused without reading. */
function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = {
    ok: false as const,
    status: 413 as const,
    message: `The request body is over ${limit} bytes.`,
  };
  if (declared > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        req.removeAllListeners('data');
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', reject);
  });
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
  const limits: HttpLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const guard = hostGuard(options);
  if (!guard) {
    if (!options.allowAnyHost)
      throw new ConfigError(
        `listening on ${options.host} (beyond loopback) accepts any Host header, which leaves browsers open to DNS rebinding: name the host names clients use in WORKSTREAM_ALLOWED_HOSTS (--allowed-hosts) or WORKSTREAM_PUBLIC_URL, or set WORKSTREAM_ALLOW_ANY_HOST=true behind a proxy that checks Host`,
      );
    log.warn(
      { host: options.host },
      'listening beyond loopback with WORKSTREAM_ALLOW_ANY_HOST: Host and Origin are not checked (bearer tokens still are)',
    );
  }
  const catalogue = selectTools(options);
  const audit = new AccessAudit(store, log, options.clock);
  const limiter = new RateLimiter(limits);
  const corsOrigins = new Set(options.corsOrigins ?? []);
  // The gate needs the resource URL, which needs the port: it is made once the server listens.
  let gate: AccessGate | null = null;
  let oauth: OAuthResourceServer | undefined;

  // One instance per request, as the SDK requires, taken from a pool of built ones (./pool.ts).
  const servers = serverPool();
  // The Today Panel for people (./today-web.ts), signed in with the same tokens as /mcp.
  const today = todayWeb({
    store,
    workstream: options.workstream,
    log,
    gate: () => {
      if (!gate) throw new Error('the access gate is made before the server listens');
      return gate;
    },
    secure: options.publicUrl?.startsWith('https:') ?? false,
    clock: options.clock,
    feed: options.changeFeed,
  });
  // 2026-era listen streams, each with a bus of its own (./listen-http.ts); 2025-era HTTP has no
  // session to send on later, so 2025 instances do not advertise resources.subscribe.
  const feed = options.changeFeed;
  const listen = feed
    ? httpListen({ feed, windowMs: options.liveWindowMs, log, maxRequestBodySize: limits.maxBodyBytes })
    : null;
  const factory: McpServerFactory = (context) => {
    const extra = context.authInfo?.extra ?? {};
    const level = extra.scopeLevel;
    const actor = actorOf(context.authInfo);
    const access: Access = {
      role: extra.role === 'admin' || extra.role === 'viewer' ? extra.role : 'member',
      ...(extra.via === 'oauth'
        ? { scopeLevel: level === 'read' || level === 'write' || level === 'admin' ? level : null }
        : {}),
    };
    const caller = JSON.stringify([actor.orgId, actor.memberId, access.role, access.scopeLevel ?? '']);
    return servers.take(caller, context.era, () =>
      createServer({
        workstream: options.workstream,
        actor,
        access,
        log,
        metrics,
        ...(options.toolsets ? { toolsets: options.toolsets } : {}),
        ...(options.readOnly ? { readOnly: true } : {}),
        ...(listen && context.era === 'modern' ? { listen: true } : {}),
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      }),
    );
  };
  const handler = createMcpHandler(factory, {
    onerror: (error) => log.warn({ err: error }, 'MCP request failed'),
    maxRequestBodySize: limits.maxBodyBytes,
  });
  const mcp = toNodeHandler(handler, {
    onerror: (error) => log.error({ err: error }, 'MCP handler failed'),
    maxRequestBodySize: limits.maxBodyBytes,
  });

  const serveMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (guard && !guard(req, res)) return;
    const origin = req.headers.origin;
    const corsAllowed = origin !== undefined && (guard !== null || corsOrigins.has(origin));
    if (corsAllowed) allowOrigin(req, res);
    if (req.method === 'OPTIONS') {
      if (corsAllowed) answerPreflight(req, res);
      else {
        res.writeHead(204, { allow: 'GET, POST, DELETE, OPTIONS', 'content-length': '0' });
        res.end();
      }
      return;
    }
    if (!gate) throw new Error('the access gate is made before the server listens');
    const admitted = await gate.admit(req.headers.authorization);
    if (!admitted.ok) {
      refuse(req, res, admitted.status, admitted.body, admitted.headers);
      return;
    }
    const limited = await limiter.take(admitted.tokenKey, admitted.caller.orgId);
    if (limited) {
      metrics.rateLimited(limited.scope);
      await audit.once(`rate:${limited.scope}:${admitted.tokenKey}`, {
        kind: 'rate_limited',
        orgId: admitted.caller.orgId,
        memberId: admitted.caller.memberId,
        tokenId: admitted.caller.tokenId,
        detail: { scope: limited.scope, limit: limited.limit },
      });
      refuse(
        req,
        res,
        429,
        {
          error: {
            code: 'RATE_LIMITED',
            message: `More than ${limited.limit} requests a minute for this ${limited.scope === 'org' ? 'organization' : 'token'}.`,
            nextStep: `Wait ${limited.retryAfterSeconds} s (Retry-After) and send it again.`,
          },
        },
        { 'retry-after': String(limited.retryAfterSeconds) },
      );
      return;
    }
    let parsed: unknown;
    if (req.method === 'POST') {
      // A client that asked first (Expect: 100-continue) sends its body only now it is admitted.
      if (/100-continue/i.test(String(req.headers.expect ?? ''))) res.writeContinue();
      const body = await readBody(req, limits.maxBodyBytes);
      if (!body.ok) {
        refuse(req, res, body.status, {
          jsonrpc: '2.0',
          error: { code: -32600, message: body.message },
          id: null,
        });
        return;
      }
      try {
        parsed = JSON.parse(body.text);
      } catch {
        sendJson(res, 400, {
          jsonrpc: '2.0',
          error: { code: -32700, message: 'Parse error: the body is not JSON.' },
          id: null,
        });
        return;
      }
      const scopeRefusal: Refused | null = await gate.scopeRefusal(admitted, parsed, catalogue);
      if (scopeRefusal) {
        sendJson(res, scopeRefusal.status, scopeRefusal.body, scopeRefusal.headers);
        return;
      }
    }
    const authed = Object.assign(req, { auth: admitted.auth });
    if (listen && (await listen.serve(authed, res, parsed, actorOf(admitted.auth), factory))) return;
    await mcp(authed, res, parsed);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') return serveMcp(req, res);
    if (path === '/today' || path.startsWith('/today/')) {
      if (guard && !guard(req, res)) return;
      return today.serve(req, res, path);
    }
    if (oauth && path.startsWith('/.well-known/oauth-protected-resource')) {
      // Public metadata, readable from any origin (RFC 9728 §3).
      const headers = { 'access-control-allow-origin': '*' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...headers,
          'access-control-allow-methods': 'GET',
          'access-control-allow-headers': '*',
        });
        res.end();
        return;
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendJson(res, 200, oauth.metadata(), { ...headers, 'cache-control': 'max-age=300' });
        return;
      }
    }
    const icon = /^\/icons\/([a-z]+)\.svg$/.exec(path)?.[1];
    if (icon && Object.hasOwn(TOOLSET_ICONS, icon) && (req.method === 'GET' || req.method === 'HEAD')) {
      // Public images the tools name (src/tools/icons.ts): cached a day, never run as a document.
      const body = TOOLSET_ICONS[icon as Toolset];
      res.writeHead(200, {
        'content-type': 'image/svg+xml',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
        'access-control-allow-origin': '*',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(
        req,
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

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => httpRequestAnswered(req.url ?? '/', res.statusCode));
    route(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'HTTP request failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { code: 'INTERNAL', message: 'Unexpected error; see the server log.' },
        });
      else res.end();
    });
  };
  const server = createHttpServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs ?? 10_000, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
      // How often Node looks for requests past their timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  // Node would answer `100 Continue` before the token is seen; /mcp decides after the door.
  server.on('checkContinue', listener);
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
  const url = `http://${shownHost}:${port}/mcp`;
  if (options.oauth) {
    if (!options.publicUrl && !isLoopback(options.host))
      log.warn(
        { resource: url },
        'OAuth without WORKSTREAM_PUBLIC_URL: tokens must name the listening address as their audience; set the URL clients use',
      );
    oauth = new OAuthResourceServer(
      store,
      {
        ...options.oauth,
        resource: new URL(options.publicUrl ?? url),
        orgSlug: options.oauthOrg,
      },
      options.clock,
    );
  }
  gate = new AccessGate({
    store,
    audit,
    oauth,
    scopePrefix: options.oauth?.scopePrefix ?? 'workstream:',
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    url,
    port,
    audit,
    close: async () => {
      today.close();
      await listen?.close();
      await handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
