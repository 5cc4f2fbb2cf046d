/**
 * The SLA feature's SQL Server statements, compiled and their T-SQL text checked (SQL Server cannot
 * run on the test machines; the contract suites run against one when WORKSTREAM_TEST_MSSQL_URL is set).
 */
import { DummyDriver, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import { markDueClocksSql } from '../../src/workstream/sql/mark-due-clocks.js';
import { RETARGET_BATCH, retargetClocksSql } from '../../src/workstream/sql/retarget-clocks.js';

/** Kysely with SQL Server's compiler and a driver that never connects: it only compiles. */
const mssql = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MssqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MssqlIntrospector(db),
    createQueryCompiler: () => new MssqlQueryCompiler(),
  },
});

const folded = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('SLA statements on SQL Server', () => {
  it('marks due SLA clocks through a READPAST/UPDLOCK CTE with OUTPUT of the marked clocks', () => {
    const now = new Date('2026-03-02T09:00:00.000Z');
    const compiled = markDueClocksSql('mssql', 'breached_at', now, 500).compile(mssql);
    expect(folded(compiled.sql)).toBe(
      'with next as ( select top (@1) * from sla_clocks with (rowlock, updlock, readpast) ' +
        'where state = \'running\' and "breached_at" is null and "due_at" <= @2 order by "due_at" ) ' +
        'update next set "breached_at" = @3, updated_at = @4 output inserted.id, inserted.org_id, inserted.kind, ' +
        'inserted.entity_type, inserted.entity_id, inserted.started_at, inserted.warn_at, inserted.due_at',
    );
    expect(compiled.parameters).toEqual([500, now, now, now]);
  });

  it('re-targets a batch of clocks with one UPDATE … FROM joined to a VALUES list', () => {
    const now = new Date('2026-03-02T09:00:00.000Z');
    const [due, warn] = [new Date('2026-03-03T09:00:00.000Z'), new Date('2026-03-03T07:00:00.000Z')];
    const compiled = retargetClocksSql(
      'mssql',
      [
        { id: 'clk_1', dueAt: due, warnAt: warn, policyId: 'slap_1' },
        { id: 'clk_2', dueAt: due, warnAt: warn, policyId: 'slap_2' },
      ],
      now,
    ).compile(mssql);
    expect(folded(compiled.sql)).toBe(
      'update k set due_at = v.due_at, warn_at = v.warn_at, policy_id = v.policy_id, updated_at = @1 ' +
        'from sla_clocks as k join (values (@2, @3, @4, @5), (@6, @7, @8, @9)) as v(id, due_at, warn_at, policy_id) ' +
        'on k.id = v.id',
    );
    expect(compiled.parameters).toEqual([now, 'clk_1', due, warn, 'slap_1', 'clk_2', due, warn, 'slap_2']);
  });

  it('keeps a full re-target batch under SQL Server’s 2,100 parameters', () => {
    const clock = { id: 'clk', dueAt: new Date(0), warnAt: new Date(0), policyId: 'slap' };
    const compiled = retargetClocksSql('mssql', Array(RETARGET_BATCH).fill(clock), new Date(0)).compile(
      mssql,
    );
    expect(compiled.parameters.length).toBeLessThanOrEqual(2_100);
    expect(() => retargetClocksSql('mssql', Array(RETARGET_BATCH + 1).fill(clock), new Date(0))).toThrow(
      RangeError,
    );
  });
});
