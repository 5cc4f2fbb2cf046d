/** The Today Panel: what is open for a member, flagged and in the order to work it, page by page. */
import type { Client } from '@modelcontextprotocol/client';
import { beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { SlaKind } from '../../src/domain/sla.js';
import { rebuildTodayOrder } from '../../src/workstream/today-order.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { collectPages } from './scenario.js';
import { inMemoryClient, ok, refused } from './support.js';

const HOUR = 3_600_000;

describeEachDialect('the Today Panel', (db) => {
  let org: TestOrg;
  let client: Client;
  let now: Date;
  const at = (hours: number) => new Date(now.getTime() + hours * HOUR);

  /**
   * An open SLA clock written as the SLA layer (or its sweeper) would leave it, including the
   * Today Panel places the SLA layer keeps up to date when it moves a clock.
   */
  async function clock(
    entity: { kind: 'candidate' | 'pursuit'; id: string },
    times: {
      due: number;
      warn: number;
      state?: 'running' | 'paused';
      warned?: boolean;
      breached?: boolean;
      kind?: SlaKind;
    },
  ) {
    await db
      .store()
      .db.insertInto('sla_clocks')
      .values({
        id: newId('clk', now),
        org_id: org.orgId,
        kind: times.kind ?? (entity.kind === 'candidate' ? 'triage' : 'proposal'),
        entity_type: entity.kind,
        entity_id: entity.id,
        state: times.state ?? 'running',
        started_at: at(-10),
        due_at: at(times.due),
        warn_at: at(times.warn),
        warned_at: times.warned ? at(times.warn) : null,
        breached_at: times.breached ? at(times.due) : null,
      })
      .execute();
    await rebuildTodayOrder(db.store().db, org.orgId);
  }

  async function candidate(title: string, details: Record<string, unknown> = {}) {
    org.clock.advance({ minutes: 1 });
    const view = await ok(client, 'create_candidate', {
      title,
      accountName: `${title} Inc`,
      assignee: 'me',
      ...details,
    });
    return { kind: 'candidate' as const, id: view.id as string };
  }

  async function pursuit(title: string, details: Record<string, unknown> = {}) {
    const { id } = await candidate(title, details);
    await ok(client, 'log_touch', { candidateId: id, kind: 'call', summary: 'Hello' });
    await ok(client, 'qualify_candidate', { candidateId: id });
    const promoted = await ok(client, 'promote_candidate', {
      candidateId: id,
      ...(details.dueAt ? { dueAt: details.dueAt } : {}),
    });
    return { kind: 'pursuit' as const, id: promoted.pursuit.id as string };
  }

  /** Only the clocks a test writes: whatever the SLA layer started on the way is cleared. */
  async function onlyTestClocks() {
    await db.store().db.deleteFrom('sla_clocks').where('org_id', '=', org.orgId).execute();
    await rebuildTodayOrder(db.store().db, org.orgId);
  }

  const panel = (args: Record<string, unknown> = {}) => ok(client, 'get_today_panel', args);
  const ids = (result: { items: { id: string }[] }) => result.items.map((item) => item.id);

  beforeAll(async () => {
    org = await testOrg(db.store());
    client = await inMemoryClient(org.ws, org.actor);
    now = org.clock.now();
  });

  it('sorts by priority, then by the earliest of own due and SLA due, then by age, flagging each item', async () => {
    const urgentUndated = await candidate('urgent undated', { priority: 'urgent', tags: ['order'] });
    const highDueIn5 = await candidate('high due in 5h', {
      priority: 'high',
      dueAt: at(5).toISOString(),
      tags: ['order'],
    });
    const highSlaIn2 = await pursuit('high, SLA due in 2h', {
      priority: 'high',
      dueAt: at(30).toISOString(),
      tags: ['order'],
    });
    const highBreached = await candidate('high, SLA breached', { priority: 'high', tags: ['order'] });
    const highOlderUndated = await candidate('high undated, older', { priority: 'high', tags: ['order'] });
    const highNewerUndated = await candidate('high undated, newer', { priority: 'high', tags: ['order'] });
    const highPaused = await pursuit('high, paused SLA', {
      priority: 'high',
      dueAt: at(8).toISOString(),
      tags: ['order'],
    });
    const lowOverdue = await candidate('low overdue', {
      priority: 'low',
      dueAt: at(-3).toISOString(),
      tags: ['order'],
    });
    await onlyTestClocks();
    await clock(highSlaIn2, { due: 2, warn: -1 });
    await clock(highBreached, { due: -1, warn: -4, warned: true, breached: true });
    // A paused clock's due time moves when it resumes: it neither sets the order nor breaches.
    await clock(highPaused, { due: -2, warn: -3, state: 'paused' });

    const result = await panel({ tags: ['order'] });
    expect(ids(result)).toEqual(
      [
        urgentUndated,
        highBreached,
        highSlaIn2,
        highDueIn5,
        highPaused,
        highOlderUndated,
        highNewerUndated,
        lowOverdue,
      ].map((e) => e.id),
    );
    const flags = Object.fromEntries(
      result.items.map((item: { title: string; flags: string[] }) => [
        item.title,
        ['overdue', 'breached', 'atRisk'].map((flag) => item.flags.includes(flag)),
      ]),
    );
    expect(flags).toMatchObject({
      'urgent undated': [false, false, false],
      'high, SLA breached': [true, true, true],
      'high, SLA due in 2h': [false, false, true],
      'high due in 5h': [false, false, false],
      'high, paused SLA': [false, false, false],
      'low overdue': [true, false, false],
    });
    const slaItem = result.items.find((item: { id: string }) => item.id === highSlaIn2.id);
    // The panel item is small: its own due date and clocks are get_pursuit's and get_sla_clocks'.
    expect(slaItem).toMatchObject({
      effectiveDueAt: at(2).toISOString(),
      sla: 'proposal',
      flags: ['atRisk'],
    });
    expect(result.allowedActions[slaItem.state]).toContain('decide_bid');
    const clocks = await ok(client, 'get_sla_clocks', { id: slaItem.id });
    expect(clocks.clocks).toEqual([
      expect.objectContaining({ kind: 'proposal', state: 'running', breached: false, atRisk: true }),
    ]);
    expect(result.total).toBe(8);

    // Time passes: the 2 h clock is now breached and the item overdue.
    org.clock.advance({ hours: 3 });
    const later = await panel({ tags: ['order'], kind: 'pursuit' });
    expect(later.items[0]).toMatchObject({ id: highSlaIn2.id, flags: ['overdue', 'breached', 'atRisk'] });
    org.clock.set(now);
  });

  it('pages by the sort key, so closing an item between pages neither skips nor repeats one', async () => {
    const made = [];
    for (let n = 0; n < 7; n++)
      made.push(
        await candidate(`paged ${n}`, {
          priority: 'medium',
          dueAt: at(n + 1).toISOString(),
          tags: ['paged'],
        }),
      );
    await onlyTestClocks();
    expect(
      (await collectPages(client, 'get_today_panel', { tags: ['paged'], limit: 3 })).map((item) => item.id),
    ).toEqual(made.map((e) => e.id));

    const first = await panel({ tags: ['paged'], limit: 3 });
    expect(ids(first)).toEqual(made.slice(0, 3).map((e) => e.id));
    // Someone closes an item already shown, and one not shown yet.
    await ok(client, 'disqualify_candidate', { candidateId: made[1]?.id, reason: 'not_a_fit' });
    await ok(client, 'disqualify_candidate', { candidateId: made[4]?.id, reason: 'not_a_fit' });
    const second = await panel({ tags: ['paged'], limit: 3, cursor: first.nextCursor });
    expect(ids(second)).toEqual([made[3], made[5], made[6]].map((e) => e?.id));
    expect(second.nextCursor).toBeNull();
  });

  it('filters by all of the tags, by any of them, and by kind', async () => {
    const both = await candidate('both tags', { tags: ['east', 'federal'] });
    const east = await candidate('east only', { tags: ['east'] });
    const fed = await pursuit('federal pursuit', { tags: ['federal'] });
    expect(ids(await panel({ tags: ['east', 'federal'] }))).toEqual([both.id]);
    expect(new Set(ids(await panel({ tags: ['east', 'federal'], tagMatch: 'any' })))).toEqual(
      new Set([both.id, east.id, fed.id]),
    );
    expect(ids(await panel({ tags: ['federal'], kind: 'pursuit' }))).toEqual([fed.id]);
    expect(ids(await panel({ tags: ['EAST'], kind: 'candidate' })).sort()).toEqual([both.id, east.id].sort());
  });

  it('shows a named assignee’s work, and leaves out closed and others’ work', async () => {
    const email = `rep${Date.now()}@example.com`;
    const { memberId } = await org.ws.addMember({ orgId: org.orgId, email, name: 'Rep' });
    const theirs = await candidate('theirs', { assignee: email, tags: ['people'] });
    await candidate('mine', { tags: ['people'] });
    const closed = await candidate('closed', { assignee: email, tags: ['people'] });
    await ok(client, 'disqualify_candidate', { candidateId: closed.id, reason: 'no_budget' });
    const result = await panel({ assignee: email, tags: ['people'] });
    expect(result).toMatchObject({ assigneeId: memberId, total: 1 });
    expect(ids(result)).toEqual([theirs.id]);
    expect(await refused(client, 'get_today_panel', { assignee: 'nobody@example.com' })).toMatchObject({
      code: 'VALIDATION',
      field: 'assignee',
    });
  });

  it('refuses a cursor it did not hand out', async () => {
    expect(await refused(client, 'get_today_panel', { cursor: 'bm9wZQ' })).toMatchObject({
      code: 'VALIDATION',
      field: 'cursor',
    });
  });

  it('lists the open clocks of one record', async () => {
    const item = await candidate('clocked');
    await onlyTestClocks();
    await clock(item, { due: 4, warn: 3 });
    const clocks = await ok(client, 'get_sla_clocks', { id: item.id });
    expect(clocks).toMatchObject({
      entityId: item.id,
      clocks: [{ kind: 'triage', state: 'running', breached: false, atRisk: false }],
    });
    expect(await refused(client, 'get_sla_clocks', { id: 'pur_01JAAAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
