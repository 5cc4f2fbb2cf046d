/**
 * Subscriptions across processes on PostgreSQL: stdio server processes (2025-era
 * resources/subscribe from SDK v1 and v2 clients, 2026-era subscriptions/listen from an SDK v2
 * client) and an HTTP server process (a 2026-era SDK v2 listener) hear, within 1 s, a change
 * committed by another process and the SLA sweep run by another process, through NOTIFY at
 * commit and each one's LISTEN relay; a change to an unrelated member's work sends nothing.
 * (SQLite and SQL Server relay no other process's changes yet: see docs/live.md.)
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
import { migrate } from '../../src/store/migrator.js';
import { createWorkstream, type Workstream } from '../../src/workstream/workstream.js';
import { LEGACY, MODERN, printed } from '../mcp/support.js';
import { CLI, exited, spawnCli } from '../support/cli.js';
import { createDatabase, PG_URL, type TestDatabase } from '../support/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function within(ms: number, check: () => boolean): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.runIf(PG_URL !== undefined)('resource subscriptions across processes [postgres]', () => {
  let database: TestDatabase;
  let store: Store;
  let ws: Workstream;
  const clock = new ManualClock(new Date());
  let actor: { orgId: string; memberId: string };
  let colleague: { orgId: string; memberId: string };
  const heardV1: string[] = [];
  const heardV2: string[] = [];
  let v1: ClientV1;
  let v2: Client;
  /** 2026-era listeners: over stdio, and over HTTP to a `serve --http` process. */
  const heardListenStdio: string[] = [];
  const heardListenHttp: string[] = [];
  let listenStdio: Client;
  let listenHttp: Client;
  let httpProcess: ChildProcess & { output: () => string };

  beforeAll(async () => {
    database = await createDatabase('postgres');
    store = await connect(database.url);
    await migrate(store);
    // This process writes without a feed of its own: only NOTIFY carries its changes.
    ws = createWorkstream(store, clock);
    const slug = `live-${process.pid}`;
    const org = await ws.createOrg({ name: 'Live', slug, admin: { email: `ada@${slug}.test`, name: 'Ada' } });
    actor = { orgId: org.orgId, memberId: org.adminId };
    colleague = {
      orgId: org.orgId,
      memberId: (await ws.addMember({ orgId: org.orgId, email: `cole@${slug}.test`, name: 'Cole' })).memberId,
    };
    const env = {
      WORKSTREAM_DB_URL: database.url,
      WORKSTREAM_ORG: slug,
      WORKSTREAM_ACTOR: `ada@${slug}.test`,
      WORKSTREAM_LOG_LEVEL: 'silent',
      WORKSTREAM_LIVE_WINDOW_MS: '100',
    };
    const transport = { command: process.execPath, args: ['--import', 'tsx', CLI, 'serve'], env, cwd: ROOT };
    v1 = new ClientV1({ name: 'subscriber-v1', version: '1.0.0' });
    v1.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heardV1.push(n.params.uri));
    await v1.connect(new StdioClientTransportV1({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
    v2 = new Client({ name: 'subscriber-v2', version: '1.0.0' }, LEGACY);
    v2.setNotificationHandler('notifications/resources/updated', (n) => void heardV2.push(n.params.uri));
    await v2.connect(new StdioClientTransport({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
    for (const client of [v1, v2]) {
      await client.subscribeResource({ uri: 'workstream://today' });
      await client.subscribeResource({ uri: 'workstream://sla/breaches' });
    }
    const filter = { resourceSubscriptions: ['workstream://today', 'workstream://sla/breaches'] };
    listenStdio = new Client({ name: 'listener-stdio', version: '1.0.0' }, MODERN);
    listenStdio.setNotificationHandler(
      'notifications/resources/updated',
      (n) => void heardListenStdio.push(n.params.uri),
    );
    await listenStdio.connect(new StdioClientTransport({ ...transport, stderr: 'pipe' }), {
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
    listenHttp.setNotificationHandler(
      'notifications/resources/updated',
      (n) => void heardListenHttp.push(n.params.uri),
    );
    await listenHttp.connect(
      new StreamableHTTPClientTransport(new URL(url as string), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await listenHttp.listen(filter);
  }, 120_000);

  afterAll(async () => {
    await v1?.close();
    await v2?.close();
    await listenStdio?.close();
    await listenHttp?.close();
    if (httpProcess) {
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
  const all = () => [heardV1, heardV2, heardListenStdio, heardListenHttp];

  it('an unrelated member’s new work sends nothing', async () => {
    reset();
    await ws.createCandidate(colleague, {
      title: 'Not Ada’s',
      accountName: 'Elsewhere',
      assignee: colleague.memberId,
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const heard of all()) expect(heard).not.toContain('workstream://today');
  });

  it('a change committed by another process reaches every subscriber and listener within 1 s', async () => {
    reset();
    await ws.createCandidate(colleague, {
      title: 'For Ada',
      accountName: 'Harbour',
      assignee: actor.memberId,
    });
    await within(1_000, () => all().every((heard) => heard.includes('workstream://today')));
  });

  it('the SLA sweep in another process reaches the breaches subscribers and listeners within 1 s', async () => {
    reset();
    // Every running clock is past due a week on: the sweep warns and breaches them.
    clock.set(new Date(Date.now() + 7 * 24 * 3600 * 1000));
    const swept = await ws.sweepSlas();
    expect(swept.warned + swept.breached).toBeGreaterThan(0);
    await within(1_000, () => all().every((heard) => heard.includes('workstream://sla/breaches')));
  });
});
