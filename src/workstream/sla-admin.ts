/** SLA policies and the business calendar: read by anyone, changed by an org's admins. */
import { z } from 'zod';
import {
  addWorkingMinutes,
  type BusinessCalendar,
  DUE_HORIZON_YEARS,
  UnreachableTarget,
  validateCalendar,
  WEEKDAYS,
  weeklyWorkingMinutes,
} from '../domain/calendar.js';
import { must, validation } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { PRIORITIES } from '../domain/priority.js';
import { SLA_KINDS } from '../domain/sla.js';
import { toJson } from '../store/dialect.js';
import { requireAdmin } from './admin-role.js';
import { change, execute, query } from './command.js';
import { refuse } from './refusals.js';
import { retargetOpenClocks } from './sla-retarget.js';
import { run, type Unit } from './unit-of-work.js';

/** The largest SLA target, in hours: more than a year of calendar time. */
export const MAX_TARGET_HOURS = 10_000;

export const SetSlaPolicy = z.strictObject({
  kind: z.enum(SLA_KINDS),
  priority: z
    .enum([...PRIORITIES, 'any'])
    .default('any')
    .describe('"any": the fallback.'),
  targetHours: z.number().min(0).max(MAX_TARGET_HOURS),
  businessHours: z.boolean().default(true).describe('false: 24×7.'),
  warnPercent: z.number().int().min(1).max(100).default(75).describe('At risk from this share.'),
});

export const SetBusinessCalendar = z.strictObject({
  timeZone: z.string().trim().min(1).max(100).describe('IANA time zone, e.g. America/New_York.'),
  weekly: z
    .array(z.object({ day: z.enum(WEEKDAYS), start: z.string().max(5), end: z.string().max(5) }))
    .max(50)
    .describe('Local time.'),
  holidays: z.array(z.string().max(10)).max(400).default([]).describe('YYYY-MM-DD.'),
});

/** get_sla_policies reads the caller's whole organization: there is nothing to ask for. */
export const GetSlaPolicies = z.strictObject({});

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

async function orgCalendar(unit: Unit) {
  return unit.db
    .selectFrom('business_calendars')
    .selectAll()
    .where('org_id', '=', unit.orgId)
    .orderBy('created_at')
    .executeTakeFirst();
}

/**
 * Refuses a calendar and target that cannot meet: due more than the horizon after a start now (too
 * little working time a week), or never (holidays swallowing every working day).
 */
function refuseUnreachable(
  calendar: BusinessCalendar,
  now: Date,
  targetMinutes: number,
  field: 'targetHours' | 'weekly',
): void {
  try {
    addWorkingMinutes(calendar, now, targetMinutes);
  } catch (error) {
    if (!(error instanceof UnreachableTarget)) throw error;
    if (error.reason === 'holidays') {
      refuse(
        validation('holidays', error.message, {
          nextStep: 'Remove holidays so that some working days remain, and call again.',
        }),
      );
    }
    const weekly = weeklyWorkingMinutes(calendar);
    refuse(
      validation(
        field,
        `${field}: a ${(targetMinutes / 60).toLocaleString('en-US')} h target needs more than ${DUE_HORIZON_YEARS} years of this ` +
          `calendar's ${weekly.toLocaleString('en-US')} working minutes a week; due dates must fall within ${DUE_HORIZON_YEARS} years.`,
        {
          nextStep:
            field === 'targetHours'
              ? 'Lower targetHours, or give the calendar more working time with set_business_calendar.'
              : 'Give the calendar more working time a week, or lower the targets with set_sla_policy first.',
        },
      ),
    );
  }
}

function calendarOf(row: {
  time_zone: string;
  weekly_json: unknown;
  holidays_json: unknown;
}): BusinessCalendar {
  // The JSON columns hold what validateCalendar accepted when the calendar was saved.
  return {
    timeZone: row.time_zone,
    weekly: row.weekly_json,
    holidays: row.holidays_json,
  } as BusinessCalendar;
}

export const getSlaPolicies = query({
  input: GetSlaPolicies,
  output: SlaPoliciesView,
  run: async (deps, actor, _input) => {
    return run(deps, actor, async (unit) => {
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
    });
  },
});

export const setSlaPolicy = change({
  input: SetSlaPolicy,
  output: SlaPoliciesView,
  run: async (deps, actor, input) => {
    await run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'changing SLA policies and calendars');
      const calendar = input.businessHours ? await orgCalendar(unit) : undefined;
      const calendarId = calendar?.id ?? null;
      if (calendar) {
        refuseUnreachable(calendarOf(calendar), unit.now, Math.round(input.targetHours * 60), 'targetHours');
      }
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
      await retargetOpenClocks(unit, input.kind);
    });
    return execute(getSlaPolicies, deps, actor, {});
  },
});

export const setBusinessCalendar = change({
  input: SetBusinessCalendar,
  output: SlaPoliciesView,
  run: async (deps, actor, input) => {
    const calendar = must(validateCalendar(input));
    await run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'changing SLA policies and calendars');
      const values = {
        time_zone: calendar.timeZone,
        weekly_json: toJson(calendar.weekly),
        holidays_json: toJson(calendar.holidays),
        updated_at: unit.now,
      };
      const existing = await orgCalendar(unit);
      // A calendar under which a target that counts in it could never fall due is refused.
      const largest = existing
        ? await unit.db
            .selectFrom('sla_policies')
            .select((eb) => eb.fn.max('target_minutes').as('minutes'))
            .where('org_id', '=', unit.orgId)
            .where('calendar_id', '=', existing.id)
            .executeTakeFirst()
        : undefined;
      refuseUnreachable(calendar, unit.now, Math.max(1, Number(largest?.minutes ?? 0)), 'weekly');
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
      await retargetOpenClocks(unit);
    });
    return execute(getSlaPolicies, deps, actor, {});
  },
});
