/**
 * SQL Server cannot run on the test machines, so each SQL Server statement of the outbox is
 * compiled here and its T-SQL text checked. The contract suites (test/worker/sql.test.ts) run
 * against a real server when WORKSTREAM_TEST_MSSQL_URL is set.
 */
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  type RawBuilder,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import {
  advanceCursorSql,
  claimRetriesSql,
  leaseRangeSql,
  rangeRowsSql,
} from '../../src/worker/sql/claim.js';
import { deleteRangeSql, holdLeaseSql } from '../../src/worker/sql/complete.js';
import { heldSql } from '../../src/worker/sql/held.js';
import { dissolveRangeSql, lockStaleLeaseSql } from '../../src/worker/sql/reclaim.js';

const mssql = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MssqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MssqlIntrospector(db),
    createQueryCompiler: () => new MssqlQueryCompiler(),
  },
});

/** The T-SQL text of a statement, whitespace folded, and its parameters. */
function compiled(statement: RawBuilder<unknown>) {
  const query = statement.compile(mssql);
  return { sql: query.sql.replace(/\s+/g, ' ').trim(), parameters: query.parameters };
}

describe('SQL Server outbox statements', () => {
  it('lease a range from the cursor, held until commit, below MIN_ACTIVE_ROWVERSION()', () => {
    expect(compiled(leaseRangeSql('mssql', { workerId: 'w1', leaseId: 'l1', batchSize: 200 }))).toEqual({
      sql:
        'insert into outbox_leases (id, from_txid, from_seq, to_txid, to_seq, locked_by, locked_at) ' +
        'select @1, c.txid, 0, n.last, 0, @2, sysutcdatetime() from outbox_cursor c with (updlock, holdlock) ' +
        'cross apply ( select top (1) t.txid as last from ( select top (@3) txid from outbox ' +
        'where is_retry = 0 and txid > c.txid and txid < min_active_rowversion() order by txid ) t ' +
        'order by t.txid desc ) n where c.id = 1',
      parameters: ['l1', 'w1', 200],
    });
  });

  it('move the cursor to the end of the lease, and read the range in rowversion order', () => {
    expect(compiled(advanceCursorSql('mssql', 'l1'))).toEqual({
      sql: 'update c set txid = l.to_txid from outbox_cursor c join outbox_leases l on l.id = @1 where c.id = 1',
      parameters: ['l1'],
    });
    expect(compiled(rangeRowsSql('mssql', 'l1'))).toEqual({
      sql:
        'select o.id, o.org_id, o.event_id, o.destination, o.payload_json as payload_text, o.max_attempts, ' +
        'o.errors_json, ' +
        'o.created_at from outbox o join outbox_leases l on l.id = @1 ' +
        'where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid order by o.txid',
      parameters: ['l1'],
    });
  });

  it('claim retry rows with a READPAST/UPDLOCK CTE and OUTPUT inserted.*', () => {
    expect(compiled(claimRetriesSql('mssql', { workerId: 'w1', batchSize: 50 }))).toEqual({
      sql:
        'with next as ( select top (@1) * from outbox with (rowlock, updlock, readpast) ' +
        'where is_retry = 1 and locked_at is null and run_at <= sysutcdatetime() order by run_at, id ) ' +
        'update next set locked_by = @2, locked_at = sysutcdatetime(), attempts = attempts + 1, ' +
        'updated_at = sysutcdatetime() output inserted.*',
      parameters: [50, 'w1'],
    });
  });

  it('fence a settlement on the lease holder and delete the range by its bounds', () => {
    expect(compiled(holdLeaseSql('mssql', 'w1', 'l1'))).toEqual({
      sql: 'update outbox_leases set locked_at = sysutcdatetime() where id = @1 and locked_by = @2',
      parameters: ['l1', 'w1'],
    });
    expect(compiled(deleteRangeSql('mssql', 'l1'))).toEqual({
      sql:
        'delete o from outbox o join outbox_leases l on l.id = @1 ' +
        'where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid',
      parameters: ['l1'],
    });
  });

  it('lock a stale lease (by age or by holder) and dissolve its range into retry rows', () => {
    expect(compiled(lockStaleLeaseSql('mssql', 'l1', { olderThanMs: 300_000 }))).toEqual({
      sql:
        'select id from outbox_leases with (updlock, rowlock) where id = @1 ' +
        'and locked_at < dateadd(millisecond, @2, sysutcdatetime())',
      parameters: ['l1', -300_000],
    });
    expect(compiled(lockStaleLeaseSql('mssql', 'l1', { heldBy: ['h:1:a#0', 'h:1:a#1'] }))).toEqual({
      sql: 'select id from outbox_leases with (updlock, rowlock) where id = @1 and locked_by in (@2, @3)',
      parameters: ['l1', 'h:1:a#0', 'h:1:a#1'],
    });
    expect(compiled(dissolveRangeSql('mssql', 'l1'))).toEqual({
      sql:
        'update o set is_retry = 1, attempts = l.attempts, run_at = sysutcdatetime(), locked_by = null, ' +
        'locked_at = null, updated_at = sysutcdatetime() output inserted.id from outbox o ' +
        'join outbox_leases l on l.id = @1 where o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid',
      parameters: ['l1'],
    });
  });

  it('list what is in flight: rows of leased ranges and locked retry rows', () => {
    expect(compiled(heldSql('mssql'))).toEqual({
      sql:
        'select o.id, o.event_id, l.locked_by, l.locked_at from outbox o join outbox_leases l ' +
        'on o.is_retry = 0 and o.txid > l.from_txid and o.txid <= l.to_txid ' +
        'union all select id, event_id, locked_by, locked_at from outbox where locked_by is not null',
      parameters: [],
    });
  });
});
