/**
 * Velocity, from the history: how long items stay in each state, how long whole cycles take
 * (with the time on hold shown apart), and the open items that have sat longest in their state.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { query } from '../workstream/command.js';
import type { Actor, Deps } from '../workstream/deps.js';
import {
  analyticsRead,
  cutBuckets,
  distribution,
  GroupByParam,
  groupSql,
  MoreGroups,
  RangeInput,
  RangeOutput,
  Stat,
  statOf,
  topGroups,
  zoneOf,
} from './common.js';
import { stuckItems } from './stuck.js';

/** Open items listed per state, longest there first. */
export const STUCK_PER_STATE = 3;

export const VelocityInput = RangeInput.extend({
  groupBy: GroupByParam(['none', 'assignee', 'tag', 'priority']),
});

export const CYCLES = ['signal_to_won', 'signal_to_lost', 'promotion_to_submit'] as const;

export const StayRow = z.object({
  entityType: z.enum(['signal', 'candidate', 'pursuit']),
  state: z
    .string()
    .describe('The state stayed in (on_hold is its own state, so time on hold is shown apart).'),
  group: z.string(),
  minutes: Stat.describe(
    'Minutes of each stay that ended in the range: from the state change into the state to the one out of it. ' +
      'A state entered twice (a reopening, a hold and resume) is two stays.',
  ),
});

export const CycleRow = z.object({
  cycle: z
    .enum(CYCLES)
    .describe(
      'signal_to_won / signal_to_lost: pursuits closed won / lost in the range, from the first signal received ' +
        '(or the candidate’s creation, if earlier or without a signal) to the close. promotion_to_submit: pursuits ' +
        'submitted in the range, from promotion (pursuit creation) to submission.',
    ),
  group: z.string(),
  total: Stat.describe('Elapsed minutes of the whole cycle.'),
  hold: Stat.describe('Minutes of the cycle spent on_hold (0 for pursuits never held).'),
  active: Stat.describe('Minutes of the cycle not on hold: total − hold, per pursuit.'),
});

export const StuckItem = z.object({
  id: z.string(),
  title: z.string(),
  assigneeId: z.string().nullable(),
  enteredAt: z.string().describe('When it entered its current state (its last state change).'),
  minutesInState: z.number().describe('Minutes from enteredAt to now.'),
});

export const StuckRow = z.object({
  entityType: z.enum(['candidate', 'pursuit']),
  state: z.string(),
  items: z.array(StuckItem).describe(`The ${STUCK_PER_STATE} open items in this state the longest.`),
});

export const VelocityView = RangeOutput.extend({
  groupBy: z.string(),
  timeInState: z
    .array(StayRow)
    .describe('Minutes spent in each state, per stay that ended in the range; on_hold is its own state.'),
  cycles: z
    .array(CycleRow)
    .describe(
      'Cycle times (first signal → won / lost, promotion → submission), with the time on hold apart.',
    ),
  stuck: z.array(StuckRow).describe('Open candidates and pursuits now, per state; not limited to the range.'),
  moreGroups: MoreGroups,
});
export type VelocityView = z.output<typeof VelocityView>;

