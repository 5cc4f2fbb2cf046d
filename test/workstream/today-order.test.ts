/**
 * The Today Panel's kept order (src/workstream/today-order.ts): whatever the commands do, the
 * places and counts they leave equal a recomputation from scratch; a member with more open items
 * than SQLite binds parameters in a statement gets a page; and reads do not wait for the write
 * lock.
 */
import Database from 'better-sqlite3';
import type { KyselyPlugin, OperationNode, UpdateQueryNode } from 'kysely';
import { expect, it } from 'vitest';
import type { Store } from '../../src/store/connect.js';
import { rebuildTodayOrder } from '../../src/workstream/today-order.js';
import { addBulkWork } from '../support/bulk.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

/** What the panel columns, open clocks' assignees and counts of an org hold now. */
async function kept(store: Store, orgId: string) {
  const work = async (table: 'candidates' | 'pursuits') =>
    (
      await store.db
        .selectFrom(table)
        .select(['id', 'today_owner', 'today_rank', 'today_due_at'])
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute()
    ).map((row) => ({ ...row, today_due_at: row.today_due_at?.toISOString() ?? null }));
  const clocks = await store.db
    .selectFrom('sla_clocks')
    .select(['id', 'assignee_id'])
    .where('org_id', '=', orgId)
    .where('state', 'in', ['running', 'paused'])
    .orderBy('id')
    .execute();
  const counts = await store.db
    .selectFrom('today_counts')
    .select(['member_id', 'entity_type', 'items'])
    .where('org_id', '=', orgId)
    .where('items', '<>', 0)
    .orderBy('member_id')
    .orderBy('entity_type')
    .execute();
  return {
    candidates: await work('candidates'),
    pursuits: await work('pursuits'),
    clocks,
    counts: counts.map((c) => ({ ...c, items: Number(c.items) })),
  };
}

/** A plugin noting each UPDATE as `table: column,column` (what a statement rewrites). */
function noteUpdates(into: string[]): KyselyPlugin {
  const name = (node: unknown): string => {
    const n = node as
      | { table?: unknown; column?: unknown; identifier?: { name?: string }; name?: string }
      | undefined;
    if (n?.identifier?.name ?? n?.name) return (n?.identifier?.name ?? n?.name) as string;
    return n?.table ? name(n.table) : n?.column ? name(n.column) : '?';
  };
  return {
    transformQuery({ node }: { node: OperationNode }) {
      if (node.kind === 'UpdateQueryNode') {
        const update = node as UpdateQueryNode;
        const columns = (update.updates ?? []).map((u) => name(u.column)).sort();
        into.push(`${name(update.table)}: ${columns.join(',')}`);
      }
      return node as never;
    },
    transformResult: async ({ result }) => result,
  };
}

