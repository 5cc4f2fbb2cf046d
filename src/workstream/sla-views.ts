/** Reading SLAs: the breached and at-risk clocks, most overdue first, and compliance over a period. */
import { z } from 'zod';
import { SLA_KINDS } from '../domain/sla.js';
import { limitRows } from '../store/dialect.js';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { resolveMember } from './load.js';
import { Cursor, Limit, Timestamp } from './params.js';
import { membersOf, summaryPage } from './summaries.js';
import { run } from './unit-of-work.js';
import { Time } from './views.js';

export const ListSlaBreaches = z.strictObject({
  status: z.enum(['breached', 'at_risk', 'all']).default('all'),
  kind: z.enum(SLA_KINDS).optional(),
  assignee: z.string().max(400).optional().describe('Only this member\'s work: id, e-mail or "me".'),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const SlaCompliance = z.strictObject({
  from: Timestamp.optional().describe('Default: 30 days before `to`.'),
  to: Timestamp.optional().describe('Default: now.'),
});

export const SlaBreachView = z.object({
  clockId: z.string(),
  kind: z.enum(SLA_KINDS),
  status: z.enum(['breached', 'at_risk']).describe('breached: past due; at_risk: past its warning time.'),
  entityType: z.enum(['candidate', 'pursuit']),
  entityId: z.string(),
  title: z.string().nullable(),
  assigneeId: z.string().nullable(),
  startedAt: Time,
  warnAt: Time,
  dueAt: Time,
  overdueMinutes: z.number().int().describe('Minutes past due; while at risk, minus the minutes left.'),
});
export type SlaBreachView = z.output<typeof SlaBreachView>;

/** Breach cursors carry the last clock's due time and id (the sort key). */
const BreachKey = z.tuple([z.iso.datetime(), z.string().startsWith('clk_')]);

/** Running clocks past their warning or due time, most overdue (earliest due) first. */
export const listSlaBreaches = query({
  input: ListSlaBreaches,
  output: summaryPage(SlaBreachView),
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const now = unit.now;
      let query = unit.db
        .selectFrom('sla_clocks as k')
        .leftJoin('candidates as c', 'c.id', 'k.entity_id')
        .leftJoin('pursuits as p', 'p.id', 'k.entity_id')
        .select([
          'k.id',
          'k.kind',
          'k.entity_type',
          'k.entity_id',
          'k.started_at',
          'k.warn_at',
          'k.due_at',
          'k.breached_at',
        ])
        .select((eb) => [
          eb.fn.coalesce('c.title', 'p.title').as('title'),
          eb.fn.coalesce('c.assignee_id', 'p.assignee_id').as('assignee_id'),
        ])
        .where('k.org_id', '=', unit.orgId)
        .where('k.state', '=', 'running')
        .orderBy('k.due_at')
        .orderBy('k.id');
      if (input.status === 'breached') query = query.where('k.due_at', '<=', now);
      else if (input.status === 'at_risk')
        query = query.where('k.warn_at', '<=', now).where('k.due_at', '>', now);
      else query = query.where('k.warn_at', '<=', now);
      if (input.kind) query = query.where('k.kind', '=', input.kind);
      // An open clock carries its record's assignee (src/workstream/today-order.ts), so one
      // member's clocks are a range of sla_clocks_assignee, not every clock of the org joined.
      if (input.assignee)
        query = query.where('k.assignee_id', '=', await resolveMember(unit.db, unit.actor, input.assignee));
      if (input.cursor) {
        const [due, id] = decodeCursor(input.cursor, BreachKey, 'list_sla_breaches');
        const after = { dueAt: new Date(due), id };
        query = query.where((eb) =>
          eb.or([
            eb('k.due_at', '>', after.dueAt),
            eb.and([eb('k.due_at', '=', after.dueAt), eb('k.id', '>', after.id)]),
          ]),
        );
      }
      const rows = await limitRows(unit.dialect, query, input.limit + 1).execute();
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({
          clockId: row.id,
          kind: row.kind,
          status: row.due_at <= now ? ('breached' as const) : ('at_risk' as const),
          entityType: row.entity_type,
          entityId: row.entity_id,
          title: row.title,
          assigneeId: row.assignee_id,
          startedAt: row.started_at.toISOString(),
          warnAt: row.warn_at.toISOString(),
          dueAt: row.due_at.toISOString(),
          overdueMinutes: Math.round((now.getTime() - row.due_at.getTime()) / 60_000),
        })),
        members: await membersOf(
          unit.db,
          unit.orgId,
          items.map((row) => row.assignee_id),
        ),
        nextCursor:
          rows.length > input.limit && last ? encodeCursor([last.due_at.toISOString(), last.id]) : null,
      };
    });
  },
});

export const ComplianceView = z.object({
  from: Time,
  to: Time,
  kinds: z.array(
    z.object({
      kind: z.enum(SLA_KINDS),
      met: z.number().int().describe('Met in time.'),
      breached: z.number().int().describe('Met after due.'),
      compliance: z.number().nullable().describe('met ÷ (met + breached), 0–1; null when none was met.'),
      medianMinutesToMeet: z.number().nullable(),
      p90MinutesToMeet: z.number().nullable(),
    }),
  ),
});
export type ComplianceView = z.output<typeof ComplianceView>;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? null;
}

/**
 * Compliance per kind over clocks met in the period [from, to]: cancelled clocks are left out, and a clock
 * that breached before it was met counts as breached.
 */
export const getSlaCompliance = query({
  input: SlaCompliance,
  output: ComplianceView,
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const to = input.to ? new Date(input.to) : unit.now;
      const from = input.from ? new Date(input.from) : new Date(to.getTime() - 30 * 86_400_000);
      const closed = await unit.db
        .selectFrom('sla_clocks')
        .select(['kind', 'started_at', 'met_at', 'breached_at', 'due_at'])
        .where('org_id', '=', unit.orgId)
        .where('state', '=', 'met')
        .where('met_at', '>=', from)
        .where('met_at', '<=', to)
        .execute();
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        kinds: SLA_KINDS.map((kind) => {
          const clocks = closed.filter((c) => c.kind === kind);
          // Breached if the sweep recorded it, or met after the due time before a sweep ran.
          const breached = clocks.filter(
            (c) => c.breached_at !== null || (c.met_at !== null && c.met_at > c.due_at),
          ).length;
          const minutes = clocks
            .map((c) => ((c.met_at?.getTime() ?? 0) - c.started_at.getTime()) / 60_000)
            .sort((a, b) => a - b);
          return {
            kind,
            met: clocks.length - breached,
            breached,
            compliance: clocks.length === 0 ? null : (clocks.length - breached) / clocks.length,
            medianMinutesToMeet: percentile(minutes, 50),
            p90MinutesToMeet: percentile(minutes, 90),
          };
        }),
      };
    });
  },
});