export async function velocity(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof VelocityInput>,
): Promise<VelocityView> {
  return analyticsRead(deps, actor, async (unit) => {
    const timeZone = await zoneOf(unit.db, unit.orgId, input.timeZone);
    const b = cutBuckets(input, undefined, timeZone, unit.now);
    // Assignee and priority are the candidate's or pursuit's own; only those groupings join them.
    const byOwner = input.groupBy === 'assignee' || input.groupBy === 'priority';
    const stays = byOwner
      ? sql`
        select s.entity_type, s.entity_id, s.state, s.minutes, s.org_id,
          coalesce(gc.assignee_id, gp.assignee_id) as assignee_id, coalesce(gc.priority, gp.priority) as priority
        from v_state_stays s
        left join candidates gc on s.entity_type = 'candidate' and gc.id = s.entity_id
        left join pursuits gp on s.entity_type = 'pursuit' and gp.id = s.entity_id
        where s.org_id = ${unit.orgId} and s.left_at >= ${b.from} and s.left_at < ${b.to}`
      : sql`
        select s.entity_type, s.entity_id, s.state, s.minutes, s.org_id
        from v_state_stays s
        where s.org_id = ${unit.orgId} and s.left_at >= ${b.from} and s.left_at < ${b.to}`;
    const stayGroup = groupSql(input.groupBy, 'v', { type: sql<string>`v.entity_type`, id: 'entity_id' });
    // key1 carries "entity_type state" (neither holds a space).
    const stayStats = await distribution(
      unit.db,
      sql`select ${concat('v.entity_type', 'v.state')} as key1, ${stayGroup.label} as key2, v.minutes as value
          from (${stays}) v ${stayGroup.joins}`,
    );

    const cycleGroup = groupSql(input.groupBy, 'o', { type: 'pursuit', id: 'pursuit_id' });
    const cycleRows = sql`
        select case o.outcome when 'won' then 'signal_to_won' else 'signal_to_lost' end as cycle, ${cycleGroup.label} as grp,
          o.cycle_minutes as total, o.hold_minutes as hold
        from v_pursuit_outcomes o ${cycleGroup.joins}
        where o.org_id = ${unit.orgId} and o.outcome in ('won', 'lost')
          and o.closed_at >= ${b.from} and o.closed_at < ${b.to}
        union all
        select 'promotion_to_submit' as cycle, ${cycleGroup.label} as grp, o.submit_minutes as total,
          o.hold_minutes as hold
        from v_pursuit_outcomes o ${cycleGroup.joins}
        where o.org_id = ${unit.orgId} and o.submitted_at >= ${b.from} and o.submitted_at < ${b.to}`;
    // The cycles are read once (a CTE used three times is materialized) and unpivoted per measure.
    const cycleStats = await distribution(
      unit.db,
      sql`select ${concat('c.cycle', "'total'")} as key1, c.grp as key2, c.total as value from cycles c
          union all
          select ${concat('c.cycle', "'hold'")} as key1, c.grp as key2, c.hold as value from cycles c
          union all
          select ${concat('c.cycle', "'active'")} as key1, c.grp as key2, c.total - c.hold as value from cycles c`,
      sql`cycles as (${cycleRows})`,
    );

    const stuck = await stuckItems(unit, STUCK_PER_STATE);

    const { keep, moreGroups } = topGroups(
      stayStats,
      (s) => s.key2,
      (s) => s.n,
    );
    const timeInState = stayStats
      .filter((s) => keep.has(s.key2))
      .map((s) => {
        const [entityType, state] = s.key1.split(' ') as ['signal' | 'candidate' | 'pursuit', string];
        return { entityType, state, group: s.key2, minutes: statOf(s) };
      })
      .sort((x, y) => cmp(x.entityType, y.entityType) || cmp(x.state, y.state) || cmp(x.group, y.group));
    const byCycle = new Map(cycleStats.map((s) => [`${s.key1}\u0000${s.key2}`, s]));
    const cycleTop = topGroups(
      cycleStats.filter((s) => s.key1.endsWith(' total')),
      (s) => s.key2,
      (s) => s.n,
    );
    const cycleGroups = [...cycleTop.keep];
    const cycles = CYCLES.flatMap((cycle) =>
      cycleGroups.sort(cmp).flatMap((group) => {
        const get = (part: string) => byCycle.get(`${cycle} ${part}\u0000${group}`);
        const total = get('total');
        if (!total) return [];
        return [
          { cycle, group, total: statOf(total), hold: statOf(get('hold')), active: statOf(get('active')) },
        ];
      }),
    );
    const stuckRows = stuck.map((row) => ({
      ...row,
      items: row.items.map((item) => ({
        ...item,
        enteredAt: item.enteredAt.toISOString(),
        minutesInState: Math.round((unit.now.getTime() - item.enteredAt.getTime()) / 60_000),
      })),
    }));
    return {
      from: b.from.toISOString(),
      to: b.to.toISOString(),
      timeZone,
      groupBy: input.groupBy,
      timeInState,
      cycles,
      stuck: stuckRows,
      moreGroups: Math.max(moreGroups, cycleTop.moreGroups),
    };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two text values joined by a space; concat() is the one spelling all three dialects accept. */
function concat(a: string, b: string) {
  return sql`concat(${sql.raw(a)}, ' ', ${sql.raw(b)})`;
}

/** The velocity as a command: its schemas are what the tool and the resource publish. */
export const getVelocity = query({ input: VelocityInput, output: VelocityView, run: velocity });
