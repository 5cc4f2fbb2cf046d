/**
 * Every difference between SQLite, PostgreSQL and SQL Server, each a named function, so a
 * reader sees in one place what each database does differently. Nothing outside src/store
 * branches on the dialect.
 */
import {
  type InsertQueryBuilder,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RawBuilder,
  type RootOperationNode,
  type SelectQueryBuilder,
  sql,
  type UnknownRow,
  type UpdateQueryBuilder,
} from 'kysely';
import type { Database, Row } from './schema.js';

export const DIALECTS = ['sqlite', 'postgres', 'mssql'] as const;
export type DialectName = (typeof DIALECTS)[number];

// ---------------------------------------------------------------------------------------------
// Values in and out: one shape of row on every dialect.
// ---------------------------------------------------------------------------------------------

/** JSON columns (`*_json`) are written as text on every dialect (pg would turn arrays into SQL arrays). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * SQLite stores timestamps as ISO-8601 UTC text with milliseconds, which sorts as time does and
 * matches what `strftime('%Y-%m-%dT%H:%M:%fZ')` produces inside the database.
 */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString();
}

/** better-sqlite3 binds neither Date nor boolean: the stored forms (bound so by src/store/connect.ts). */
export function toSqliteValue(value: unknown): unknown {
  if (value instanceof Date) return sqliteTimestamp(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** What a column's name says its value is (the conventions below), learnt once per name. */
enum Convention {
  None,
  Time,
  Json,
  Flag,
}
const conventions = new Map<string, Convention>();

function conventionOf(key: string): Convention {
  let convention = conventions.get(key);
  if (convention === undefined) {
    convention = key.endsWith('_at')
      ? Convention.Time
      : key.endsWith('_json')
        ? Convention.Json
        : key.startsWith('is_')
          ? Convention.Flag
          : Convention.None;
    // Column names and aliases are the schema's and the code's: a bounded set.
    if (conventions.size < 10_000) conventions.set(key, convention);
  }
  return convention;
}

/**
 * Reads rows into one shape by the schema's column-name conventions: `*_at` is a timestamp,
 * `is_*` a boolean, `*_json` a JSON document. pg already parses jsonb, timestamptz and boolean;
 * tedious parses datetime2 and bit; SQLite returns text and integers for all three. The row is
 * the driver's own object, converted in place.
 */
export function normaliseRow(row: UnknownRow): UnknownRow {
  for (const key in row) {
    const value = row[key];
    if (value === null) continue;
    switch (conventionOf(key)) {
      case Convention.Time:
        if (typeof value === 'string') row[key] = new Date(value);
        break;
      case Convention.Json:
        if (typeof value === 'string') row[key] = JSON.parse(value);
        break;
      case Convention.Flag:
        if (typeof value === 'number') row[key] = value !== 0;
        break;
    }
  }
  return row;
}

/** Rows read into one shape on every dialect (values bound are the connection's: src/store/connect.ts). */
export class RowConventionsPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) normaliseRow(row);
    return args.result;
  }
}

// ---------------------------------------------------------------------------------------------
// Time: the database's clock, for leases and retries shared by many processes.
// ---------------------------------------------------------------------------------------------

/** The database's current UTC time as an SQL expression. */
export function nowSql(dialect: DialectName): RawBuilder<Date> {
  switch (dialect) {
    case 'postgres':
      return sql<Date>`now()`;
    case 'mssql':
      return sql<Date>`sysutcdatetime()`;
    case 'sqlite':
      return sql<Date>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
  }
}

/** The database's current time plus a number of milliseconds (negative goes back). */
export function nowPlusSql(dialect: DialectName, milliseconds: number): RawBuilder<Date> {
  const ms = Math.round(milliseconds);
  switch (dialect) {
    case 'postgres':
      return sql<Date>`now() + make_interval(secs => ${ms / 1000})`;
    case 'mssql':
      // dateadd takes an int: milliseconds overflow after ~24 days, so add seconds beyond that.
      return Math.abs(ms) < 2_000_000_000
        ? sql<Date>`dateadd(millisecond, ${ms}, sysutcdatetime())`
        : sql<Date>`dateadd(second, ${Math.round(ms / 1000)}, sysutcdatetime())`;
    case 'sqlite':
      return sql<Date>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${ms / 1000} seconds`})`;
  }
}

