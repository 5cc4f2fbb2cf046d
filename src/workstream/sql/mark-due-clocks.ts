/**
 * The SLA sweep's statement: mark clocks whose warning or due time has passed, each exactly once.
 * One file per SQL operation of the SLA feature, with its variant for each dialect.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from '../../store/dialect.js';
import type { Row } from '../../store/schema.js';

export type ClockMark = 'warned_at' | 'breached_at';
const MARKED_BY: Record<ClockMark, 'warn_at' | 'due_at'> = { warned_at: 'warn_at', breached_at: 'due_at' };

/** What the sweep needs of a marked clock to write its event. */
export type MarkedClock = Pick<
  Row<'sla_clocks'>,
  'id' | 'org_id' | 'kind' | 'entity_type' | 'entity_id' | 'started_at' | 'warn_at' | 'due_at'
>;
const MARKED_COLUMNS = sql.raw('id, org_id, kind, entity_type, entity_id, started_at, warn_at, due_at');
const MARKED_INSERTED = sql.raw(
  'inserted.id, inserted.org_id, inserted.kind, inserted.entity_type, inserted.entity_id, inserted.started_at, inserted.warn_at, inserted.due_at',
);

/**
 * Marks up to `limit` running clocks whose warning (or due) time is at or before `now` and that
 * are not yet marked, and returns them. Concurrent sweeps skip each other's rows (PostgreSQL,
 * SQL Server) or wait for the file lock (SQLite); the mark is re-checked in the update, so a
 * clock is marked once however many sweeps run. On PostgreSQL the rows are locked in a
 * materialised CTE and the update joins it, so every row the statement locks is the row it
 * updates: with the locking subquery inside `id in (…)`, a row whose other mark another sweep had
 * just committed could be locked by the re-check of the update and yet not updated, left unmarked
 * for every sweep of that moment (seen as clocks warned but not breached after four concurrent
 * sweeps). Reads through the partial index on
 * (state, warn_at|due_at) where the mark is null, so its cost follows the clocks falling due.
 */
export function markDueClocksSql(
  dialect: DialectName,
  mark: ClockMark,
  now: Date,
  limit: number,
): RawBuilder<MarkedClock> {
  const marked = sql.ref(mark);
  const time = sql.ref(MARKED_BY[mark]);
  switch (dialect) {
    case 'postgres':
      return sql<MarkedClock>`
        with next as materialized (
          select id as next_id from sla_clocks
          where state = 'running' and ${marked} is null and ${time} <= ${now}
          order by ${time}
          limit ${limit}
          for update skip locked
        )
        update sla_clocks set ${marked} = ${now}, updated_at = ${now}
        from next
        where id = next.next_id and ${marked} is null
        returning ${MARKED_COLUMNS}`;
    case 'mssql':
      return sql<MarkedClock>`
        with next as (
          select top (${limit}) * from sla_clocks with (rowlock, updlock, readpast)
          where state = 'running' and ${marked} is null and ${time} <= ${now}
          order by ${time}
        )
        update next set ${marked} = ${now}, updated_at = ${now}
        output ${MARKED_INSERTED}`;
    case 'sqlite':
      return sql<MarkedClock>`
        update sla_clocks set ${marked} = ${now}, updated_at = ${now}
        where id in (
          select id from sla_clocks
          where state = 'running' and ${marked} is null and ${time} <= ${now}
          order by ${time}
          limit ${limit}
        )
        returning ${MARKED_COLUMNS}`;
  }
}
