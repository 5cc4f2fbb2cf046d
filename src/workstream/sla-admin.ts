/** SLA policies and the business calendar: read by anyone, changed by an org's admins. */
import { z } from 'zod';
import { validateCalendar, WEEKDAYS } from '../domain/calendar.js';
import { forbidden, must } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { PRIORITIES } from '../domain/priority.js';
import { SLA_KINDS, type SlaKind } from '../domain/sla.js';
import { toJson } from '../store/dialect.js';
import { change, query } from './command.js';
import { refuse } from './refusals.js';
import { retargetClocks } from './sla.js';
import { run, type Unit } from './unit-of-work.js';

export const SetSlaPolicy = z.object({
  kind: z.enum(SLA_KINDS),
  priority: z
    .enum([...PRIORITIES, 'any'])
    .default('any')
    .describe('"any": the fallback.'),
  targetHours: z.number().min(0).max(10_000),
  businessHours: z.boolean().default(true).describe('false: 24×7.'),
  warnPercent: z.number().int().min(1).max(100).default(75).describe('At risk from this share.'),
});

export const SetBusinessCalendar = z.object({
  timeZone: z.string().trim().min(1).max(100).describe('IANA time zone, e.g. America/New_York.'),
  weekly: z
    .array(z.object({ day: z.enum(WEEKDAYS), start: z.string().max(5), end: z.string().max(5) }))
    .max(50)
    .describe('Local time.'),
  holidays: z.array(z.string().max(10)).max(400).default([]).describe('YYYY-MM-DD.'),
});

/** get_sla_policies reads the caller's whole organization: there is nothing to ask for. */
export const GetSlaPolicies = z.object({});

export const SlaPoliciesView = z.object({
  calendar: z
    .object({
      timeZone: z.string(),
      weekly: z.array(z.unknown()),
      holidays: z.array(z.string()),
    })
    .nullable(),
  policies: z.array(
    z.object({
      kind: z.string(),
      priority: z.string(),
      targetHours: z.number(),
      businessHours: z.boolean(),
      warnPercent: z.number().int(),
    }),
  ),
});
export type SlaPoliciesView = z.output<typeof SlaPoliciesView>;

async function requireAdmin(unit: Unit): Promise<void> {
  const member = await unit.db
    .selectFrom('members')
    .select('role')
    .where('id', '=', unit.actor.memberId)
    .executeTakeFirst();
  if (member?.role !== 'admin') refuse(forbidden('changing SLA policies and calendars needs the admin role'));
}

async function orgCalendar(unit: Unit) {
  return unit.db
    .selectFrom('business_calendars')
    .selectAll()
    .where('org_id', '=', unit.orgId)
    .orderBy('created_at')
    .executeTakeFirst();
}

/** Re-targets every open clock of the org (the rules changed), by each entity's current priority. */
async function retargetAll(unit: Unit, kind?: SlaKind): Promise<void> {
  let select = unit.db
    .selectFrom('sla_clocks as k')
    .leftJoin('candidates as c', 'c.id', 'k.entity_id')
    .leftJoin('pursuits as p', 'p.id', 'k.entity_id')
    .select(['k.entity_id', 'c.priority as candidate_priority', 'p.priority as pursuit_priority'])
    .where('k.org_id', '=', unit.orgId)
    .where('k.state', 'in', ['running', 'paused']);
  if (kind) select = select.where('k.kind', '=', kind);
  const open = await select.execute();
  for (const entityId of new Set(open.map((row) => row.entity_id))) {
    const row = open.find((r) => r.entity_id === entityId);
    await retargetClocks(unit, entityId, row?.candidate_priority ?? row?.pursuit_priority ?? 'medium');
  }
}

export const getSlaPolicies = query({
  input: GetSlaPolicies,
  output: SlaPoliciesView,
  run: async (deps, actor, _input) => {
    return run(
      deps,
      actor,
      async (unit) => {
        const calendar = await orgCalendar(unit);
        const policies = await unit.db
          .selectFrom('sla_policies')
          .selectAll()
          .where('org_id', '=', unit.orgId)
          .orderBy('kind')
          .orderBy('priority')
          .execute();
        return {
          calendar: calendar
            ? { timeZone: calendar.time_zone, weekly: calendar.weekly_json, holidays: calendar.holidays_json }
            : null,
          policies: policies.map((p) => ({
            kind: p.kind,
            priority: p.priority,
            targetHours: p.target_minutes / 60,
            businessHours: p.calendar_id !== null,
            warnPercent: p.warn_percent,
          })),
        };
      },
      { readOnly: true },
    );
  },
});

export const setSlaPolicy = change({
  input: SetSlaPolicy,
  output: SlaPoliciesView,
  run: async (deps, actor, input) => {
    await run(deps, actor, async (unit) => {
      await requireAdmin(unit);
      const calendarId = input.businessHours ? ((await orgCalendar(unit))?.id ?? null) : null;
      const values = {
        target_minutes: Math.round(input.targetHours * 60),
        calendar_id: calendarId,
        warn_percent: input.warnPercent,
        updated_at: unit.now,
      };
      const updated = await unit.db
        .updateTable('sla_policies')
        .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
        .where('org_id', '=', unit.orgId)
        .where('kind', '=', input.kind)
        .where('priority', '=', input.priority)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        await unit.db
          .insertInto('sla_policies')
          .values({
            id: newId('slap', unit.now),
            org_id: unit.orgId,
            kind: input.kind,
            priority: input.priority,
            ...values,
            created_at: unit.now,
          })
          .execute();
      }
      await retargetAll(unit, input.kind);
    });
    return getSlaPolicies.run(deps, actor, {});
  },
});

export const setBusinessCalendar = change({
  input: SetBusinessCalendar,
  output: SlaPoliciesView,
  run: async (deps, actor, input) => {
    const calendar = must(validateCalendar(input));
    await run(deps, actor, async (unit) => {
      await requireAdmin(unit);
      const values = {
        time_zone: calendar.timeZone,
        weekly_json: toJson(calendar.weekly),
        holidays_json: toJson(calendar.holidays),
        updated_at: unit.now,
      };
      const existing = await orgCalendar(unit);
      if (existing)
        await unit.db.updateTable('business_calendars').set(values).where('id', '=', existing.id).execute();
      else
        await unit.db
          .insertInto('business_calendars')
          .values({
            id: newId('cal', unit.now),
            org_id: unit.orgId,
            name: 'business hours',
            ...values,
            created_at: unit.now,
          })
          .execute();
      await retargetAll(unit);
    });
    return getSlaPolicies.run(deps, actor, {});
  },
});
