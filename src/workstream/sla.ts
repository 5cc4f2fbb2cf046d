/**
 * SLA clocks as the lifecycle moves them (docs/slas.md): triage runs from a candidate's
 * creation to its first touch, proposal from promotion to submission (paused while on hold),
 * response from a proposal being sent to the follow-up after it. Due and warning times are
 * counted in the policy's business calendar; a paused clock's due time moves by the working
 * time it was paused.
 */
import {
  addWorkingMinutes,
  type BusinessCalendar,
  type Calendar,
  workingMinutesBetween,
} from '../domain/calendar.js';
import { newId } from '../domain/ids.js';
import type { Priority } from '../domain/priority.js';
import type { SlaKind } from '../domain/sla.js';
import type { Db } from './deps.js';
import { OPEN_CLOCK } from './today-order.js';
import type { Unit } from './unit-of-work.js';

export type ClockEntity = 'candidate' | 'pursuit';

/** A clock's record kind from its id; every lookup names it, the leading column of the entity index. */
function entityOf(entityId: string): ClockEntity {
  return entityId.startsWith('pur_') ? 'pursuit' : 'candidate';
}

/**
 * The open clocks of one record, through the partial unique index on (entity_type, entity_id,
 * kind) where the clock is open; the caller's org is checked on top. Noting the record makes the
 * unit recompute its Today Panel place before it commits.
 */
function openClocksOf(unit: Unit, entityId: string) {
  const entityType = entityOf(entityId);
  unit.touch(entityType, entityId);
  return { entityType, orgId: unit.orgId };
}

/** What a new organization starts with; admins change them with set_sla_policy. */
export const DEFAULT_SLA_POLICIES: readonly {
  kind: SlaKind;
  priority: Priority | 'any';
  targetHours: number;
}[] = [
  { kind: 'triage', priority: 'urgent', targetHours: 2 },
  { kind: 'triage', priority: 'high', targetHours: 4 },
  { kind: 'triage', priority: 'any', targetHours: 8 },
  { kind: 'triage', priority: 'low', targetHours: 24 },
  { kind: 'proposal', priority: 'any', targetHours: 80 },
  { kind: 'response', priority: 'any', targetHours: 16 },
];

export interface Policy {
  readonly id: string;
  readonly targetMinutes: number;
  readonly warnPercent: number;
  readonly calendar: Calendar;
}

/** The policy for a kind at a priority: the priority's own, else the kind's `any`; none means no clock. */
export async function policyFor(
  db: Db,
  orgId: string,
  kind: SlaKind,
  priority: Priority,
): Promise<Policy | null> {
  const rows = await db
    .selectFrom('sla_policies as p')
    .leftJoin('business_calendars as c', 'c.id', 'p.calendar_id')
    .select([
      'p.id',
      'p.priority',
      'p.target_minutes',
      'p.warn_percent',
      'c.time_zone',
      'c.weekly_json',
      'c.holidays_json',
    ])
    .where('p.org_id', '=', orgId)
    .where('p.kind', '=', kind)
    .where('p.priority', 'in', [priority, 'any'])
    .execute();
  const row = rows.find((r) => r.priority === priority) ?? rows.find((r) => r.priority === 'any');
  if (!row) return null;
  const calendar: Calendar =
    row.time_zone && row.weekly_json
      ? // The JSON columns hold what validateCalendar accepted when the calendar was saved.
        ({
          timeZone: row.time_zone,
          weekly: row.weekly_json,
          holidays: row.holidays_json ?? [],
        } as BusinessCalendar)
      : null;
  return { id: row.id, targetMinutes: row.target_minutes, warnPercent: row.warn_percent, calendar };
}

/** Due and warning times of a clock: the target, plus the working time it spent paused, from its start. */
export function schedule(
  policy: Policy,
  startedAt: Date,
  pausedMinutes: number,
): { due_at: Date; warn_at: Date } {
  return {
    due_at: addWorkingMinutes(policy.calendar, startedAt, policy.targetMinutes + pausedMinutes),
    warn_at: addWorkingMinutes(
      policy.calendar,
      startedAt,
      (policy.targetMinutes * policy.warnPercent) / 100 + pausedMinutes,
    ),
  };
}