export async function databaseNow(db: Kysely<Database>, dialect: DialectName): Promise<Date> {
  const result = await sql<{ now_at: Date }>`select ${nowSql(dialect)} as now_at`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('the database returned no time');
  return row.now_at;
}

// ---------------------------------------------------------------------------------------------
// Row limits: Kysely's .limit() emits LIMIT, which SQL Server rejects.
// ---------------------------------------------------------------------------------------------

export function limitRows<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  query: SelectQueryBuilder<DB, TB, O>,
  count: number,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'mssql' ? query.top(count) : query.limit(count);
}

// ---------------------------------------------------------------------------------------------
// Returning written rows: RETURNING on PostgreSQL and SQLite, OUTPUT inserted.* on SQL Server.
// ---------------------------------------------------------------------------------------------

export async function insertReturning<T extends keyof Database & string>(
  dialect: DialectName,
  query: InsertQueryBuilder<Database, T, object>,
): Promise<Row<T>[]> {
  const returning = dialect === 'mssql' ? query.outputAll('inserted') : query.returningAll();
  // Both builders return whole rows of T; Kysely's generic typing can't prove it for a generic T.
  return (await returning.execute()) as Row<T>[];
}

export async function updateReturning<T extends keyof Database & string>(
  dialect: DialectName,
  query: UpdateQueryBuilder<Database, T, T, object>,
): Promise<Row<T>[]> {
  const returning = dialect === 'mssql' ? query.outputAll('inserted') : query.returningAll();
  // Both builders return whole rows of T; Kysely's generic typing can't prove it for a generic T.
  return (await returning.execute()) as Row<T>[];
}

// ---------------------------------------------------------------------------------------------
// Unique violations: how each driver says "that natural key is taken".
// ---------------------------------------------------------------------------------------------

export interface UniqueViolation {
  /** The constraint or index name where the driver reports it, else the columns. */
  readonly constraint: string | null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Recognises a unique-constraint violation from any of the three drivers, or returns null. */
export function uniqueViolation(error: unknown): UniqueViolation | null {
  const code = field(error, 'code');
  const message = String(field(error, 'message') ?? '');
  // PostgreSQL: SQLSTATE 23505 with the constraint name.
  if (code === '23505') {
    const constraint = field(error, 'constraint');
    return { constraint: typeof constraint === 'string' ? constraint : null };
  }
  // SQLite: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; the message names the columns.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.+)$/.exec(message);
    return { constraint: columns?.[1] ?? null };
  }
  // SQL Server: 2627 (unique constraint) and 2601 (unique index) carry the name in quotes.
  const number = field(error, 'number') ?? field(field(error, 'originalError'), 'number');
  if (number === 2627 || number === 2601) {
    const name = /(?:constraint|index) '([^']+)'/.exec(message);
    return { constraint: name?.[1] ?? null };
  }
  return null;
}

/** True when a unique violation is on the named constraint (by name, or by its columns on SQLite). */
export function violates(violation: UniqueViolation | null, constraint: string, columns: string): boolean {
  if (!violation?.constraint) return false;
  return violation.constraint === constraint || violation.constraint === columns;
}

// ---------------------------------------------------------------------------------------------
// Multi-row inserts: SQL Server takes at most 2,100 parameters a statement.
// ---------------------------------------------------------------------------------------------

export function rowsPerInsert(dialect: DialectName, columns: number): number {
  const parameters = dialect === 'mssql' ? 2_000 : dialect === 'sqlite' ? 30_000 : 60_000;
  return Math.max(1, Math.min(1_000, Math.floor(parameters / columns)));
}

// ---------------------------------------------------------------------------------------------
// Migration locks: one process applies a migration while others wait, then find it applied.
// ---------------------------------------------------------------------------------------------

/** Key of the PostgreSQL advisory lock held while migrating ("workstream" as an int4). */
export const MIGRATION_LOCK_KEY = 0x776f726b;

/**
 * A statement that takes the migration lock for the current transaction, or null where the
 * transaction itself is the lock (SQLite's BEGIN IMMEDIATE takes the file's write lock).
 */
