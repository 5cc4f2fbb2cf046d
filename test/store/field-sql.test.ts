/**
 * The custom-field list filter's SQL per dialect. SQLite and PostgreSQL run it for real
 * (test/mcp/field-filter.test.ts); SQL Server cannot run here, so its T-SQL text is checked: the
 * list statement with the filter, TOP for the page, the id cursor, the key and value bound.
 */
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { type DialectName, limitRows } from '../../src/store/dialect.js';
import { type FieldValue, fieldEqualsSql } from '../../src/store/field-sql.js';
import type { Database } from '../../src/store/schema.js';

/** Kysely with a dialect's compiler and a driver that never connects: it only compiles. */
const compilers = {
  mssql: new Kysely<Database>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new MssqlIntrospector(db),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  }),
  postgres: new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
  sqlite: new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
} as const;

/** The list statement listWork builds (src/workstream/queries.ts), with the field filter. */
function listStatement(dialect: DialectName, key: string, value: FieldValue) {
  const select = compilers[dialect]
    .selectFrom('candidates')
    .selectAll()
    .where('org_id', '=', 'org_1')
    .orderBy('id', 'desc')
    .where(fieldEqualsSql(dialect, 'candidates.fields_json', key, value))
    .where('id', '<', 'cand_9');
  const compiled = limitRows(dialect, select, 26).compile();
  return { sql: compiled.sql.replace(/\s+/g, ' ').trim(), parameters: compiled.parameters };
}

describe('the custom-field filter', () => {
  it('is JSON_VALUE on SQL Server, under TOP and beside the id cursor, key path and value bound', () => {
    expect(listStatement('mssql', 'region', 'EMEA')).toEqual({
      sql:
        'select top(26) * from "candidates" where "org_id" = @1 and ' +
        'json_value("candidates"."fields_json", @2) = @3 and "id" < @4 order by "id" desc',
      parameters: ['org_1', '$.region', 'EMEA', 'cand_9'],
    });
  });

  it('compares a number after TRY_CAST to float and a boolean as its JSON text on SQL Server', () => {
    expect(listStatement('mssql', 'seats', 40)).toMatchObject({
      sql: expect.stringContaining('try_cast(json_value("candidates"."fields_json", @2) as float) = @3'),
      parameters: ['org_1', '$.seats', 40, 'cand_9'],
    });
    expect(listStatement('mssql', 'rfp', true)).toMatchObject({
      sql: expect.stringContaining('json_value("candidates"."fields_json", @2) = @3'),
      parameters: ['org_1', '$.rfp', 'true', 'cand_9'],
    });
  });

  it('is jsonb equality on PostgreSQL and json_extract / json_type on SQLite', () => {
    expect(listStatement('postgres', 'seats', 40)).toEqual({
      sql:
        'select * from "candidates" where "org_id" = $1 and ' +
        '"candidates"."fields_json" -> $2 = cast($3 as jsonb) and "id" < $4 order by "id" desc limit $5',
      parameters: ['org_1', 'seats', '40', 'cand_9', 26],
    });
    expect(listStatement('postgres', 'region', 'EMEA').parameters).toEqual([
      'org_1',
      'region',
      '"EMEA"',
      'cand_9',
      26,
    ]);
    expect(listStatement('sqlite', 'region', 'EMEA').sql).toContain(
      'json_extract("candidates"."fields_json", ?) = ?',
    );
    expect(listStatement('sqlite', 'rfp', false)).toMatchObject({
      sql: expect.stringContaining('json_type("candidates"."fields_json", ?) = ?'),
      parameters: ['org_1', '$.rfp', 'false', 'cand_9', 26],
    });
  });

  it('takes only a field key as the JSON path', () => {
    for (const dialect of ['sqlite', 'postgres', 'mssql'] as const)
      expect(() => fieldEqualsSql(dialect, 'candidates.fields_json', "x') or 1=1 --", 'v')).toThrow(
        /not a field key/,
      );
  });
});
