/**
 * The server's commands: `serve` (stdio or HTTP), `start` (the two-command start), `demo`,
 * `token`, `org` and `member`. Each reads the one configuration; bad input is a UsageError or
 * ConfigError (one line, exit 2). Only `serve` over stdio is silent on stdout: it is the protocol.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AccessAudit } from '../access/audit.js';
import { type Config, ConfigError } from '../config.js';
import { DEMO_ACTOR, DEMO_SLUG, loadDemo } from '../demo/load.js';
import { systemClock } from '../domain/clock.js';
import { loadEnrichmentConfig, providerRefs } from '../enrichment/config.js';
import { processFeed } from '../live/process-feed.js';
import { createLogger, type Logger } from '../log.js';
import {
  ActorError,
  activeRole,
  authenticate,
  issueToken,
  parseDuration,
  removeMember,
  resolveActor,
  revokeToken,
  TOKEN_PREFIX,
  tokenIdOf,
} from '../server/auth.js';
import type { HttpOptions } from '../server/http.js';
import type { Metrics } from '../server/metrics.js';
import { serveOverStdio } from '../server/stdio.js';
import { connect, type Store } from '../store/connect.js';
import { migrate } from '../store/migrator.js';
import { UsageError } from '../usage.js';
import { findOrgBySlug } from '../workstream/orgs.js';
import { createWorkstream } from '../workstream/workstream.js';

export const SERVER_USAGE = `  serve        serve MCP on stdio as --org/--actor; with --http, Streamable HTTP at /mcp on --host/--port
  start        embedded database + demo data + a token + the HTTP server; prints client configurations
  demo         load the demo organization (slug demo) with sample data; does nothing if it exists
  token        HTTP bearer tokens: create --org SLUG --member EMAIL [--name NAME] [--expires-in 90d|12h|30m] | revoke TOKEN_ID|TOKEN
  org          create SLUG --name NAME --admin EMAIL [--admin-name NAME]
  member       add --org SLUG --email EMAIL --name NAME [--role admin|member|viewer] [--subject SUB] | remove --org SLUG --email EMAIL`;

/** The HTTP server loads only when asked for: a stdio server does without it. */
async function httpServer(options: HttpOptions) {
  const { startHttpServer } = await import('../server/http.js');
  return startHttpServer(options);
}

interface ServerMetrics<M> {
  readonly metrics: M;
  close(): Promise<void>;
}

/**
 * Tool-call and process series, and the `--metrics-port` listener when one is configured. A
 * stdio server without a metrics port has no one to tell: it loads none of it.
 */
async function serverMetrics(config: Config, log: Logger, http: true): Promise<ServerMetrics<Metrics>>;
async function serverMetrics(
  config: Config,
  log: Logger,
  http: false,
): Promise<ServerMetrics<Metrics | undefined>>;
async function serverMetrics(
  config: Config,
  log: Logger,
  http: boolean,
): Promise<ServerMetrics<Metrics | undefined>> {
  if (!http && config.metrics.port === undefined) return { metrics: undefined, close: async () => {} };
  const [{ Metrics }, { exposeMetrics }] = await Promise.all([
    import('../server/metrics.js'),
    import('../observability/metrics-server.js'),
  ]);
  const metrics = new Metrics({ process: true });
  let stopping = false;
  const listener = await exposeMetrics(config.metrics, log, {
    role: 'server',
    text: () => metrics.text(),
    healthy: () => !stopping,
  });
  return {
    metrics,
    close: async () => {
      stopping = true;
      await listener?.close();
    },
  };
}

async function withStore<T>(config: Config, log: Logger, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await connect(config.dbUrl, {
    onIdleError: (error) =>
      log.warn({ err: error }, 'database dropped an idle connection; the pool replaces it'),
  });
  try {
    const { applied } = await migrate(store);
    if (applied.length > 0) log.info({ db: store.url, applied }, 'migrations applied');
    return await work(store);
  } finally {
    await store.close();
  }
}

function untilStopped(log: Logger): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (signal: string) => () => {
      log.info({ signal }, 'stopping');
      resolveStop();
    };
    process.once('SIGTERM', stop('SIGTERM'));
    process.once('SIGINT', stop('SIGINT'));
  });
}

