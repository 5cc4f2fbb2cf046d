/**
 * The pipeline now: open pursuits' value by state, weighted by their win probability, and the
 * forecast by the month their deadline falls in (the expected close).
 */
import { type RawBuilder, sql } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { query } from '../workstream/command.js';
import type { Actor, Deps } from '../workstream/deps.js';
import {
  analyticsRead,
  GroupByParam,
  groupSql,
  MoreGroups,
  num,
  TimeZoneParam,
  topGroups,
  zoneOf,
} from './common.js';

/** Months the forecast lists one by one, from the current month; later ones are summed. */
export const FORECAST_MONTHS = 12;

export const PipelineInput = z.strictObject({
  groupBy: GroupByParam(['none', 'source', 'assignee', 'tag', 'priority']),
  timeZone: TimeZoneParam,
});

const Figures = {
  pursuits: z.number().int().describe('Open pursuits (capture, proposal, submitted, on_hold).'),
  value: z.number().describe('Σ estimated value (pursuits without one add 0).'),
  weightedValue: z
    .number()
    .describe('Σ estimated value × probability ÷ 100; pursuits without a probability add 0.'),
  withoutProbability: z.number().int().describe('Of the pursuits, how many have no probability set.'),
  withoutValue: z.number().int().describe('Of the pursuits, how many have no estimated value.'),
};

export const PipelineRow = z.object({
  state: z.string().describe('capture, proposal, submitted or on_hold; "total" sums the group.'),
  group: z.string(),
  ...Figures,
});

export const ForecastRow = z.object({
  month: z
    .string()
    .describe(
      'The month (yyyy-MM, org time zone) the pursuit’s deadline (due_at, the expected close) falls in; "earlier" ' +
        `for deadlines before this month, "later" beyond ${FORECAST_MONTHS} months, "undated" without one.`,
    ),
  group: z.string(),
  ...Figures,
});

export const PipelineView = z.object({
  asOf: z.string().describe('The moment the pipeline was read.'),
  timeZone: z.string().describe('The IANA zone the forecast months were cut in.'),
  groupBy: z.string(),
  byState: z.array(PipelineRow).describe('Open pursuits now per state and group, with a total per state.'),
  forecast: z
    .array(ForecastRow)
    .describe(
      'Open value by the month of each pursuit’s deadline (its expected close), in the org time zone.',
    ),
  moreGroups: MoreGroups,
});
export type PipelineView = z.output<typeof PipelineView>;

const OPEN_STATES = ['capture', 'proposal', 'submitted', 'on_hold'];

export async function pipeline(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof PipelineInput>,
): Promise<PipelineView> {
  return analyticsRead(deps, actor, async (unit) => {
    const timeZone = await zoneOf(unit.db, unit.orgId, input.timeZone);
    const month0 = DateTime.fromJSDate(unit.now, { zone: timeZone }).startOf('month');
    const months = Array.from({ length: FORECAST_MONTHS + 1 }, (_, i) => month0.plus({ months: i }));
    const monthCase = sql`case when o.due_at is null then 'undated' when o.due_at < ${months[0]?.toJSDate()}
        then 'earlier' ${sql.join(
          months
            .slice(1)
            .map(
              (m, i) => sql`when o.due_at < ${m.toJSDate()} then ${sql.lit(months[i]?.toFormat('yyyy-MM'))}`,
            ),
          sql` `,
        )} else 'later' end`;
    const group = groupSql(input.groupBy, 'o', { type: 'pursuit', id: 'pursuit_id', source: 'source' });
    const figures = (key: RawBuilder<unknown>) => sql<Record<string, unknown>>`
        select x.k, x.grp, count(*) as pursuits, sum(coalesce(x.estimated_value, 0)) as value,
          sum(coalesce(x.weighted_value, 0)) as weighted_value,
          sum(case when x.probability is null then 1 else 0 end) as without_probability,
          sum(case when x.estimated_value is null then 1 else 0 end) as without_value
        from (
          select ${key} as k, ${group.label} as grp, o.estimated_value, o.weighted_value, o.probability
          from v_pursuit_outcomes o ${group.joins}
          where o.org_id = ${unit.orgId} and o.outcome = 'open'
        ) x
        group by x.k, x.grp`;
    const byState = await figures(sql`o.state`).execute(unit.db);
    const byMonth = await figures(monthCase).execute(unit.db);
    const read = (r: Record<string, unknown>) => ({
      group: String(r.grp),
      pursuits: num(r.pursuits),
      value: num(r.value),
      weightedValue: num(r.weighted_value),
      withoutProbability: num(r.without_probability),
      withoutValue: num(r.without_value),
    });
    const states = byState.rows.map((r) => ({ state: String(r.k), ...read(r) }));
    const { keep, moreGroups } = topGroups(
      states,
      (r) => r.group,
      (r) => r.value,
    );
    const kept = states.filter((r) => keep.has(r.group));
    const totals = [...keep].map((group) => {
      const rows = kept.filter((r) => r.group === group);
      const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((t, r) => t + f(r), 0);
      return {
        state: 'total',
        group,
        pursuits: sum((r) => r.pursuits),
        value: sum((r) => r.value),
        weightedValue: sum((r) => r.weightedValue),
        withoutProbability: sum((r) => r.withoutProbability),
        withoutValue: sum((r) => r.withoutValue),
      };
    });
    const stateOrder = [...OPEN_STATES, 'total'];
    const monthOrder = ['earlier', ...months.map((m) => m.toFormat('yyyy-MM')), 'later', 'undated'];
    return {
      asOf: unit.now.toISOString(),
      timeZone,
      groupBy: input.groupBy,
      byState: [...kept, ...totals].sort(
        (a, b) => stateOrder.indexOf(a.state) - stateOrder.indexOf(b.state) || cmp(a.group, b.group),
      ),
      forecast: byMonth.rows
        .map((r) => ({ month: String(r.k), ...read(r) }))
        .filter((r) => keep.has(r.group))
        .sort((a, b) => monthOrder.indexOf(a.month) - monthOrder.indexOf(b.month) || cmp(a.group, b.group)),
      moreGroups,
    };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pipeline as a command: its schemas are what the tool and the resource publish. */
export const getPipeline = query({ input: PipelineInput, output: PipelineView, run: pipeline });
