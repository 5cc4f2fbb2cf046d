/**
 * The contract-test harness: one suite, run against every database that is available.
 * SQLite (a temporary file) always; PostgreSQL when WORKSTREAM_TEST_PG_URL is set; SQL Server
 * when WORKSTREAM_TEST_MSSQL_URL is set. Each suite gets a database of its own, created here
 * and dropped after it; the global setup drops any this run left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { connect, type Store } from '../../src/store/connect.js';
import type { DialectName } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrator.js';

export const PG_URL = process.env.WORKSTREAM_TEST_PG_URL;
export const MSSQL_URL = process.env.WORKSTREAM_TEST_MSSQL_URL;

/** Databases this run creates are named with this prefix, so the global teardown finds them. */
export const RUN_PREFIX = `ws_test_${process.env.WORKSTREAM_TEST_RUN ?? 'local'}_`;

export function availableDialects(): DialectName[] {
  return ['sqlite', ...(PG_URL ? ['postgres' as const] : []), ...(MSSQL_URL ? ['mssql' as const] : [])];
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  readonly dialect: DialectName;
  readonly url: string;
  drop(): Promise<void>;
}

/** An empty database of the given dialect, for one suite. */
export async function createDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `${RUN_PREFIX}${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'workstream-test-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'test.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    return {
      dialect,
      url: withDatabase(PG_URL as string, name),
      drop: () => dropPostgresDatabases([name]),
    };
  }
  const admin = await connect(withDatabase(MSSQL_URL as string, 'master'));
  try {
    await sql.raw(`create database [${name}]`).execute(admin.db);
  } finally {
    await admin.close();
  }
  return {
    dialect,
    url: withDatabase(MSSQL_URL as string, name),
    drop: async () => {
      const master = await connect(withDatabase(MSSQL_URL as string, 'master'));
      try {
        await sql
          .raw(`alter database [${name}] set single_user with rollback immediate; drop database [${name}]`)
          .execute(master.db);
      } finally {
        await master.close();
      }
    },
  };
}

export async function dropPostgresDatabases(names: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

export interface DialectContext {
  readonly dialect: DialectName;
  /** The suite's store, migrated; valid inside tests and hooks. */
  store(): Store;
  /** The suite's database URL (to open more connections, as another process would). */
  url(): string;
}

/**
 * Declares `body` once per available dialect, each with a fresh migrated database.
 * @param options.migrate false for suites that test the migrator itself.
 */
export function describeEachDialect(
  title: string,
  body: (context: DialectContext) => void,
  options: { migrate?: boolean } = {},
): void {
  for (const dialect of availableDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      let store: Store | undefined;
      beforeAll(async () => {
        database = await createDatabase(dialect);
        store = await connect(database.url);
        if (options.migrate !== false) await migrate(store);
      });
      afterAll(async () => {
        await store?.close();
        await database?.drop();
      });
      body({
        dialect,
        store: () => {
          if (!store) throw new Error('the store is opened in beforeAll');
          return store;
        },
        url: () => {
          if (!database) throw new Error('the database is created in beforeAll');
          return database.url;
        },
      });
    });
  }
}
