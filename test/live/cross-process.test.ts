/**
 * Subscriptions across processes, with real processes: two stdio server processes subscribed to
 * by an SDK v1 and an SDK v2 client (2025-era resources/subscribe) hear, within 1 s, a change
 * committed through a third server process (an MCP client's tool call), a change committed by
 * another process writing without a feed, and the SLA sweep of a spawned `workstream worker`,
 * and so do two 2026-era listeners (SDK v2 `subscriptions/listen`): one over stdio and one over
 * HTTP to a `serve --http` process; an unrelated member's change and another org's change send
 * nothing.
 * - PostgreSQL: NOTIFY at commit and each server's LISTEN relay (src/live/pg-relay.ts).
 * - SQLite (several processes on one file): each server's relay polls the events table every
 *   WORKSTREAM_LIVE_POLL_MS (its default, 250 ms; src/live/poll-relay.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { issueToken } from '../../src/server/auth.js';
import { connect, type Store } from '../../src/store/connect.js';
import type { DialectName } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrator.js';
import { createWorkstream, type Workstream } from '../../src/workstream/workstream.js';
import { LEGACY, MODERN, printed } from '../mcp/support.js';
import { CLI, exited, spawnCli } from '../support/cli.js';
import { createDatabase, PG_URL, type TestDatabase } from '../support/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 24 * 3600 * 1000;

async function within(ms: number, check: () => boolean): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a subscriber was told: each URI with the wall-clock time it arrived. */
type Heard = { uri: string; at: number }[];

