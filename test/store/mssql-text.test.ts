/**
 * SQL Server cannot run on the test machines, so every SQL Server-only statement is compiled
 * here and its T-SQL text checked. The same contract suites run against a real server when
 * WORKSTREAM_TEST_MSSQL_URL is set.
 */
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  type RawBuilder,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventsSinceSql, highWaterSql, settledSql } from '../../src/live/poll-relay.js';
import {
  afterKeySql,
  insertReturning,
  limitRows,
  migrationLockSql,
  migrationsTableSql,
  nowPlusSql,
  nowSql,
  rowsPerInsert,
  todayCountSql,
  updateReturning,
} from '../../src/store/dialect.js';
import type { Database } from '../../src/store/schema.js';

/** Kysely with SQL Server's compiler and a driver that never connects: it only compiles. */
const mssql = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MssqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MssqlIntrospector(db),
    createQueryCompiler: () => new MssqlQueryCompiler(),
  },
});

/** The T-SQL text of a raw statement, whitespace folded. */
const text = (statement: RawBuilder<unknown>) => statement.compile(mssql).sql.replace(/\s+/g, ' ').trim();

describe('SQL Server statements', () => {
  it("adds to a member's Today Panel count with MERGE … WITH (HOLDLOCK), inserting the first", () => {
    const compiled = todayCountSql(
      'mssql',
      { org_id: 'org_1', member_id: 'mem_1', entity_type: 'pursuit' },
      -1,
    ).compile(mssql);
    expect(compiled.sql.replace(/\s+/g, ' ').trim()).toBe(
      'merge today_counts with (holdlock) as t using (select @1 as org_id, @2 as member_id, @3 as entity_type) as s ' +
        'on t.org_id = s.org_id and t.member_id = s.member_id and t.entity_type = s.entity_type ' +
        'when matched then update set items = t.items + @4 ' +
        'when not matched then insert (org_id, member_id, entity_type, items) values (s.org_id, s.member_id, s.entity_type, @5);',
    );
    expect(compiled.parameters).toEqual(['org_1', 'mem_1', 'pursuit', -1, -1]);
  });

  it('spells out "after this sort key" without row values, led by a seekable >= on the first column', () => {
    const compiled = afterKeySql(
      'mssql',
      ['c.today_rank', 'c.today_due_at', 'c.id'],
      [1, 'due', 'cand_1'],
    ).compile(mssql);
    expect(compiled.sql).toBe(
      '"c"."today_rank" >= @1 and ("c"."today_rank" > @2 or ("c"."today_rank" = @3 and ' +
        '("c"."today_due_at" > @4 or ("c"."today_due_at" = @5 and "c"."id" > @6))))',
    );
    expect(compiled.parameters).toEqual([1, 1, 1, 'due', 'due', 'cand_1']);
    // Where row values exist, one comparison.
    expect(afterKeySql('postgres', ['a', 'b'], [1, 2]).compile(mssql).sql).toBe('("a", "b") > (@1, @2)');
  });

  it('inserts at most 2,000 parameters a statement', () => {
    expect(rowsPerInsert('mssql', 11)).toBe(181);
    expect(rowsPerInsert('postgres', 11)).toBe(1000);
  });

  it('reads the clock with sysutcdatetime()', () => {
    expect(text(sql`select ${nowSql('mssql')} as now_at`)).toBe('select sysutcdatetime() as now_at');
  });

  it('adds milliseconds with dateadd, and seconds when milliseconds would overflow an int', () => {
    const short = sql`select ${nowPlusSql('mssql', 60_000)}`.compile(mssql);
    expect(short.sql).toBe('select dateadd(millisecond, @1, sysutcdatetime())');
    expect(short.parameters).toEqual([60_000]);
    const long = sql`select ${nowPlusSql('mssql', 40 * 86_400_000)}`.compile(mssql);
    expect(long.sql).toBe('select dateadd(second, @1, sysutcdatetime())');
    expect(long.parameters).toEqual([40 * 86_400]);
  });

  it('limits rows with TOP, never LIMIT', () => {
    const query = limitRows('mssql', mssql.selectFrom('candidates').select('id').orderBy('id'), 25);
    expect(query.compile().sql).toBe('select top(25) "id" from "candidates" order by "id"');
  });

  // Kysely quotes the pseudo-table ("inserted"), which SQL Server accepts with QUOTED_IDENTIFIER on (its default).
  it('returns written rows with OUTPUT inserted.*', async () => {
    const executed: string[] = [];
    // A driver that records the statement text it is given and returns no rows.
    const capture = new Kysely<Database>({
      dialect: {
        createAdapter: () => new MssqlAdapter(),
        createDriver: () =>
          Object.assign(new DummyDriver(), {
            acquireConnection: async () => ({
              executeQuery: async (compiled: { sql: string }) => {
                executed.push(compiled.sql);
                return { rows: [] };
              },
              streamQuery: () => {
                throw new Error('not used');
              },
            }),
          }),
        createIntrospector: (db) => new MssqlIntrospector(db),
        createQueryCompiler: () => new MssqlQueryCompiler(),
      },
    });
    await insertReturning('mssql', capture.insertInto('orgs').values({ id: 'org_1', name: 'A', slug: 'a' }));
    await updateReturning('mssql', capture.updateTable('orgs').set({ name: 'B' }).where('id', '=', 'org_1'));
    expect(executed).toEqual([
      'insert into "orgs" ("id", "name", "slug") output "inserted".* values (@1, @2, @3)',
      'update "orgs" set "name" = @1 output "inserted".* where "id" = @2',
    ]);
  });

  it('takes the migration lock with sp_getapplock owned by the transaction', () => {
    const lock = migrationLockSql('mssql');
    expect(lock).not.toBeNull();
    expect(lock && text(lock)).toBe(
      "exec sp_getapplock @Resource = 'workstream_migrations', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 120000",
    );
  });

  it('creates the migrations table only when object_id finds none', () => {
    expect(text(migrationsTableSql('mssql'))).toBe(
      "if object_id(N'workstream_migrations', N'U') is null create table workstream_migrations ( " +
        'name nvarchar(200) not null primary key, checksum nvarchar(64) not null, ' +
        'applied_at datetime2(3) not null default sysutcdatetime())',
    );
  });
  it('reads events for the change relay in rowversion order, below MIN_ACTIVE_ROWVERSION()', () => {
    expect(text(highWaterSql('mssql'))).toBe('select cast(min_active_rowversion() as bigint) - 1 as seq');
    expect(text(settledSql())).toBe('select cast(min_active_rowversion() as bigint) as upto');
    const since = eventsSinceSql('mssql', '41', 500, '99').compile(mssql);
    expect(since.sql.replace(/\s+/g, ' ').trim()).toBe(
      'select top (@1) cast(seq as bigint) as seq, id, org_id, entity_type, entity_id, type, actor_id, from_state, to_state, data_json from events ' +
        'where seq > cast(cast(@2 as bigint) as binary(8)) and seq < cast(cast(@3 as bigint) as binary(8)) order by seq',
    );
    expect(since.parameters).toEqual([500, '41', '99']);
  });
});
