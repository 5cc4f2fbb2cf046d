/**
 * One place that reads configuration: environment variables, overridden by command-line flags.
 * A value that is unknown or malformed stops the process at start with a message naming the
 * variable; the README's configuration table lists every one (a test keeps them in step).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_TOOLSETS, OPT_IN_TOOLSETS, TOOLSETS, type Toolset } from './tools/toolsets.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const DB_URL = /^(sqlite:|postgres(ql)?:\/\/|mssql:\/\/|sqlserver:\/\/)/;

/** A comma-separated list, blanks dropped. */
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');

/** A whole number, 0 or more. */
const count = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0);

const EnvSchema = z.object({
  WORKSTREAM_DATA_DIR: z.string().min(1).default('./.workstream'),
  WORKSTREAM_DB_URL: z.string().regex(DB_URL, 'must start with sqlite:, postgres:// or mssql://').optional(),
  WORKSTREAM_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  WORKSTREAM_ORG: z.string().trim().min(1).optional(),
  WORKSTREAM_ACTOR: z.string().trim().min(1).optional(),
  WORKSTREAM_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WORKSTREAM_HTTP_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be 0–65535')
    .max(65535, 'must be 0–65535')
    .default(8787),
  WORKSTREAM_ALLOWED_HOSTS: list.optional(),
  WORKSTREAM_METRICS_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be 0–65535')
    .max(65535, 'must be 0–65535')
    .optional(),
  WORKSTREAM_METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WORKSTREAM_TOOLSETS: list
    .pipe(z.array(z.enum(TOOLSETS, { error: `each must be one of ${TOOLSETS.join(', ')}` })).min(1))
    .optional(),
  WORKSTREAM_ENRICHMENT_CONFIG: z.string().trim().min(1).optional(),
  WORKSTREAM_READ_ONLY: flag,
  WORKSTREAM_ALLOW_ANY_HOST: flag,
  WORKSTREAM_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  WORKSTREAM_OAUTH_ISSUERS: list
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'each must be an http(s) URL' })).min(1))
    .optional(),
  WORKSTREAM_OAUTH_AUDIENCE: list.pipe(z.array(z.string().min(1)).min(1)).optional(),
  WORKSTREAM_OAUTH_MEMBER_CLAIM: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name such as email or sub')
    .default('email'),
  WORKSTREAM_OAUTH_SCOPE_PREFIX: z
    .string()
    .trim()
    .regex(/^[!#-[\]-~]{0,100}$/, 'must be scope characters (no spaces or quotes)')
    .default('workstream:'),
  WORKSTREAM_OAUTH_CLIENT_ID: z.string().trim().min(1).optional(),
  WORKSTREAM_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  WORKSTREAM_RATE_LIMIT_TOKEN: count.default(600),
  WORKSTREAM_RATE_LIMIT_ORG: count.default(3000),
  WORKSTREAM_CORS_ORIGINS: list
    .pipe(
      z.array(
        z
          .url({ protocol: /^https?$/, error: 'each must be an origin such as https://app.example.com' })
          .transform((origin) => new URL(origin).origin),
      ),
    )
    .optional(),
  WORKSTREAM_HTTP_MAX_BODY: count.min(1024, 'must be at least 1024 bytes').default(4 * 1024 * 1024),
  WORKSTREAM_HTTP_MAX_CONNECTIONS: count.min(1, 'must be at least 1').default(512),
  WORKSTREAM_HTTP_REQUEST_TIMEOUT: count.min(1, 'must be at least 1 second').max(3600).default(30),
  WORKSTREAM_WEBHOOK_ALLOW_PRIVATE: flag,
  WORKSTREAM_LIVE_WINDOW_MS: count.min(10, 'must be at least 10 ms').max(5000).default(150),
  WORKSTREAM_LIVE_POLL_MS: count
    .max(60_000, 'must be at most 60000 ms')
    .refine((ms) => ms === 0 || ms >= 20, 'must be 0 (never) or at least 20 ms')
    .default(250),
});

