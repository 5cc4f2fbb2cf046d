import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/log.js';
import { connect, type Store } from '../../src/store/connect.js';
import { nowPlusSql, toJson } from '../../src/store/dialect.js';
import { OutboxStore } from '../../src/worker/outbox-store.js';
import { OutboxWorker, type WorkerOptions } from '../../src/worker/outbox-worker.js';
import { defaultDestinations } from '../../src/worker/run.js';
import { describeEachDialect } from '../support/databases.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const log = createLogger('silent');
const until = (check: () => Promise<void>, timeout = 15_000) => vi.waitFor(check, { timeout, interval: 20 });

describeEachDialect('the outbox worker', ({ dialect, store, url }) => {
  let receiver: Receiver;
  let org: TestOrg;
  let refs = 0;

  beforeAll(async () => {
    receiver = await startReceiver();
    org = await testOrg(store());
  });
  afterAll(() => receiver.close());

  /** Registers a webhook at a fresh receiver path; returns the path. */
  async function endpoint(eventTypes: string[] = ['*']): Promise<{ path: string; id: string }> {
    const path = `/hook-${++refs}`;
    const hook = await org.ws.registerWebhook(org.actor, { url: `${receiver.url}${path}`, eventTypes });
    receiver.secrets.set(path, hook.secret);
    return { path, id: hook.id };
  }

  function worker(options: WorkerOptions = {}, on: (id: string) => void = () => {}, at: Store = store()) {
    return new OutboxWorker(
      new OutboxStore(at),
      defaultDestinations(at, log),
      log,
      { maxIdleMs: 50, ...options },
      {
        onSettled: (row) => on(row.id),
      },
    );
  }

  const rowsFor = (path: string) =>
    store()
      .db.selectFrom('outbox')
      .innerJoin('webhook_endpoints', (join) =>
        join.on(sql`'webhook:' || webhook_endpoints.id`, '=', sql.ref('outbox.destination')),
      )
      .selectAll('outbox')
      .where('webhook_endpoints.url', '=', `${receiver.url}${path}`)
      .execute();

  /** Makes every scheduled retry of a path due now: the clock moves, nobody waits a minute. */
  const makeDue = async (path: string) => {
    for (const row of await rowsFor(path)) {
      await store()
        .db.updateTable('outbox')
        .set({ run_at: nowPlusSql(dialect, -1000) })
        .where('id', '=', row.id)
        .where('locked_at', 'is', null)
        .execute();
    }
  };

  const deliveriesTo = (path: string) => receiver.deliveries.filter((d) => d.path === path);

  it('delivers every event of a lifecycle, signed, with the event id as idempotency key, and empties the outbox', async () => {
    const { path } = await endpoint();
    const { ws, actor } = org;
    const candidate = await ws.createCandidate(actor, {
      title: 'Deliver me',
      accountName: `Deliver ${refs}`,
    });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'hi' });
    await ws.qualifyCandidate(actor, { candidateId: candidate.id });
    const expected = (await rowsFor(path)).map((row) => row.event_id).sort();
    expect(expected).toHaveLength(3);

    const running = worker();
    running.start();
    await until(async () => expect(deliveriesTo(path)).toHaveLength(3));
    await until(async () => expect(await rowsFor(path)).toEqual([]));
    await running.stop();

    const got = deliveriesTo(path);
    expect(got.map((d) => d.eventId).sort()).toEqual(expected);
    for (const delivery of got) {
      expect(delivery.signatureValid).toBe(true);
      expect(delivery.idempotencyKey).toBe(delivery.eventId);
      expect(delivery.body).toMatchObject({ eventId: delivery.eventId, entityId: candidate.id });
    }
  });

  it('schedules a retry a minute later in database time when the receiver answers 500, then delivers', async () => {
    const { path } = await endpoint(['candidate.created']);
    receiver.statuses.set(path, 500);
    await org.ws.createCandidate(org.actor, { title: 'Retry me', accountName: `Retry ${refs}` });
    const running = worker();
    running.start();
    await until(async () => {
      const [row] = await rowsFor(path);
      expect(row?.attempts).toBe(1);
      expect(row?.locked_at).toBeNull();
    });
    const [row] = await rowsFor(path);
    const { now_at } = (
      await sql<{ now_at: Date }>`select ${nowPlusSql(dialect, 0)} as now_at`.execute(store().db)
    ).rows[0] ?? { now_at: new Date() };
    const delay = (row?.run_at.getTime() ?? 0) - now_at.getTime();
    expect(delay).toBeGreaterThan(50_000);
    expect(delay).toBeLessThan(67_000);
    expect(row?.errors_json).toMatchObject([{ attempt: 1, error: expect.stringContaining('HTTP 500') }]);
    expect(deliveriesTo(path)).toHaveLength(1);

    receiver.statuses.set(path, 204);
    await makeDue(path);
    running.wake();
    await until(async () => expect(await rowsFor(path)).toEqual([]));
    await running.stop();
    expect(deliveriesTo(path)).toHaveLength(2);
  });

  it('dead-letters a permanent refusal (404) at once, and replays it on request', async () => {
    const { path } = await endpoint(['candidate.created']);
    receiver.statuses.set(path, 404);
    await org.ws.createCandidate(org.actor, { title: 'Gone', accountName: `Gone ${refs}` });
    const [row] = await rowsFor(path);
    const running = worker();
    running.start();
    await until(async () => expect(await rowsFor(path)).toEqual([]));
    await running.stop();
    const outbox = new OutboxStore(store());
    const letter = (await outbox.listDeadLetters()).find((l) => l.id === row?.id);
    expect(letter).toMatchObject({ attempts: 1, last_error: expect.stringContaining('HTTP 404') });

    receiver.statuses.set(path, 200);
    expect(await outbox.replay([row?.id ?? ''])).toEqual([row?.id]);
    const again = worker();
    again.start();
    await until(async () => expect(deliveriesTo(path)).toHaveLength(2));
    await until(async () => expect(await rowsFor(path)).toEqual([]));
    await again.stop();
    expect((await outbox.listDeadLetters()).some((l) => l.id === row?.id)).toBe(false);
  });

  it('moves a poison row to the dead letters after max attempts without holding up the rows behind it', async () => {
    const poison = await endpoint(['candidate.created']);
    const healthy = await endpoint(['candidate.created']);
    receiver.statuses.set(poison.path, 503);
    for (let i = 0; i < 4; i++)
      await org.ws.createCandidate(org.actor, { title: `P${i}`, accountName: `Poison ${refs} ${i}` });
    const running = worker({ maxAttempts: 3, batchSize: 2 });
    running.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await until(async () => {
        const rows = await rowsFor(poison.path);
        expect(rows.every((row) => row.attempts === attempt && row.locked_at === null)).toBe(true);
      });
      // Rows for the healthy endpoint are delivered meanwhile.
      if (attempt === 1) await until(async () => expect(deliveriesTo(healthy.path)).toHaveLength(4));
      if (attempt < 3) {
        await makeDue(poison.path);
        running.wake();
      }
    }
    await until(async () => expect(await rowsFor(poison.path)).toEqual([]));
    await running.stop();
    const letters = (await new OutboxStore(store()).listDeadLetters()).filter(
      (l) => l.destination === `webhook:${poison.id}`,
    );
    expect(letters).toHaveLength(4);
    for (const letter of letters) {
      expect(letter.attempts).toBe(3);
      expect(letter.errors_json).toHaveLength(3);
    }
    expect(deliveriesTo(poison.path)).toHaveLength(12);
  });

  it('fences completion on the lease: a reclaimed row cannot be completed by the stale worker', async () => {
    const { path } = await endpoint(['candidate.created']);
    await org.ws.createCandidate(org.actor, { title: 'Fence', accountName: `Fence ${refs}` });
    const outbox = new OutboxStore(store());
    const [row] = await rowsFor(path);
    const range = await outbox.claimRange('stale-worker', 100);
    const mine = (range?.rows ?? []).filter((r) => r.id === row?.id);
    expect(mine).toHaveLength(1);
    await store()
      .db.updateTable('outbox_leases')
      .set({ locked_at: nowPlusSql(dialect, -6 * 60_000) })
      .where('locked_by', '=', 'stale-worker')
      .execute();
    expect(await outbox.reclaim(5 * 60_000, 100)).toContain(row?.id);
    const theirs = (await outbox.claimRetries('new-worker', 100)).filter((r) => r.id === row?.id);
    expect(theirs).toMatchObject([{ attempts: 2, locked_by: 'new-worker' }]);
    const none = { failed: [], dead: [], abandoned: [] };
    expect(await outbox.settleRange('stale-worker', range?.leaseId ?? '', none)).toBe(false);
    expect(await outbox.complete('stale-worker', [row?.id ?? ''])).toBe(0);
    const stale = mine[0];
    if (!stale) throw new Error('the stale worker claimed the row');
    expect(await outbox.retryLater('stale-worker', stale, 'late', 1000)).toBe(false);
    expect(await outbox.complete('new-worker', [row?.id ?? ''])).toBe(1);
    // Leave nothing locked behind for the other tests.
    const leftovers = (
      await store()
        .db.selectFrom('outbox')
        .select('id')
        .where('locked_by', 'in', ['stale-worker', 'new-worker'])
        .execute()
    ).map((r) => r.id);
    await outbox.release('new-worker', leftovers);
    await outbox.release('stale-worker', leftovers);
  });

  it('releases deliveries still hung at shutdown without counting the attempt', async () => {
    const { path } = await endpoint(['candidate.created']);
    receiver.hang.add(path);
    await org.ws.createCandidate(org.actor, { title: 'Hang', accountName: `Hang ${refs}` });
    const running = worker({ drainMs: 200 });
    running.start();
    const [hung] = await rowsFor(path);
    const inFlight = async () => (await new OutboxStore(store()).held()).filter((h) => h.id === hung?.id);
    await until(async () => expect((await inFlight())[0]?.locked_by).toBeDefined());
    await running.stop();
    expect(await inFlight()).toEqual([]);
    const [row] = await rowsFor(path);
    expect(row).toMatchObject({ attempts: 0, locked_by: null, locked_at: null });
    receiver.hang.delete(path);
    receiver.statuses.set(path, 200);
    const again = worker();
    again.start();
    await until(async () => expect(await rowsFor(path)).toEqual([]));
    await again.stop();
  });

  it('reports pending, in-flight and dead-letter counts', async () => {
    const stats = await new OutboxStore(store()).stats();
    expect(stats).toEqual({
      pending: expect.any(Number),
      inFlight: expect.any(Number),
      deadLetters: expect.any(Number),
      oldestPendingAgeSeconds: expect.any(Number),
    });
    expect(stats.deadLetters).toBeGreaterThanOrEqual(4);
  });

  if (dialect === 'postgres') {
    it('delivers 5,000 rows across 4 workers with separate pools, none twice', async () => {
      const { path, id } = await endpoint(['none.*']);
      const eventIds: string[] = [];
      for (let chunk = 0; chunk < 10; chunk++) {
        const events = Array.from({ length: 500 }, () => ({
          id: newId('evt'),
          org_id: org.orgId,
          entity_type: 'candidate',
          entity_id: 'cand_bulk',
          type: 'bulk.test',
          actor_id: 'test',
          occurred_at: new Date(),
        }));
        await store().db.insertInto('events').values(events).execute();
        await store()
          .db.insertInto('outbox')
          .values(
            events.map((e) => ({
              id: newId('obx'),
              org_id: org.orgId,
              event_id: e.id,
              destination: `webhook:${id}`,
              payload_json: toJson({ eventId: e.id }),
            })),
          )
          .execute();
        eventIds.push(...events.map((e) => e.id));
      }
      const stores = await Promise.all(Array.from({ length: 4 }, () => connect(url(), { poolSize: 4 })));
      const workers = stores.map((s) => worker({ batchSize: 50, loops: 2 }, () => {}, s));
      try {
        for (const w of workers) w.start();
        await until(async () => expect(deliveriesTo(path).length).toBeGreaterThanOrEqual(5000), 60_000);
        await until(async () => expect(await rowsFor(path)).toEqual([]), 30_000);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(stores.map((s) => s.close()));
      }
      const delivered = deliveriesTo(path).map((d) => d.eventId);
      expect(delivered).toHaveLength(5000);
      expect(new Set(delivered).size).toBe(5000);
      expect(new Set(delivered)).toEqual(new Set(eventIds));
    }, 120_000);
  }
});
