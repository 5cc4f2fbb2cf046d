/**
 * What every analytics family shares: the period and grouping parameters, the calendar buckets
 * (cut in the org's time zone, in JavaScript, and applied in SQL as one CASE), grouping keys, and
 * the nearest-rank median / p90 computed in SQL with window functions.
 *
 * Every figure is computed from the `v_…` views of migrations/<dialect>/0003_analytics.sql, the
 * same views BI tools read, so a tool's answer and a dashboard built on the views agree.
 */
import { type RawBuilder, sql } from 'kysely';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { validation } from '../domain/errors.js';
import { analyticsSettingsSql } from '../store/dialect.js';
import type { Actor, Db, Deps } from '../workstream/deps.js';
import { Timestamp } from '../workstream/params.js';
import { refuse } from '../workstream/refusals.js';
import { run, type Unit } from '../workstream/unit-of-work.js';

/** Runs an analytics read in one read-only transaction, with the dialect's analytics settings. */
export function analyticsRead<T>(deps: Deps, actor: Actor, work: (unit: Unit) => Promise<T>): Promise<T> {
  return run(deps, actor, async (unit) => {
    const settings = analyticsSettingsSql(unit.dialect);
    if (settings) await settings.execute(unit.db);
    return work(unit);
  });
}

export const PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];

/** Most buckets one answer holds: a table a model can read at a glance. */
export const MAX_BUCKETS = 24;
/** Most groups one answer holds; the rest are counted in `moreGroups`. */
export const MAX_GROUPS = 8;

/** Buckets shown when `from` is left out, per period. */
const DEFAULT_BUCKETS: Record<Period, number> = { day: 14, week: 8, month: 6, quarter: 4 };
const DAY = 86_400_000;

export const PeriodParam = z
  .enum(PERIODS)
  .optional()
  .describe(
    'Cut the range into calendar periods in the org time zone (weeks start on Monday; quarters are calendar quarters). ' +
      'Omit for one row over the whole range.',
  );
export const FromParam = Timestamp.optional().describe(
  'Start of the range (inclusive). With a period it is moved back to the start of its period. ' +
    'Default: the last 4 quarters / 6 months / 8 weeks / 14 days with a period, else 90 days before `to`.',
);
export const ToParam = Timestamp.optional().describe('End of the range (exclusive). Default: now.');
export const TimeZoneParam = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .optional()
  .describe(
    'IANA time zone the periods are cut in, e.g. Europe/Berlin. Default: the org’s business calendar zone.',
  );

export const RangeInput = z.strictObject({ from: FromParam, to: ToParam, timeZone: TimeZoneParam });
export type RangeInput = z.output<typeof RangeInput>;

/** The range an answer covers, echoed in every answer. */
export const RangeOutput = z.object({
  from: z.string().describe('Start of the range, inclusive (ISO-8601 UTC).'),
  to: z.string().describe('End of the range, exclusive (ISO-8601 UTC).'),
  timeZone: z.string().describe('The IANA zone periods and months were cut in.'),
});

/** Calendar buckets: bucket i is [starts[i], starts[i+1]) and the last ends at `to`. */
export interface Buckets {
  readonly timeZone: string;
  readonly from: Date;
  readonly to: Date;
  readonly labels: readonly string[];
  readonly starts: readonly Date[];
}

function label(start: DateTime, period: Period | undefined): string {
  switch (period) {
    case 'day':
      return start.toFormat('yyyy-MM-dd');
    case 'week':
      return `${start.toFormat("kkkk-'W'WW")}`;
    case 'month':
      return start.toFormat('yyyy-MM');
    case 'quarter':
      return `${start.year}-Q${start.quarter}`;
    default:
      return 'all';
  }
}

/** The org's time zone: its business calendar's, else UTC. */
export async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  const calendar = await db
    .selectFrom('business_calendars')
    .select('time_zone')
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .executeTakeFirst();
  return calendar?.time_zone ?? 'UTC';
}

export async function zoneOf(db: Db, orgId: string, requested: string | undefined): Promise<string> {
  if (requested === undefined) return orgTimeZone(db, orgId);
  if (!IANAZone.isValidZone(requested))
    refuse(
      validation('timeZone', `timeZone: "${requested.slice(0, 100)}" is not an IANA time zone`, {
        nextStep: 'Pass a zone such as Europe/Berlin or America/New_York, or omit timeZone for the org’s.',
      }),
    );
  return requested;
}

