/**
 * Applies migrations/<dialect>/NNNN_name.sql in order, each in its own transaction under a
 * database-wide lock, and records each with a checksum. Safe when many processes start at
 * once: whoever takes the lock first applies a file; the others then find it applied.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Store } from './connect.js';
import { type DialectName, migrationLockSql, migrationsTableSql } from './dialect.js';
import type { Database } from './schema.js';

export interface Migration {
  readonly name: string;
  readonly checksum: string;
  readonly statements: readonly string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The package root: the nearest folder above this module holding package.json (works from src/ and dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('workstream-mcp: cannot find the package root');
    dir = parent;
  }
  return dir;
}

export function migrationsFolder(dialect: DialectName): string {
  return join(packageRoot(), 'migrations', dialect);
}

/**
 * Splits a migration file into statements at semicolons that end a line. Migration files keep
 * every statement's closing semicolon at a line end and none inside literals, so this is exact.
 */
export function splitStatements(text: string): string[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

export function loadMigrations(dialect: DialectName, folder = migrationsFolder(dialect)): Migration[] {
  return readdirSync(folder)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(join(folder, file), 'utf8').replace(/\r\n/g, '\n');
      return {
        name: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    });
}

async function lock(tx: Transaction<Database>, dialect: DialectName): Promise<void> {
  const statement = migrationLockSql(dialect);
  if (statement) await statement.execute(tx);
  await migrationsTableSql(dialect).execute(tx);
}

async function appliedChecksums(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('workstream_migrations').select(['name', 'checksum']).execute();
  return new Map(rows.map((row) => [row.name, row.checksum]));
}

/** Refuses to go on when the database was migrated by files this copy does not have, or has changed. */
function verify(migrations: readonly Migration[], applied: Map<string, string>, dialect: DialectName): void {
  const known = new Map(migrations.map((migration) => [migration.name, migration.checksum]));
  for (const [name, checksum] of applied) {
    const expected = known.get(name);
    if (expected === undefined)
      throw new MigrationError(
        `the database has migration ${name}, which this version of workstream-mcp does not know; run a version that has it`,
      );
    if (expected !== checksum)
      throw new MigrationError(
        `migrations/${dialect}/${name}.sql changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ${expected.slice(0, 12)} on disk); applied migrations are never edited: restore the file and add a new one`,
      );
  }
}

export interface MigrateResult {
  /** Names of the files this call applied (empty when the database was up to date). */
  readonly applied: string[];
  /** Names of all files now applied. */
  readonly current: string[];
}

export async function migrate(
  store: Store,
  migrations = loadMigrations(store.dialect),
): Promise<MigrateResult> {
  const { db, dialect } = store;
  const current = migrations.map((migration) => migration.name);
  // A database already at this version (every start but the first) is checked with one read and
  // no lock: a server starting beside a worker's write transaction does not wait for it.
  const recorded = await appliedChecksums(db).catch(() => null);
  if (recorded && migrations.every((migration) => recorded.has(migration.name))) {
    verify(migrations, recorded, dialect);
    return { applied: [], current };
  }
  const before = await db.transaction().execute(async (tx) => {
    await lock(tx, dialect);
    return appliedChecksums(tx);
  });
  verify(migrations, before, dialect);

  const applied: string[] = [];
  for (const migration of migrations) {
    if (before.has(migration.name)) continue;
    // SQLite rebuilds a table to change a constraint (create new, copy, drop old, rename). Dropping
    // a parent runs an implicit DELETE whose foreign-key violations stay counted at commit even
    // after the rebuilt table takes the name back with every row, so a rebuild of a table other
    // rows refer to would fail on any database holding such rows. SQLite's procedure for it:
    // foreign keys off around the transaction (the pragma is a no-op inside one), and
    // foreign_key_check before the commit, so a migration still cannot leave a dangling reference.
    if (dialect === 'sqlite') await sql`pragma foreign_keys = off`.execute(db);
    const didApply = await db
      .transaction()
      .execute(async (tx) => {
        await lock(tx, dialect);
        // Another process may have applied it while this one waited for the lock.
        const existing = await tx
          .selectFrom('workstream_migrations')
          .select('checksum')
          .where('name', '=', migration.name)
          .executeTakeFirst();
        if (existing) {
          verify([migration], new Map([[migration.name, existing.checksum]]), dialect);
          return false;
        }
        for (const statement of migration.statements) await sql.raw(statement).execute(tx);
        if (dialect === 'sqlite') {
          const dangling = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(tx);
          const first = dangling.rows[0];
          if (first)
            throw new MigrationError(
              `migrations/sqlite/${migration.name}.sql would leave ${dangling.rows.length} row(s) referring to missing rows (first: ${first.table} → ${first.parent}); nothing was applied`,
            );
        }
        await tx
          .insertInto('workstream_migrations')
          .values({ name: migration.name, checksum: migration.checksum })
          .execute();
        return true;
      })
      .finally(async () => {
        if (dialect === 'sqlite') await sql`pragma foreign_keys = on`.execute(db);
      });
    if (didApply) applied.push(migration.name);
  }
  return { applied, current };
}
