/**
 * Outcomes: bid decisions and closes per period and group — bid rate, win rate by count and by
 * value, awards — and the reasons for losses, no-bids, cancellations and disqualifications, ranked.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { REASON_LISTS, type ReasonList, reasonCode } from '../domain/process.js';
import { query } from '../workstream/command.js';
import type { Actor, Deps } from '../workstream/deps.js';
import { rulesOf } from '../workstream/process.js';
import {
  analyticsRead,
  bucketSql,
  cutBuckets,
  distribution,
  GroupByParam,
  groupSql,
  MoreGroups,
  num,
  PeriodParam,
  RangeInput,
  RangeOutput,
  ratio,
  Stat,
  statOf,
  topGroups,
  zoneOf,
} from './common.js';

/** Reasons shown per kind, most frequent first. */
export const TOP_REASONS = 5;

export const OutcomesInput = RangeInput.extend({
  period: PeriodParam,
  groupBy: GroupByParam(['none', 'source', 'assignee', 'tag', 'priority']),
});

const count = (text: string) => z.number().int().describe(text);
const money = (text: string) => z.number().describe(text);

export const OutcomesRow = z.object({
  period: z.string().describe('The period label, or "all".'),
  group: z.string().describe('The group label, "(all)" when not grouped.'),
  bids: count('Pursuits whose bid decision (capture → proposal) was made in the period.'),
  noBids: count('Pursuits declined at the bid decision (no_bid without a bid) in the period, by closed_at.'),
  bidRate: z.number().nullable().describe('bids ÷ (bids + noBids); null when no decision was made.'),
  won: count('Pursuits closed won in the period (by closed_at).'),
  lost: count('Pursuits closed lost in the period.'),
  noBidClosed: count(
    'Pursuits closed as no_bid in the period, including those declined after a bid; reported apart.',
  ),
  cancelled: count('Pursuits cancelled in the period; reported apart, not in the win rate.'),
  winRate: z.number().nullable().describe('won ÷ (won + lost); null when none was decided.'),
  wonValue: money('Σ award amount of the pursuits won.'),
  lostValue: money('Σ estimated value of the pursuits lost (those without one add 0).'),
  winRateByValue: z.number().nullable().describe('wonValue ÷ (wonValue + lostValue); null when both are 0.'),
  award: Stat.describe('Award amounts of the pursuits won: n, mean, nearest-rank median and p90.'),
});

const Reason = z.object({
  reason: z.string().describe('The reason code or text as recorded.'),
  count: z.number().int(),
});

const Code = z.object({
  code: z.string().describe("A reason's code: the reason itself, or its text before a colon, lower case."),
  count: z.number().int(),
});

/** Reasons of one list grouped by the org's codes (src/domain/process.ts: `code` or `code: detail`). */
export const ReasonCodes = z.object({
  list: z
    .enum(['org', 'none'])
    .describe(
      "org: grouped by the org's list for it (set_process_rules reasons); none: no list set, grouped by each reason's code as found.",
    ),
  codes: z
    .array(Code)
    .describe(
      'With a list: every code on it in its order, 0 included; none: the codes found, most frequent first.',
    ),
  unlisted: count(
    "Reasons whose code is not on the org's list (e.g. recorded before it was set), counted here, never under a code; 0 with no list. A code named other on the list is a code like any other.",
  ),
  unlistedCodes: z
    .array(Code)
    .describe(`The ${TOP_REASONS} most frequent unlisted codes, to add to the list or map.`),
  total: count('Every reason of this list in the range.'),
});
export type ReasonCodes = z.output<typeof ReasonCodes>;

/**
 * Counts per code: the org's list (its order, zeros kept) and the rest as unlisted; with no
 * list, the codes found. `reasons` holds each recorded reason text with its count.
 */
export function groupByCode(
  reasons: readonly { reason: string; count: number }[],
  list: readonly string[] | undefined,
): ReasonCodes {
  const found = new Map<string, number>();
  for (const { reason, count } of reasons) {
    const code = reasonCode(reason);
    found.set(code, (found.get(code) ?? 0) + count);
  }
  const ranked = (entries: [string, number][]) =>
    entries
      .map(([code, n]) => ({ code, count: n }))
      .sort((x, y) => y.count - x.count || (x.code < y.code ? -1 : 1));
  const total = [...found.values()].reduce((a, n) => a + n, 0);
  if (list === undefined)
    return { list: 'none', codes: ranked([...found]), unlisted: 0, unlistedCodes: [], total };
  const unlisted = ranked([...found].filter(([code]) => !list.includes(code)));
  return {
    list: 'org',
    codes: list.map((code) => ({ code, count: found.get(code) ?? 0 })),
    unlisted: unlisted.reduce((a, c) => a + c.count, 0),
    unlistedCodes: unlisted.slice(0, TOP_REASONS),
    total,
  };
}