/** Cuts [from, to) into calendar periods in `timeZone`; refuses more than MAX_BUCKETS. */
export function cutBuckets(
  input: RangeInput,
  period: Period | undefined,
  timeZone: string,
  now: Date,
): Buckets {
  const to = input.to ? new Date(input.to) : now;
  const zoned = (date: Date) => DateTime.fromJSDate(date, { zone: timeZone });
  let from: Date;
  if (period === undefined) from = input.from ? new Date(input.from) : new Date(to.getTime() - 90 * DAY);
  else if (input.from) from = zoned(new Date(input.from)).startOf(period).toJSDate();
  else
    from = zoned(new Date(to.getTime() - 1))
      .startOf(period)
      .minus({ [period]: DEFAULT_BUCKETS[period] - 1 })
      .toJSDate();
  if (from >= to)
    refuse(
      validation('from', `from: ${from.toISOString()} is not before to ${to.toISOString()}`, {
        nextStep: 'Pass a from earlier than to (or omit both for the default range).',
      }),
    );
  if (period === undefined) return { timeZone, from, to, labels: ['all'], starts: [from] };
  const labels: string[] = [];
  const starts: Date[] = [];
  for (let start = zoned(from); start.toJSDate() < to; start = start.plus({ [period]: 1 })) {
    if (labels.length === MAX_BUCKETS)
      refuse(
        validation('from', `from: the range holds more than ${MAX_BUCKETS} ${period}s`, {
          nextStep: `Narrow from/to to at most ${MAX_BUCKETS} ${period}s, or pick a longer period.`,
        }),
      );
    labels.push(label(start, period));
    starts.push(start.toJSDate());
  }
  return { timeZone, from, to, labels, starts };
}

/** The bucket index of `column` (already filtered to [from, to)) as one CASE over the boundaries. */
export function bucketSql(column: string, buckets: Buckets): RawBuilder<number> {
  const boundaries = buckets.starts.slice(1);
  if (boundaries.length === 0) return sql<number>`0`;
  const ref = sql.raw(column);
  const branches = boundaries.map((start, i) => sql`when ${ref} < ${start} then ${sql.lit(i)}`);
  return sql<number>`case ${sql.join(branches, sql` `)} else ${sql.lit(boundaries.length)} end`;
}

/** Numbers as drivers return them (pg: bigint and numeric as strings) to numbers. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

export function numOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return Number(value);
}

/** a ÷ b, or null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

// ---------------------------------------------------------------------------------------------
// Grouping: one label per row of a view, by a join where needed.
// ---------------------------------------------------------------------------------------------

export const GROUP_BYS = ['none', 'source', 'assignee', 'tag', 'priority'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export const GroupByParam = (allowed: readonly GroupBy[]) =>
  z
    .enum(allowed as [GroupBy, ...GroupBy[]])
    .default('none')
    .describe(
      'Split every figure by: source (the source of the first signal, "(direct)" without one), assignee (member ' +
        'e-mail, "(unassigned)"), tag (an item counts under each of its tags, "(untagged)"), priority; none for one group.',
    );

/**
 * The group label of a view row aliased `alias`, and the joins it needs. `entityType` and
 * `idColumn` name the tagged entity; `sourceColumn` is the view's source column, if it has one.
 */
export function groupSql(
  groupBy: GroupBy,
  alias: string,
  entity: { type: RawBuilder<string> | string; id: string; source?: string },
): { label: RawBuilder<string>; joins: RawBuilder<unknown> } {
  const none = sql``;
  const type = typeof entity.type === 'string' ? sql.lit(entity.type) : entity.type;
  switch (groupBy) {
    case 'none':
      return { label: sql<string>`'(all)'`, joins: none };
    case 'source':
      if (!entity.source) throw new Error('this view has no source column');
      return { label: sql<string>`${sql.raw(`${alias}.${entity.source}`)}`, joins: none };
    case 'priority':
      return { label: sql<string>`coalesce(${sql.raw(`${alias}.priority`)}, '(none)')`, joins: none };
    case 'assignee':
      return {
        label: sql<string>`coalesce(gm.email, '(unassigned)')`,
        joins: sql`left join members gm on gm.id = ${sql.raw(`${alias}.assignee_id`)}`,
      };
    case 'tag':
      return {
        label: sql<string>`coalesce(gt.tag, '(untagged)')`,
        joins: sql`left join tags gt on gt.org_id = ${sql.raw(`${alias}.org_id`)} and gt.entity_type = ${type}
          and gt.entity_id = ${sql.raw(`${alias}.${entity.id}`)}`,
      };
  }
}

