/**
 * The analytics migration (migrations/<dialect>/0003_analytics.sql) is one definition written
 * three times: the views, indexes and backfill differ only in how a time difference becomes
 * minutes (and the table in its column types); the trigger that keeps state_stays is each
 * dialect's own. SQL Server cannot run here, so its T-SQL text is checked: the same statements as
 * SQLite's (which run in the analytics tests) once that one expression is put back, each
 * `create view` and `create trigger` a statement of its own (a batch, as T-SQL requires), and
 * no function SQL Server lacks.
 */
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/store/migrator.js';

const statements = (dialect: 'sqlite' | 'postgres' | 'mssql') => {
  const migration = loadMigrations(dialect).find((m) => m.name === '0003_analytics');
  if (!migration) throw new Error(`no 0003_analytics migration for ${dialect}`);
  return migration.statements;
};

/** Each dialect's "minutes from a to b", turned into one neutral spelling. */
const MINUTES: Record<'sqlite' | 'postgres' | 'mssql', [RegExp, string]> = {
  sqlite: [
    /round\(\(julianday\(([\w.]+)\) - julianday\(([\w.]+)\)\) \* 86400000\) \/ 60000\.0/g,
    'MINUTES($2, $1)',
  ],
  postgres: [/extract\(epoch from \(([\w.]+) - ([\w.]+)\)\) \/ 60/g, 'MINUTES($2, $1)'],
  mssql: [/datediff_big\(millisecond, ([\w.]+), ([\w.]+)\) \/ 60000\.0/g, 'MINUTES($1, $2)'],
};
/** The statements shared by all three: everything but the table's types and the trigger. */
const neutral = (dialect: keyof typeof MINUTES) =>
  statements(dialect)
    .filter((s) => !/^create (table|trigger|function)/.test(s))
    .map((s) => s.replace(MINUTES[dialect][0], MINUTES[dialect][1]));
const trigger = (dialect: keyof typeof MINUTES) =>
  statements(dialect).find((s) => s.startsWith('create trigger')) ?? '';
const fold = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('the analytics views', () => {
  it('are the same statements on all three dialects but for the minutes expression', () => {
    const sqlite = neutral('sqlite');
    expect(sqlite.join('\n')).toContain('MINUTES(s.entered_at, s.left_at)');
    expect(neutral('postgres')).toEqual(sqlite);
    expect(neutral('mssql')).toEqual(sqlite);
  });

  it('define v_state_stays, v_candidate_funnel, v_pursuit_outcomes and v_sla_outcomes, one per statement', () => {
    const views = statements('mssql')
      .filter((s) => s.startsWith('create view'))
      .map((s) => /^create view (\w+) as\n/.exec(s)?.[1]);
    expect(views).toEqual(['v_state_stays', 'v_candidate_funnel', 'v_pursuit_outcomes', 'v_sla_outcomes']);
    for (const s of statements('mssql'))
      expect(s.match(/create (view|trigger)/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('keep state_stays with a statement trigger on SQL Server over the inserted rows', () => {
    expect(fold(trigger('mssql'))).toBe(
      fold(`create trigger events_state_stays on events after insert as
      begin
        set nocount on
        insert into state_stays (left_event_id, org_id, entity_type, entity_id, state, next_state, entered_at, left_at)
        select i.id, i.org_id, i.entity_type, i.entity_id, i.from_state, i.to_state,
          (select max(p.occurred_at) from events p
            where p.org_id = i.org_id and p.entity_type = i.entity_type and p.entity_id = i.entity_id
              and p.to_state is not null and (p.from_state is null or p.from_state <> p.to_state) and p.id < i.id),
          i.occurred_at
        from inserted i
        where i.from_state is not null and i.to_state is not null and i.from_state <> i.to_state
      end`),
    );
    expect(trigger('sqlite')).toContain('for each row when new.from_state is not null');
    expect(trigger('postgres')).toContain('execute function record_state_stay()');
  });

  it('use only T-SQL on SQL Server: datediff_big minutes, filtered indexes, no LIMIT, ||, :: or julianday', () => {
    const text = statements('mssql').join('\n');
    expect(text).toContain('datediff_big(millisecond, s.entered_at, s.left_at) / 60000.0 as minutes');
    expect(text).toContain(
      'datediff_big(millisecond, y.started_at, y.closed_at) / 60000.0 end as cycle_minutes',
    );
    expect(text).toContain('entered_at datetime2(3) null');
    expect(text).toContain("create index sla_clocks_met on sla_clocks (org_id, met_at) where state = 'met'");
    for (const foreign of [
      /\blimit\b/i,
      /\|\|/,
      /::/,
      /julianday/,
      /extract\(/,
      /\bgreatest\b|\bleast\b/,
      /\bilike\b/,
    ])
      expect(text).not.toMatch(foreign);
    // T-SQL views cannot be ordered; the tools order their answers.
    expect(text).not.toMatch(/order by/i);
  });
});