describeEachDialect('the Today Panel order kept by the commands', ({ dialect, store }) => {
  it('writes a record’s panel place only when it moves, and keeps it equal to a recomputation', async () => {
    const updates: string[] = [];
    const recorded = { ...store(), db: store().db.withPlugin(noteUpdates(updates)) };
    const org = await testOrg(recorded);
    const { ws, actor } = org;
    const a = await ws.createCandidate(actor, { title: 'A', accountName: 'A Inc', assignee: 'me' });
    const hour = 3_600_000;
    const placeOf = async () => (await kept(store(), org.orgId)).candidates.find((row) => row.id === a.id);
    const recomputed = async () => {
      const byCommands = await kept(store(), org.orgId);
      await store()
        .db.transaction()
        .execute((tx) => rebuildTodayOrder(tx, org.orgId));
      expect(byCommands).toEqual(await kept(store(), org.orgId));
    };
    const panelWrites = () => updates.filter((u) => u.includes('today_') || u === 'sla_clocks: assignee_id');
    const before = await placeOf();

    // A due date after its triage clock's due time: the effective due time, and so its place, stay.
    updates.length = 0;
    await ws.updateCandidate(actor, {
      candidateId: a.id,
      dueAt: new Date(org.clock.now().getTime() + 30 * 24 * hour).toISOString(),
    });
    expect(updates).toContain('candidates: due_at,updated_at,version');
    expect(panelWrites()).toEqual([]);
    expect(await placeOf()).toEqual(before);
    await recomputed();

    // A due date before the clock's: the place moves, written once.
    updates.length = 0;
    await ws.updateCandidate(actor, {
      candidateId: a.id,
      dueAt: new Date(org.clock.now().getTime() + hour).toISOString(),
    });
    expect(panelWrites()).toEqual(['candidates: today_due_at,today_owner,today_rank']);
    expect((await placeOf())?.today_due_at).toBe(new Date(org.clock.now().getTime() + hour).toISOString());
    await recomputed();

    // A priority: the rank moves (and the triage clock is re-targeted).
    updates.length = 0;
    await ws.updateCandidate(actor, { candidateId: a.id, priority: 'urgent' });
    expect(panelWrites()).toEqual(['candidates: today_due_at,today_owner,today_rank']);
    expect((await placeOf())?.today_rank).toBe(0);
    await recomputed();

    // Another assignee: the place, the open clock's assignee and both members' counts move.
    const { memberId: other } = await ws.addMember({ orgId: org.orgId, email: 'o@moves.test', name: 'O' });
    updates.length = 0;
    await ws.updateCandidate(actor, { candidateId: a.id, assignee: other });
    expect(panelWrites()).toEqual([
      'candidates: today_due_at,today_owner,today_rank',
      'sla_clocks: assignee_id',
    ]);
    expect((await placeOf())?.today_owner).toBe(other);
    await recomputed();
  });

  it('equals a recomputation from scratch after every kind of change', async () => {
    const org = await testOrg(store());
    const { ws, actor } = org;
    const { memberId: other } = await ws.addMember({ orgId: org.orgId, email: 'o@kept.test', name: 'O' });
    const a = await ws.createCandidate(actor, {
      title: 'A',
      accountName: 'A Inc',
      assignee: 'me',
      priority: 'high',
    });
    const b = await ws.createCandidate(actor, {
      title: 'B',
      accountName: 'B Inc',
      assignee: 'me',
      dueAt: org.clock.now().toISOString(),
    });
    const c = await ws.createCandidate(actor, { title: 'C', accountName: 'C Inc' });
    const d = await ws.createCandidate(actor, { title: 'D', accountName: 'D Inc', assignee: 'me' });
    await ws.updateCandidate(actor, { candidateId: a.id, priority: 'low' });
    await ws.updateCandidate(actor, { candidateId: c.id, assignee: other });
    await ws.updateCandidate(actor, { candidateId: b.id, dueAt: null });
    await ws.logTouch(actor, { candidateId: a.id, kind: 'call', summary: 'Hi' });
    await ws.qualifyCandidate(actor, { candidateId: a.id });
    const promoted = await ws.promoteCandidate(actor, { candidateId: a.id });
    await ws.holdPursuit(actor, { pursuitId: promoted.pursuit.id, reason: 'Waiting for the buyer' });
    await ws.updatePursuit(actor, { pursuitId: promoted.pursuit.id, assignee: other });
    await ws.resumePursuit(actor, { pursuitId: promoted.pursuit.id });
    await ws.disqualifyCandidate(actor, { candidateId: b.id, reason: 'no_budget' });
    await ws.reopenCandidate(actor, { candidateId: b.id, reason: 'They called back' });
    await ws.mergeCandidate(actor, { candidateId: d.id, intoId: b.id });
    await ws.cancelPursuit(actor, { pursuitId: promoted.pursuit.id, reason: 'Buyer withdrew' });

    const byCommands = await kept(store(), org.orgId);
    await store()
      .db.transaction()
      .execute((tx) => rebuildTodayOrder(tx, org.orgId));
    expect(byCommands).toEqual(await kept(store(), org.orgId));
    // And the panel agrees with its counts.
    expect((await ws.getTodayPanel(actor, {})).total).toBe(
      byCommands.counts
        .filter((count) => count.member_id === actor.memberId)
        .reduce((sum, count) => sum + count.items, 0),
    );
  });

  // SQLite binds at most 32,766 parameters a statement: the panel once bound one per item.
  it.runIf(dialect === 'sqlite')(
    'pages a member with more open items than SQLite binds parameters in a statement',
    async () => {
      const org = await testOrg(store());
      await addBulkWork(store(), {
        orgId: org.orgId,
        members: [org.actor.memberId],
        count: 50_000,
        now: org.clock.now(),
      });
      const first = await org.ws.getTodayPanel(org.actor, { limit: 10 });
      // 7 in 10 bulk candidates are open work, and a pursuit for each promoted one (2 in 10).
      expect(first.total).toBe(45_000);
      expect(first.items).toHaveLength(10);
      const second = await org.ws.getTodayPanel(org.actor, {
        limit: 10,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second.items.map((item) => item.id)).not.toContain(first.items[0]?.id);
    },
  );

  it.runIf(dialect === 'sqlite')(
    'reads while another connection holds the write lock',
    async () => {
      const org = await testOrg(store());
      await org.ws.createCandidate(org.actor, { title: 'Locked', accountName: 'Lock Inc', assignee: 'me' });
      const path = store().url.slice('sqlite:'.length);
      const writer = new Database(path);
      writer.pragma('busy_timeout = 0');
      writer.exec('begin immediate');
      try {
        // A write would wait busy_timeout (10 s) for the lock; a read answers from its snapshot.
        // (Taking the lock, as reads did, would wait 10 s and then retry: past this test's timeout.)
        const panel = await org.ws.getTodayPanel(org.actor, {});
        expect(panel.items.map((item) => item.title)).toEqual(['Locked']);
      } finally {
        writer.exec('rollback');
        writer.close();
      }
    },
    8_000,
  );
});
