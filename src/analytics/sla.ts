/**
 * SLA compliance split by assignee, tag or priority: the clocks met in the range, in time or
 * late, and how long meeting them took (the same rule get_sla_compliance applies per kind).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { SLA_KINDS } from '../domain/sla.js';
import { query } from '../workstream/command.js';
import type { Actor, Deps } from '../workstream/deps.js';
import {
  analyticsRead,
  cutBuckets,
  distribution,
  GroupByParam,
  groupSql,
  MoreGroups,
  num,
  RangeInput,
  RangeOutput,
  ratio,
  Stat,
  statOf,
  topGroups,
  zoneOf,
} from './common.js';

export const SlaBreakdownInput = RangeInput.extend({
  groupBy: GroupByParam(['none', 'assignee', 'tag', 'priority']),
});

export const SlaBreakdownRow = z.object({
  kind: z.enum(SLA_KINDS),
  group: z.string(),
  met: z
    .number()
    .int()
    .describe('Clocks met in the range (by met_at); cancelled and running clocks are not counted.'),
  inTime: z
    .number()
    .int()
    .describe(
      'Of those, met by their due time with no breach recorded (a clock paused on hold has its due moved).',
    ),
  late: z.number().int().describe('met − inTime.'),
  compliance: z.number().nullable().describe('inTime ÷ met; null when none was met.'),
  minutesToMeet: Stat.describe(
    'Elapsed minutes from the clock’s start to met (calendar time, pauses included).',
  ),
});

export const SlaBreakdownView = RangeOutput.extend({
  groupBy: z.string(),
  rows: z.array(SlaBreakdownRow).describe('One row per SLA kind and group with a clock met in the range.'),
  moreGroups: MoreGroups,
});
export type SlaBreakdownView = z.output<typeof SlaBreakdownView>;

export async function slaBreakdown(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof SlaBreakdownInput>,
): Promise<SlaBreakdownView> {
  return analyticsRead(deps, actor, async (unit) => {
    const timeZone = await zoneOf(unit.db, unit.orgId, input.timeZone);
    const b = cutBuckets(input, undefined, timeZone, unit.now);
    const group = groupSql(input.groupBy, 'k', { type: sql<string>`k.entity_type`, id: 'entity_id' });
    const clocks = sql`
        select k.kind, ${group.label} as grp, k.met_in_time, k.minutes_to_meet
        from v_sla_outcomes k ${group.joins}
        where k.org_id = ${unit.orgId} and k.met_at >= ${b.from} and k.met_at < ${b.to}`;
    const counts = await sql<Record<string, unknown>>`
        select c.kind, c.grp, count(*) as met, sum(c.met_in_time) as in_time
        from (${clocks}) c group by c.kind, c.grp`.execute(unit.db);
    const stats = await distribution(
      unit.db,
      sql`select c.kind as key1, c.grp as key2, c.minutes_to_meet as value from (${clocks}) c`,
    );
    const statBy = new Map(stats.map((s) => [`${s.key1}\u0000${s.key2}`, s]));
    const all = counts.rows.map((r) => {
      const met = num(r.met);
      const inTime = num(r.in_time);
      return {
        kind: r.kind as (typeof SLA_KINDS)[number],
        group: String(r.grp),
        met,
        inTime,
        late: met - inTime,
        compliance: ratio(inTime, met),
        minutesToMeet: statOf(statBy.get(`${String(r.kind)}\u0000${String(r.grp)}`)),
      };
    });
    const { keep, moreGroups } = topGroups(
      all,
      (r) => r.group,
      (r) => r.met,
    );
    return {
      from: b.from.toISOString(),
      to: b.to.toISOString(),
      timeZone,
      groupBy: input.groupBy,
      rows: all
        .filter((r) => keep.has(r.group))
        .sort(
          (x, y) =>
            SLA_KINDS.indexOf(x.kind) - SLA_KINDS.indexOf(y.kind) ||
            (x.group < y.group ? -1 : x.group > y.group ? 1 : 0),
        ),
      moreGroups,
    };
  });
}

/** The slaBreakdown as a command: its schemas are what the tool and the resource publish. */
export const getSlaBreakdown = query({
  input: SlaBreakdownInput,
  output: SlaBreakdownView,
  run: slaBreakdown,
});
