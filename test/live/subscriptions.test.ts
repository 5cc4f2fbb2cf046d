/**
 * 2025-era resource subscriptions with real clients of both SDK generations, in memory through
 * the connection entry the stdio server uses: a change by another client reaches the subscriber
 * within 1 s as notifications/resources/updated for the URIs it changed, coalesced; an unrelated
 * change and another org's change send nothing; a URI no change updates is refused, naming it.
 */
import { Client } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChangeFeed, inProcessFeed } from '../../src/live/feed.js';
import { MAX_SUBSCRIBED_URIS, SUBSCRIBABLE, subscribable } from '../../src/live/subscriptions.js';
import { serveConnection } from '../../src/server/stdio.js';
import type { Actor } from '../../src/workstream/deps.js';
import { inMemoryClient, LEGACY, ok, quiet } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const WINDOW_MS = 100;

/** A subscriber: its client, and the URIs it was told of, in order. */
interface Subscriber {
  readonly heard: string[];
  subscribe(uri: string): Promise<void>;
  unsubscribe(uri: string): Promise<void>;
  capabilities(): unknown;
  close(): Promise<void>;
}

async function connectPair(org: TestOrg, actor: Actor, feed: ChangeFeed) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  serveConnection({ workstream: org.ws, actor, log: quiet, live: { feed, windowMs: WINDOW_MS } }, serverSide);
  return clientSide;
}

async function v2Subscriber(org: TestOrg, actor: Actor, feed: ChangeFeed): Promise<Subscriber> {
  const heard: string[] = [];
  const client = new Client({ name: 'subscriber-v2', version: '1.0.0' }, LEGACY);
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    heard.push(notification.params.uri);
  });
  await client.connect(await connectPair(org, actor, feed));
  return {
    heard,
    subscribe: async (uri) => void (await client.subscribeResource({ uri })),
    unsubscribe: async (uri) => void (await client.unsubscribeResource({ uri })),
    capabilities: () => client.getServerCapabilities(),
    close: () => client.close(),
  };
}

async function v1Subscriber(org: TestOrg, actor: Actor, feed: ChangeFeed): Promise<Subscriber> {
  const heard: string[] = [];
  const client = new ClientV1({ name: 'subscriber-v1', version: '1.0.0' });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    heard.push(notification.params.uri);
  });
  // The v1 client speaks to the server's in-memory transport through the same Transport shape.
  await client.connect((await connectPair(org, actor, feed)) as never);
  return {
    heard,
    subscribe: async (uri) => void (await client.subscribeResource({ uri })),
    unsubscribe: async (uri) => void (await client.unsubscribeResource({ uri })),
    capabilities: () => client.getServerCapabilities(),
    close: () => client.close(),
  };
}

