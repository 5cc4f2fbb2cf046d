/**
 * connect(url): one typed Kysely instance over SQLite (embedded), PostgreSQL or SQL Server.
 * A connection that cannot be made is one clear line naming the URL (password masked) and what
 * to check, never a stack trace.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  MssqlDialect,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type SqliteStatement,
  sql,
  type TransactionSettings,
} from 'kysely';
import { measuredDialect, type PoolShape, queryFailed, SQLITE_SHAPE } from '../observability/pool.js';
import { type DialectName, RowConventionsPlugin, toSqliteValue } from './dialect.js';
import { queryErrorClass } from './error-class.js';
import type { Database } from './schema.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** The URL with its password masked, safe to log. */
  readonly url: string;
  /** The URL as given, for opening a side connection (PostgreSQL LISTEN); never log it. */
  readonly rawUrl: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Pool size for server databases. */
  readonly poolSize?: number;
  /** Milliseconds to wait for a server connection before giving up. */
  readonly connectTimeoutMs?: number;
  /** Told when the server drops an idle pooled connection (PostgreSQL). */
  readonly onIdleError?: (error: Error) => void;
}

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

type Target =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: URL }
  | { dialect: 'mssql'; url: URL };

export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

export function parseDatabaseUrl(url: string): Target {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConnectError(`${url}: give a file path, e.g. sqlite:./.workstream/workstream.db`);
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectError(
      `${maskUrl(url)} is not a database URL: use sqlite:PATH, postgres://user:pass@host:5432/db or mssql://user:pass@host:1433/db`,
    );
  }
  if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:')
    return { dialect: 'postgres', url: parsed };
  if (parsed.protocol === 'mssql:' || parsed.protocol === 'sqlserver:') {
    if (!parsed.pathname.slice(1))
      throw new ConnectError(
        `${maskUrl(url)}: name the database, e.g. mssql://user:pass@host:1433/workstream`,
      );
    return { dialect: 'mssql', url: parsed };
  }
  throw new ConnectError(
    `${maskUrl(url)}: unsupported scheme '${parsed.protocol}'; use sqlite:, postgres:// or mssql://`,
  );
}

/**
 * SQLite write transactions start with BEGIN IMMEDIATE: a writer takes the lock up front and
 * waits (busy_timeout) instead of failing when two transactions both try to upgrade a read lock.
 * Read-only transactions (`setAccessMode('read only')`) start deferred: in WAL mode they read a
 * snapshot and neither wait for nor block a writer in this or another process.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    // Kysely passes the settings to every driver; SqliteDriver's own signature leaves them out.
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/*
 * Each dialect's driver is imported when a URL of that dialect is opened: a laptop on the
 * embedded database does not load the SQL Server driver, and a PostgreSQL worker not SQLite's.
 */

/** Binds Dates and booleans as SQLite stores them (src/store/dialect.ts), for every statement. */
function binding(statement: SqliteDatabase.Statement): SqliteStatement {
  const bound = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqliteValue);
  return {
    reader: statement.reader,
    all: (parameters) => statement.all(bound(parameters)),
    run: (parameters) => statement.run(bound(parameters)),
    iterate: (parameters) => statement.iterate(bound(parameters)),
  };
}

/** Prepared statements kept per connection: preparing costs more than running most of ours. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The connection as Kysely's SqliteDialect sees it, with prepared statements reused by SQL text
 * (the least recently used dropped past STATEMENT_CACHE_SIZE). Kysely prepares every query it
 * runs; better-sqlite3 runs a statement to completion synchronously, so one statement serves
 * every execution of the same text. (Kysely's streaming would hold a statement open; nothing
 * here streams.)
 */
function cachingStatements(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (statement) statements.delete(text);
      else statement = binding(database.prepare(text));
      statements.set(text, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}

async function openSqlite(path: string): Promise<SqliteDatabase.Database> {
  const { default: SqliteDatabase } = await import('better-sqlite3');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  // busy_timeout first: switching a new file to WAL needs a lock another process may hold.
  database.pragma('busy_timeout = 10000');
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  return database;
}

/** Statement texts planned once per PostgreSQL connection (named prepared statements). */
const NAMED_STATEMENTS = 1000;
/** PostgreSQL's refusal of a prepared statement whose tables changed shape (e.g. `select *` after a migration). */
const CACHED_PLAN_CHANGED = '0A000';

/**
 * A pool whose connections send each parameterised statement as a named prepared statement:
 * PostgreSQL parses and plans a text once per connection instead of at every execution. Names
 * are given to the first NAMED_STATEMENTS distinct texts of the process (a server runs a few
 * hundred shapes; texts beyond that run unnamed, so what a connection keeps is bounded).
 * Statements without parameters (BEGIN, COMMIT) stay simple queries, one message each. A
 * statement PostgreSQL refuses because a table it reads changed shape gets a new name, so the
 * next execution plans it afresh.
 */
export function namingStatements(pool: PostgresPool): PostgresPool {
  const names = new Map<string, string>();
  let issued = 0;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && issued < NAMED_STATEMENTS) {
      name = `ws_${issued++}`;
      names.set(text, name);
    }
    return name;
  };
  const wrapped = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
    // pg's client takes a query config object too (name, text, values); Kysely's type leaves it out.
    const pgClient = client as unknown as { query(...args: unknown[]): Promise<unknown> };
    return {
      query: ((text: unknown, parameters?: ReadonlyArray<unknown>) => {
        const name = typeof text === 'string' && parameters?.length ? nameOf(text) : undefined;
        if (name === undefined) return pgClient.query(text, parameters);
        return pgClient.query({ name, text, values: [...(parameters ?? [])] }).catch((error: unknown) => {
          if (
            typeof error === 'object' &&
            error !== null &&
            'code' in error &&
            error.code === CACHED_PLAN_CHANGED
          )
            names.set(text as string, `ws_${issued++}`);
          throw error;
        });
      }) as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy),
    };
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let named = wrapped.get(client);
      if (!named) {
        named = wrap(client);
        wrapped.set(client, named);
      }
      return named;
    },
    end: () => pool.end(),
  };
}