export function migrationLockSql(dialect: DialectName): RawBuilder<unknown> | null {
  switch (dialect) {
    case 'postgres':
      return sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    case 'mssql':
      return sql`exec sp_getapplock @Resource = 'workstream_migrations', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 120000`;
    case 'sqlite':
      return null;
  }
}

/** The table the migrator records applied files in, created if missing. */
export function migrationsTableSql(dialect: DialectName): RawBuilder<unknown> {
  switch (dialect) {
    case 'postgres':
      return sql`create table if not exists workstream_migrations (
        name text primary key, checksum text not null, applied_at timestamptz not null default now())`;
    case 'mssql':
      return sql`if object_id(N'workstream_migrations', N'U') is null
        create table workstream_migrations (
          name nvarchar(200) not null primary key, checksum nvarchar(64) not null,
          applied_at datetime2(3) not null default sysutcdatetime())`;
    case 'sqlite':
      return sql`create table if not exists workstream_migrations (
        name text primary key, checksum text not null,
        applied_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`;
  }
}

// ---------------------------------------------------------------------------------------------
// Analytics reads: PostgreSQL's JIT compiler spends longer on their plans than they run.
// ---------------------------------------------------------------------------------------------

/** A statement to run first in an analytics transaction, or null where nothing is needed. */
export function analyticsSettingsSql(dialect: DialectName): RawBuilder<unknown> | null {
  return dialect === 'postgres' ? sql`set local jit = off` : null;
}

// ---------------------------------------------------------------------------------------------
// The Today Panel: a member's count of open items, and the page after a sort key.
// ---------------------------------------------------------------------------------------------

export interface TodayCountKey {
  readonly org_id: string;
  readonly member_id: string;
  readonly entity_type: 'candidate' | 'pursuit';
}

/** Adds `delta` (negative takes away) to a member's count of open items of one kind, creating it at need. */
export function todayCountSql(dialect: DialectName, key: TodayCountKey, delta: number): RawBuilder<unknown> {
  const { org_id, member_id, entity_type } = key;
  switch (dialect) {
    case 'mssql':
      // MERGE takes a key-range lock with HOLDLOCK, so two first increments cannot both insert.
      return sql`
        merge today_counts with (holdlock) as t
        using (select ${org_id} as org_id, ${member_id} as member_id, ${entity_type} as entity_type) as s
        on t.org_id = s.org_id and t.member_id = s.member_id and t.entity_type = s.entity_type
        when matched then update set items = t.items + ${delta}
        when not matched then insert (org_id, member_id, entity_type, items)
          values (s.org_id, s.member_id, s.entity_type, ${delta});`;
    case 'postgres':
    case 'sqlite':
      return sql`
        insert into today_counts (org_id, member_id, entity_type, items)
        values (${org_id}, ${member_id}, ${entity_type}, ${delta})
        on conflict (org_id, member_id, entity_type) do update set items = today_counts.items + ${delta}`;
  }
}

export async function addToTodayCount(
  db: Kysely<Database>,
  dialect: DialectName,
  key: TodayCountKey,
  delta: number,
): Promise<void> {
  await todayCountSql(dialect, key, delta).execute(db);
}

/**
 * Rows strictly after a sort key, as a range an index on those columns in that order can seek:
 * a row value comparison on SQLite and PostgreSQL, and on SQL Server (which has no row values)
 * the same comparison spelled out, led by `first >= value` so the seek starts at the key.
 */
export function afterKeySql(
  dialect: DialectName,
  columns: readonly string[],
  values: readonly unknown[],
): RawBuilder<boolean> {
  if (columns.length === 0 || columns.length !== values.length)
    throw new Error('a sort key needs one value per column');
  const refs = columns.map((column) => sql.ref(column));
  const vals = values.map((value) => sql`${value}`);
  if (dialect !== 'mssql') return sql<boolean>`(${sql.join(refs)}) > (${sql.join(vals)})`;
  const after = (i: number): RawBuilder<boolean> =>
    i === refs.length - 1
      ? sql<boolean>`${refs[i]} > ${vals[i]}`
      : sql<boolean>`(${refs[i]} > ${vals[i]} or (${refs[i]} = ${vals[i]} and ${after(i + 1)}))`;
  return sql<boolean>`${refs[0]} >= ${vals[0]} and ${after(0)}`;
}
