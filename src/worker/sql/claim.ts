/**
 * The two claims. A range of the log: one lease row and one cursor move for a whole batch, in
 * commit order, never handing a row to two loops. Retries: each row locked to the loop on its
 * own, due ones in run_at order, as every row was before the log. Rows come back in claim order
 * on every dialect.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type DialectName, nowSql, toJson } from '../../store/dialect.js';
import type { Database, Row } from '../../store/schema.js';
import { deleteRangeSql, holdLeaseSql } from './complete.js';

/** What a delivery needs of a log row, its payload as the stored JSON text; the rest is known. */
export type RangeRow = Pick<
  Row<'outbox'>,
  'id' | 'org_id' | 'event_id' | 'destination' | 'max_attempts' | 'errors_json' | 'created_at'
> & { readonly payload_text: string };
/**
 * PostgreSQL hands a range's rows back as one text (migrations/postgres/0014): rows separated by
 * U+001E, a row's fields by U+001F, in the order of RangeFields. One value to send and split
 * instead of 8 fields of 200 rows; JSON text holds neither character unescaped, and ids and
 * destination names never do.
 */
const ROW_SEPARATOR = '\x1e';
const FIELD_SEPARATOR = '\x1f';
/** A row's fields in the range text, in this order. */
type RangeFields = [
  id: string,
  org_id: string,
  event_id: string,
  destination: string,
  max_attempts: string,
  created_ms: string,
  errors_json: string,
  payload_json: string,
];
const RANGE_COLUMNS_OF_O = sql.raw(
  'o.id, o.org_id, o.event_id, o.destination, o.payload_json as payload_text, o.max_attempts, o.errors_json, o.created_at',
);

/**
 * A row of a leased range as the worker holds it: always a first attempt (a range taken back
 * becomes retry rows, each counting), held by `locked_by` since `locked_at`. Its payload stays
 * the stored JSON text until `payload_json` is read: a webhook posts the text as stored, and a
 * destination that reads no payload never parses it.
 */
export class LeasedRow implements Row<'outbox'> {
  readonly attempts = 1;
  readonly last_error = null;
  readonly is_retry = false;
  readonly run_at: Date;
  readonly updated_at: Date;
  #payload: Row<'outbox'>['payload_json'] | undefined;

  constructor(
    readonly id: string,
    readonly org_id: string,
    readonly event_id: string,
    readonly destination: string,
    readonly payload_text: string,
    readonly max_attempts: number,
    readonly errors_json: Row<'outbox'>['errors_json'],
    readonly created_at: Date,
    readonly locked_by: string,
    readonly locked_at: Date,
  ) {
    this.run_at = created_at;
    this.updated_at = created_at;
  }

  get payload_json(): Row<'outbox'>['payload_json'] {
    this.#payload ??= JSON.parse(this.payload_text) as Row<'outbox'>['payload_json'];
    return this.#payload;
  }
}

/** A row's payload as JSON text: a leased row's as stored, any other's written out. */
export function payloadText(row: Row<'outbox'>): string {
  return row instanceof LeasedRow ? row.payload_text : toJson(row.payload_json);
}

function leasedRow(row: RangeRow, workerId: string, now: Date): LeasedRow {
  const created = row.created_at instanceof Date ? row.created_at : new Date(row.created_at);
  return new LeasedRow(
    row.id,
    row.org_id,
    row.event_id,
    row.destination,
    row.payload_text,
    row.max_attempts,
    row.errors_json,
    created,
    workerId,
    now,
  );
}

export interface RangeRequest {
  readonly workerId: string;
  readonly leaseId: string;
  readonly batchSize: number;
  /**
   * A lease of this worker whose every row was delivered, completed with the claim (its rows
   * deleted, the lease with them): on PostgreSQL after the lease's commit, in the same call,
   * elsewhere in the claim's transaction. No round trip of its own.
   */
  readonly complete?: string | undefined;
}

/** A claimed range, and whether the lease to complete was still held (false when none was given). */
export interface ClaimedRange {
  readonly completed: boolean;
  readonly rows: LeasedRow[];
}

