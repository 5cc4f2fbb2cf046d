/**
 * SQL Server cannot run here, so the T-SQL text of migrations 0007 (process), 0008 (candidate
 * reviews) and 0013 (web sessions) is checked: statements T-SQL has, no PostgreSQL- or SQLite-only syntax, the T-SQL
 * types, a named default on every NOT NULL column added to a table that may hold rows, only
 * constraints dropped that SQL Server's earlier files named, and the same tables, columns,
 * constraints and indexes as the other dialects leave after the same migration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrationsFolder, splitStatements } from '../../src/store/migrator.js';
import { describeSchema, withoutOwn } from '../support/schema-files.js';

const MIGRATIONS = ['0007_process', '0008_candidate_reviews', '0013_web_sessions'];

const text = (name: string) => readFileSync(join(migrationsFolder('mssql'), `${name}.sql`), 'utf8');

/** Syntax PostgreSQL or SQLite has and T-SQL does not. */
const FOREIGN = [
  [/\bjsonb\b/, 'jsonb'],
  [/\btimestamptz\b/, 'timestamptz'],
  [/\bboolean\b/, 'boolean'],
  [/\b(?:true|false)\b/, 'true/false literals'],
  [/\btext\b/, 'text (nvarchar in T-SQL)'],
  [/\bpragma\b/, 'pragma'],
  [/\bstrftime\b/, 'strftime'],
  [/\bnow\(\)/, 'now()'],
  [/\badd column\b/, 'add column (T-SQL: add)'],
  [/\brename to\b/, 'rename to (T-SQL: sp_rename)'],
  [/\bif (?:not )?exists\b/, 'if [not] exists'],
  [/\breturning\b/, 'returning'],
  [/\blimit \d/, 'limit'],
  [/::/, ':: casts'],
  [/\bserial\b/, 'serial'],
  [/\bilike\b/, 'ilike'],
  [/\bon conflict\b/, 'on conflict'],
] as const;

describe.each(MIGRATIONS)('migrations/mssql/%s.sql', (name) => {
  const statements = splitStatements(text(name));

  it('is statements T-SQL has: create table, create index, alter table add / drop constraint', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements)
      expect(statement, statement).toMatch(
        /^(create table \w+ \(|create (?:unique )?index \w+ on \w+ \(|alter table \w+ (?:add \w+|drop constraint \w+$))/,
      );
  });

  it('holds no PostgreSQL- or SQLite-only syntax', () => {
    for (const statement of statements)
      for (const [pattern, what] of FOREIGN)
        expect(pattern.test(statement), `${what} in: ${statement}`).toBe(false);
  });

  it('uses the T-SQL types: nvarchar for text, bit for booleans, datetime2(3) for times', () => {
    const columns = statements.flatMap((statement) => {
      const created = /^create table \w+ \(\n([\s\S]*)\n\)$/.exec(statement)?.[1];
      if (created)
        return created
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => /^[a-z_]+ /.test(line) && !line.startsWith('constraint '));
      const added = /^alter table \w+ add (?!constraint )([\s\S]+)$/.exec(statement)?.[1];
      return added ? [added.replace(/\s+/g, ' ')] : [];
    });
    expect(columns.length).toBeGreaterThan(0);
    for (const column of columns) {
      const [, type] = column.split(' ');
      expect(type, column).toMatch(
        /^(nvarchar\((?:\d+|max)\)|integer|bit|datetime2\(3\)|bigint|decimal\(\d+, ?\d+\))$/,
      );
      if (/_at$/.test(column.split(' ')[0] ?? '')) expect(type, column).toBe('datetime2(3)');
      if (/^is_/.test(column)) expect(type, column).toBe('bit');
    }
  });

  it('names the default of every NOT NULL column it adds to an existing table', () => {
    for (const statement of statements.filter((s) => /^alter table \w+ add (?!constraint )/.test(s)))
      if (/\bnot null\b/.test(statement))
        expect(statement, statement).toMatch(/not null\s+constraint \w+_default default \S+$/);
  });

  it('drops only constraints that SQL Server files before it named', () => {
    const earlier = loadMigrations('mssql')
      .filter((m) => m.name < name)
      .map((m) => text(m.name))
      .join('\n');
    for (const [, constraint] of text(name).matchAll(/drop constraint (\w+)/g))
      expect(earlier, `${constraint} is never named before ${name}`).toMatch(
        new RegExp(`constraint ${constraint} `),
      );
  });

  it('leaves the same tables, columns, constraints and indexes as PostgreSQL and SQLite do after it', () => {
    const mssql = withoutOwn('mssql', describeSchema('mssql', name));
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const other = describeSchema(dialect, name);
      expect(mssql.tables, dialect).toEqual(other.tables);
      expect(mssql.names, dialect).toEqual(other.names);
    }
  });
});

describe('the checks above', () => {
  it('catch a statement another dialect wrote', () => {
    const foreign = [
      "alter table checklist_templates add column subject text not null default 'pursuit'",
      'create table x (\n  id text primary key,\n  at timestamptz not null default now()\n)',
      'pragma defer_foreign_keys = on',
    ];
    for (const statement of foreign)
      expect(
        FOREIGN.some(([pattern]) => pattern.test(statement)),
        statement,
      ).toBe(true);
  });

  it('cover the 0008 tables and the subject column', () => {
    const after = describeSchema('mssql', '0008_candidate_reviews');
    expect(after.tables.candidate_checklists).toEqual([
      'id',
      'org_id',
      'candidate_id',
      'kind',
      'template_id',
      'template_version',
      'created_at',
    ]);
    expect(after.tables.checklist_templates).toContain('subject');
    expect(after.names).toContain('candidate_checklists_candidate_kind_key');
    expect(after.names).toContain('candidate_checklist_items_state_check');
    // The 0007 sign-offs and their indexes, and the version key of reviews.
    expect(after.names).toContain('sign_offs_open_idx on sign_offs (org_id, state, id)');
    expect(after.names).toContain('checklist_templates_kind_key');
    expect(describeSchema('mssql', '0006_search').names).not.toContain('sign_offs_state_check');
  });
});
