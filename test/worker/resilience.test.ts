/**
 * The worker against failure on PostgreSQL: a worker process killed mid-batch, and the database
 * server restarted under running workers. Each case ends with every event delivered and, after
 * the receiver's dedupe on event id, exactly one effect each.
 */

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { connect, type Store } from '../../src/store/connect.js';
import { nowPlusSql, toJson } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrator.js';
import { OutboxStore } from '../../src/worker/outbox-store.js';
import { startWorker } from '../../src/worker/run.js';
import { exited, spawnCli } from '../support/cli.js';
import { createDatabase, PG_URL, type TestDatabase } from '../support/databases.js';
import { PRIVATE_POSTGRES_AVAILABLE, startPrivatePostgres } from '../support/private-postgres.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { testOrg } from '../support/workstream.js';

const until = (check: () => Promise<void> | void, timeout = 60_000) =>
  vi.waitFor(check, { timeout, interval: 50 });

/** Writes `count` events for one webhook endpoint straight into the outbox. */
async function fillOutbox(store: Store, receiver: Receiver, path: string, count: number): Promise<string[]> {
  const org = await testOrg(store);
  const hook = await org.ws.registerWebhook(org.actor, {
    url: `${receiver.url}${path}`,
    eventTypes: ['none.*'],
  });
  receiver.secrets.set(path, hook.secret);
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += 500) {
    const events = Array.from({ length: Math.min(500, count - offset) }, () => ({
      id: newId('evt'),
      org_id: org.orgId,
      entity_type: 'candidate',
      entity_id: 'cand_resilience',
      type: 'resilience.test',
      actor_id: 'test',
      occurred_at: new Date(),
    }));
    await store.db.insertInto('events').values(events).execute();
    await store.db
      .insertInto('outbox')
      .values(
        events.map((e) => ({
          id: newId('obx'),
          org_id: org.orgId,
          event_id: e.id,
          destination: `webhook:${hook.id}`,
          payload_json: toJson({ eventId: e.id }),
        })),
      )
      .execute();
    ids.push(...events.map((e) => e.id));
  }
  return ids;
}

describe.skipIf(!PG_URL)('worker resilience [postgres]', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  describe('a worker process killed mid-batch', () => {
    let database: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      database = await createDatabase('postgres');
      store = await connect(database.url);
      await migrate(store);
    });
    afterAll(async () => {
      await store.close();
      await database.drop();
    });

    it('loses nothing: its in-flight rows are reclaimed and delivered, duplicates only among them', async () => {
      const path = '/crash';
      const expected = await fillOutbox(store, receiver, path, 2000);
      receiver.delayMs = 40;
      const args = ['worker', '--db', database.url, '--batch-size', '25', '--loops', '2'];
      const victim = spawnCli(args);
      const survivor = spawnCli(args);
      try {
        const heldByVictim = async () =>
          (await new OutboxStore(store).held()).filter((row) => row.locked_by.includes(`:${victim.pid}:`));
        await until(() =>
          expect(receiver.deliveries.filter((d) => d.path === path).length).toBeGreaterThan(100),
        );
        // Kill it mid-batch, while it holds claimed rows (a batch lasts at least the receiver's delay).
        await until(async () => expect((await heldByVictim()).length).toBeGreaterThan(0));
        victim.kill('SIGKILL');
        await exited(victim);
        // What the killed process held at its death: the only rows allowed to arrive twice.
        const held = await heldByVictim();
        expect(held.length).toBeGreaterThan(0);
        // Its lease runs out: the database clock moves past it instead of the test waiting 5 minutes.
        for (const table of ['outbox', 'outbox_leases'] as const)
          await store.db
            .updateTable(table)
            .set({ locked_at: nowPlusSql('postgres', -6 * 60_000) })
            .where('locked_by', 'like', `%:${victim.pid}:%`)
            .execute();
        // A worker starting (as after a crash) sweeps expired leases at once.
        const restarted = spawnCli(args);
        try {
          await until(async () =>
            expect(await store.db.selectFrom('outbox').select('id').execute()).toEqual([]),
          );
        } finally {
          restarted.kill('SIGTERM');
          expect(await exited(restarted)).toBe(0);
        }

        const delivered = receiver.deliveries.filter((d) => d.path === path).map((d) => d.eventId);
        expect(new Set(delivered)).toEqual(new Set(expected));
        const counts = new Map<string, number>();
        for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
        const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
        const heldEvents = new Set(held.map((row) => row.event_id));
        for (const id of twice) expect(heldEvents.has(id)).toBe(true);
        expect(receiver.deliveries.filter((d) => d.path === path).every((d) => d.signatureValid)).toBe(true);
      } finally {
        receiver.delayMs = 0;
        survivor.kill('SIGTERM');
        expect(await exited(survivor)).toBe(0);
        expect(survivor.output()).toContain('worker stopped');
      }
    }, 120_000);
  });

  describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('the database server restarted under running workers', () => {
    it('they log, reconnect with backoff, and finish with nothing lost', async () => {
      const server = await startPrivatePostgres();
      const store = await connect(server.url);
      // What the workers say about the outage, as JSON log lines.
      const lines: string[] = [];
      const logged = pino(
        { level: 'warn' },
        new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
      );
      const workers: ReturnType<typeof startWorker>[] = [];
      try {
        await migrate(store);
        const path = '/restart';
        const expected = await fillOutbox(store, receiver, path, 1500);
        receiver.delayMs = 5;
        const pools = await Promise.all([
          connect(server.url, { poolSize: 3 }),
          connect(server.url, { poolSize: 3 }),
        ]);
        for (const pool of pools) workers.push(startWorker(pool, logged, { batchSize: 20, loops: 2 }));
        await until(() =>
          expect(receiver.deliveries.filter((d) => d.path === path).length).toBeGreaterThan(200),
        );
        server.restart();
        await until(async () => {
          const left = await store.db
            .selectFrom('outbox')
            .select('id')
            .execute()
            .catch(() => [{ id: 'unreachable' }]);
          expect(left).toEqual([]);
        }, 90_000);
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(pools.map((p) => p.close()));
        const delivered = new Set(receiver.deliveries.filter((d) => d.path === path).map((d) => d.eventId));
        expect(delivered).toEqual(new Set(expected));
        expect(lines.join('\n')).toMatch(/lost its connection|claim failed|outbox write failed/);
      } finally {
        receiver.delayMs = 0;
        await store.close().catch(() => {});
        server.stop();
      }
    }, 150_000);
  });
});

// Keeps the reclaim statement honest on its own: expired leases only, and only up to the batch.
describe.skipIf(!PG_URL)('reclaim', () => {
  it('unlocks only leases older than the lease time', async () => {
    const database = await createDatabase('postgres');
    const store = await connect(database.url);
    try {
      await migrate(store);
      const receiver = await startReceiver();
      await fillOutbox(store, receiver, '/reclaim', 6);
      await receiver.close();
      const outbox = new OutboxStore(store);
      // Six ranges of one row each; four of them held past the lease.
      const leases: string[] = [];
      for (let i = 0; i < 6; i++) leases.push((await outbox.claimRange('w', 1))?.leaseId ?? '');
      await store.db
        .updateTable('outbox_leases')
        .set({ locked_at: nowPlusSql('postgres', -10 * 60_000) })
        .where('id', 'in', leases.slice(0, 4))
        .execute();
      expect((await outbox.reclaim(5 * 60_000, 3)).length).toBe(3);
      expect((await outbox.reclaim(5 * 60_000, 3)).length).toBe(1);
      expect(await outbox.reclaim(5 * 60_000, 3)).toEqual([]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