/**
 * The Workstream a server runs (enrichment providers from the configuration) and, when asked,
 * the outbox worker and SLA sweep in the same process — for the embedded database, whose one
 * file is owned by one process.
 */
async function runtime(config: Config, store: Store, log: Logger, withWorker: boolean) {
  const enrichment = config.enrichmentConfig ? loadEnrichmentConfig(config.enrichmentConfig) : undefined;
  const webhookAddresses = { allowPrivate: config.webhookAllowPrivate };
  // The process's change feed: live views (resource subscriptions, the /today page) listen to
  // it as workstream.deps.feed; it also hears other processes (src/live/process-feed.ts): by
  // LISTEN on PostgreSQL, by reading the events table every WORKSTREAM_LIVE_POLL_MS elsewhere.
  const feed = processFeed(store, log, { pollMs: config.livePollMs });
  const workstream = createWorkstream(store, systemClock, {
    enrichmentProviders: providerRefs(enrichment),
    webhookAddresses,
    feed,
  });
  // Loaded only when wanted: a stdio server does not pay for the worker's imports at start.
  const worker = withWorker
    ? (await import('../worker/run.js')).startWorker(store, log, { enrichment, webhookAddresses })
    : null;
  return {
    workstream,
    stopWorker: async () => {
      await worker?.stop();
      await feed.close();
    },
  };
}

/**
 * When the HTTP server cannot start (the port is taken), the worker already running in this
 * process stops before the store closes under it; then the failure goes on to its one line.
 */
function stoppingFirst(stopWorker: () => Promise<void>) {
  return async (error: unknown): Promise<never> => {
    await stopWorker();
    throw error;
  };
}

export async function serveCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { http: { type: 'boolean' }, worker: { type: 'boolean' } },
    strict: true,
  });
  const log = createLogger(config.logLevel);
  const selection = { toolsets: config.toolsets, readOnly: config.readOnly };
  if (!values.http && (!config.org || !config.actor)) {
    throw new ConfigError(
      'serve over stdio acts as one member: set WORKSTREAM_ORG (organization slug) and WORKSTREAM_ACTOR (member e-mail), or pass --org and --actor; for HTTP pass --http',
    );
  }
  return withStore(config, log, async (store) => {
    const { workstream, stopWorker } = await runtime(config, store, log, values.worker === true);
    if (values.http) {
      const { metrics, close: closeMetrics } = await serverMetrics(config, log, true);
      const server = await httpServer({
        store,
        workstream,
        changeFeed: workstream.deps.feed,
        liveWindowMs: config.liveWindowMs,
        log,
        metrics,
        ...config.http,
        oauthOrg: config.org,
        ...selection,
      }).catch(stoppingFirst(stopWorker));
      // Listening for the stop before announcing the URL: whoever reads it may stop us at once.
      const stopped = untilStopped(log);
      process.stdout.write(`workstream: MCP over Streamable HTTP at ${server.url}\n`);
      log.info({ url: server.url, db: store.url }, 'serving MCP over HTTP');
      await stopped;
      await closeMetrics();
      await server.close();
      await stopWorker();
      return 0;
    }
    const actor = await resolveActor(store, config.org ?? '', config.actor ?? '').catch(
      async (error: unknown) => {
        // The feed's PostgreSQL listener would keep the process alive after this failure.
        await stopWorker();
        if (error instanceof ActorError)
          throw new ConfigError(`WORKSTREAM_ORG / WORKSTREAM_ACTOR: ${error.message}`);
        throw error;
      },
    );
    // The member's role shapes the tool list here too: a viewer's client sees no write tools.
    const role = (await activeRole(store, actor)) ?? 'viewer';
    const { metrics, close: closeMetrics } = await serverMetrics(config, log, false);
    await serveOverStdio({
      workstream,
      actor,
      log,
      access: { role },
      live: {
        feed: workstream.deps.feed ?? processFeed(store, log, { pollMs: config.livePollMs }),
        windowMs: config.liveWindowMs,
      },
      ...(metrics ? { metrics } : {}),
      ...selection,
    });
    await closeMetrics();
    await stopWorker();
    return 0;
  });
}

