/**
 * Completing deliveries. A range: its delivered rows are deleted in one statement by the range's
 * bounds, and its lease with them, fenced on the lease holder. A retry row: deleted by id, fenced
 * on its own lock.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type DialectName, nowSql } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';

/**
 * PostgreSQL, one statement: deletes the lease if this loop still holds it, and with it the log
 * rows of its range. Deletes nothing when the lease was taken back.
 */
export function completeRangePostgresSql(workerId: string, leaseId: string): RawBuilder<unknown> {
  return sql`
    with lease as (
      delete from outbox_leases where id = ${leaseId} and locked_by = ${workerId} returning *
    )
    delete from outbox o using lease
    where not o.is_retry
      and (o.txid, o.seq) > (lease.from_txid, lease.from_seq)
      and (o.txid, o.seq) <= (lease.to_txid, lease.to_seq)`;
}

/** Takes the lease's row lock and renews it, if this loop still holds it: the fence of a settlement. */
export function holdLeaseSql(dialect: DialectName, workerId: string, leaseId: string): RawBuilder<unknown> {
  return sql`update outbox_leases set locked_at = ${nowSql(dialect)} where id = ${leaseId} and locked_by = ${workerId}`;
}

/** Deletes the log rows still in a lease's range (failed ones have left it as retries). */
export function deleteRangeSql(dialect: DialectName, leaseId: string): RawBuilder<unknown> {
  switch (dialect) {
    case 'postgres':
      return sql`
        delete from outbox o using outbox_leases l
        where l.id = ${leaseId} and not o.is_retry
          and (o.txid, o.seq) > (l.from_txid, l.from_seq) and (o.txid, o.seq) <= (l.to_txid, l.to_seq)`;
    case 'mssql':
      return sql`
        delete o from outbox o join outbox_leases l on l.id = ${leaseId}
        where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid`;
    case 'sqlite':
      return sql`
        delete from outbox
        where is_retry = 0 and txid = 0
          and seq > (select from_seq from outbox_leases where id = ${leaseId})
          and seq <= (select to_seq from outbox_leases where id = ${leaseId})`;
  }
}

/**
 * Completes a range whose every row was delivered; returns false when the lease was taken back
 * (its rows are then another loop's to deliver again).
 */
export async function completeRange(
  db: Kysely<Database>,
  dialect: DialectName,
  workerId: string,
  leaseId: string,
): Promise<boolean> {
  if (dialect === 'postgres')
    return Number((await completeRangePostgresSql(workerId, leaseId).execute(db)).numAffectedRows ?? 0) > 0;
  return db.transaction().execute(async (tx) => {
    const held = await holdLeaseSql(dialect, workerId, leaseId).execute(tx);
    if (!held.numAffectedRows) return false;
    await deleteRangeSql(dialect, leaseId).execute(tx);
    await tx.deleteFrom('outbox_leases').where('id', '=', leaseId).execute();
    return true;
  });
}

/** Deletes delivered retry rows this loop still holds; returns how many it held. */
export async function completeRetries(
  db: Kysely<Database>,
  workerId: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('outbox')
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
