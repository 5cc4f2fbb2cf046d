/**
 * 2026-era `subscriptions/listen` with the SDK v2 client, in memory (the connection entry the
 * stdio server uses) and over Streamable HTTP on loopback: a change by another client reaches
 * the listener within 1 s as notifications/resources/updated stamped with its subscription id;
 * an unrelated member's change and another org's change send nothing; a URI no change updates is
 * refused naming it; a closed listen hears no more; two members listening on one HTTP server to
 * the same URI (workstream://today) each hear only their own panel; a spawned stdio server hears
 * its member's changes (another process's on PostgreSQL).
 */
import { fileURLToPath } from 'node:url';
import {
  Client,
  StreamableHTTPClientTransport,
  SUBSCRIPTION_ID_META_KEY,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChangeFeed, inProcessFeed } from '../../src/live/feed.js';
import { MAX_SUBSCRIBED_URIS } from '../../src/live/subscriptions.js';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { serveConnection } from '../../src/server/stdio.js';
import type { Actor } from '../../src/workstream/deps.js';
import { inMemoryClient, MODERN, ok, orgIdentity, quiet } from '../mcp/support.js';
import { CLI } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const WINDOW_MS = 100;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Heard {
  readonly uri: string;
  readonly subscription: unknown;
}

/** A 2026-era client that records every resource update it hears. */
function modernClient(heard: Heard[]): Client {
  const client = new Client({ name: 'listener-v2', version: '1.0.0' }, MODERN);
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    heard.push({
      uri: notification.params.uri,
      subscription: notification.params._meta?.[SUBSCRIPTION_ID_META_KEY],
    });
  });
  return client;
}

