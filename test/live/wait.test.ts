/**
 * get_today_panel with waitMs, the MCP App's live refresh, through real clients of both SDK
 * generations in memory: the call is answered as soon as a change reaches the caller's panel
 * (with the panel as it is after the change), a change of another member's work or of another
 * org does not answer it, without a change it answers when the wait runs out, and a wait past
 * 30 s is VALIDATION naming the field and its limit.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChangeFeed, inProcessFeed } from '../../src/live/feed.js';
import { createServer } from '../../src/server/mcp.js';
import type { Actor } from '../../src/workstream/deps.js';
import { inMemoryClient, ok, quiet, refused, type ToolClient } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

async function v1Client(org: TestOrg, actor: Actor, feed: ChangeFeed): Promise<ToolClient> {
  const server = createServer({ workstream: org.ws, actor, log: quiet, live: { feed, windowMs: 50 } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new ClientV1({ name: 'waiter-v1', version: '1.0.0' });
  await client.connect(clientSide as never);
  return client as unknown as ToolClient;
}

describeEachDialect('get_today_panel waiting for a change', (db) => {
  let feed: ChangeFeed;
  let org: TestOrg;
  let other: TestOrg;
  let colleague: Actor;

  beforeAll(async () => {
    feed = inProcessFeed();
    org = await testOrg(db.store(), new Date(), { feed });
    other = await testOrg(db.store(), new Date(), { feed });
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `waiting-${org.orgId}@example.test`,
      name: 'Wes Waiting',
    });
    colleague = { orgId: org.orgId, memberId };
  });
  afterAll(() => feed.close());

  for (const [sdk, connect] of [
    ['SDK v2', (actor: Actor) => inMemoryClient(org.ws, actor, { live: { feed, windowMs: 50 } })],
    ['SDK v1', (actor: Actor) => v1Client(org, actor, feed)],
  ] as const) {
    it(`${sdk}: answers once a change reaches the panel, with the panel after it; not for others' changes`, async () => {
      const waiter = await connect(org.actor);
      const writer = await connect(colleague);
      try {
        const got: { panel?: { items: { title: string }[] } } = {};
        const waiting = ok(waiter, 'get_today_panel', { waitMs: 20_000 }).then((panel) => {
          got.panel = panel;
        });
        // A failure below closes the client under the waiting call: its rejection is this test's.
        waiting.catch(() => {});
        // Another member's new work and another org's change leave the call waiting.
        await ok(writer, 'create_candidate', {
          title: `Theirs ${sdk}`,
          accountName: `Wes ${sdk}`,
          assignee: 'me',
        });
        await other.ws.createCandidate(other.actor, {
          title: 'Elsewhere',
          accountName: `Other org ${sdk}`,
          assignee: 'me',
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(got.panel).toBeUndefined();
        const started = performance.now();
        await ok(writer, 'create_candidate', {
          title: `For Ada ${sdk}`,
          accountName: `Harbour ${sdk}`,
          assignee: org.actor.memberId,
        });
        await waiting;
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(got.panel?.items.map((item) => item.title)).toContain(`For Ada ${sdk}`);
      } finally {
        await waiter.close();
        await writer.close();
      }
    });

    it(`${sdk}: without a change answers when the wait runs out; refuses a wait past 30 s`, async () => {
      const waiter = await connect(org.actor);
      try {
        const started = performance.now();
        const panel = await ok(waiter, 'get_today_panel', { waitMs: 300 });
        expect(performance.now() - started).toBeGreaterThanOrEqual(290);
        expect(Array.isArray(panel.items)).toBe(true);
        const failure = await refused(waiter, 'get_today_panel', { waitMs: 30_001 });
        expect(failure.code).toBe('VALIDATION');
        expect(failure.message).toMatch(/waitMs/);
        expect(failure.message).toMatch(/30000/);
      } finally {
        await waiter.close();
      }
    });
  }
});