/** Each reason list (src/domain/process.ts) under the name `reasons` gave its kind first. */
const KIND_OF: Record<ReasonList, string> = {
  loss: 'loss',
  no_bid: 'noBid',
  disqualify: 'disqualification',
  cancel: 'cancel',
};

export const OutcomesView = RangeOutput.extend({
  period: z.string(),
  groupBy: z.string(),
  rows: z.array(OutcomesRow).describe('One row per period and group with anything decided or closed.'),
  moreGroups: MoreGroups,
  reasons: z
    .object({
      loss: z.array(Reason).describe('loss_reason of pursuits lost in the range, most frequent first.'),
      noBid: z.array(Reason).describe('close reason of pursuits closed no_bid in the range.'),
      cancel: z.array(Reason).describe('close reason of pursuits cancelled in the range.'),
      disqualification: z
        .array(Reason)
        .describe(
          'reason of each disqualification in the range (the history; a reopened candidate still counts).',
        ),
    })
    .describe(
      `The ${TOP_REASONS} most frequent reasons of each kind over the whole range (not split by group).`,
    ),
  reasonCodes: z
    .object({
      loss: ReasonCodes.describe('loss_reason of pursuits lost in the range, by the loss list.'),
      no_bid: ReasonCodes.describe(
        'close reason of pursuits closed no_bid in the range, by the no_bid list.',
      ),
      disqualify: ReasonCodes.describe(
        'reason of each disqualification in the range, by the disqualify list.',
      ),
      cancel: ReasonCodes.describe('close reason of pursuits cancelled in the range, by the cancel list.'),
    })
    .describe(
      "The same reasons over the whole range, grouped by the org's reason codes, one entry per list.",
    ),
});
export type OutcomesView = z.output<typeof OutcomesView>;
type Row = z.output<typeof OutcomesRow>;

