/**
 * What is in flight: every log row inside a leased range and every locked retry row, with who
 * holds it since when. For `outbox stats`, for releasing what dead processes held, and for tests.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DialectName } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';

export interface Held {
  readonly id: string;
  readonly event_id: string;
  readonly locked_by: string;
  readonly locked_at: Date;
}

export function heldSql(dialect: DialectName): RawBuilder<Held> {
  const range =
    dialect === 'postgres'
      ? sql`not o.is_retry and (o.txid, o.seq) > (l.from_txid, l.from_seq) and (o.txid, o.seq) <= (l.to_txid, l.to_seq)`
      : dialect === 'mssql'
        ? sql`o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid`
        : sql`o.is_retry = 0 and o.txid = 0 and o.seq > l.from_seq and o.seq <= l.to_seq`;
  return sql<Held>`
    select o.id, o.event_id, l.locked_by, l.locked_at from outbox o join outbox_leases l on ${range}
    union all
    select id, event_id, locked_by, locked_at from outbox where locked_by is not null`;
}

export async function held(db: Kysely<Database>, dialect: DialectName): Promise<Held[]> {
  return (await heldSql(dialect).execute(db)).rows;
}

/** The holders (worker loop ids) of leases and locked retry rows. */
export async function holders(db: Kysely<Database>): Promise<string[]> {
  const leases = await db.selectFrom('outbox_leases').select('locked_by').distinct().execute();
  const rows = await db
    .selectFrom('outbox')
    .select('locked_by')
    .distinct()
    .where('locked_by', 'is not', null)
    .execute();
  return [...new Set([...leases, ...rows].map((row) => row.locked_by).filter((by): by is string => !!by))];
}