export async function demoCommand(config: Config, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const log = createLogger(config.logLevel);
  return withStore(config, log, async (store) => {
    const demo = await loadDemo(store);
    const { signals, candidates, pursuits } = demo.counts;
    process.stdout.write(
      `${demo.created ? 'loaded' : 'already loaded'}: organization '${demo.slug}' in ${store.url} with ${signals} signals, ${candidates} candidates, ${pursuits} pursuits; act as ${demo.actorEmail}\n`,
    );
    return 0;
  });
}

export async function tokenCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { member: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const log = createLogger(config.logLevel);
  if (action === 'create') {
    if (!config.org || !values.member)
      throw new UsageError('token create needs --org SLUG and --member EMAIL');
    const org = config.org;
    const email = values.member;
    const expiresIn = values['expires-in'];
    const expiresInMs = expiresIn === undefined ? undefined : parseDuration(expiresIn);
    if (expiresInMs === null)
      throw new UsageError(
        `--expires-in ${JSON.stringify(expiresIn)}: give a whole number of minutes, hours or days, e.g. 30m, 12h, 90d`,
      );
    return withStore(config, log, async (store) => {
      const issued = await issueToken(store, {
        orgSlug: org,
        email,
        name: values.name ?? `${email} (cli)`,
        ...(expiresInMs !== undefined ? { expiresInMs } : {}),
        audit: new AccessAudit(store, log),
      }).catch((error: unknown) => {
        throw error instanceof ActorError ? new UsageError(error.message) : error;
      });
      const until = issued.expiresAt ? `, valid until ${issued.expiresAt.toISOString()}` : '';
      process.stderr.write(
        `token ${issued.id} for ${email} in '${org}'${until}; shown once, store it now (revoke with \`token revoke ${issued.id}\` or the token itself):\n`,
      );
      process.stdout.write(`${issued.token}\n`);
      return 0;
    });
  }
  if (action === 'revoke') {
    const [given] = positionals;
    if (!given) throw new UsageError('token revoke needs the token id (tok_…) or the token itself (wst_…)');
    return withStore(config, log, async (store) => {
      // The token printed on stdout works as well as its id, which only stderr showed.
      const id = given.startsWith(TOKEN_PREFIX) ? await tokenIdOf(store, given) : given;
      const revoked =
        id !== undefined && (await revokeToken(store, id, systemClock, new AccessAudit(store, log)));
      process.stdout.write(revoked ? `revoked ${id}\n` : '');
      if (!revoked) process.stderr.write(`workstream: no live token ${given}\n`);
      return revoked ? 0 : 1;
    });
  }
  throw new UsageError(
    'token: use `token create --org SLUG --member EMAIL [--name NAME] [--expires-in 90d]` or `token revoke TOKEN_ID`',
  );
}

export async function orgCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, admin: { type: 'string' }, 'admin-name': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [slug] = positionals;
  if (action !== 'create' || !slug || !values.name || !values.admin)
    throw new UsageError('org: use `org create SLUG --name NAME --admin EMAIL [--admin-name NAME]`');
  const admin = { email: values.admin, name: values['admin-name'] ?? values.admin };
  const name = values.name;
  return withStore(config, createLogger(config.logLevel), async (store) => {
    const created = await createWorkstream(store).createOrg({ name, slug, admin });
    process.stdout.write(
      `created organization '${slug}' (${created.orgId}); admin ${admin.email} (${created.adminId})\n`,
    );
    return 0;
  });
}

export async function memberCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      subject: { type: 'string' },
    },
    strict: true,
  });
  const { email, name } = values;
  const slug = config.org;
  const log = createLogger(config.logLevel);
  if (action === 'remove' && slug && email) {
    return withStore(config, log, async (store) => {
      const removed = await removeMember(
        store,
        { orgSlug: slug, email },
        systemClock,
        new AccessAudit(store, log),
      ).catch((error: unknown) => {
        throw error instanceof ActorError ? new UsageError(error.message) : error;
      });
      if (!removed) {
        process.stderr.write(`workstream: no active member ${email} in '${slug}'\n`);
        return 1;
      }
      process.stdout.write(
        `removed ${email} from '${slug}'; their tokens no longer work, history keeps their name\n`,
      );
      return 0;
    });
  }
  if (action !== 'add' || !slug || !email || !name)
    throw new UsageError(
      'member: use `member add --org SLUG --email EMAIL --name NAME [--role admin|member|viewer] [--subject SUB]` or `member remove --org SLUG --email EMAIL`',
    );
  return withStore(config, log, async (store) => {
    const workstream = createWorkstream(store);
    const org = await findOrgBySlug(workstream.deps, slug);
    if (!org) throw new UsageError(`no organization with slug '${slug}'`);
    const { memberId } = await workstream.addMember({
      orgId: org.id,
      email,
      name,
      ...(values.role ? { role: values.role } : {}),
      ...(values.subject ? { subject: values.subject } : {}),
    });
    process.stdout.write(`added ${email} to '${slug}' (${memberId})\n`);
    return 0;
  });
}