/**
 * PostgreSQL, one round trip: a call of the procedure `outbox_claim_range`
 * (migrations/postgres/0014), planned once per connection. Its first transaction locks the
 * cursor, finds where the next rows of the log end whose transaction is older than every
 * transaction of this database still running when the call began (the horizon: no row can
 * commit behind them any more), records the lease, moves the cursor past them and commits: the
 * cursor is locked only for that, so the claims of many loops overlap. Its second completes the
 * lease `complete` if this loop still holds it (its rows deleted with it) and reads the new
 * lease's rows as one text (ROW_SEPARATOR; null when the log had nothing committed). A procedure
 * commits only when called on its own, outside a transaction: this is never run inside one. A
 * connection lost between its two transactions leaves a lease this loop never saw; it is taken
 * back after the lease time, as a crashed worker's is, and its rows delivered then.
 *
 * The horizon is the oldest transaction in the call's snapshot that is not known to belong to
 * another database (those cannot write our tables): a transaction that ended since the snapshot
 * counts, to be safe; with none running it is the snapshot's xmax. So a long transaction in
 * another database of the cluster does not hold delivery back; one in this database does, until
 * it ends.
 */
export function claimRangePostgresSql({
  workerId,
  leaseId,
  batchSize,
  complete,
}: RangeRequest): RawBuilder<{ completed: number; range_rows: string | null }> {
  return sql<{ completed: number; range_rows: string | null }>`
    call outbox_claim_range(${workerId}, ${leaseId}, ${batchSize}::int, ${complete ?? null}, null, null)`;
}

/** The rows of a range's text, held by `workerId` since `now`. */
function parseRange(text: string, workerId: string, now: Date): LeasedRow[] {
  return text.split(ROW_SEPARATOR).map((line) => {
    const [id, orgId, eventId, destination, maxAttempts, createdMs, errors, payload] = line.split(
      FIELD_SEPARATOR,
    ) as RangeFields;
    return new LeasedRow(
      id,
      orgId,
      eventId,
      destination,
      payload,
      Number(maxAttempts),
      errors === '[]' ? [] : (JSON.parse(errors) as unknown[]),
      new Date(Number(createdMs)),
      workerId,
      now,
    );
  });
}

/**
 * SQLite and SQL Server, three statements in one transaction. The first records the lease from
 * the cursor to the last of the next `batchSize` rows (SQLite: one writer, so insert order is
 * commit order; SQL Server: only rowversions below MIN_ACTIVE_ROWVERSION(), all committed) and
 * holds the cursor until commit; the second moves the cursor; the third reads the range.
 */
export function leaseRangeSql(
  dialect: 'sqlite' | 'mssql',
  { workerId, leaseId, batchSize }: RangeRequest,
): RawBuilder<unknown> {
  if (dialect === 'mssql')
    return sql`
      insert into outbox_leases (id, from_txid, from_seq, to_txid, to_seq, locked_by, locked_at)
      select ${leaseId}, c.txid, 0, n.last, 0, ${workerId}, sysutcdatetime()
      from outbox_cursor c with (updlock, holdlock)
      cross apply (
        select top (1) t.txid as last from (
          select top (${batchSize}) txid from outbox
          where is_retry = 0 and txid > c.txid and txid < min_active_rowversion()
          order by txid
        ) t order by t.txid desc
      ) n
      where c.id = 1`;
  return sql`
    insert into outbox_leases (id, from_txid, from_seq, to_txid, to_seq, locked_by, locked_at)
    select ${leaseId}, 0, c.seq, 0, n.last, ${workerId}, ${nowSql('sqlite')}
    from outbox_cursor c, (
      select max(seq) as last from (
        select seq from outbox
        where is_retry = 0 and txid = 0 and seq > (select seq from outbox_cursor where id = 1)
        order by seq limit ${batchSize}
      )
    ) n
    where c.id = 1 and n.last is not null`;
}

export function advanceCursorSql(dialect: 'sqlite' | 'mssql', leaseId: string): RawBuilder<unknown> {
  if (dialect === 'mssql')
    return sql`
      update c set txid = l.to_txid
      from outbox_cursor c join outbox_leases l on l.id = ${leaseId}
      where c.id = 1`;
  return sql`
    update outbox_cursor set seq = (select to_seq from outbox_leases where id = ${leaseId})
    where id = 1`;
}

