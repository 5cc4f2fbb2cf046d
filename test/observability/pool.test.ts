/**
 * The pool series in a process that holds connections: in use while lent (a transaction holds
 * its connection throughout), waiting while a caller queues for one, and failed statements by
 * class. SQLite's one connection and a PostgreSQL pool of one behave alike.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registry } from '../../src/observability/metrics.js';
import { connect, type Store } from '../../src/store/connect.js';
import { describeEachDialect } from '../support/databases.js';
import { readMetrics } from '../support/metrics.js';
import { seedOrg } from '../support/seed.js';

const read = async () => readMetrics(await registry.metrics());

describeEachDialect('database pool series', ({ dialect, url }) => {
  let store: Store;
  beforeAll(async () => {
    store = await connect(url(), { poolSize: 1 });
  });
  afterAll(() => store?.close());

  it('counts a connection in use while a transaction holds it, and a caller waiting behind it', async () => {
    const before = await read();
    const inUse = (m: typeof before) => m.value('workstream_db_pool_connections_in_use', { dialect }) ?? 0;
    const waiting = (m: typeof before) => m.value('workstream_db_pool_waiting_requests', { dialect }) ?? 0;
    const idle = (m: typeof before) => m.value('workstream_db_pool_connections_idle', { dialect }) ?? 0;
    const acquired = (m: typeof before) =>
      m.value('workstream_db_pool_acquire_duration_seconds_count', { dialect }) ?? 0;

    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const transaction = store.db.transaction().execute(async (tx) => {
      await tx.selectFrom('orgs').select('id').execute();
      entered();
      await held;
    });
    await inside;
    const queued = store.db.selectFrom('orgs').select('id').execute();
    await new Promise((resolve) => setTimeout(resolve, 50));

    try {
      const during = await read();
      expect(inUse(during)).toBe(inUse(before) + 1);
      expect(waiting(during)).toBe(waiting(before) + 1);
      expect(idle(during)).toBe(idle(before) - 1);
    } finally {
      release();
    }
    await Promise.all([transaction, queued]);
    const after = await read();
    expect(inUse(after)).toBe(inUse(before));
    expect(waiting(after)).toBe(waiting(before));
    expect(acquired(after)).toBe(acquired(before) + 2);
  });

  it('counts a failed statement by class: a unique violation', async () => {
    const errors = async () =>
      (await read()).value('workstream_db_query_errors_total', { dialect, class: 'unique_violation' }) ?? 0;
    const before = await errors();
    const orgId = await seedOrg(store);
    await expect(
      store.db
        .insertInto('orgs')
        .values({ id: orgId, name: 'again', slug: `again-${orgId}` })
        .execute(),
    ).rejects.toThrow();
    expect(await errors()).toBe(before + 1);
  });

  it.runIf(dialect === 'postgres')('counts a deadlock the database breaks as a deadlock', async () => {
    const errors = async () =>
      (await read()).value('workstream_db_query_errors_total', { dialect, class: 'deadlock' }) ?? 0;
    const before = await errors();
    const [first, second] = [await seedOrg(store), await seedOrg(store)];
    const pair = await connect(url(), { poolSize: 2 });
    try {
      let locked = 0;
      let bothLocked = () => {};
      const ready = new Promise<void>((resolve) => {
        bothLocked = resolve;
      });
      // Each transaction locks one row, waits for the other to do the same, then wants the other's.
      const crossing = (mine: string, theirs: string) =>
        pair.db.transaction().execute(async (tx) => {
          await tx.updateTable('orgs').set({ name: 'locked' }).where('id', '=', mine).execute();
          if (++locked === 2) bothLocked();
          await ready;
          await tx.updateTable('orgs').set({ name: 'crossed' }).where('id', '=', theirs).execute();
        });
      const outcomes = await Promise.allSettled([crossing(first, second), crossing(second, first)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    } finally {
      await pair.close();
    }
    expect(await errors()).toBe(before + 1);
  });

  it('stops reporting a store once it is closed', async () => {
    const other = await connect(url());
    const open = async () => (await read()).value('workstream_db_pool_connections_max', { dialect }) ?? 0;
    const withOther = await open();
    await other.close();
    expect(await open()).toBe(withOther - (dialect === 'sqlite' ? 1 : 10));
  });
});