// pg returns int8 (counts) and numeric as strings; the schema keeps both within a double.
const PG_INT8 = 20;
const PG_NUMERIC = 1700;

interface Opened {
  readonly dialect: Dialect;
  /** What the pool says about itself, for the pool series. */
  readonly shape: PoolShape;
}

async function postgresDialect(url: URL, options: ConnectOptions): Promise<Opened> {
  const { default: pg } = await import('pg');
  const pgTypes = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8 || oid === PG_NUMERIC
        ? Number
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const max = options.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: pgTypes,
  });
  // An idle connection dropped by the server (restart, failover) must not end the process;
  // the pool replaces it and the next query reports any lasting failure.
  pool.on('error', (error) => options.onIdleError?.(error));
  // A connection the server ends while checked out (between queries of a transaction) emits on
  // the client, not the pool; the query that uses it next fails and the pool discards it.
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  const shape = { open: () => pool.totalCount, idle: () => pool.idleCount, max };
  return { dialect: new PostgresDialect({ pool: namingStatements(pool) }), shape };
}

async function mssqlDialect(url: URL, options: ConnectOptions): Promise<Opened> {
  const [Tarn, Tedious] = await Promise.all([import('tarn'), import('tedious')]);
  const max = options.poolSize ?? 10;
  // Kysely builds the tarn pool itself; this subclass keeps hold of it for the pool series.
  let tarnPool: InstanceType<typeof Tarn.Pool> | undefined;
  class WatchedPool<T> extends Tarn.Pool<T> {
    constructor(...args: ConstructorParameters<typeof Tarn.Pool<T>>) {
      super(...args);
      tarnPool = this as InstanceType<typeof Tarn.Pool>;
    }
  }
  const shape = {
    open: () => (tarnPool ? tarnPool.numUsed() + tarnPool.numFree() : 0),
    idle: () => tarnPool?.numFree() ?? 0,
    max,
  };
  const params = url.searchParams;
  const flag = (name: string, fallback: boolean) =>
    params.has(name) ? params.get(name) === 'true' : fallback;
  const dialect = new MssqlDialect({
    tarn: { ...Tarn, Pool: WatchedPool, options: { min: 0, max } },
    tedious: {
      ...Tedious,
      connectionFactory: () =>
        new Tedious.Connection({
          server: url.hostname,
          authentication: {
            type: 'default',
            options: {
              userName: decodeURIComponent(url.username),
              password: decodeURIComponent(url.password),
            },
          },
          options: {
            port: url.port ? Number(url.port) : 1433,
            database: decodeURIComponent(url.pathname.slice(1)),
            encrypt: flag('encrypt', true),
            trustServerCertificate: flag('trustServerCertificate', false),
            connectTimeout: options.connectTimeoutMs ?? 10_000,
            useUTC: true,
          },
        }),
    },
  });
  return { dialect, shape };
}

/** What to check, in words, for the usual ways a connection fails. */
function advice(error: unknown, target: Target): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const where =
    target.dialect === 'sqlite'
      ? target.path
      : `${target.url.hostname}:${target.url.port || (target.dialect === 'postgres' ? 5432 : 1433)}`;
  if (target.dialect === 'sqlite')
    return `cannot open the SQLite file ${where} (${message}); check the folder exists and is writable`;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message))
    return `nothing is listening at ${where}; is the database server running?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `host ${target.url.hostname} was not found; check the host name`;
  if (code === '28P01' || code === '28000' || /Login failed|password authentication failed/i.test(message))
    return 'the server refused the user name or password; check the credentials in the URL';
  if (code === '3D000' || /Cannot open database/i.test(message))
    return `the database does not exist on ${where}; create it first`;
  if (/timeout/i.test(message) || code === 'ETIMEDOUT')
    return `no answer from ${where} in time; check the host, port and firewall`;
  return message.split('\n')[0] ?? 'unknown error';
}

/**
 * Opens the database at `url` and proves the connection with one round trip.
 * @throws ConnectError with a one-line message when it cannot.
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(url);
  const masked = maskUrl(url);
  let db: Kysely<Database>;
  try {
    const opened: Opened =
      target.dialect === 'sqlite'
        ? {
            dialect: new ImmediateSqliteDialect({
              database: cachingStatements(await openSqlite(target.path)),
            }),
            shape: SQLITE_SHAPE,
          }
        : target.dialect === 'postgres'
          ? await postgresDialect(target.url, options)
          : await mssqlDialect(target.url, options);
    const name = target.dialect;
    db = new Kysely<Database>({
      dialect: measuredDialect(opened.dialect, name, opened.shape),
      plugins: [new RowConventionsPlugin()],
      // Kysely calls this for every statement; only failures are counted, by class.
      log: (event) => {
        if (event.level === 'error') queryFailed(name, queryErrorClass(event.error));
      },
    });
  } catch (error) {
    throw new ConnectError(`${masked}: ${advice(error, target)}`);
  }
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new ConnectError(`${masked}: ${advice(error, target)}`);
  }
  return { db, dialect: target.dialect, url: masked, rawUrl: url, close: () => db.destroy() };
}