export type EnvName = keyof z.input<typeof EnvSchema>;

/** The README's configuration table: variable, flag, default, meaning. */
export const SETTINGS: readonly {
  env: EnvName;
  flag: string;
  fallback: string;
  doc: string;
  /** A flag without a value (`--read-only`) that sets the variable to true. */
  boolean?: true;
}[] = [
  {
    env: 'WORKSTREAM_DATA_DIR',
    flag: '--data-dir',
    fallback: '`./.workstream`',
    doc: 'Folder for the embedded database and other local files.',
  },
  {
    env: 'WORKSTREAM_DB_URL',
    flag: '--db',
    fallback: '`sqlite:<data dir>/workstream.db`',
    doc: '`sqlite:PATH`, `postgres://user:pass@host:5432/db` or `mssql://user:pass@host:1433/db?encrypt=true`.',
  },
  {
    env: 'WORKSTREAM_LOG_LEVEL',
    flag: '--log-level',
    fallback: '`info`',
    doc: `JSON logs on stderr at this level: ${LOG_LEVELS.join(', ')}.`,
  },
  {
    env: 'WORKSTREAM_ORG',
    flag: '--org',
    fallback: '—',
    doc: 'Organization slug that `serve` (stdio) acts in, that `token create` and `member` work on, and (over HTTP with OAuth) that signed-in users belong to.',
  },
  {
    env: 'WORKSTREAM_ACTOR',
    flag: '--actor',
    fallback: '—',
    doc: 'E-mail of the member that `serve` (stdio) acts as. Over HTTP the bearer token names the member.',
  },
  {
    env: 'WORKSTREAM_HTTP_HOST',
    flag: '--host',
    fallback: '`127.0.0.1`',
    doc: 'Interface `serve --http` listens on. On loopback, Host and Origin must be local too.',
  },
  {
    env: 'WORKSTREAM_HTTP_PORT',
    flag: '--port',
    fallback: '`8787`',
    doc: 'Port `serve --http` listens on; 0 picks a free one (the URL printed names it).',
  },
  {
    env: 'WORKSTREAM_ALLOWED_HOSTS',
    flag: '--allowed-hosts',
    fallback: 'loopback names',
    doc: 'Comma-separated host names accepted in the Host and Origin headers, e.g. behind a proxy.',
  },
  {
    env: 'WORKSTREAM_METRICS_PORT',
    flag: '--metrics-port',
    fallback: 'off',
    doc: 'Port of a separate listener with `GET /metrics` and `GET /healthz`, for `worker` and `serve` on stdio (and any long-running command); 0 picks a free one. See docs/operations.md.',
  },
  {
    env: 'WORKSTREAM_METRICS_HOST',
    flag: '--metrics-host',
    fallback: '`127.0.0.1`',
    doc: 'Interface the `--metrics-port` listener binds to.',
  },
  {
    env: 'WORKSTREAM_TOOLSETS',
    flag: '--toolsets',
    fallback: `all but ${OPT_IN_TOOLSETS.join(', ')}`,
    doc: `Comma-separated tool groups to expose: ${TOOLSETS.join(', ')}. Analytics (about 4 KB of tools/list), process (docs/process.md) and fields (custom fields) are exposed only when named.`,
  },
  {
    env: 'WORKSTREAM_ENRICHMENT_CONFIG',
    flag: '--enrichment-config',
    fallback: 'none',
    doc: 'JSON file of enrichment providers (MCP servers the worker calls for new candidates); give the same file to `serve` and `worker`. See docs/enrichment.md.',
  },
  {
    env: 'WORKSTREAM_READ_ONLY',
    flag: '--read-only',
    fallback: '`false`',
    doc: 'Expose only tools that change nothing.',
    boolean: true,
  },
  {
    env: 'WORKSTREAM_ALLOW_ANY_HOST',
    flag: '--allow-any-host',
    fallback: '`false`',
    doc: 'Listen beyond loopback without WORKSTREAM_ALLOWED_HOSTS (any Host header accepted). Without it such a server refuses to start.',
    boolean: true,
  },
  {
    env: 'WORKSTREAM_PUBLIC_URL',
    flag: '--public-url',
    fallback: 'the listening address',
    doc: 'The MCP endpoint as clients reach it, e.g. `https://mcp.example.com/mcp`: the OAuth resource and the audience tokens must carry. See docs/auth.md.',
  },
  {
    env: 'WORKSTREAM_OAUTH_ISSUERS',
    flag: '--oauth-issuers',
    fallback: 'none (static tokens only)',
    doc: 'Comma-separated OAuth/OpenID issuer URLs whose access tokens are accepted (JWT via the issuer’s JWKS, or introspection). See docs/auth.md.',
  },
  {
    env: 'WORKSTREAM_OAUTH_AUDIENCE',
    flag: '--oauth-audience',
    fallback: 'the public URL',
    doc: 'Comma-separated `aud` values accepted in access tokens, for issuers that cannot use the resource URL (e.g. `api://workstream`).',
  },
  {
    env: 'WORKSTREAM_OAUTH_MEMBER_CLAIM',
    flag: '--oauth-member-claim',
    fallback: '`email`',
    doc: 'Access-token claim matched to a member’s e-mail (`sub` matches the subject set by `member add --subject`); tokens without it match by `sub`.',
  },
  {
    env: 'WORKSTREAM_OAUTH_SCOPE_PREFIX',
    flag: '--oauth-scope-prefix',
    fallback: '`workstream:`',
    doc: 'Prefix of the scopes read, write and admin (e.g. `workstream.` gives workstream.read …).',
  },
  {
    env: 'WORKSTREAM_OAUTH_CLIENT_ID',
    flag: '--oauth-client-id',
    fallback: 'none',
    doc: 'Client id this server introspects opaque (non-JWT) access tokens with (RFC 7662).',
  },
  {
    env: 'WORKSTREAM_OAUTH_CLIENT_SECRET',
    flag: '--oauth-client-secret',
    fallback: 'none',
    doc: 'Secret of WORKSTREAM_OAUTH_CLIENT_ID, for introspection.',
  },
  {
    env: 'WORKSTREAM_RATE_LIMIT_TOKEN',
    flag: '--rate-limit-token',
    fallback: '`600`',
    doc: 'MCP requests per minute per token; past it `429` with `Retry-After`. 0 turns it off.',
  },
  {
    env: 'WORKSTREAM_RATE_LIMIT_ORG',
    flag: '--rate-limit-org',
    fallback: '`3000`',
    doc: 'MCP requests per minute per organization, all its tokens together. 0 turns it off.',
  },
  {
    env: 'WORKSTREAM_CORS_ORIGINS',
    flag: '--cors-origins',
    fallback: 'none',
    doc: 'Comma-separated browser origins (e.g. `https://app.example.com`) allowed to call /mcp: they pass the Origin check and get CORS headers.',
  },
  {
    env: 'WORKSTREAM_HTTP_MAX_BODY',
    flag: '--http-max-body',
    fallback: '`4194304`',
    doc: 'Largest request body in bytes; a larger one is refused with `413` before it is read.',
  },
  {
    env: 'WORKSTREAM_HTTP_MAX_CONNECTIONS',
    flag: '--http-max-connections',
    fallback: '`512`',
    doc: 'Open connections the HTTP server accepts at once; further ones are closed.',
  },
  {
    env: 'WORKSTREAM_HTTP_REQUEST_TIMEOUT',
    flag: '--http-request-timeout',
    fallback: '`30`',
    doc: 'Seconds a client has to send a whole request (headers within 10 s); slower connections are cut.',
  },
  {
    env: 'WORKSTREAM_WEBHOOK_ALLOW_PRIVATE',
    flag: '--webhook-allow-private',
    fallback: '`false`',
    doc: 'Local development only: let webhooks use http:// and loopback, private and link-local addresses (refused otherwise, at registration and at each delivery). Give it to `serve` and `worker`.',
    boolean: true,
  },
  {
    env: 'WORKSTREAM_LIVE_WINDOW_MS',
    flag: '--live-window-ms',
    fallback: '`150`',
    doc: 'Resource subscriptions (`resources/subscribe` and `subscriptions/listen`): updates of one resource within this many milliseconds become one `notifications/resources/updated`. Give it to `serve`.',
  },
  {
    env: 'WORKSTREAM_LIVE_POLL_MS',
    flag: '--live-poll-ms',
    fallback: '`250`',
    doc: 'SQLite and SQL Server: how often a server reads the events other processes committed, for its subscriptions and /today page (0: never; PostgreSQL hears them by LISTEN).',
  },
];

