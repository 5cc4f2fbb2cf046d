/** The access migration adds the same columns and index on every dialect (SQL Server's included, which cannot run here). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/store/dialect.js';
import { migrationsFolder } from '../../src/store/migrator.js';

function additions(dialect: (typeof DIALECTS)[number]) {
  const text = readFileSync(join(migrationsFolder(dialect), '0004_access.sql'), 'utf8');
  const columns = [...text.matchAll(/alter table (\w+) add (?:column )?(\w+) ([^;]+);/g)].map(
    ([, table, column, type]) => `${table}.${column} ${/null$/.test(type ?? '') ? 'null' : 'not null'}`,
  );
  const indexes = [
    ...text.matchAll(/create (unique )?index (\w+) on (\w+) \(([^)]*)\)( where [^;]+)?;/g),
  ].map(
    ([, unique, name, table, cols, where]) =>
      `${unique ?? ''}${name} ${table} (${cols}) ${where?.trim() ?? ''}`,
  );
  return { columns: columns.sort(), indexes: indexes.sort() };
}

describe('migration 0004_access', () => {
  const postgres = additions('postgres');

  it('adds token expiry, member deactivation and subject, and the audit index', () => {
    expect(postgres.columns).toEqual([
      'api_tokens.expires_at null',
      'members.deactivated_at null',
      'members.subject null',
    ]);
    expect(postgres.indexes).toEqual([
      'access_events_org_feed access_events (org_id, id) ',
      'unique members_org_subject_key members (org_id, subject) where subject is not null',
    ]);
  });

  for (const dialect of DIALECTS.filter((d) => d !== 'postgres')) {
    it(`does the same on ${dialect}`, () => {
      expect(additions(dialect)).toEqual(postgres);
    });
  }
});
