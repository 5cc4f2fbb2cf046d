/**
 * Taking back what a stalled or dead worker held. A lease older than the lease time (or held by
 * a process known to be gone) is dissolved: the rows of its range become retry rows due now,
 * each counting the attempt that was in flight, so a row that kills its worker reaches the dead
 * letters on its own count instead of taking its range down again. A retry row's stale lock is
 * simply lifted. Either way the old holder's settlement is fenced out.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type DialectName, limitRows, nowPlusSql, nowSql } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';

/** Which holds to take back: those older than a lease time, or those of the named holders. */
export type Stale = { readonly olderThanMs: number } | { readonly heldBy: readonly string[] };

/**
 * Turns the log rows of a lease's range into retry rows due now, returning their ids. Run after
 * `lockStaleLeaseSql` in the same transaction (the lease row is locked before its rows).
 */
export function dissolveRangeSql(dialect: DialectName, leaseId: string): RawBuilder<{ id: string }> {
  switch (dialect) {
    case 'postgres':
      return sql<{ id: string }>`
        update outbox o
        set is_retry = true, attempts = l.attempts, run_at = now(), locked_by = null, locked_at = null,
            updated_at = now()
        from outbox_leases l
        where l.id = ${leaseId} and not o.is_retry
          and (o.txid, o.seq) > (l.from_txid, l.from_seq) and (o.txid, o.seq) <= (l.to_txid, l.to_seq)
        returning o.id`;
    case 'mssql':
      return sql<{ id: string }>`
        update o
        set is_retry = 1, attempts = l.attempts, run_at = sysutcdatetime(), locked_by = null,
            locked_at = null, updated_at = sysutcdatetime()
        output inserted.id
        from outbox o join outbox_leases l on l.id = ${leaseId}
        where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid`;
    case 'sqlite':
      return sql<{ id: string }>`
        update outbox
        set is_retry = 1, attempts = (select attempts from outbox_leases where id = ${leaseId}),
            run_at = ${nowSql('sqlite')}, locked_by = null, locked_at = null, updated_at = ${nowSql('sqlite')}
        where is_retry = 0 and txid = 0
          and seq > (select from_seq from outbox_leases where id = ${leaseId})
          and seq <= (select to_seq from outbox_leases where id = ${leaseId})
        returning id`;
  }
}

/** Locks one lease if it is still stale (re-checked: a lease renewed meanwhile stays). */
export function lockStaleLeaseSql(
  dialect: DialectName,
  leaseId: string,
  stale: Stale,
): RawBuilder<{ id: string }> {
  const hint = dialect === 'mssql' ? sql` with (updlock, rowlock)` : sql``;
  const lock = dialect === 'postgres' ? sql` for update` : sql``;
  const which =
    'olderThanMs' in stale
      ? sql`locked_at < ${nowPlusSql(dialect, -stale.olderThanMs)}`
      : sql`locked_by in (${sql.join(stale.heldBy)})`;
  return sql<{ id: string }>`select id from outbox_leases${hint} where id = ${leaseId} and ${which}${lock}`;
}

/** Dissolves up to `limit` stale leases; returns the ids of the rows they held. */
export async function reclaimLeases(
  db: Kysely<Database>,
  dialect: DialectName,
  stale: Stale,
  limit: number,
): Promise<string[]> {
  if ('heldBy' in stale && stale.heldBy.length === 0) return [];
  let candidates = db.selectFrom('outbox_leases').select('id').orderBy('locked_at');
  candidates =
    'olderThanMs' in stale
      ? candidates.where('locked_at', '<', nowPlusSql(dialect, -stale.olderThanMs))
      : candidates.where('locked_by', 'in', stale.heldBy);
  const leases = await limitRows(dialect, candidates, limit).execute();
  const ids: string[] = [];
  for (const { id } of leases) ids.push(...(await dissolveLease(db, dialect, id, stale)));
  return ids;
}

/** Dissolves one lease if it is still stale, in one transaction; returns the ids of the rows it held. */
export function dissolveLease(
  db: Kysely<Database>,
  dialect: DialectName,
  leaseId: string,
  stale: Stale,
): Promise<string[]> {
  return db.transaction().execute(async (tx) => {
    const locked = await lockStaleLeaseSql(dialect, leaseId, stale).execute(tx);
    if (locked.rows.length === 0) return [];
    const dissolved = await dissolveRangeSql(dialect, leaseId).execute(tx);
    await tx.deleteFrom('outbox_leases').where('id', '=', leaseId).execute();
    return dissolved.rows.map((row) => row.id);
  });
}

/** Unlocks up to `limit` stale retry rows; returns their ids. */
export async function reclaimRetries(
  db: Kysely<Database>,
  dialect: DialectName,
  stale: Stale,
  limit: number,
): Promise<string[]> {
  if ('heldBy' in stale && stale.heldBy.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    let select = tx.selectFrom('outbox').select('id').orderBy('locked_at');
    select =
      'olderThanMs' in stale
        ? select.where('locked_at', '<', nowPlusSql(dialect, -stale.olderThanMs))
        : select.where('locked_by', 'in', stale.heldBy);
    const ids = (await limitRows(dialect, select, limit).execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    // Checked again in the update: a lock renewed since the select keeps its row.
    let update = tx.updateTable('outbox').set({ locked_by: null, locked_at: null }).where('id', 'in', ids);
    update =
      'olderThanMs' in stale
        ? update.where('locked_at', '<', nowPlusSql(dialect, -stale.olderThanMs))
        : update.where('locked_by', 'in', stale.heldBy);
    await update.execute();
    return ids;
  });
}
