/**
 * Failed deliveries. A failure schedules the row again after a backoff, keeping every attempt's
 * error; a row from a range leaves the log and becomes a retry row. The last attempt, or a
 * permanent refusal, moves the row to the dead letters. A delivery abandoned at shutdown is
 * handed back without counting the attempt.
 */
import type { Kysely, Transaction } from 'kysely';
import { type DialectName, nowPlusSql, nowSql, toJson } from '../../store/dialect.js';
import type { Database, Row } from '../../store/schema.js';
import { payloadText } from './claim.js';

export interface AttemptError {
  readonly attempt: number;
  readonly at: string;
  readonly error: string;
}

type Db = Kysely<Database> | Transaction<Database>;

function attemptError(row: Row<'outbox'>, error: string): AttemptError {
  return { attempt: row.attempts, at: new Date().toISOString(), error };
}

/**
 * Schedules another attempt after `delayMs` of database time. With `workerId`, only if that loop
 * still holds the row (a retry row); without, inside a transaction that holds the row's lease.
 */
export async function retryLater(
  db: Db,
  dialect: DialectName,
  row: Row<'outbox'>,
  error: string,
  delayMs: number,
  workerId?: string,
): Promise<boolean> {
  let update = db
    .updateTable('outbox')
    .set({
      is_retry: true,
      attempts: row.attempts,
      locked_by: null,
      locked_at: null,
      run_at: nowPlusSql(dialect, delayMs),
      last_error: error,
      errors_json: toJson([...row.errors_json, attemptError(row, error)]),
      updated_at: nowSql(dialect),
    })
    .where('id', '=', row.id);
  if (workerId !== undefined) update = update.where('locked_by', '=', workerId);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Moves a row that will not succeed to the dead letters, with every attempt's error. */
export async function deadLetter(
  tx: Transaction<Database>,
  dialect: DialectName,
  row: Row<'outbox'>,
  error: string,
  workerId?: string,
): Promise<boolean> {
  let remove = tx.deleteFrom('outbox').where('id', '=', row.id);
  if (workerId !== undefined) remove = remove.where('locked_by', '=', workerId);
  const removed = await remove.executeTakeFirst();
  if (removed.numDeletedRows === 0n) return false;
  await tx
    .insertInto('dead_letters')
    .values({
      id: row.id,
      org_id: row.org_id,
      event_id: row.event_id,
      destination: row.destination,
      payload_json: payloadText(row),
      attempts: row.attempts,
      errors_json: toJson([...row.errors_json, attemptError(row, error)]),
      last_error: error,
      created_at: row.created_at,
      dead_at: nowSql(dialect),
    })
    .execute();
  return true;
}

/**
 * Hands rows back without counting the attempt (graceful shutdown): retry rows this loop holds,
 * or (without `workerId`, inside a transaction holding the lease) rows of a range, which become
 * retry rows due now.
 */
export async function release(
  db: Db,
  dialect: DialectName,
  ids: readonly string[],
  workerId?: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  let update =
    workerId === undefined
      ? db
          .updateTable('outbox')
          .set({ is_retry: true, attempts: 0, run_at: nowSql(dialect), locked_by: null, locked_at: null })
          .where('id', 'in', ids)
      : db
          .updateTable('outbox')
          .set((eb) => ({ locked_by: null, locked_at: null, attempts: eb('attempts', '-', 1) }))
          .where('id', 'in', ids);
  if (workerId !== undefined) update = update.where('locked_by', '=', workerId);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