async function within(ms: number, check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDialect('subscriptions/listen (2026 era)', (db) => {
  let feed: ChangeFeed;
  let org: TestOrg;
  let other: TestOrg;
  let colleague: Actor;
  let http: RunningHttpServer;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    feed = inProcessFeed();
    org = await testOrg(db.store(), undefined, { feed });
    other = await testOrg(db.store(), undefined, { feed });
    const { slug } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `colleague@${slug}.test`,
      name: 'Cole League',
    });
    colleague = { orgId: org.orgId, memberId };
    for (const actor of [org.actor, colleague]) {
      const { email } = await orgIdentity(db.store(), actor.orgId, actor.memberId);
      tokens.set(
        actor.memberId,
        (await issueToken(db.store(), { orgSlug: slug, email, name: 'listen' })).token,
      );
    }
    http = await startHttpServer({
      store: db.store(),
      workstream: org.ws,
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      changeFeed: feed,
      liveWindowMs: WINDOW_MS,
    });
  });
  afterAll(async () => {
    await http?.close();
    await feed.close();
  });

  const transports = {
    'in memory': async (actor: Actor, heard: Heard[]) => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const connection = serveConnection(
        { workstream: org.ws, actor, log: quiet, live: { feed, windowMs: WINDOW_MS } },
        serverSide,
      );
      const client = modernClient(heard);
      await client.connect(clientSide);
      return Object.assign(client, {
        closeAll: async () => {
          await client.close();
          await connection.close();
        },
      });
    },
    'over HTTP': async (actor: Actor, heard: Heard[]) => {
      const client = modernClient(heard);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.url), {
          requestInit: { headers: { authorization: `Bearer ${tokens.get(actor.memberId)}` } },
        }),
      );
      return Object.assign(client, { closeAll: () => client.close() });
    },
  };

  for (const [name, connect] of Object.entries(transports)) {
    it(`${name}: advertises resources.subscribe, hears another client's change within 1 s, stamped with its subscription`, async () => {
      const heard: Heard[] = [];
      const listener = await connect(org.actor, heard);
      const writer = await inMemoryClient(org.ws, colleague);
      try {
        expect(listener.getServerCapabilities()).toMatchObject({ resources: { subscribe: true } });
        const subscription = await listener.listen({
          resourceSubscriptions: ['workstream://today', 'workstream://sla/breaches?status=all'],
        });
        expect(subscription.honoredFilter).toEqual({
          resourceSubscriptions: ['workstream://today', 'workstream://sla/breaches?status=all'],
        });
        const started = performance.now();
        const candidate = await ok(writer, 'create_candidate', {
          title: `Cranes ${name}`,
          accountName: `Harbour ${name}`,
          assignee: org.actor.memberId,
        });
        await within(1_000, () => heard.some((h) => h.uri === 'workstream://today'));
        expect(performance.now() - started).toBeLessThan(1_000);
        expect(heard.every((h) => h.subscription !== undefined)).toBe(true);

        // A second listen on the entity's URI: its updates carry that listen's id, not the first's.
        const entityUri = `workstream://candidates/${candidate.id}`;
        const second = await listener.listen({ resourceSubscriptions: [entityUri] });
        heard.length = 0;
        await ok(writer, 'log_touch', { candidateId: candidate.id, kind: 'call', summary: 'Called' });
        await within(1_000, () => heard.some((h) => h.uri === entityUri));
        await within(1_000, () => heard.some((h) => h.uri === 'workstream://today'));
        const ids = new Set(heard.map((h) => JSON.stringify(h.subscription)));
        expect(ids.size).toBe(2);

        // Closed: no more for that URI, while the first listen still hears its own.
        await second.close();
        expect(await second.closed).toBe('local');
        heard.length = 0;
        await ok(writer, 'log_touch', { candidateId: candidate.id, kind: 'email', summary: 'Wrote' });
        await within(1_000, () => heard.some((h) => h.uri === 'workstream://today'));
        await quietFor(WINDOW_MS * 3);
        expect(heard.map((h) => h.uri)).not.toContain(entityUri);
        await subscription.close();
      } finally {
        await listener.closeAll();
        await writer.close();
      }
    });

    it(`${name}: an unrelated member's change and another org's change send nothing`, async () => {
      const heard: Heard[] = [];
      const listener = await connect(org.actor, heard);
      const writer = await inMemoryClient(org.ws, colleague);
      const stranger = await inMemoryClient(other.ws, other.actor);
      try {
        const subscription = await listener.listen({ resourceSubscriptions: ['workstream://today'] });
        await ok(writer, 'create_candidate', {
          title: 'Not yours',
          accountName: `Elsewhere ${name}`,
          assignee: colleague.memberId,
        });
        await ok(stranger, 'create_candidate', {
          title: 'Other org',
          accountName: `Far ${name}`,
          assignee: 'me',
        });
        await quietFor(WINDOW_MS * 5);
        expect(heard).toEqual([]);
        await subscription.close();
      } finally {
        await listener.closeAll();
        await writer.close();
        await stranger.close();
      }
    });

    it(`${name}: a URI no change updates is refused, naming it`, async () => {
      const listener = await connect(org.actor, []);
      try {
        await expect(
          listener.listen({ resourceSubscriptions: ['workstream://today', 'workstream://members'] }),
        ).rejects.toThrow(
          /resourceSubscriptions: "workstream:\/\/members" cannot be subscribed.*workstream:\/\/today/,
        );
        const many = Array.from(
          { length: MAX_SUBSCRIBED_URIS + 1 },
          (_, i) => `workstream://pursuits/pur_${i}`,
        );
        await expect(listener.listen({ resourceSubscriptions: many })).rejects.toThrow(
          `resourceSubscriptions: at most ${MAX_SUBSCRIBED_URIS} URIs in one subscription (got ${MAX_SUBSCRIBED_URIS + 1})`,
        );
        // The connection still serves a listen it can.
        const subscription = await listener.listen({ resourceSubscriptions: ['workstream://today'] });
        expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: ['workstream://today'] });
        await subscription.close();
      } finally {
        await listener.closeAll();
      }
    });

    it(`${name}: lists never change, so a listen for list changes is acknowledged with nothing`, async () => {
      const listener = await connect(org.actor, []);
      try {
        const subscription = await listener.listen({ toolsListChanged: true, promptsListChanged: true });
        expect(subscription.honoredFilter).toEqual({});
        // Over HTTP the SDK ends an empty listen at once; on a connection it stays open, idle.
        if (name === 'over HTTP') expect(await subscription.closed).toBe('graceful');
        else await subscription.close();
      } finally {
        await listener.closeAll();
      }
    });
  }

  it("over HTTP: two members listening to workstream://today each hear only their own panel's changes", async () => {
    const mine: Heard[] = [];
    const theirs: Heard[] = [];
    const me = await transports['over HTTP'](org.actor, mine);
    const them = await transports['over HTTP'](colleague, theirs);
    const writer = await inMemoryClient(org.ws, org.actor);
    try {
      await me.listen({ resourceSubscriptions: ['workstream://today'] });
      await them.listen({ resourceSubscriptions: ['workstream://today'] });
      await ok(writer, 'create_candidate', {
        title: 'For Cole',
        accountName: 'Cole Co',
        assignee: colleague.memberId,
      });
      await within(1_000, () => theirs.length > 0);
      await quietFor(WINDOW_MS * 3);
      expect(mine).toEqual([]);
    } finally {
      await me.closeAll();
      await them.closeAll();
      await writer.close();
    }
  });

  it('over HTTP: a listen stream outlives the request and keep-alive timeouts, and ends gracefully at shutdown', async () => {
    const short = await startHttpServer({
      store: db.store(),
      workstream: org.ws,
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      changeFeed: feed,
      liveWindowMs: WINDOW_MS,
      limits: { requestTimeoutMs: 500, headersTimeoutMs: 500, keepAliveTimeoutMs: 200 },
    });
    const heard: Heard[] = [];
    const listener = modernClient(heard);
    const writer = await inMemoryClient(org.ws, colleague);
    try {
      await listener.connect(
        new StreamableHTTPClientTransport(new URL(short.url), {
          requestInit: { headers: { authorization: `Bearer ${tokens.get(org.actor.memberId)}` } },
        }),
      );
      const subscription = await listener.listen({ resourceSubscriptions: ['workstream://today'] });
      await quietFor(2_000);
      await ok(writer, 'create_candidate', {
        title: 'Later',
        accountName: `Later ${db.dialect}`,
        assignee: org.actor.memberId,
      });
      await within(1_000, () => heard.some((h) => h.uri === 'workstream://today'));
      await short.close();
      expect(await subscription.closed).toBe('graceful');
    } finally {
      await listener.close();
      await writer.close();
      await short.close().catch(() => {});
    }
  });

  it('spawned stdio: the listener hears a change to its panel within 1 s, and not an unrelated one', async () => {
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const heard: Heard[] = [];
    const listener = modernClient(heard);
    await listener.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: {
          WORKSTREAM_DB_URL: db.url(),
          WORKSTREAM_ORG: slug,
          WORKSTREAM_ACTOR: email,
          WORKSTREAM_LOG_LEVEL: 'warn',
          WORKSTREAM_LIVE_WINDOW_MS: String(WINDOW_MS),
        },
        cwd: ROOT,
        stderr: 'pipe',
      }),
      { timeout: 30_000 },
    );
    // On PostgreSQL another client in another process writes (NOTIFY reaches the server's relay);
    // SQLite relays no other process's changes yet (docs/live.md), so the listener's own
    // connection writes there.
    const writer = db.dialect === 'postgres' ? await inMemoryClient(org.ws, colleague) : listener;
    const stranger = await inMemoryClient(other.ws, other.actor);
    try {
      const subscription = await listener.listen({ resourceSubscriptions: ['workstream://today'] });
      expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: ['workstream://today'] });
      await ok(writer, 'create_candidate', {
        title: 'Cole’s',
        accountName: `Stdio elsewhere ${db.dialect}`,
        assignee: colleague.memberId,
      });
      await ok(stranger, 'create_candidate', {
        title: 'Other org',
        accountName: 'Stdio far',
        assignee: 'me',
      });
      await quietFor(WINDOW_MS * 5);
      expect(heard).toEqual([]);
      const started = performance.now();
      await ok(writer, 'create_candidate', {
        title: 'Ada’s',
        accountName: `Stdio harbour ${db.dialect}`,
        assignee: org.actor.memberId,
      });
      await within(1_000, () => heard.some((h) => h.uri === 'workstream://today'));
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(listener.listen({ resourceSubscriptions: ['workstream://nowhere'] })).rejects.toThrow(
        /"workstream:\/\/nowhere" cannot be subscribed/,
      );
    } finally {
      if (writer !== listener) await writer.close();
      await stranger.close();
      await listener.close();
    }
  }, 60_000);
});