/** Keeps the MAX_GROUPS groups largest by `size`, and says how many were left out. */
export function topGroups<T>(
  rows: readonly T[],
  group: (row: T) => string,
  size: (row: T) => number,
): { keep: Set<string>; moreGroups: number } {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(group(row), (totals.get(group(row)) ?? 0) + size(row));
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    keep: new Set(ranked.slice(0, MAX_GROUPS).map(([name]) => name)),
    moreGroups: Math.max(0, ranked.length - MAX_GROUPS),
  };
}

export const MoreGroups = z
  .number()
  .int()
  .describe(`Groups left out: only the ${MAX_GROUPS} largest are shown.`);

// ---------------------------------------------------------------------------------------------
// Distributions: count, mean, nearest-rank median and p90, in SQL.
// ---------------------------------------------------------------------------------------------

export interface DistributionRow {
  readonly key1: string;
  readonly key2: string;
  readonly n: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly p90: number | null;
}

/**
 * Count, mean, median and p90 of `value` per (key1, key2) over the rows of `values` (a select
 * with columns key1, key2, value). Percentiles are nearest-rank: the p-th is the value at rank
 * ceil(p·n/100) in ascending order, the same rule get_sla_compliance uses. `ctes` are common
 * table expressions `values` reads (written first, as SQL Server allows them only there).
 */
export async function distribution(
  db: Db,
  values: RawBuilder<unknown>,
  ctes?: RawBuilder<unknown>,
): Promise<DistributionRow[]> {
  // One sort: the three windows share their ordering. Only the rows at the two ranks come back.
  const whole = sql`partition by d.key1, d.key2 order by d.value rows between unbounded preceding and unbounded following`;
  const result = await sql<Record<string, unknown>>`
    ${ctes ? sql`with ${ctes}` : sql``}
    select r.key1, r.key2, r.n, r.mean, r.rn, r.value
    from (
      select d.key1, d.key2, d.value,
        row_number() over (partition by d.key1, d.key2 order by d.value) as rn,
        count(*) over (${whole}) as n,
        avg(d.value) over (${whole}) as mean
      from (${values}) d
      where d.value is not null
    ) r
    where r.rn = (r.n * 50 + 99) / 100 or r.rn = (r.n * 90 + 99) / 100`.execute(db);
  const rows = new Map<
    string,
    { key1: string; key2: string; n: number; mean: number | null; median: number | null; p90: number | null }
  >();
  for (const row of result.rows) {
    const key1 = String(row.key1);
    const key2 = String(row.key2);
    const n = num(row.n);
    const key = `${key1}\u0000${key2}`;
    const entry = rows.get(key) ?? { key1, key2, n, mean: numOrNull(row.mean), median: null, p90: null };
    const rank = num(row.rn);
    if (rank === Math.floor((n * 50 + 99) / 100)) entry.median = numOrNull(row.value);
    if (rank === Math.floor((n * 90 + 99) / 100)) entry.p90 = numOrNull(row.value);
    rows.set(key, entry);
  }
  return [...rows.values()];
}

export const Stat = z
  .object({
    n: z.number().int().describe('How many values the figures are over.'),
    mean: z.number().nullable().describe('Arithmetic mean; null when n is 0.'),
    median: z.number().nullable().describe('Nearest-rank median: the value at rank ceil(n/2), ascending.'),
    p90: z.number().nullable().describe('Nearest-rank 90th percentile: the value at rank ceil(0.9·n).'),
  })
  .describe('A distribution of minutes (or money, for awards).');
export type Stat = z.output<typeof Stat>;

export const EMPTY_STAT: Stat = { n: 0, mean: null, median: null, p90: null };

export function statOf(row: DistributionRow | undefined): Stat {
  return row ? { n: row.n, mean: row.mean, median: row.median, p90: row.p90 } : EMPTY_STAT;
}
