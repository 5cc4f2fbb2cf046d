/** The schema the migration files describe, per dialect, parsed from their SQL text (no database). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '../../src/store/dialect.js';
import { loadMigrations, migrationsFolder } from '../../src/store/migrator.js';

/**
 * Tables, columns, named constraints and indexes of a dialect's migration files, parsed from the
 * SQL in order: `create table`, `alter table … add [column]`, `alter table … rename to`,
 * `drop table`, `create [unique] index`, `drop index` and `alter table … add|drop constraint`;
 * with `upTo`, the schema as the migrations up to that one (by name) leave it.
 */
export function describeSchema(dialect: DialectName, upTo?: string) {
  const folder = migrationsFolder(dialect);
  const tables = new Map<string, string[]>();
  const constraints = new Map<string, string[]>();
  const indexes = new Map<string, { table: string; text: string }>();
  for (const migration of loadMigrations(dialect).filter((m) => upTo === undefined || m.name <= upTo)) {
    const text = readFileSync(join(folder, `${migration.name}.sql`), 'utf8');
    const statements = text.matchAll(
      /create table (\w+) \(\n([\s\S]*?)\n\);|alter table (\w+) add (?:column )?(\w+)|alter table (\w+) rename to (\w+);|drop table (\w+);|create (?:unique )?index (\w+) on (\w+) \(([^)]*)\)(\s+where [^;]+)?;|drop index (\w+)|alter table (\w+) drop constraint (\w+)/g,
    );
    for (const match of statements) {
      const [
        ,
        created,
        body,
        altered,
        added,
        renamed,
        renamedTo,
        dropped,
        index,
        on,
        columns,
        where,
        unindexed,
        unconstrained,
        droppedConstraint,
      ] = match;
      if (created) {
        const lines = (body ?? '').split('\n').map((line) => line.trim());
        tables.set(
          created,
          lines
            .filter(
              (line) =>
                /^[a-z_]+ /.test(line) && !line.startsWith('constraint ') && !line.startsWith('check '),
            )
            .map((line) => line.split(' ')[0] ?? ''),
        );
        constraints.set(
          created,
          [...(body ?? '').matchAll(/constraint (\w+)/g)].map((c) => c[1] ?? ''),
        );
      } else if (altered && added === 'constraint') {
        const name = /^\s*(\w+)/.exec(text.slice((match.index ?? 0) + match[0].length))?.[1] ?? '';
        constraints.get(altered)?.push(name);
      } else if (altered && added) tables.get(altered)?.push(added);
      else if (unconstrained && droppedConstraint)
        constraints.set(
          unconstrained,
          (constraints.get(unconstrained) ?? []).filter((name) => name !== droppedConstraint),
        );
      else if (renamed && renamedTo) {
        tables.set(renamedTo, tables.get(renamed) ?? []);
        constraints.set(renamedTo, constraints.get(renamed) ?? []);
        tables.delete(renamed);
        constraints.delete(renamed);
      } else if (dropped) {
        tables.delete(dropped);
        constraints.delete(dropped);
        for (const [name, entry] of indexes) if (entry.table === dropped) indexes.delete(name);
      } else if (index && on)
        indexes.set(index, { table: on, text: `${index} on ${on} (${columns})${where ? ' filtered' : ''}` });
      else if (unindexed) indexes.delete(unindexed);
    }
  }
  const names = [...[...constraints.values()].flat(), ...[...indexes.values()].map((entry) => entry.text)];
  return { tables: Object.fromEntries(tables), names: names.sort() };
}

/**
 * What a dialect's schema has beyond PostgreSQL's, and why: SQL Server keeps the order events were
 * committed in (a rowversion, migration 0012) for the polling change relay, which SQLite reads
 * from the rowid and PostgreSQL does without (NOTIFY); see src/live/poll-relay.ts.
 */
export const OWN: Partial<Record<DialectName, { columns: Record<string, string[]>; names: string[] }>> = {
  mssql: { columns: { events: ['seq'] }, names: ['events_seq on events (seq)'] },
};

/** A dialect's described schema without its own columns and indexes (OWN): what all dialects share. */
export function withoutOwn(dialect: DialectName, schema: ReturnType<typeof describeSchema>) {
  const own = OWN[dialect] ?? { columns: {}, names: [] };
  const tables = Object.fromEntries(
    Object.entries(schema.tables).map(([table, columns]) => [
      table,
      columns.filter((column) => !own.columns[table]?.includes(column)),
    ]),
  );
  return { tables, names: schema.names.filter((name) => !own.names.includes(name)) };
}