export async function outcomes(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof OutcomesInput>,
): Promise<OutcomesView> {
  return analyticsRead(deps, actor, async (unit) => {
    const timeZone = await zoneOf(unit.db, unit.orgId, input.timeZone);
    const b = cutBuckets(input, input.period, timeZone, unit.now);
    const group = groupSql(input.groupBy, 'o', { type: 'pursuit', id: 'pursuit_id', source: 'source' });
    const inRange = (column: string) => sql`${sql.raw(column)} >= ${b.from} and ${sql.raw(column)} < ${b.to}`;
    // A bid decision is the stay in capture ending in proposal; a decline is a no_bid close that was
    // never in proposal. Both read through indexes on their dates, not the view's decided_at.
    const decisions = await sql<Record<string, unknown>>`
        select x.bucket, x.grp, sum(x.bid_flag) as bids, sum(1 - x.bid_flag) as no_bids
        from (
          select ${bucketSql('d.decided_at', b)} as bucket, ${group.label} as grp, d.bid_flag
          from (
            select t.entity_id as pursuit_id, t.left_at as decided_at, 1 as bid_flag
            from state_stays t
            where t.org_id = ${unit.orgId} and ${inRange('t.left_at')} and t.entity_type = 'pursuit'
              and t.state = 'capture' and t.next_state = 'proposal'
            union all
            select n.id as pursuit_id, n.closed_at as decided_at, 0 as bid_flag
            from pursuits n
            where n.org_id = ${unit.orgId} and ${inRange('n.closed_at')} and n.state = 'no_bid'
              and not exists (select 1 from state_stays t where t.org_id = n.org_id and t.entity_type = 'pursuit'
                and t.entity_id = n.id and t.state = 'proposal')
          ) d
          ${input.groupBy === 'none' ? sql`` : sql`join v_pursuit_outcomes o on o.pursuit_id = d.pursuit_id ${group.joins}`}
        ) x
        group by x.bucket, x.grp`.execute(unit.db);
    const closedRows = sql`
        select ${bucketSql('o.closed_at', b)} as bucket, ${group.label} as grp, o.outcome,
          o.award_amount, o.estimated_value
        from v_pursuit_outcomes o ${group.joins}
        where o.org_id = ${unit.orgId} and ${inRange('o.closed_at')}`;
    const closes = await sql<Record<string, unknown>>`
        select x.bucket, x.grp,
          sum(case when x.outcome = 'won' then 1 else 0 end) as won,
          sum(case when x.outcome = 'lost' then 1 else 0 end) as lost,
          sum(case when x.outcome = 'no_bid' then 1 else 0 end) as no_bid,
          sum(case when x.outcome = 'cancelled' then 1 else 0 end) as cancelled,
          sum(case when x.outcome = 'won' then x.award_amount else 0 end) as won_value,
          sum(case when x.outcome = 'lost' then coalesce(x.estimated_value, 0) else 0 end) as lost_value
        from (${closedRows}) x
        group by x.bucket, x.grp`.execute(unit.db);
    const awards = await distribution(
      unit.db,
      sql`select w.bucket as key1, w.grp as key2, w.award_amount as value from (${closedRows}) w
          where w.outcome = 'won'`,
    );
    const reasonRows = await sql<Record<string, unknown>>`
        select r.kind, r.reason, count(*) as n from (
          select case o.outcome when 'lost' then 'loss' when 'no_bid' then 'noBid' else 'cancel' end as kind,
            case when o.outcome = 'lost' then o.loss_reason else o.close_reason end as reason
          from v_pursuit_outcomes o
          where o.org_id = ${unit.orgId} and ${inRange('o.closed_at')} and o.outcome in ('lost', 'no_bid', 'cancelled')
          union all
          select 'disqualification' as kind, e.reason
          from state_stays t
          join events e on e.id = t.left_event_id
          where t.org_id = ${unit.orgId} and ${inRange('t.left_at')} and t.entity_type = 'candidate'
            and t.next_state = 'disqualified'
        ) r
        where r.reason is not null
        group by r.kind, r.reason`.execute(unit.db);

    const lists = (await rulesOf(unit.db, unit.orgId)).reasons;

    const cells = new Map<string, Row>();
    const cell = (bucket: unknown, grp: unknown): Row => {
      const key = `${num(bucket)}\u0000${String(grp)}`;
      let row = cells.get(key);
      if (!row) {
        row = {
          period: b.labels[num(bucket)] ?? 'all',
          group: String(grp),
          bids: 0,
          noBids: 0,
          bidRate: null,
          won: 0,
          lost: 0,
          noBidClosed: 0,
          cancelled: 0,
          winRate: null,
          wonValue: 0,
          lostValue: 0,
          winRateByValue: null,
          award: statOf(undefined),
        };
        cells.set(key, row);
      }
      return row;
    };
    for (const r of decisions.rows)
      Object.assign(cell(r.bucket, r.grp), { bids: num(r.bids), noBids: num(r.no_bids) });
    for (const r of closes.rows)
      Object.assign(cell(r.bucket, r.grp), {
        won: num(r.won),
        lost: num(r.lost),
        noBidClosed: num(r.no_bid),
        cancelled: num(r.cancelled),
        wonValue: num(r.won_value),
        lostValue: num(r.lost_value),
      });
    for (const a of awards) cell(a.key1, a.key2).award = statOf(a);
    const all = [...cells.values()];
    for (const row of all) {
      row.bidRate = ratio(row.bids, row.bids + row.noBids);
      row.winRate = ratio(row.won, row.won + row.lost);
      row.winRateByValue = ratio(row.wonValue, row.wonValue + row.lostValue);
    }
    const { keep, moreGroups } = topGroups(
      all,
      (r) => r.group,
      (r) => r.bids + r.noBids + r.won + r.lost + r.noBidClosed + r.cancelled,
    );
    const order = new Map(b.labels.map((l, i) => [l, i]));
    const rows = all
      .filter((r) => keep.has(r.group))
      .sort(
        (x, y) =>
          (order.get(x.period) ?? 0) - (order.get(y.period) ?? 0) ||
          (x.group < y.group ? -1 : x.group > y.group ? 1 : 0),
      );
    const recorded = (kind: string) =>
      reasonRows.rows
        .filter((r) => r.kind === kind)
        .map((r) => ({ reason: String(r.reason), count: num(r.n) }))
        .sort((x, y) => y.count - x.count || (x.reason < y.reason ? -1 : 1));
    const ranked = (kind: string) => recorded(kind).slice(0, TOP_REASONS);
    const reasonCodes = Object.fromEntries(
      REASON_LISTS.map((list) => [list, groupByCode(recorded(KIND_OF[list]), lists[list])]),
    ) as Record<ReasonList, ReasonCodes>;
    return {
      from: b.from.toISOString(),
      to: b.to.toISOString(),
      timeZone,
      period: input.period ?? 'all',
      groupBy: input.groupBy,
      rows,
      moreGroups,
      reasons: {
        loss: ranked('loss'),
        noBid: ranked('noBid'),
        cancel: ranked('cancel'),
        disqualification: ranked('disqualification'),
      },
      reasonCodes,
    };
  });
}

/** The outcomes as a command: its schemas are what the tool and the resource publish. */
export const getOutcomes = query({ input: OutcomesInput, output: OutcomesView, run: outcomes });
