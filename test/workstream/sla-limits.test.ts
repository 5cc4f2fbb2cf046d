/**
 * SLA rules no admin call can turn into a stall: a bounded target, a calendar that must reach every
 * target within the horizon, and re-targeting in pages that give the event loop a turn.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, type BusinessCalendar, validateCalendar } from '../../src/domain/calendar.js';
import { rowsPerInsert } from '../../src/store/dialect.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, snapshot, testOrg } from '../support/workstream.js';

const MONDAY_9 = new Date('2026-03-02T09:00:00.000Z');
const ONE_MINUTE_A_WEEK = {
  timeZone: 'UTC',
  weekly: [{ day: 'mon' as const, start: '09:00', end: '09:01' }],
};

describeEachDialect('SLA limits', ({ store }) => {
  it('refuses a calendar under which a 10,000 h target would fall due in millennia, naming weekly, and changes nothing', async () => {
    const { ws, actor } = await testOrg(store(), MONDAY_9);
    await ws.setSlaPolicy(actor, { kind: 'triage', priority: 'any', targetHours: 10_000 });
    await ws.createCandidate(actor, { title: 'A running clock', accountName: `Stall ${process.pid}` });
    const before = await snapshot(store());
    const failure = await refusal(ws.setBusinessCalendar(actor, ONE_MINUTE_A_WEEK));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'weekly' });
    expect(failure.message).toContain('10,000 h');
    expect(failure.message).toContain('100 years');
    expect(await snapshot(store())).toEqual(before);
  });

  it('refuses a target the calendar cannot reach within the horizon, naming targetHours', async () => {
    const { ws, actor } = await testOrg(store(), MONDAY_9);
    await ws.setBusinessCalendar(actor, ONE_MINUTE_A_WEEK);
    const before = await snapshot(store());
    const failure = await refusal(ws.setSlaPolicy(actor, { kind: 'proposal', targetHours: 2_000 }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'targetHours' });
    expect(failure.message).toContain('1 working minutes a week');
    expect(await snapshot(store())).toEqual(before);
    // Within reach: 52 minutes a year for 20 years.
    await ws.setSlaPolicy(actor, { kind: 'proposal', targetHours: 17 });
  });

  it('refuses a target above 10,000 hours, naming the field and the limit', async () => {
    const { ws, actor } = await testOrg(store(), MONDAY_9);
    const failure = await refusal(ws.setSlaPolicy(actor, { kind: 'triage', targetHours: 10_001 }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'targetHours' });
    expect(failure.message).toContain('10000');
  });

  it('re-targets 1,200 running clocks in pages, each to the due time of the new calendar, with turns of the event loop between', async () => {
    const { ws, actor, orgId } = await testOrg(store(), MONDAY_9);
    const { db, dialect } = store();
    const policy = await db
      .selectFrom('sla_policies')
      .select('id')
      .where('org_id', '=', orgId)
      .where('kind', '=', 'triage')
      .where('priority', '=', 'any')
      .executeTakeFirstOrThrow();
    const clocks = Array.from({ length: 1_200 }, (_, i) => ({
      id: `clk_${orgId.slice(-8)}_${String(i).padStart(5, '0')}`,
      org_id: orgId,
      kind: 'triage' as const,
      entity_type: 'candidate' as const,
      entity_id: `cand_missing_${i}`,
      policy_id: policy.id,
      started_at: new Date(MONDAY_9.getTime() - i * 3_600_000),
      due_at: MONDAY_9,
      warn_at: MONDAY_9,
      paused_minutes: i % 7,
    }));
    for (let i = 0; i < clocks.length; i += rowsPerInsert(dialect, 10)) {
      await db
        .insertInto('sla_clocks')
        .values(clocks.slice(i, i + rowsPerInsert(dialect, 10)))
        .execute();
    }
    let turns = 0;
    let done = false;
    const counting = (async () => {
      while (!done) {
        await turn();
        turns += 1;
      }
    })();
    const berlin = {
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'tue' as const, start: '10:00', end: '12:30' }],
    };
    await ws.setBusinessCalendar(actor, berlin);
    done = true;
    await counting;
    // One turn at least between each of the three pages.
    expect(turns).toBeGreaterThanOrEqual(2);

    const calendar = must(validateCalendar(berlin));
    const stored = await db
      .selectFrom('sla_clocks')
      .select(['id', 'started_at', 'paused_minutes', 'due_at', 'warn_at'])
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute();
    expect(stored).toHaveLength(1_200);
    for (const clock of stored) {
      // The org's default triage target is 8 h, warning at 75%.
      expect(clock.due_at).toEqual(addWorkingMinutes(calendar, clock.started_at, 480 + clock.paused_minutes));
      expect(clock.warn_at).toEqual(
        addWorkingMinutes(calendar, clock.started_at, 360 + clock.paused_minutes),
      );
    }
  });
});

function must(result: ReturnType<typeof validateCalendar>): BusinessCalendar {
  if (!result.ok) throw new Error(result.failure.message);
  return result.value;
}

describe('the published target bound', () => {
  it('is 10,000 hours', async () => {
    const { SetSlaPolicy } = await import('../../src/workstream/sla-admin.js');
    expect(SetSlaPolicy.shape.targetHours.safeParse(10_001).success).toBe(false);
    expect(SetSlaPolicy.shape.targetHours.safeParse(10_000).success).toBe(true);
  });
});
