/**
 * Writes new due and warning times to a batch of SLA clocks in one statement: a VALUES list of
 * (id, due_at, warn_at, policy_id) joined to sla_clocks. Re-targeting after a policy or calendar
 * change writes every open clock of an org, so one statement per batch rather than one per clock.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from '../../store/dialect.js';

export interface RetargetedClock {
  readonly id: string;
  readonly dueAt: Date;
  readonly warnAt: Date;
  readonly policyId: string;
}

/** Four parameters a clock and one for the time: SQL Server takes at most 2,100 a statement. */
export const RETARGET_BATCH = 500;

export function retargetClocksSql(
  dialect: DialectName,
  clocks: readonly RetargetedClock[],
  now: Date,
): RawBuilder<unknown> {
  if (clocks.length === 0 || clocks.length > RETARGET_BATCH) {
    throw new RangeError(`retargetClocksSql takes 1 to ${RETARGET_BATCH} clocks, not ${clocks.length}`);
  }
  const rows = sql.join(
    clocks.map((clock) => sql`(${clock.id}, ${clock.dueAt}, ${clock.warnAt}, ${clock.policyId})`),
  );
  switch (dialect) {
    case 'postgres':
      return sql`
        update sla_clocks as k
        set due_at = v.due_at::timestamptz, warn_at = v.warn_at::timestamptz, policy_id = v.policy_id,
            updated_at = ${now}
        from (values ${rows}) as v(id, due_at, warn_at, policy_id)
        where k.id = v.id`;
    case 'mssql':
      return sql`
        update k
        set due_at = v.due_at, warn_at = v.warn_at, policy_id = v.policy_id, updated_at = ${now}
        from sla_clocks as k
        join (values ${rows}) as v(id, due_at, warn_at, policy_id) on k.id = v.id`;
    case 'sqlite':
      return sql`
        with v(id, due_at, warn_at, policy_id) as (values ${rows})
        update sla_clocks
        set due_at = v.due_at, warn_at = v.warn_at, policy_id = v.policy_id, updated_at = ${now}
        from v
        where sla_clocks.id = v.id`;
  }
}
