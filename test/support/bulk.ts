/**
 * Bulk work for one organization, written set-based in a few statements (an INSERT … SELECT over
 * a generated series), for the query-plan test and bench/scale.ts: `count` candidates, most of
 * them assigned to `members[0]`, in every state, with triage clocks on the new ones, a pursuit
 * (with its proposal clock) for each promoted one, and a tag on every tenth. Rows look like the
 * commands' own: the same columns, states, priorities and clocks, and the Today Panel places
 * recomputed at the end (src/workstream/today-order.ts). SQLite and PostgreSQL only.
 */
import { sql } from 'kysely';
import type { Store } from '../../src/store/connect.js';
import { rebuildTodayOrder } from '../../src/workstream/today-order.js';

export interface BulkWork {
  readonly orgId: string;
  /** The first holds most of the work (4 in 5); the others share the rest. */
  readonly members: readonly string[];
  readonly count: number;
  /** Times are spread backwards from here, a minute apart; due times around it. */
  readonly now: Date;
  /** Distinguishes the ids of several loads into one database. */
  readonly batch?: string;
}

/** Adds the work and returns how long it took, in milliseconds. */
export async function addBulkWork(store: Store, work: BulkWork): Promise<number> {
  const started = performance.now();
  const { db, dialect } = store;
  if (dialect === 'mssql') throw new Error('bulk work is written for SQLite and PostgreSQL');
  const batch = (work.batch ?? '0').padStart(4, '0').slice(-4);
  const pg = dialect === 'postgres';
  // n runs 1..count; every expression below is of n only, so each statement is one pass.
  const series = pg
    ? sql`generate_series(1, ${work.count}) as s(n)`
    : sql`(with recursive s(n) as (select 1 union all select n + 1 from s where n < ${work.count}) select n from s) s`;
  const pad = (expr: ReturnType<typeof sql>) =>
    pg ? sql`lpad(${expr}::text, 22, '0')` : sql`printf('%022d', ${expr})`;
  const text = (value: string) => sql`cast(${value} as text)`;
  const id = (prefix: string) => sql`${text(`${prefix}_${batch}`)} || ${pad(sql`n`)}`;
  const lastDigit = (column: ReturnType<typeof sql>) =>
    pg ? sql`right(${column}, 1)` : sql`substr(${column}, -1)`;
  const minutesBefore = (minutes: ReturnType<typeof sql>) =>
    pg
      ? sql`${work.now}::timestamptz - make_interval(mins => ${minutes})`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${work.now.toISOString()}, '-' || (${minutes}) || ' minutes')`;
  const minutesAfter = (minutes: ReturnType<typeof sql>) =>
    pg
      ? sql`${work.now}::timestamptz + make_interval(mins => ${minutes})`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${work.now.toISOString()}, '+' || (${minutes}) || ' minutes')`;
  const members = work.members.map((m) => sql.lit(m));
  const others = members.slice(1);
  const assignee =
    others.length === 0
      ? members[0]
      : sql`case when n % 5 = 0 then (case n % ${others.length} ${sql.join(
          others.map((m, i) => sql`when ${sql.lit(i)} then ${m}`),
          sql` `,
        )} end) else ${members[0]} end`;
  // States: 40% new, 20% contacted, 10% qualified, 20% promoted, 10% disqualified.
  const state = sql`case when n % 10 < 4 then 'new' when n % 10 < 6 then 'contacted' when n % 10 = 6 then 'qualified' when n % 10 < 9 then 'promoted' else 'disqualified' end`;
  const priority = sql`case n % 7 when 0 then 'urgent' when 1 then 'high' when 2 then 'low' else 'medium' end`;
  const org = work.orgId;

  await sql`insert into candidates (id, org_id, title, account_name, natural_key, state, priority,
      assignee_id, due_at, created_by, created_at, updated_at, first_touch_at)
    select ${id('cand')}, ${org}, 'Bulk opportunity ' || n, 'Account ' || n,
      ${text(`bulk${batch}|`)} || n, ${state}, ${priority}, ${assignee},
      case when n % 3 = 0 then ${minutesAfter(sql`(n % 5000) * 3 - 2000`)} end,
      ${org}, ${minutesBefore(sql`${work.count} - n`)}, ${minutesBefore(sql`${work.count} - n`)},
      case when n % 10 >= 4 then ${minutesBefore(sql`${work.count} - n`)} end
    from ${series}`.execute(db);

  // Triage clocks run on new candidates (8 working hours, counted here as calendar time).
  await sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, state, started_at, due_at, warn_at)
    select 'clk_t' || substr(c.id, 6), c.org_id, 'triage', 'candidate', c.id, 'running', c.created_at,
      ${pg ? sql`c.created_at + interval '8 hours'` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at, '+8 hours')`},
      ${pg ? sql`c.created_at + interval '6 hours'` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at, '+6 hours')`}
    from candidates c where c.org_id = ${org} and c.state = 'new' and c.id like ${`cand_${batch}%`}`.execute(
    db,
  );

  // A pursuit per promoted candidate, in capture or proposal, with its running proposal clock.
  await sql`insert into pursuits (id, org_id, candidate_id, title, account_name, state, priority, assignee_id,
      due_at, created_by, created_at, updated_at)
    select 'pur_' || substr(c.id, 6), c.org_id, c.id, c.title, c.account_name,
      case when ${lastDigit(sql`c.id`)} in ('2', '4', '6', '8', '0') then 'capture' else 'proposal' end, c.priority, c.assignee_id,
      c.due_at, c.created_by, c.created_at, c.updated_at
    from candidates c where c.org_id = ${org} and c.state = 'promoted' and c.id like ${`cand_${batch}%`}`.execute(
    db,
  );
  await sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, state, started_at, due_at, warn_at)
    select 'clk_p' || substr(p.id, 5), p.org_id, 'proposal', 'pursuit', p.id, 'running', p.created_at,
      ${pg ? sql`p.created_at + interval '80 hours'` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', p.created_at, '+80 hours')`},
      ${pg ? sql`p.created_at + interval '60 hours'` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', p.created_at, '+60 hours')`}
    from pursuits p where p.org_id = ${org} and p.id like ${`pur_${batch}%`}`.execute(db);

  await sql`insert into tags (org_id, entity_type, entity_id, tag)
    select org_id, 'candidate', id, 'federal' from candidates
    where org_id = ${org} and id like ${`cand_${batch}%`} and ${lastDigit(sql`id`)} = '0'`.execute(db);

  await db.transaction().execute((tx) => rebuildTodayOrder(tx, org));
  await sql.raw('analyze').execute(db);
  return performance.now() - started;
}