export async function startClock(
  unit: Unit,
  kind: SlaKind,
  entityType: ClockEntity,
  entityId: string,
  priority: Priority,
): Promise<void> {
  const policy = await policyFor(unit.db, unit.orgId, kind, priority);
  if (!policy) return;
  unit.touch(entityType, entityId);
  await unit.db
    .insertInto('sla_clocks')
    .values({
      id: newId('clk', unit.now),
      org_id: unit.orgId,
      kind,
      entity_type: entityType,
      entity_id: entityId,
      policy_id: policy.id,
      started_at: unit.now,
      ...schedule(policy, unit.now, 0),
      created_at: unit.now,
      updated_at: unit.now,
    })
    .execute();
}

function openClock(unit: Unit, kind: SlaKind, entityId: string) {
  const { entityType, orgId } = openClocksOf(unit, entityId);
  return unit.db
    .selectFrom('sla_clocks')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('kind', '=', kind)
    .where(OPEN_CLOCK)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

/** The clock's goal was reached. A clock that breached first stays breached in the compliance figures. */
export async function meetClock(unit: Unit, kind: SlaKind, entityId: string): Promise<void> {
  const { entityType, orgId } = openClocksOf(unit, entityId);
  await unit.db
    .updateTable('sla_clocks')
    .set({ state: 'met', met_at: unit.now, paused_at: null, updated_at: unit.now })
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('kind', '=', kind)
    .where(OPEN_CLOCK)
    .where('org_id', '=', orgId)
    .execute();
}

export async function cancelClocks(unit: Unit, kinds: readonly SlaKind[], entityId: string): Promise<void> {
  const { entityType, orgId } = openClocksOf(unit, entityId);
  await unit.db
    .updateTable('sla_clocks')
    .set({ state: 'cancelled', cancelled_at: unit.now, updated_at: unit.now })
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('kind', 'in', kinds)
    .where(OPEN_CLOCK)
    .where('org_id', '=', orgId)
    .execute();
}

export async function pauseClock(unit: Unit, kind: SlaKind, entityId: string): Promise<void> {
  const { entityType, orgId } = openClocksOf(unit, entityId);
  await unit.db
    .updateTable('sla_clocks')
    .set({ state: 'paused', paused_at: unit.now, updated_at: unit.now })
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('kind', '=', kind)
    .where(OPEN_CLOCK)
    .where('state', '=', 'running')
    .where('org_id', '=', orgId)
    .execute();
}

/** Resumes a paused clock; its due and warning times move by the working time it was paused. */
export async function resumeClock(
  unit: Unit,
  kind: SlaKind,
  entityId: string,
  priority: Priority,
): Promise<void> {
  const clock = await openClock(unit, kind, entityId);
  if (clock?.state !== 'paused' || !clock.paused_at) return;
  const policy = await policyFor(unit.db, unit.orgId, kind, priority);
  if (!policy) return;
  const pausedMinutes =
    clock.paused_minutes + workingMinutesBetween(policy.calendar, clock.paused_at, unit.now);
  await unit.db
    .updateTable('sla_clocks')
    .set({
      state: 'running',
      paused_at: null,
      paused_minutes: Math.round(pausedMinutes),
      ...schedule(policy, clock.started_at, Math.round(pausedMinutes)),
      updated_at: unit.now,
    })
    .where('id', '=', clock.id)
    .execute();
}

/**
 * Re-targets an entity's open clocks (its priority or the policy changed), keeping their start
 * and paused time. Warnings and breaches already emitted stay emitted (each happens once); ones
 * the new times bring into the past are emitted by the next sweep.
 */
export async function retargetClocks(unit: Unit, entityId: string, priority: Priority): Promise<void> {
  const { entityType, orgId } = openClocksOf(unit, entityId);
  const clocks = await unit.db
    .selectFrom('sla_clocks')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where(OPEN_CLOCK)
    .where('org_id', '=', orgId)
    .execute();
  for (const clock of clocks) {
    const policy = await policyFor(unit.db, unit.orgId, clock.kind, priority);
    if (!policy) continue;
    const times = schedule(policy, clock.started_at, clock.paused_minutes);
    await unit.db
      .updateTable('sla_clocks')
      .set({
        ...times,
        policy_id: policy.id,
        updated_at: unit.now,
      })
      .where('id', '=', clock.id)
      .execute();
  }
}