export interface Config {
  readonly dataDir: string;
  readonly dbUrl: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Organization slug for stdio serving and token issuing. */
  readonly org: string | undefined;
  /** Member e-mail for stdio serving. */
  readonly actor: string | undefined;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly allowedHosts: readonly string[] | undefined;
    readonly allowAnyHost: boolean;
    readonly publicUrl: string | undefined;
    readonly corsOrigins: readonly string[];
    readonly limits: {
      readonly maxBodyBytes: number;
      readonly maxConnections: number;
      readonly requestTimeoutMs: number;
      readonly tokenPerMinute: number;
      readonly orgPerMinute: number;
    };
    readonly oauth:
      | {
          readonly issuers: readonly string[];
          readonly audience: readonly string[] | undefined;
          readonly memberClaim: string;
          readonly scopePrefix: string;
          readonly introspection: { readonly clientId: string; readonly clientSecret: string } | undefined;
        }
      | undefined;
  };
  /** The separate metrics listener, when a port is set. */
  readonly metrics: { readonly host: string; readonly port: number | undefined };
  readonly toolsets: readonly Toolset[];
  readonly readOnly: boolean;
  /** Webhooks may point to http:// and non-public addresses (local development). */
  readonly webhookAllowPrivate: boolean;
  /** Coalescing window of resource-updated notifications, in milliseconds. */
  readonly liveWindowMs: number;
  /** How often the polling change relay reads other processes' events (SQLite, SQL Server); 0: never. */
  readonly livePollMs: number;
  /** Path of the enrichment providers file, when enrichment is on. */
  readonly enrichmentConfig: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** WORKSTREAM_TEST_* variables belong to the test harness: not program settings, not typos either. */