function crossProcess(dialect: Extract<DialectName, 'sqlite' | 'postgres'>) {
  let database: TestDatabase;
  let store: Store;
  let ws: Workstream;
  const clock = new ManualClock(new Date());
  let actor: { orgId: string; memberId: string };
  let colleague: { orgId: string; memberId: string };
  let stranger: { orgId: string; memberId: string };
  let slug = '';
  const heardV1: Heard = [];
  const heardV2: Heard = [];
  let v1: ClientV1;
  let v2: Client;
  /** 2026-era listeners: over stdio, and over HTTP to a `serve --http` process. */
  const heardListenStdio: Heard = [];
  const heardListenHttp: Heard = [];
  let listenStdio: Client;
  let listenHttp: Client;
  let httpProcess: (ChildProcess & { output: () => string }) | undefined;
  let writer: Client;
  let worker: (ChildProcess & { output: () => string }) | undefined;

  const heard = (list: Heard, uri: string) => list.some((entry) => entry.uri === uri);
  const all = () => [heardV1, heardV2, heardListenStdio, heardListenHttp];
  const allHeard = (uri: string) => all().every((list) => heard(list, uri));

  beforeAll(async () => {
    database = await createDatabase(dialect);
    store = await connect(database.url);
    await migrate(store);
    // This process writes without a feed of its own: only NOTIFY, or the events table, carry its changes.
    ws = createWorkstream(store, clock);
    slug = `live-${dialect}-${process.pid}`;
    const org = await ws.createOrg({ name: 'Live', slug, admin: { email: `ada@${slug}.test`, name: 'Ada' } });
    actor = { orgId: org.orgId, memberId: org.adminId };
    colleague = {
      orgId: org.orgId,
      memberId: (await ws.addMember({ orgId: org.orgId, email: `cole@${slug}.test`, name: 'Cole' })).memberId,
    };
    const other = await ws.createOrg({
      name: 'Elsewhere',
      slug: `${slug}-other`,
      admin: { email: `sam@${slug}-other.test`, name: 'Sam' },
    });
    stranger = { orgId: other.orgId, memberId: other.adminId };
    const env = (member: string) => ({
      WORKSTREAM_DB_URL: database.url,
      WORKSTREAM_ORG: slug,
      WORKSTREAM_ACTOR: `${member}@${slug}.test`,
      WORKSTREAM_LOG_LEVEL: 'silent',
      WORKSTREAM_LIVE_WINDOW_MS: '100',
    });
    const transport = (member: string) => ({
      command: process.execPath,
      args: ['--import', 'tsx', CLI, 'serve'],
      env: env(member),
      cwd: ROOT,
    });
    v1 = new ClientV1({ name: 'subscriber-v1', version: '1.0.0' });
    v1.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      heardV1.push({ uri: n.params.uri, at: Date.now() });
    });
    v2 = new Client({ name: 'subscriber-v2', version: '1.0.0' }, LEGACY);
    v2.setNotificationHandler('notifications/resources/updated', (n) => {
      heardV2.push({ uri: n.params.uri, at: Date.now() });
    });
    writer = new Client({ name: 'writer', version: '1.0.0' });
    await Promise.all([
      v1.connect(new StdioClientTransportV1({ ...transport('ada'), stderr: 'pipe' }), { timeout: 30_000 }),
      v2.connect(new StdioClientTransport({ ...transport('ada'), stderr: 'pipe' }), { timeout: 30_000 }),
      writer.connect(new StdioClientTransport({ ...transport('cole'), stderr: 'pipe' }), { timeout: 30_000 }),
    ]);
    for (const client of [v1, v2]) {
      await client.subscribeResource({ uri: 'workstream://today' });
      await client.subscribeResource({ uri: 'workstream://sla/breaches' });
    }
    const filter = { resourceSubscriptions: ['workstream://today', 'workstream://sla/breaches'] };
    listenStdio = new Client({ name: 'listener-stdio', version: '1.0.0' }, MODERN);
    listenStdio.setNotificationHandler('notifications/resources/updated', (n) => {
      heardListenStdio.push({ uri: n.params.uri, at: Date.now() });
    });
    await listenStdio.connect(new StdioClientTransport({ ...transport('ada'), stderr: 'pipe' }), {
      timeout: 30_000,
    });
    await listenStdio.listen(filter);

    httpProcess = spawnCli(['serve', '--http', '--port', '0'], {
      WORKSTREAM_DB_URL: database.url,
      WORKSTREAM_LIVE_WINDOW_MS: '100',
    });
    const [, url] = await printed(
      httpProcess,
      /MCP over Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp)\n/,
    );
    const { token } = await issueToken(store, { orgSlug: slug, email: `ada@${slug}.test`, name: 'listener' });
    listenHttp = new Client({ name: 'listener-http', version: '1.0.0' }, MODERN);
    listenHttp.setNotificationHandler('notifications/resources/updated', (n) => {
      heardListenHttp.push({ uri: n.params.uri, at: Date.now() });
    });
    await listenHttp.connect(
      new StreamableHTTPClientTransport(new URL(url as string), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await listenHttp.listen(filter);
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await exited(worker);
    }
    await writer?.close();
    await v1?.close();
    await v2?.close();
    await listenStdio?.close();
    await listenHttp?.close();
    if (httpProcess && httpProcess.exitCode === null) {
      httpProcess.kill('SIGTERM');
      await exited(httpProcess);
    }
    await store?.close();
    await database?.drop();
  });

  const reset = () => {
    heardV1.length = 0;
    heardV2.length = 0;
    heardListenStdio.length = 0;
    heardListenHttp.length = 0;
  };

  it('an unrelated member’s new work, through another server process, sends no Today Panel update', async () => {
    reset();
    const result = await writer.callTool({
      name: 'create_candidate',
      arguments: { title: 'Not Ada’s', accountName: 'Elsewhere', assignee: 'me' },
    });
    expect(result.isError).toBeFalsy();
    await quietFor(800);
    for (const list of all()) expect(heard(list, 'workstream://today')).toBe(false);
  });

  it('another org’s change sends nothing, not even to the org-wide breaches', async () => {
    await quietFor(500);
    reset();
    await ws.createCandidate(stranger, { title: 'Theirs', accountName: 'Other Org', assignee: 'me' });
    await quietFor(800);
    for (const list of all()) expect(list).toEqual([]);
  });

  it('a change committed through another server process reaches every subscriber and listener within 1 s', async () => {
    reset();
    const result = await writer.callTool({
      name: 'create_candidate',
      arguments: { title: 'For Ada', accountName: 'Harbour', assignee: `ada@${slug}.test` },
    });
    expect(result.isError).toBeFalsy();
    await within(1_000, () => allHeard('workstream://today'));
  });

  it('a change committed by a process without a feed reaches every subscriber and listener within 1 s', async () => {
    reset();
    await ws.createCandidate(colleague, {
      title: 'Also for Ada',
      accountName: 'Quay',
      assignee: actor.memberId,
    });
    await within(1_000, () => allHeard('workstream://today'));
  });

  it('the SLA sweep of a spawned `workstream worker` reaches the breaches subscribers and listeners within 1 s', async () => {
    // A candidate whose triage clock started a month ago: due already by the worker's own clock.
    clock.set(new Date(Date.now() - 30 * DAY));
    await ws.createCandidate(colleague, {
      title: 'Overdue',
      accountName: 'Late Ltd',
      assignee: actor.memberId,
    });
    await quietFor(800);
    reset();
    worker = spawnCli(['worker', '--sla-sweep-seconds', '1'], { WORKSTREAM_DB_URL: database.url });
    let sweptAt = 0;
    await within(20_000, () => {
      const line = worker
        ?.output()
        .split('\n')
        .find((entry) => entry.includes('"msg":"SLA sweep"'));
      if (line) sweptAt = (JSON.parse(line) as { time: number }).time;
      return sweptAt > 0;
    });
    // The worker logs after its last batch committed; the first breach may have been heard already.
    await within(1_000, () => allHeard('workstream://sla/breaches'));
    for (const list of all()) {
      const first = list.find((entry) => entry.uri === 'workstream://sla/breaches');
      expect(first && first.at - sweptAt).toBeLessThan(1_000);
    }
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
  }, 40_000);

  it('the SLA sweep run by another process reaches the breaches subscribers and listeners within 1 s', async () => {
    await quietFor(500);
    reset();
    // Every running clock is past due a week on: the sweep warns and breaches them.
    clock.set(new Date(Date.now() + 7 * DAY));
    const swept = await ws.sweepSlas();
    expect(swept.warned + swept.breached).toBeGreaterThan(0);
    await within(1_000, () => allHeard('workstream://sla/breaches'));
  });
}

describe('resource subscriptions across processes [sqlite]', () => crossProcess('sqlite'));
describe.runIf(PG_URL !== undefined)('resource subscriptions across processes [postgres]', () =>
  crossProcess('postgres'),
);