/** The log rows of a leased range, in log order. */
export function rangeRowsSql(dialect: 'sqlite' | 'mssql', leaseId: string): RawBuilder<RangeRow> {
  if (dialect === 'mssql')
    return sql<RangeRow>`
      select ${RANGE_COLUMNS_OF_O} from outbox o join outbox_leases l on l.id = ${leaseId}
      where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid
      order by o.txid`;
  return sql<RangeRow>`
    select ${RANGE_COLUMNS_OF_O} from outbox o join outbox_leases l on l.id = ${leaseId}
    where o.is_retry = 0 and o.txid = 0 and o.seq > l.from_seq and o.seq <= l.to_seq
    order by o.seq`;
}

/**
 * Leases the next range of the log to one loop (no rows, no lease), completing first the lease
 * given in `complete`.
 */
export async function claimRange(
  db: Kysely<Database>,
  dialect: DialectName,
  request: RangeRequest,
): Promise<ClaimedRange> {
  if (dialect === 'postgres') {
    const [claimed] = (await claimRangePostgresSql(request).execute(db)).rows;
    const text = claimed?.range_rows;
    return {
      completed: (claimed?.completed ?? 0) > 0,
      rows: text ? parseRange(text, request.workerId, new Date()) : [],
    };
  }
  return db.transaction().execute(async (tx) => {
    let completed = false;
    if (request.complete) {
      const held = await holdLeaseSql(dialect, request.workerId, request.complete).execute(tx);
      completed = Number(held.numAffectedRows ?? 0) > 0;
      if (completed) {
        await deleteRangeSql(dialect, request.complete).execute(tx);
        await tx.deleteFrom('outbox_leases').where('id', '=', request.complete).execute();
      }
    }
    const leased = await leaseRangeSql(dialect, request).execute(tx);
    if (!leased.numAffectedRows) return { completed, rows: [] };
    await advanceCursorSql(dialect, request.leaseId).execute(tx);
    const now = new Date();
    const rows = (await rangeRowsSql(dialect, request.leaseId).execute(tx)).rows;
    return { completed, rows: rows.map((row) => leasedRow(row, request.workerId, now)) };
  });
}

export interface RetryClaimRequest {
  readonly workerId: string;
  readonly batchSize: number;
}

/**
 * Claims up to `batchSize` due, unlocked retry rows for one loop, in run_at order, and counts the
 * attempt. Rows locked by another transaction are skipped, never waited for.
 */
export function claimRetriesSql(
  dialect: DialectName,
  { workerId, batchSize }: RetryClaimRequest,
): RawBuilder<Row<'outbox'>> {
  switch (dialect) {
    case 'postgres':
      return sql<Row<'outbox'>>`
        with next as (
          select id from outbox
          where is_retry and locked_at is null and run_at <= now()
          order by run_at, id
          limit ${batchSize}
          for update skip locked
        )
        update outbox as o
        set locked_by = ${workerId}, locked_at = now(), attempts = o.attempts + 1, updated_at = now()
        from next
        where o.id = next.id
        returning o.*`;
    case 'mssql':
      return sql<Row<'outbox'>>`
        with next as (
          select top (${batchSize}) *
          from outbox with (rowlock, updlock, readpast)
          where is_retry = 1 and locked_at is null and run_at <= sysutcdatetime()
          order by run_at, id
        )
        update next
        set locked_by = ${workerId}, locked_at = sysutcdatetime(), attempts = attempts + 1,
            updated_at = sysutcdatetime()
        output inserted.*`;
    case 'sqlite':
      // Run inside the store's BEGIN IMMEDIATE transaction: one writer at a time owns the file.
      return sql<Row<'outbox'>>`
        update outbox
        set locked_by = ${workerId}, locked_at = ${nowSql('sqlite')}, attempts = attempts + 1,
            updated_at = ${nowSql('sqlite')}
        where id in (
          select id from outbox
          where is_retry = 1 and locked_at is null and run_at <= ${nowSql('sqlite')}
          order by run_at, id
          limit ${batchSize}
        )
        returning *`;
  }
}

export async function claimRetries(
  db: Kysely<Database>,
  dialect: DialectName,
  request: RetryClaimRequest,
): Promise<Row<'outbox'>[]> {
  const claim = claimRetriesSql(dialect, request);
  const rows =
    dialect === 'sqlite'
      ? await db.transaction().execute(async (tx) => (await claim.execute(tx)).rows)
      : (await claim.execute(db)).rows;
  // SQLite's RETURNING order is unspecified; every dialect hands rows back in claim order.
  return rows.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : 1));
}
