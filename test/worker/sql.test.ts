/**
 * The outbox statements of src/worker/sql/ on each database: ranges of the log leased in commit
 * order and never twice, retries claimed on their own, settlements fenced on the lease.
 */
import pg from 'pg';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { nowPlusSql, toJson } from '../../src/store/dialect.js';
import { OutboxStore, payloadText } from '../../src/worker/outbox-store.js';
import { claimRetries } from '../../src/worker/sql/claim.js';
import { createDatabase, describeEachDialect } from '../support/databases.js';
import { seedEvent, seedOrg } from '../support/seed.js';

describeEachDialect('outbox statements', ({ dialect, store, url }) => {
  let orgId: string;
  let outbox: OutboxStore;
  beforeAll(async () => {
    orgId = await seedOrg(store());
    outbox = new OutboxStore(store());
  });
  beforeEach(async () => {
    await store().db.deleteFrom('outbox').execute();
    await store().db.deleteFrom('outbox_leases').execute();
  });

  async function addRows(
    count: number,
    values: { is_retry?: boolean; run_at?: Date } = {},
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const eventId = await seedEvent(store(), orgId);
      const id = newId('obx');
      ids.push(id);
      await store()
        .db.insertInto('outbox')
        .values({
          id,
          org_id: orgId,
          event_id: eventId,
          destination: 'test',
          payload_json: toJson({ i }),
          ...values,
        })
        .execute();
    }
    return ids;
  }

  it('lease the log in order, a range per claim, each row once, with one lease row each', async () => {
    const ids = await addRows(5);
    const first = await outbox.claimRange('worker-a', 3);
    expect(first?.rows.map((row) => row.id)).toEqual(ids.slice(0, 3));
    for (const row of first?.rows ?? []) {
      expect(row).toMatchObject({ attempts: 1, locked_by: 'worker-a', is_retry: false });
      expect(row.payload_json).toEqual({ i: expect.any(Number) });
    }
    const second = await outbox.claimRange('worker-b', 10);
    expect(second?.rows.map((row) => row.id)).toEqual(ids.slice(3));
    expect(await outbox.claimRange('worker-c', 10)).toBeNull();
    const leases = await store().db.selectFrom('outbox_leases').selectAll().orderBy('created_at').execute();
    expect(leases.map((lease) => lease.locked_by).sort()).toEqual(['worker-a', 'worker-b']);
    expect((await outbox.held()).map((row) => row.id).sort()).toEqual([...ids].sort());
  });

  it('hand a leased row its payload as the stored JSON text, parsed only when it is read', async () => {
    const eventId = await seedEvent(store(), orgId);
    // Spaced as no JSON.stringify writes it: a payload written out again would differ.
    const stored = '{"b": "tab\\there", "a": [1, 2], "c": {"d": null}}';
    await store()
      .db.insertInto('outbox')
      .values({
        id: newId('obx'),
        org_id: orgId,
        event_id: eventId,
        destination: 'test',
        payload_json: stored,
      })
      .execute();
    const [row] = (await outbox.claimRange('worker-a', 10))?.rows ?? [];
    if (!row) throw new Error('nothing claimed');
    expect(payloadText(row)).toBe(stored);
    expect(row.payload_json).toEqual({ b: 'tab\there', a: [1, 2], c: { d: null } });
    expect(row.errors_json).toEqual([]);
    expect(row.created_at).toBeInstanceOf(Date);
    expect(Math.abs(row.created_at.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('never hand one row to two concurrent claims', async () => {
    const ids = await addRows(40);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => outbox.claimRange(`w${i}`, 7)));
    const claimed = claims.flatMap((range) => range?.rows ?? []).map((row) => row.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...ids].sort());
  });

  it('complete a delivered range in one go, fenced on its holder', async () => {
    const ids = await addRows(4);
    const range = await outbox.claimRange('worker-a', 10);
    if (!range) throw new Error('nothing claimed');
    const none = { failed: [], dead: [], abandoned: [] };
    expect(await outbox.settleRange('someone-else', range.leaseId, none)).toBe(false);
    expect((await store().db.selectFrom('outbox').select('id').execute()).length).toBe(ids.length);
    expect(await outbox.settleRange('worker-a', range.leaseId, none)).toBe(true);
    expect(await store().db.selectFrom('outbox').select('id').execute()).toEqual([]);
    expect(await store().db.selectFrom('outbox_leases').select('id').execute()).toEqual([]);
  });

  it('complete a delivered range in the statement that claims the next, fenced on its holder', async () => {
    const ids = await addRows(4);
    const first = await outbox.claimRange('worker-a', 2);
    if (!first) throw new Error('nothing claimed');
    const stolen = await outbox.completeAndClaim('worker-b', 1, first.leaseId);
    expect(stolen.completed).toBe(false);
    expect(stolen.range?.rows.map((row) => row.id)).toEqual([ids[2]]);
    const next = await outbox.completeAndClaim('worker-a', 10, first.leaseId);
    expect(next.completed).toBe(true);
    expect(next.range?.rows.map((row) => row.id)).toEqual([ids[3]]);
    const left = await store().db.selectFrom('outbox').select('id').orderBy('id').execute();
    expect(left.map((row) => row.id)).toEqual(ids.slice(2));
  });

  it('turn a failed row of a range into a retry row and delete the rest', async () => {
    const ids = await addRows(3);
    const range = await outbox.claimRange('worker-a', 10);
    const [failed, dead] = range?.rows ?? [];
    if (!range || !failed || !dead) throw new Error('nothing claimed');
    expect(
      await outbox.settleRange('worker-a', range.leaseId, {
        failed: [{ row: failed, error: 'HTTP 500', delayMs: 60_000 }],
        dead: [{ row: dead, error: 'HTTP 404' }],
        abandoned: [],
      }),
    ).toBe(true);
    const left = await store().db.selectFrom('outbox').selectAll().execute();
    expect(left).toMatchObject([
      { id: ids[0], is_retry: true, attempts: 1, locked_by: null, last_error: 'HTTP 500' },
    ]);
    expect(left[0]?.errors_json).toMatchObject([{ attempt: 1, error: 'HTTP 500' }]);
    expect(await outbox.listDeadLetters()).toMatchObject([
      { id: ids[1], attempts: 1, last_error: 'HTTP 404' },
    ]);
    // Not due for a minute: no retry claim takes it now.
    expect(await claimRetries(store().db, dialect, { workerId: 'w', batchSize: 10 })).toEqual([]);
  });

  it('claim due retry rows in run_at order, counting the attempt, and leave log rows to ranges', async () => {
    const log = await addRows(2);
    const due = await addRows(3, { is_retry: true, run_at: new Date(Date.now() - 3_600_000) });
    await addRows(2, { is_retry: true, run_at: new Date(Date.now() + 3_600_000) });
    const first = await claimRetries(store().db, dialect, { workerId: 'worker-a', batchSize: 2 });
    expect(first.map((row) => row.id)).toEqual(due.slice(0, 2));
    expect(first).toMatchObject([
      { attempts: 1, locked_by: 'worker-a' },
      { attempts: 1, locked_by: 'worker-a' },
    ]);
    const second = await claimRetries(store().db, dialect, { workerId: 'worker-b', batchSize: 10 });
    expect(second.map((row) => row.id)).toEqual(due.slice(2));
    expect((await outbox.claimRange('worker-c', 10))?.rows.map((row) => row.id)).toEqual(log);
  });

  it('dissolve a stale lease into retry rows that count the attempt, and fence out its holder', async () => {
    const ids = await addRows(3);
    const range = await outbox.claimRange('stale-worker', 10);
    if (!range) throw new Error('nothing claimed');
    expect(await outbox.reclaim(5 * 60_000, 10)).toEqual([]);
    await store()
      .db.updateTable('outbox_leases')
      .set({ locked_at: nowPlusSql(dialect, -6 * 60_000) })
      .execute();
    expect((await outbox.reclaim(5 * 60_000, 10)).sort()).toEqual([...ids].sort());
    expect(
      await outbox.settleRange('stale-worker', range.leaseId, { failed: [], dead: [], abandoned: [] }),
    ).toBe(false);
    const retries = await claimRetries(store().db, dialect, { workerId: 'new-worker', batchSize: 10 });
    expect(retries.map((row) => row.id).sort()).toEqual([...ids].sort());
    expect(retries.every((row) => row.attempts === 2 && row.is_retry)).toBe(true);
  });

  if (dialect === 'postgres') {
    it('lease nothing behind a transaction still open: a row committed late is never skipped', async () => {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        const eventId = await seedEvent(store(), orgId);
        const late = newId('obx');
        await client.query('begin');
        await client.query(
          `insert into outbox (id, org_id, event_id, destination, payload_json) values ($1, $2, $3, 'test', '{}')`,
          [late, orgId, eventId],
        );
        const [early] = await addRows(1); // committed after the open transaction began writing
        expect(await outbox.claimRange('worker-a', 10)).toBeNull();
        await client.query('commit');
        const range = await outbox.claimRange('worker-a', 10);
        expect(range?.rows.map((row) => row.id)).toEqual([late, early]);
      } finally {
        await client.end();
      }
    });

    it('take back, at the next claim, a lease committed by a claim whose connection was lost before it answered', async () => {
      const ids = await addRows(4);
      const first = await outbox.completeAndClaim('worker-a', 2);
      if (!first.range) throw new Error('nothing claimed');
      const blocker = new pg.Client({ connectionString: url() });
      const admin = new pg.Client({ connectionString: url() });
      await blocker.connect();
      await admin.connect();
      try {
        // The claim's second transaction completes the first range: while its lease row is
        // locked here, the claim waits there, its own lease already committed.
        await blocker.query('begin');
        await blocker.query('select id from outbox_leases where id = $1 for update', [first.range.leaseId]);
        const claim = outbox.completeAndClaim('worker-a', 2, first.range.leaseId);
        const refused = expect(claim).rejects.toThrow();
        let waiting: number | undefined;
        for (let i = 0; i < 200 && waiting === undefined; i++) {
          const found = await admin.query(
            `select pid from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
          );
          waiting = found.rows[0]?.pid;
          if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(waiting).toBeDefined();
        await admin.query('select pg_terminate_backend($1)', [waiting]);
        await refused;
        await blocker.query('rollback');
        // The lost claim's lease is there, holding rows 3 and 4, which no loop received.
        const leases = async () =>
          (await admin.query('select id from outbox_leases')).rows.map((row) => row.id);
        expect((await leases()).filter((id) => id !== first.range?.leaseId)).toHaveLength(1);
        // The next claim takes it back first: its rows are retry rows due now, counting the
        // attempt. (The pool may hand out the killed connection once; the worker's loop retries a
        // failed claim, as here.)
        let next: Awaited<ReturnType<OutboxStore['completeAndClaim']>> | undefined;
        for (let attempt = 0; attempt < 3 && next === undefined; attempt++)
          next = await outbox.completeAndClaim('worker-a', 2, first.range.leaseId).catch(() => undefined);
        expect(next).toEqual({ completed: true, range: null });
        expect(await leases()).toEqual([]);
        const retries = await outbox.claimRetries('worker-b', 10);
        expect(retries.map((row) => row.id).sort()).toEqual(ids.slice(2).sort());
      } finally {
        await blocker.end();
        await admin.end();
      }
    });

    it('lease past a transaction left open in another database of the server', async () => {
      const other = await createDatabase('postgres');
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      try {
        await client.query('begin');
        await client.query('select pg_current_xact_id()'); // holds a transaction id, as a writer does
        const ids = await addRows(2);
        expect((await outbox.claimRange('worker-a', 10))?.rows.map((row) => row.id)).toEqual(ids);
      } finally {
        await client.query('rollback');
        await client.end();
        await other.drop();
      }
    });
  }
});
