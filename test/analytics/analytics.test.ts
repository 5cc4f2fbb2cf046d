/**
 * Every analytics figure against values worked out by hand from the known history
 * (test/analytics/history.ts), on every available dialect. Minutes: 1 day = 1440.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutBuckets } from '../../src/analytics/common.js';
import { FunnelInput, funnel } from '../../src/analytics/funnel.js';
import { OutcomesInput, outcomes } from '../../src/analytics/outcomes.js';
import { PipelineInput, pipeline } from '../../src/analytics/pipeline.js';
import { SlaBreakdownInput, slaBreakdown } from '../../src/analytics/sla.js';
import { VelocityInput, velocity } from '../../src/analytics/velocity.js';
import { parse } from '../../src/workstream/validate.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, snapshot } from '../support/workstream.js';
import { buildKnownHistory, type KnownHistory } from './history.js';

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2026-07-01T00:00:00Z' };
const stat = (n: number, mean: number | null, median: number | null, p90: number | null) => ({
  n,
  mean: mean === null ? null : expect.closeTo(mean, 6),
  median,
  p90,
});
const one = (value: number) => stat(1, value, value, value);

describe('calendar buckets', () => {
  it('cuts quarters in the requested time zone, moving from back to the start of its quarter', () => {
    const b = cutBuckets(RANGE, 'quarter', 'America/New_York', new Date());
    expect(b.labels).toEqual(['2025-Q4', '2026-Q1', '2026-Q2']);
    expect(b.starts.map((d) => d.toISOString())).toEqual([
      '2025-10-01T04:00:00.000Z',
      '2026-01-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
    expect(b.to.toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });

  it('labels ISO weeks from Monday and defaults to the last 8 weeks before now', () => {
    const b = cutBuckets({}, 'week', 'UTC', new Date('2026-03-04T12:00:00Z'));
    expect(b.labels).toHaveLength(8);
    expect(b.labels.at(-1)).toBe('2026-W10');
    expect(b.starts.at(-1)?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });
});

describeEachDialect('analytics over a known history', ({ store }) => {
  let h: KnownHistory;
  const call = {
    funnel: async (input: unknown) => funnel(h.org.ws.deps, h.org.actor, parse(FunnelInput, input)),
    outcomes: async (input: unknown) => outcomes(h.org.ws.deps, h.org.actor, parse(OutcomesInput, input)),
    velocity: async (input: unknown) => velocity(h.org.ws.deps, h.org.actor, parse(VelocityInput, input)),
    pipeline: async (input: unknown) => pipeline(h.org.ws.deps, h.org.actor, parse(PipelineInput, input)),
    sla: async (input: unknown) => slaBreakdown(h.org.ws.deps, h.org.actor, parse(SlaBreakdownInput, input)),
  };

  beforeAll(async () => {
    h = await buildKnownHistory(store());
  }, 60_000);

  it('funnel by quarter: stage counts and conversions of each cohort', async () => {
    const view = await call.funnel({ ...RANGE, period: 'quarter' });
    expect(view).toMatchObject({ from: '2026-01-01T00:00:00.000Z', timeZone: 'UTC', period: 'quarter' });
    expect(view.rows).toEqual([
      {
        period: '2026-Q1',
        group: '(all)',
        counts: {
          signals: 4,
          accepted: 3,
          candidates: 3,
          contacted: 3,
          qualified: 3,
          promoted: 3,
          bid: 2,
          submitted: 2,
          won: 1,
        },
        conversion: {
          accepted: 0.75,
          contacted: 1,
          qualified: 1,
          promoted: 1,
          bid: expect.closeTo(2 / 3, 9),
          submitted: 1,
          won: 0.5,
        },
      },
      {
        period: '2026-Q2',
        group: '(all)',
        counts: {
          signals: 1,
          accepted: 1,
          candidates: 5,
          contacted: 3,
          qualified: 3,
          promoted: 3,
          bid: 1,
          submitted: 0,
          won: 0,
        },
        conversion: {
          accepted: 1,
          contacted: 0.6,
          qualified: 1,
          promoted: 1,
          bid: expect.closeTo(1 / 3, 9),
          submitted: 0,
          won: null,
        },
      },
    ]);
  });

  it('funnel by source: a merge brings the earlier signal’s source along; direct candidates are "(direct)"', async () => {
    const view = await call.funnel({ ...RANGE, groupBy: 'source' });
    const counts = Object.fromEntries(view.rows.map((r) => [r.group, Object.values(r.counts)]));
    //                 signals accepted candidates contacted qualified promoted bid submitted won
    expect(counts).toEqual({
      '(direct)': [0, 0, 5, 3, 3, 3, 0, 0, 0],
      news: [1, 1, 1, 1, 1, 1, 1, 1, 0],
      referral: [1, 1, 0, 0, 0, 0, 0, 0, 0],
      'sam.gov': [2, 1, 1, 1, 1, 1, 1, 1, 1],
      website: [1, 1, 1, 1, 1, 1, 1, 0, 0],
    });
    expect(view.rows.map((r) => r.period)).toEqual(['all', 'all', 'all', 'all', 'all']);
  });

  it('funnel by tag: each candidate under each tag, signals not split', async () => {
    const view = await call.funnel({ ...RANGE, groupBy: 'tag' });
    const counts = Object.fromEntries(view.rows.map((r) => [r.group, Object.values(r.counts)]));
    expect(counts).toEqual({
      '(untagged)': [null, null, 4, 2, 2, 2, 1, 0, 0],
      federal: [null, null, 2, 2, 2, 2, 1, 1, 1],
      state: [null, null, 2, 2, 2, 2, 1, 1, 0],
    });
  });

  it('outcomes by quarter: bid rate, win rate by count and value, awards; no-bids and cancellations apart', async () => {
    const view = await call.outcomes({ ...RANGE, period: 'quarter' });
    expect(view.rows).toEqual([
      {
        period: '2026-Q1',
        group: '(all)',
        bids: 2,
        noBids: 1,
        bidRate: expect.closeTo(2 / 3, 9),
        won: 1,
        lost: 0,
        noBidClosed: 1,
        cancelled: 0,
        winRate: 1,
        wonValue: 90000,
        lostValue: 0,
        winRateByValue: 1,
        award: one(90000),
      },
      {
        period: '2026-Q2',
        group: '(all)',
        bids: 1,
        noBids: 0,
        bidRate: 1,
        won: 0,
        lost: 1,
        noBidClosed: 0,
        cancelled: 1,
        winRate: 0,
        wonValue: 0,
        lostValue: 50000,
        winRateByValue: 0,
        award: stat(0, null, null, null),
      },
    ]);
    expect(view.reasons).toEqual({
      loss: [{ reason: 'price', count: 1 }],
      noBid: [{ reason: 'no_fit', count: 1 }],
      cancel: [{ reason: 'customer_cancelled', count: 1 }],
      disqualification: [{ reason: 'no_budget', count: 2 }],
    });
  });

  it('outcomes over the whole range and by assignee', async () => {
    const all = await call.outcomes(RANGE);
    expect(all.rows).toHaveLength(1);
    expect(all.rows[0]).toMatchObject({
      bids: 3,
      noBids: 1,
      bidRate: 0.75,
      won: 1,
      lost: 1,
      winRate: 0.5,
      wonValue: 90000,
      lostValue: 50000,
      winRateByValue: expect.closeTo(90000 / 140000, 9),
    });
    const byAssignee = await call.outcomes({ ...RANGE, groupBy: 'assignee' });
    const rows = Object.fromEntries(
      byAssignee.rows.map((r) => [r.group, [r.bids, r.noBids, r.won, r.lost, r.noBidClosed, r.cancelled]]),
    );
    expect(rows).toEqual({
      [h.ids.adaEmail as string]: [2, 1, 1, 0, 1, 0],
      [h.ids.bobEmail as string]: [1, 0, 0, 1, 0, 1],
    });
  });

  it('velocity: time in each state from the history, holds and reopenings as their own stays', async () => {
    const view = await call.velocity(RANGE);
    const stays = Object.fromEntries(view.timeInState.map((s) => [`${s.entityType} ${s.state}`, s.minutes]));
    expect(stays).toEqual({
      'candidate contacted': stat(7, 28080 / 7, 1440, 17280),
      'candidate disqualified': one(2880),
      'candidate new': stat(8, 6022.5, 1440, 38820),
      'candidate qualified': stat(6, 1920, 1440, 4320),
      'pursuit capture': stat(5, 6048, 2880, 18720),
      'pursuit on_hold': one(2880),
      'pursuit proposal': stat(4, 4320, 2880, 7200),
      'pursuit submitted': stat(2, 61200, 59040, 63360),
      'signal new': stat(5, 84, 60, 180),
    });
  });

  it('velocity: cycle times with the time on hold shown apart', async () => {
    const view = await call.velocity(RANGE);
    expect(view.cycles).toEqual([
      { cycle: 'signal_to_won', group: '(all)', total: one(80700), hold: one(2880), active: one(77820) },
      { cycle: 'signal_to_lost', group: '(all)', total: one(115200), hold: one(0), active: one(115200) },
      {
        cycle: 'promotion_to_submit',
        group: '(all)',
        total: stat(2, 12960, 10080, 15840),
        hold: stat(2, 1440, 0, 2880),
        active: stat(2, 11520, 10080, 12960),
      },
    ]);
  });

  it('velocity: the open items stuck longest in their state', async () => {
    const view = await call.velocity(RANGE);
    expect(
      view.stuck.map((s) => [
        s.entityType,
        s.state,
        s.items.map((i) => [i.id, i.enteredAt, i.minutesInState]),
      ]),
    ).toEqual([
      ['candidate', 'new', [[h.ids.C7, '2026-05-10T09:00:00.000Z', 73440]]],
      ['pursuit', 'capture', [[h.ids.P9, '2026-06-04T09:00:00.000Z', 37440]]],
      ['pursuit', 'on_hold', [[h.ids.P4, '2026-04-09T09:00:00.000Z', 118080]]],
    ]);
  });

  it('velocity by assignee splits the stays', async () => {
    const view = await call.velocity({ ...RANGE, groupBy: 'assignee' });
    const submitted = view.timeInState.filter((s) => s.state === 'submitted');
    expect(submitted.map((s) => [s.group, s.minutes.n, s.minutes.median])).toEqual([
      [h.ids.adaEmail, 1, 59040],
      [h.ids.bobEmail, 1, 63360],
    ]);
    const signals = view.timeInState.find((s) => s.entityType === 'signal');
    expect(signals).toMatchObject({ group: '(unassigned)', minutes: { n: 5 } });
  });

  it('pipeline: open value by state, weighted by probability, and the forecast by deadline month', async () => {
    const view = await call.pipeline({});
    expect(view.byState).toEqual([
      {
        state: 'capture',
        group: '(all)',
        pursuits: 1,
        value: 10000,
        weightedValue: 0,
        withoutProbability: 1,
        withoutValue: 0,
      },
      {
        state: 'on_hold',
        group: '(all)',
        pursuits: 1,
        value: 80000,
        weightedValue: 20000,
        withoutProbability: 0,
        withoutValue: 0,
      },
      {
        state: 'total',
        group: '(all)',
        pursuits: 2,
        value: 90000,
        weightedValue: 20000,
        withoutProbability: 1,
        withoutValue: 0,
      },
    ]);
    expect(view.forecast).toEqual([
      {
        month: '2026-07',
        group: '(all)',
        pursuits: 1,
        value: 80000,
        weightedValue: 20000,
        withoutProbability: 0,
        withoutValue: 0,
      },
      {
        month: 'undated',
        group: '(all)',
        pursuits: 1,
        value: 10000,
        weightedValue: 0,
        withoutProbability: 1,
        withoutValue: 0,
      },
    ]);
  });

  it('SLA compliance by assignee: met in time or late, minutes to meet', async () => {
    const view = await call.sla({ ...RANGE, groupBy: 'assignee' });
    expect(view.rows).toEqual([
      {
        kind: 'triage',
        group: h.ids.adaEmail,
        met: 3,
        inTime: 1,
        late: 2,
        compliance: expect.closeTo(1 / 3, 9),
        minutesToMeet: stat(3, 1200, 1440, 1440),
      },
      {
        kind: 'triage',
        group: h.ids.bobEmail,
        met: 3,
        inTime: 0,
        late: 3,
        compliance: 0,
        minutesToMeet: stat(3, 1440, 1440, 1440),
      },
      {
        kind: 'proposal',
        group: h.ids.adaEmail,
        met: 1,
        inTime: 0,
        late: 1,
        compliance: 0,
        minutesToMeet: one(15840),
      },
      {
        kind: 'proposal',
        group: h.ids.bobEmail,
        met: 1,
        inTime: 1,
        late: 0,
        compliance: 1,
        minutesToMeet: one(10080),
      },
    ]);
  });

  it('SLA compliance by tag agrees with get_sla_compliance when not split', async () => {
    const byTag = await call.sla({ ...RANGE, groupBy: 'tag' });
    const triage = byTag.rows.filter((r) => r.kind === 'triage');
    expect(triage.map((r) => [r.group, r.met, r.inTime])).toEqual([
      ['(untagged)', 2, 1],
      ['federal', 2, 0],
      ['state', 2, 0],
    ]);
    const plain = await call.sla(RANGE);
    const existing = await h.org.ws.getSlaCompliance(h.org.actor, RANGE);
    for (const kind of existing.kinds.filter((k) => k.met + k.breached > 0)) {
      const row = plain.rows.find((r) => r.kind === kind.kind);
      expect(row).toMatchObject({ met: kind.met + kind.breached, inTime: kind.met });
      expect(row?.minutesToMeet.median).toBe(kind.medianMinutesToMeet);
      expect(row?.minutesToMeet.p90).toBe(kind.p90MinutesToMeet);
    }
  });

  it('the views BI tools read hold the same rows the figures come from', async () => {
    const db = store().db;
    const outcomesRows = await sql<{ pursuit_id: string; outcome: string; bid_decision: string | null }>`
      select pursuit_id, outcome, bid_decision from v_pursuit_outcomes where org_id = ${h.org.orgId}`.execute(
      db,
    );
    const byId = Object.fromEntries(
      outcomesRows.rows.map((r) => [r.pursuit_id, [r.outcome, r.bid_decision]]),
    );
    expect(byId).toEqual({
      [h.ids.P1 as string]: ['won', 'bid'],
      [h.ids.P2 as string]: ['lost', 'bid'],
      [h.ids.P3 as string]: ['no_bid', 'no_bid'],
      [h.ids.P4 as string]: ['open', 'bid'],
      [h.ids.P6 as string]: ['cancelled', null],
      [h.ids.P9 as string]: ['open', null],
    });
    const funnelRows = await sql<{ candidate_id: string; source: string }>`
      select candidate_id, source from v_candidate_funnel where org_id = ${h.org.orgId}`.execute(db);
    expect(funnelRows.rows).toHaveLength(8);
    expect(funnelRows.rows.find((r) => r.candidate_id === h.ids.C5)).toBeUndefined();
    const stays = await sql<{ n: unknown }>`
      select count(*) as n from v_state_stays where org_id = ${h.org.orgId}`.execute(db);
    expect(Number(stays.rows[0]?.n)).toBe(7 + 1 + 8 + 6 + 5 + 1 + 4 + 2 + 5);
  });

  it('refuses a bad time zone, a reversed range and too many periods as VALIDATION, writing nothing', async () => {
    const before = await snapshot(store());
    expect(await refusal(call.funnel({ timeZone: "UTC'; drop table events; --" }))).toMatchObject({
      code: 'VALIDATION',
      field: 'timeZone',
    });
    expect(await refusal(call.outcomes({ from: RANGE.to, to: RANGE.from }))).toMatchObject({
      code: 'VALIDATION',
      field: 'from',
    });
    expect(await refusal(call.funnel({ ...RANGE, period: 'day' }))).toMatchObject({
      code: 'VALIDATION',
      field: 'from',
      message: expect.stringContaining('more than 24 days'),
    });
    expect(await refusal(call.velocity({ groupBy: 'source' }))).toMatchObject({
      code: 'VALIDATION',
      field: 'groupBy',
    });
    expect(await refusal(call.pipeline({ timeZone: 'x'.repeat(5000) }))).toMatchObject({
      code: 'VALIDATION',
      field: 'timeZone',
    });
    expect(await snapshot(store())).toEqual(before);
  });
});