/** Waits until `check` holds (or fails after `ms`), answering how long it took. */
async function within(ms: number, check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDialect('resource subscriptions (2025 era)', (db) => {
  let feed: ChangeFeed;
  let org: TestOrg;
  let other: TestOrg;
  let colleague: Actor;

  beforeAll(async () => {
    feed = inProcessFeed();
    org = await testOrg(db.store(), undefined, { feed });
    other = await testOrg(db.store(), undefined, { feed });
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `colleague-${org.orgId}@example.test`,
      name: 'Cole League',
    });
    colleague = { orgId: org.orgId, memberId };
  });
  afterAll(() => feed.close());

  for (const [sdk, connect] of [
    ['SDK v2', v2Subscriber],
    ['SDK v1', v1Subscriber],
  ] as const) {
    it(`${sdk}: advertises resources.subscribe and hears another client's change within 1 s`, async () => {
      const subscriber = await connect(org, org.actor, feed);
      const writer = await inMemoryClient(org.ws, colleague);
      try {
        expect(subscriber.capabilities()).toMatchObject({ resources: { subscribe: true } });
        await subscriber.subscribe('workstream://today');
        await subscriber.subscribe('workstream://sla/breaches?status=all');
        const started = performance.now();
        const candidate = await ok(writer, 'create_candidate', {
          title: `Cranes ${sdk}`,
          accountName: `Harbour ${sdk}`,
          assignee: org.actor.memberId,
        });
        await within(1_000, () => subscriber.heard.includes('workstream://today'));
        expect(performance.now() - started).toBeLessThan(1_000);

        // The entity's own URI: a change to it is heard; it was not subscribed before.
        const entityUri = `workstream://candidates/${candidate.id}`;
        await subscriber.subscribe(entityUri);
        subscriber.heard.length = 0;
        await ok(writer, 'log_touch', { candidateId: candidate.id, kind: 'call', summary: 'Called' });
        await within(1_000, () => subscriber.heard.includes(entityUri));
        expect(subscriber.heard).toContain('workstream://today');

        // Reassigned away: the old assignee's panel changed too.
        subscriber.heard.length = 0;
        await ok(writer, 'update_candidate', { candidateId: candidate.id, assignee: colleague.memberId });
        await within(1_000, () => subscriber.heard.includes('workstream://today'));

        // Unsubscribed: no more for that URI.
        await subscriber.unsubscribe(entityUri);
        subscriber.heard.length = 0;
        await ok(writer, 'log_touch', { candidateId: candidate.id, kind: 'email', summary: 'Wrote' });
        await quietFor(WINDOW_MS * 4);
        expect(subscriber.heard).not.toContain(entityUri);
      } finally {
        await subscriber.close();
        await writer.close();
      }
    });

    it(`${sdk}: an unrelated change and another org's change send nothing`, async () => {
      const subscriber = await connect(org, org.actor, feed);
      const writer = await inMemoryClient(org.ws, colleague);
      const stranger = await inMemoryClient(other.ws, other.actor);
      try {
        await subscriber.subscribe('workstream://today');
        await ok(writer, 'create_candidate', {
          title: 'Not yours',
          accountName: `Elsewhere ${sdk}`,
          assignee: colleague.memberId,
        });
        await ok(stranger, 'create_candidate', {
          title: 'Other org',
          accountName: `Far ${sdk}`,
          assignee: 'me',
        });
        await quietFor(WINDOW_MS * 5);
        expect(subscriber.heard).toEqual([]);
      } finally {
        await subscriber.close();
        await writer.close();
        await stranger.close();
      }
    });

    it(`${sdk}: a URI no change updates is refused, naming it; the connection goes on`, async () => {
      const subscriber = await connect(org, org.actor, feed);
      try {
        await expect(subscriber.subscribe('workstream://members')).rejects.toThrow(
          /"workstream:\/\/members" cannot be subscribed: no change updates it\. Subscribe to workstream:\/\/today/,
        );
        await subscriber.subscribe('workstream://today');
        // A connection holds at most MAX_SUBSCRIBED_URIS; one more is refused naming the limit.
        for (let i = 1; i < MAX_SUBSCRIBED_URIS; i++)
          await subscriber.subscribe(`workstream://pursuits/pur_${i}`);
        await expect(subscriber.subscribe('workstream://pursuits/pur_over')).rejects.toThrow(
          `at most ${MAX_SUBSCRIBED_URIS} subscribed URIs on one connection`,
        );
        await subscriber.unsubscribe('workstream://pursuits/pur_1');
        await subscriber.subscribe('workstream://pursuits/pur_over');
      } finally {
        await subscriber.close();
      }
    });

    it(`${sdk}: a burst of changes within the window is one notification per resource`, async () => {
      const subscriber = await connect(org, org.actor, feed);
      try {
        await subscriber.subscribe('workstream://today');
        const writes = Array.from({ length: 5 }, (_, i) =>
          org.ws.createCandidate(colleague, {
            title: `Burst ${i}`,
            accountName: `Burst ${sdk} ${i}`,
            assignee: org.actor.memberId,
          }),
        );
        await Promise.all(writes);
        await within(1_000, () => subscriber.heard.length > 0);
        await quietFor(WINDOW_MS * 3);
        expect(subscriber.heard.length).toBeGreaterThan(0);
        expect(subscriber.heard.length).toBeLessThan(5);
      } finally {
        await subscriber.close();
      }
    });
  }

  it('a server instance without a feed does not advertise subscriptions', async () => {
    const client = await inMemoryClient(org.ws, org.actor);
    try {
      expect(client.getServerCapabilities()?.resources?.subscribe).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});

describeEachDialect('what can be subscribed', (db) => {
  it('every URI the refusal names is subscribable, and is a resource the server reads', async () => {
    const org = await testOrg(db.store());
    const client = await inMemoryClient(org.ws, org.actor);
    try {
      const candidate = await ok(client, 'create_candidate', { title: 'Named', accountName: 'Named Co' });
      const signal = await ok(client, 'create_signal', {
        source: 'manual',
        externalRef: `named-${db.dialect}`,
        title: 'Named signal',
      });
      // The refusal's list, expanded: each family, each with a real record's id.
      const named = [...SUBSCRIBABLE.matchAll(/workstream:\/\/[^\s,()]+/g)].map((m) => m[0]);
      expect(named.length).toBeGreaterThanOrEqual(3);
      const ids: Record<string, string | undefined> = { candidates: candidate.id, signals: signal.signal.id };
      const uris = named.flatMap((uri) => {
        const family = uri.match(/\{([a-z|]+)\}\/\{id\}$/);
        if (!family) return [uri];
        return (family[1] as string)
          .split('|')
          .filter((name) => ids[name] !== undefined)
          .map((name) => uri.replace(family[0], `${name}/${ids[name]}`));
      });
      expect(uris).toContain(`workstream://candidates/${candidate.id}`);
      expect(uris).toContain(`workstream://signals/${signal.signal.id}`);
      for (const uri of uris) {
        expect(subscribable(uri, org.actor.memberId).ok, uri).toBe(true);
        const read = await client.readResource({ uri });
        expect(read.contents.length, uri).toBeGreaterThan(0);
      }
    } finally {
      await client.close();
    }
  });
});