/** The token `start` hands out, kept in the data folder so client configurations survive restarts. */
async function demoToken(store: Store, dataDir: string): Promise<string> {
  const file = join(dataDir, 'demo-token');
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved && (await authenticate(store, saved))) return saved;
  } catch {
    // No token saved yet (or unreadable): issue one below.
  }
  const { token } = await issueToken(store, {
    orgSlug: DEMO_SLUG,
    email: DEMO_ACTOR,
    name: 'npm start (demo)',
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** The command a desktop client runs for stdio: this Node and the built CLI, both absolute. */
function stdioCommand(): { command: string; args: string[] } {
  const script = resolve(process.argv[1] ?? 'dist/src/cli.js');
  const built = script.endsWith('.ts')
    ? script.replace(/src[/\\]cli\.ts$/, join('dist', 'src', 'cli.js'))
    : script;
  return { command: process.execPath, args: [built, 'serve'] };
}

export function clientConfigurations(url: string, token: string, dbUrl: string): string {
  const stdio = stdioCommand();
  const env = { WORKSTREAM_DB_URL: dbUrl, WORKSTREAM_ORG: DEMO_SLUG, WORKSTREAM_ACTOR: DEMO_ACTOR };
  const desktop = { mcpServers: { workstream: { command: stdio.command, args: stdio.args, env } } };
  const envFlags = Object.entries(env)
    .map(([key, value]) => `--env ${key}=${value}`)
    .join(' ');
  return `Claude Code, over HTTP:
  claude mcp add --transport http workstream ${url} --header "Authorization: Bearer ${token}"

Claude Code, over stdio:
  claude mcp add workstream ${envFlags} -- ${stdio.command} ${stdio.args.join(' ')}

Claude Desktop (claude_desktop_config.json), over stdio:
${JSON.stringify(desktop, null, 2)}

Any MCP client over Streamable HTTP: ${url} with the header "Authorization: Bearer ${token}"
`;
}

export async function startCommand(config: Config, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const log = createLogger(config.logLevel);
  return withStore(config, log, async (store) => {
    const demo = await loadDemo(store);
    const token = await demoToken(store, config.dataDir);
    // The embedded database belongs to this one process, so the worker and SLA sweep run here.
    const { workstream, stopWorker } = await runtime(config, store, log, store.dialect === 'sqlite');
    const { metrics, close: closeMetrics } = await serverMetrics(config, log, true);
    const server = await httpServer({
      store,
      workstream,
      changeFeed: workstream.deps.feed,
      liveWindowMs: config.liveWindowMs,
      log,
      metrics,
      ...config.http,
      toolsets: config.toolsets,
      readOnly: config.readOnly,
    }).catch(stoppingFirst(stopWorker));
    const stopped = untilStopped(log);
    const base = server.url.replace(/\/mcp$/, '');
    const { signals, candidates, pursuits } = demo.counts;
    // The stdio configuration needs the real URL; a server database's password stays out of the banner.
    const dbForClients = store.dialect === 'sqlite' ? config.dbUrl : '<your WORKSTREAM_DB_URL>';
    process.stdout.write(`
Workstream MCP server is running.

  MCP endpoint  ${server.url}
  Database      ${store.url}
  Organization  ${demo.slug} (${signals} signals, ${candidates} candidates, ${pursuits} pursuits), acting as ${demo.actorEmail}
  Bearer token  ${token}
  Health        ${base}/api/health    Metrics ${base}/metrics

${clientConfigurations(server.url, token, dbForClients)}
Stop with Ctrl-C.
`);
    await stopped;
    await closeMetrics();
    await server.close();
    await stopWorker();
    return 0;
  });
}