const HARNESS_PREFIX = 'WORKSTREAM_TEST_';

/**
 * @param flags values given on the command line, by variable name; they win over the environment.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: Partial<Record<EnvName, string>> = {},
): Config {
  const known = new Set<string>(SETTINGS.map((setting) => setting.env));
  for (const key of Object.keys(env)) {
    if (key.startsWith('WORKSTREAM_') && !known.has(key) && !key.startsWith(HARNESS_PREFIX))
      throw new ConfigError(`${key} is not a workstream setting; the settings are ${[...known].join(', ')}`);
  }
  const raw: Record<string, string | undefined> = {};
  for (const { env: name } of SETTINGS) raw[name] = flags[name] ?? (env[name] === '' ? undefined : env[name]);
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const setting = SETTINGS.find((candidate) => candidate.env === name);
    const source = setting && flags[setting.env] !== undefined ? setting.flag : name;
    throw new ConfigError(`${source}=${JSON.stringify(raw[name])}: ${issue?.message ?? 'invalid value'}`);
  }
  const dataDir = resolve(parsed.data.WORKSTREAM_DATA_DIR);
  return {
    dataDir,
    dbUrl: parsed.data.WORKSTREAM_DB_URL ?? `sqlite:${join(dataDir, 'workstream.db')}`,
    logLevel: parsed.data.WORKSTREAM_LOG_LEVEL,
    org: parsed.data.WORKSTREAM_ORG,
    actor: parsed.data.WORKSTREAM_ACTOR,
    http: {
      host: parsed.data.WORKSTREAM_HTTP_HOST,
      port: parsed.data.WORKSTREAM_HTTP_PORT,
      allowedHosts: parsed.data.WORKSTREAM_ALLOWED_HOSTS,
      allowAnyHost: parsed.data.WORKSTREAM_ALLOW_ANY_HOST,
      publicUrl: parsed.data.WORKSTREAM_PUBLIC_URL,
      corsOrigins: parsed.data.WORKSTREAM_CORS_ORIGINS ?? [],
      limits: {
        maxBodyBytes: parsed.data.WORKSTREAM_HTTP_MAX_BODY,
        maxConnections: parsed.data.WORKSTREAM_HTTP_MAX_CONNECTIONS,
        requestTimeoutMs: parsed.data.WORKSTREAM_HTTP_REQUEST_TIMEOUT * 1000,
        tokenPerMinute: parsed.data.WORKSTREAM_RATE_LIMIT_TOKEN,
        orgPerMinute: parsed.data.WORKSTREAM_RATE_LIMIT_ORG,
      },
      oauth: oauthSettings(parsed.data),
    },
    metrics: { host: parsed.data.WORKSTREAM_METRICS_HOST, port: parsed.data.WORKSTREAM_METRICS_PORT },
    toolsets: parsed.data.WORKSTREAM_TOOLSETS ?? DEFAULT_TOOLSETS,
    readOnly: parsed.data.WORKSTREAM_READ_ONLY,
    webhookAllowPrivate: parsed.data.WORKSTREAM_WEBHOOK_ALLOW_PRIVATE,
    liveWindowMs: parsed.data.WORKSTREAM_LIVE_WINDOW_MS,
    livePollMs: parsed.data.WORKSTREAM_LIVE_POLL_MS,
    enrichmentConfig: parsed.data.WORKSTREAM_ENRICHMENT_CONFIG
      ? resolve(parsed.data.WORKSTREAM_ENRICHMENT_CONFIG)
      : undefined,
  };
}

function oauthSettings(data: z.output<typeof EnvSchema>): Config['http']['oauth'] {
  const { WORKSTREAM_OAUTH_CLIENT_ID: clientId, WORKSTREAM_OAUTH_CLIENT_SECRET: clientSecret } = data;
  if ((clientId === undefined) !== (clientSecret === undefined))
    throw new ConfigError(
      'WORKSTREAM_OAUTH_CLIENT_ID and WORKSTREAM_OAUTH_CLIENT_SECRET go together: set both to introspect opaque tokens, or neither',
    );
  if (!data.WORKSTREAM_OAUTH_ISSUERS) {
    if (clientId !== undefined || data.WORKSTREAM_OAUTH_AUDIENCE)
      throw new ConfigError(
        'WORKSTREAM_OAUTH_* settings need WORKSTREAM_OAUTH_ISSUERS (the issuers to trust)',
      );
    return undefined;
  }
  return {
    issuers: data.WORKSTREAM_OAUTH_ISSUERS,
    audience: data.WORKSTREAM_OAUTH_AUDIENCE,
    memberClaim: data.WORKSTREAM_OAUTH_MEMBER_CLAIM,
    scopePrefix: data.WORKSTREAM_OAUTH_SCOPE_PREFIX,
    introspection: clientId && clientSecret ? { clientId, clientSecret } : undefined,
  };
}

export function configTable(): string {
  const rows = SETTINGS.map((s) => `| \`${s.env}\` | \`${s.flag}\` | ${s.fallback} | ${s.doc} |`);
  return ['| variable | flag | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
