/**
 * The funnel: how many items reached each stage, and the conversion from the stage before, per
 * period and group. Cohorts: signals by the period they were received in; candidates (and the
 * pursuits made from them) by the period the candidate was created in.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { query } from '../workstream/command.js';
import type { Actor, Deps } from '../workstream/deps.js';
import {
  analyticsRead,
  bucketSql,
  cutBuckets,
  GroupByParam,
  groupSql,
  MoreGroups,
  num,
  PeriodParam,
  RangeInput,
  RangeOutput,
  ratio,
  topGroups,
  zoneOf,
} from './common.js';

export const FUNNEL_STAGES = [
  'signals',
  'accepted',
  'candidates',
  'contacted',
  'qualified',
  'promoted',
  'bid',
  'submitted',
  'won',
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export const FunnelInput = RangeInput.extend({
  period: PeriodParam,
  groupBy: GroupByParam(['none', 'source', 'assignee', 'tag', 'priority']),
});

const count = (text: string) => z.number().int().describe(text);
const rate = (text: string) => z.number().nullable().describe(`${text} null when the stage before is 0.`);

export const FunnelCounts = z.object({
  signals: count(
    'Signals received in the period (by received_at). Null unless groupBy is none or source.',
  ).nullable(),
  accepted: count(
    'Of those signals, how many were accepted into a candidate (now in state accepted).',
  ).nullable(),
  candidates: count(
    'Candidates created in the period, from a signal or directly; merged-away duplicates left out.',
  ),
  contacted: count('Of those candidates, how many were ever contacted (a history event into `contacted`).'),
  qualified: count(
    '… ever qualified (a history event into `qualified`; disqualifying later does not undo it).',
  ),
  promoted: count('… promoted to a pursuit.'),
  bid: count('… whose pursuit got a bid decision (capture → proposal in its history).'),
  submitted: count('… whose pursuit was submitted.'),
  won: count('… whose pursuit is won.'),
});

export const FunnelConversion = z.object({
  accepted: rate('accepted ÷ signals;'),
  contacted: rate('contacted ÷ candidates;'),
  qualified: rate('qualified ÷ contacted;'),
  promoted: rate('promoted ÷ qualified;'),
  bid: rate('bid ÷ promoted;'),
  submitted: rate('submitted ÷ bid;'),
  won: rate('won ÷ submitted;'),
});

export const FunnelRow = z.object({
  period: z.string().describe('The period label (2026-03-02, 2026-W10, 2026-03, 2026-Q1) or "all".'),
  group: z.string().describe('The group label, "(all)" when not grouped.'),
  counts: FunnelCounts,
  conversion: FunnelConversion.describe('Each stage ÷ the stage before it, in the same row.'),
});

export const FunnelView = RangeOutput.extend({
  period: z.string().describe('The period the rows are cut by, or "all".'),
  groupBy: z.string(),
  rows: z
    .array(FunnelRow)
    .describe('One row per period and group; groups with nothing in a period are left out.'),
  moreGroups: MoreGroups,
});
export type FunnelView = z.output<typeof FunnelView>;

type Counts = z.output<typeof FunnelCounts>;

export async function funnel(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof FunnelInput>,
): Promise<FunnelView> {
  return analyticsRead(deps, actor, async (unit) => {
    const timeZone = await zoneOf(unit.db, unit.orgId, input.timeZone);
    const buckets = cutBuckets(input, input.period, timeZone, unit.now);
    const group = groupSql(input.groupBy, 'f', { type: 'candidate', id: 'candidate_id', source: 'source' });
    const candidates = await sql<Record<string, unknown>>`
        select x.bucket, x.grp, count(*) as candidates, sum(x.reached_contacted) as contacted,
          sum(x.reached_qualified) as qualified, sum(x.reached_promoted) as promoted,
          sum(x.reached_bid) as bid, sum(x.reached_submitted) as submitted, sum(x.reached_won) as won
        from (
          select ${bucketSql('f.created_at', buckets)} as bucket, ${group.label} as grp, f.*
          from v_candidate_funnel f ${group.joins}
          where f.org_id = ${unit.orgId} and f.created_at >= ${buckets.from} and f.created_at < ${buckets.to}
        ) x
        group by x.bucket, x.grp`.execute(unit.db);
    // Signals have no assignee, priority or tags of their own: their stages exist by source only.
    const bySignal = input.groupBy === 'none' || input.groupBy === 'source';
    const signals = bySignal
      ? await sql<Record<string, unknown>>`
            select x.bucket, x.grp, count(*) as signals,
              sum(case when x.state = 'accepted' then 1 else 0 end) as accepted
            from (
              select ${bucketSql('s.received_at', buckets)} as bucket,
                ${input.groupBy === 'source' ? sql`s.source` : sql`'(all)'`} as grp, s.state
              from signals s
              where s.org_id = ${unit.orgId} and s.received_at >= ${buckets.from} and s.received_at < ${buckets.to}
            ) x
            group by x.bucket, x.grp`.execute(unit.db)
      : null;

    const cells = new Map<string, Counts>();
    const cell = (bucket: unknown, grp: unknown): Counts => {
      const key = `${num(bucket)}\u0000${String(grp)}`;
      let counts = cells.get(key);
      if (!counts) {
        counts = {
          signals: bySignal ? 0 : null,
          accepted: bySignal ? 0 : null,
          candidates: 0,
          contacted: 0,
          qualified: 0,
          promoted: 0,
          bid: 0,
          submitted: 0,
          won: 0,
        };
        cells.set(key, counts);
      }
      return counts;
    };
    for (const row of candidates.rows) {
      const counts = cell(row.bucket, row.grp);
      for (const stage of [
        'candidates',
        'contacted',
        'qualified',
        'promoted',
        'bid',
        'submitted',
        'won',
      ] as const)
        counts[stage] = num(row[stage]);
    }
    for (const row of signals?.rows ?? []) {
      const counts = cell(row.bucket, row.grp);
      counts.signals = num(row.signals);
      counts.accepted = num(row.accepted);
    }
    const entries = [...cells].map(([key, counts]) => {
      const [bucket, grp] = key.split('\u0000') as [string, string];
      return { bucket: Number(bucket), group: grp, counts };
    });
    const { keep, moreGroups } = topGroups(
      entries,
      (e) => e.group,
      (e) => e.counts.candidates + (e.counts.signals ?? 0),
    );
    const rows = entries
      .filter((e) => keep.has(e.group))
      .sort((a, b) => a.bucket - b.bucket || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
      .map((e) => ({
        period: buckets.labels[e.bucket] ?? 'all',
        group: e.group,
        counts: e.counts,
        conversion: conversionOf(e.counts),
      }));
    return {
      from: buckets.from.toISOString(),
      to: buckets.to.toISOString(),
      timeZone,
      period: input.period ?? 'all',
      groupBy: input.groupBy,
      rows,
      moreGroups,
    };
  });
}

function conversionOf(c: Counts): z.output<typeof FunnelConversion> {
  return {
    accepted: c.signals === null || c.accepted === null ? null : ratio(c.accepted, c.signals),
    contacted: ratio(c.contacted, c.candidates),
    qualified: ratio(c.qualified, c.contacted),
    promoted: ratio(c.promoted, c.qualified),
    bid: ratio(c.bid, c.promoted),
    submitted: ratio(c.submitted, c.bid),
    won: ratio(c.won, c.submitted),
  };
}

/** The funnel as a command: its schemas are what the tool and the resource publish. */
export const getFunnel = query({ input: FunnelInput, output: FunnelView, run: funnel });
