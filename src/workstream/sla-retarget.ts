/**
 * Re-targets every open SLA clock of an org after its rules changed (a policy or the business
 * calendar), in pages: each page of clocks is read by key, its times computed, and written with one
 * statement, and the event loop gets a turn between pages, so other calls and /healthz are answered
 * while an org with 100,000 running clocks is re-targeted. The whole run is still one transaction
 * of the command that changed the rules.
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { BusinessCalendar, Calendar } from '../domain/calendar.js';
import type { Priority } from '../domain/priority.js';
import type { SlaKind } from '../domain/sla.js';
import { limitRows } from '../store/dialect.js';
import { type Policy, schedule } from './sla.js';
import { RETARGET_BATCH, type RetargetedClock, retargetClocksSql } from './sql/retarget-clocks.js';
import type { Unit } from './unit-of-work.js';

/** Every policy of the org, by kind and priority (`any` the fallback), read once for the whole run. */
async function policiesOf(unit: Unit): Promise<(kind: SlaKind, priority: Priority) => Policy | undefined> {
  const rows = await unit.db
    .selectFrom('sla_policies as p')
    .leftJoin('business_calendars as c', 'c.id', 'p.calendar_id')
    .select([
      'p.id',
      'p.kind',
      'p.priority',
      'p.target_minutes',
      'p.warn_percent',
      'c.time_zone',
      'c.weekly_json',
      'c.holidays_json',
    ])
    .where('p.org_id', '=', unit.orgId)
    .execute();
  const policies = new Map<string, Policy>();
  for (const row of rows) {
    const calendar: Calendar =
      row.time_zone && row.weekly_json
        ? // The JSON columns hold what validateCalendar accepted when the calendar was saved.
          ({
            timeZone: row.time_zone,
            weekly: row.weekly_json,
            holidays: row.holidays_json ?? [],
          } as BusinessCalendar)
        : null;
    policies.set(`${row.kind}/${row.priority}`, {
      id: row.id,
      targetMinutes: row.target_minutes,
      warnPercent: row.warn_percent,
      calendar,
    });
  }
  return (kind, priority) => policies.get(`${kind}/${priority}`) ?? policies.get(`${kind}/any`);
}

/** Re-targets the org's running and paused clocks (of one kind, or all), by each entity's current priority. */
export async function retargetOpenClocks(unit: Unit, kind?: SlaKind): Promise<number> {
  const policyFor = await policiesOf(unit);
  let after = '';
  let written = 0;
  for (;;) {
    let page = unit.db
      .selectFrom('sla_clocks as k')
      .leftJoin('candidates as c', (join) =>
        join.onRef('c.id', '=', 'k.entity_id').on('k.entity_type', '=', 'candidate'),
      )
      .leftJoin('pursuits as p', (join) =>
        join.onRef('p.id', '=', 'k.entity_id').on('k.entity_type', '=', 'pursuit'),
      )
      .select([
        'k.id',
        'k.kind',
        'k.started_at',
        'k.paused_minutes',
        'c.priority as candidate_priority',
        'p.priority as pursuit_priority',
      ])
      .where('k.org_id', '=', unit.orgId)
      .where('k.state', 'in', ['running', 'paused'])
      .where('k.id', '>', after)
      .orderBy('k.id');
    if (kind) page = page.where('k.kind', '=', kind);
    const clocks = await limitRows(unit.dialect, page, RETARGET_BATCH).execute();
    const retargeted: RetargetedClock[] = [];
    for (const clock of clocks) {
      const policy = policyFor(clock.kind, clock.candidate_priority ?? clock.pursuit_priority ?? 'medium');
      if (!policy) continue;
      const times = schedule(policy, clock.started_at, clock.paused_minutes);
      retargeted.push({ id: clock.id, dueAt: times.due_at, warnAt: times.warn_at, policyId: policy.id });
    }
    if (retargeted.length > 0) await retargetClocksSql(unit.dialect, retargeted, unit.now).execute(unit.db);
    written += retargeted.length;
    const last = clocks[clocks.length - 1];
    if (last === undefined || clocks.length < RETARGET_BATCH) return written;
    after = last.id;
    await turn();
  }
}
