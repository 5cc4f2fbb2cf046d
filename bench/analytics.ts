/**
 * p50 of each analytics call on a large history: 100,000 pursuits (and their candidates and
 * signals) and about 2,000,000 events over two years, written set-based in the database itself
 * (insert … select over a numbers table), then each call timed 5 times after a warm-up.
 *
 *   npx tsx bench/analytics.ts                 # SQLite and PostgreSQL, full scale
 *   npx tsx bench/analytics.ts --scale 0.1     # 10,000 pursuits / ~200,000 events, for a quick look
 *   npx tsx bench/analytics.ts sqlite          # one database (sqlite | postgres)
 *   npx tsx bench/analytics.ts --keep          # keep the databases, to EXPLAIN the queries
 *
 * PostgreSQL at WORKSTREAM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * the bench creates its own database and drops it at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { FunnelInput, funnel } from '../src/analytics/funnel.js';
import { OutcomesInput, outcomes } from '../src/analytics/outcomes.js';
import { PipelineInput, pipeline } from '../src/analytics/pipeline.js';
import { SlaBreakdownInput, slaBreakdown } from '../src/analytics/sla.js';
import { VelocityInput, velocity } from '../src/analytics/velocity.js';
import { ManualClock } from '../src/domain/clock.js';
import { connect, type Store } from '../src/store/connect.js';
import type { DialectName } from '../src/store/dialect.js';
import { migrate } from '../src/store/migrator.js';
import type { Deps } from '../src/workstream/deps.js';
import { parse } from '../src/workstream/validate.js';

const PG_URL = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const args = process.argv.slice(2);
const scaleAt = args.indexOf('--scale');
const SCALE = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
const ONLY = args.find((a) => a === 'sqlite' || a === 'postgres');
const PURSUITS = Math.round(100_000 * SCALE);
/** Minutes between candidates: the history spans about two years at every scale. */
const SPACING = Math.max(1, Math.round(10 / SCALE));
const KEEP = args.includes('--keep');
/** Checklist events per pursuit besides the state changes: brings the total to ~20 a pursuit. */
const FILLER = 12;
const RUNS = 5;
const NOW = new Date('2027-02-01T00:00:00.000Z');
const ORG = 'org_bench';

/** Dialect pieces of the generator (the bench may branch; src/ does not). */
function gen(dialect: DialectName) {
  const ts = (minutes: RawBuilder<unknown> | string) => {
    const m = typeof minutes === 'string' ? sql.raw(minutes) : minutes;
    return dialect === 'postgres'
      ? sql`(timestamptz '2025-01-01 00:00:00+00' + (${m}) * interval '1 minute')`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01 00:00:00', (${m}) || ' minutes')`;
  };
  const pad = (expr: string, width: number) =>
    dialect === 'postgres'
      ? sql.raw(`lpad((${expr})::text, ${width}, '0')`)
      : sql.raw(`printf('%0${width}d', ${expr})`);
  return { ts, pad };
}

async function fill(store: Store): Promise<number> {
  const { db, dialect } = store;
  const { ts, pad } = gen(dialect);
  const run = (statement: RawBuilder<unknown>) => statement.execute(db);
  await run(sql`create table bench_n (g integer primary key)`);
  if (dialect === 'postgres')
    await run(sql`insert into bench_n select g from generate_series(1, ${PURSUITS}) g`);
  else
    await run(
      sql`insert into bench_n with recursive s(g) as (select 1 union all select g + 1 from s where g < ${PURSUITS}) select g from s`,
    );
  await db.insertInto('orgs').values({ id: ORG, name: 'Bench', slug: 'bench' }).execute();
  await db
    .insertInto('members')
    .values(
      [0, 1, 2, 3, 4].map((i) => ({
        id: `mem_b${i}`,
        org_id: ORG,
        email: `rep${i}@bench.test`,
        display_name: `Rep ${i}`,
        role: 'admin' as const,
      })),
    )
    .execute();
  await db
    .insertInto('business_calendars')
    .values({
      id: 'cal_b',
      org_id: ORG,
      name: 'business hours',
      time_zone: 'Europe/Berlin',
      weekly_json: '[]',
    })
    .execute();
  // Per pursuit g: d varies the durations; k picks the outcome (0–1 capture, 2 no_bid, 3 proposal,
  // 4 on_hold, 5 submitted, 6–7 won (every other 6 held and resumed first), 8 lost, 9 cancelled).
  const v = `(g % 13) * 60`;
  const c0 = `(g * ${SPACING})`;
  const p0 = `(${c0} + 4320 + 3 * ${v})`;
  const bid = `(${p0} + 2880 + ${v})`;
  const submit = `(${bid} + 10080 + 2 * ${v})`;
  const close = `(${submit} + 20160 + 5 * ${v})`;
  const k = `(g % 10)`;
  const state = `case ${k} when 0 then 'capture' when 1 then 'capture' when 2 then 'no_bid' when 3 then 'proposal'
    when 4 then 'on_hold' when 5 then 'submitted' when 6 then 'won' when 7 then 'won' when 8 then 'lost' else 'cancelled' end`;
  const closedAt = `case ${k} when 2 then ${p0} + 2880 when 9 then ${p0} + 5760 when 6 then ${close} when 7 then ${close} when 8 then ${close} end`;
  await run(sql`insert into candidates (id, org_id, title, account_name, natural_key, state, priority, assignee_id,
      estimated_value, created_by, created_at, updated_at)
    select 'cand_b' || g, ${ORG}, 'Bid ' || g, 'Account ' || g, 'nk' || g, 'promoted',
      case g % 4 when 0 then 'urgent' when 1 then 'high' when 2 then 'medium' else 'low' end,
      'mem_b' || (g % 5), 10000 + (g % 50) * 1000, 'mem_b0', ${ts(c0)}, ${ts(c0)}
    from bench_n`);
  await run(sql`insert into signals (id, org_id, source, external_ref, kind, title, state, candidate_id, received_at,
      created_by, created_at, updated_at)
    select 'sig_b' || g, ${ORG}, case g % 4 when 0 then 'sam.gov' when 1 then 'referral' when 2 then 'website' else 'news' end,
      'x' || g, 'rfp_notice', 'Notice ' || g, 'accepted', 'cand_b' || g, ${ts(`${c0} - 60`)}, 'mem_b0',
      ${ts(`${c0} - 60`)}, ${ts(c0)}
    from bench_n where g % 5 <> 0`);
  await run(sql`insert into pursuits (id, org_id, candidate_id, title, account_name, state, held_from_state, priority,
      assignee_id, due_at, estimated_value, probability, award_amount, loss_reason, close_reason, submitted_at, closed_at,
      created_by, created_at, updated_at)
    select 'pur_b' || g, ${ORG}, 'cand_b' || g, 'Bid ' || g, 'Account ' || g, ${sql.raw(state)},
      case when ${sql.raw(k)} = 4 then 'proposal' end,
      case g % 4 when 0 then 'urgent' when 1 then 'high' when 2 then 'medium' else 'low' end, 'mem_b' || (g % 5),
      ${ts(`${p0} + 57600`)}, 10000 + (g % 50) * 1000, case when g % 3 = 0 then null else 10 * (g % 10) end,
      case when ${sql.raw(k)} in (6, 7) then (10000 + (g % 50) * 1000) * 0.9 end,
      case when ${sql.raw(k)} = 8 then case g % 3 when 0 then 'price' when 1 then 'incumbent' else 'scope' end end,
      case ${sql.raw(k)} when 2 then case g % 2 when 0 then 'no_fit' else 'capacity' end when 9 then 'customer_cancelled' end,
      case when ${sql.raw(k)} between 5 and 8 then ${ts(submit)} end,
      case when ${sql.raw(closedAt)} is not null then ${ts(closedAt)} end,
      'mem_b0', ${ts(p0)}, ${ts(p0)}
    from bench_n`);
  // Events: one statement per kind of history step; ids sort by time within an entity.
  const event = (
    suffix: string,
    entity: 'signal' | 'candidate' | 'pursuit',
    type: string,
    from: string | null,
    to: string | null,
    at: string,
    where = '1 = 1',
  ) => {
    const prefix = { signal: 'sig_b', candidate: 'cand_b', pursuit: 'pur_b' }[entity];
    return run(sql`insert into events (id, org_id, entity_type, entity_id, type, actor_id, from_state, to_state, occurred_at)
      select 'evt_' || ${pad(at, 9)} || ${pad('g', 7)} || ${suffix}, ${ORG}, ${entity}, ${prefix} || g, ${type}, 'mem_b0',
        ${from === null ? sql`null` : sql.raw(from)}, ${to === null ? sql`null` : sql.raw(to)}, ${ts(at)}
      from bench_n where ${sql.raw(where)}`);
  };
  await event('a', 'signal', 'signal.created', null, `'new'`, `${c0} - 60`, 'g % 5 <> 0');
  await event('b', 'signal', 'signal.accepted', `'new'`, `'accepted'`, c0, 'g % 5 <> 0');
  await event('c', 'candidate', 'candidate.created', null, `'new'`, c0);
  await event('d', 'candidate', 'candidate.touched', `'new'`, `'contacted'`, `${c0} + 600 + ${v}`);
  await event(
    'e',
    'candidate',
    'candidate.qualified',
    `'contacted'`,
    `'qualified'`,
    `${c0} + 2880 + 2 * ${v}`,
  );
  await event('f', 'candidate', 'candidate.promoted', `'qualified'`, `'promoted'`, p0);
  await event('g', 'pursuit', 'pursuit.created', null, `'capture'`, p0);
  await event('h', 'pursuit', 'pursuit.no_bid', `'capture'`, `'no_bid'`, `${p0} + 2880`, `${k} = 2`);
  await event('i', 'pursuit', 'pursuit.cancelled', `'capture'`, `'cancelled'`, `${p0} + 5760`, `${k} = 9`);
  await event('j', 'pursuit', 'pursuit.bid', `'capture'`, `'proposal'`, bid, `${k} between 3 and 8`);
  await event(
    'k',
    'pursuit',
    'pursuit.held',
    `'proposal'`,
    `'on_hold'`,
    `${bid} + 1440`,
    `${k} = 4 or g % 20 = 6`,
  );
  await event(
    'l',
    'pursuit',
    'pursuit.resumed',
    `'on_hold'`,
    `'proposal'`,
    `${bid} + 4320 + ${v}`,
    'g % 20 = 6',
  );
  await event(
    'm',
    'pursuit',
    'pursuit.submitted',
    `'proposal'`,
    `'submitted'`,
    submit,
    `${k} between 5 and 8`,
  );
  await event('n', 'pursuit', 'pursuit.won', `'submitted'`, `'won'`, close, `${k} in (6, 7)`);
  await event('o', 'pursuit', 'pursuit.lost', `'submitted'`, `'lost'`, close, `${k} = 8`);
  for (let j = 1; j <= FILLER; j++)
    await event(
      `z${String(j).padStart(2, '0')}`,
      'pursuit',
      'pursuit.checklist_item_set',
      null,
      null,
      `${p0} + ${j * 30}`,
    );
  await run(sql`insert into tags (org_id, entity_type, entity_id, tag)
    select ${ORG}, 'candidate', 'cand_b' || g, 'tag' || (g % 6) from bench_n`);
  await run(sql`insert into tags (org_id, entity_type, entity_id, tag)
    select ${ORG}, 'pursuit', 'pur_b' || g, 'tag' || (g % 6) from bench_n`);
  await run(sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, state, started_at, due_at, warn_at, met_at)
    select 'clk_t' || g, ${ORG}, 'triage', 'candidate', 'cand_b' || g, 'met', ${ts(c0)}, ${ts(`${c0} + 480`)},
      ${ts(`${c0} + 360`)}, ${ts(`${c0} + 600 + ${v}`)}
    from bench_n`);
  await run(sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, state, started_at, due_at, warn_at, met_at)
    select 'clk_p' || g, ${ORG}, 'proposal', 'pursuit', 'pur_b' || g, 'met', ${ts(p0)}, ${ts(`${p0} + 14400`)},
      ${ts(`${p0} + 10800`)}, ${ts(submit)}
    from bench_n where ${sql.raw(k)} between 5 and 8`);
  await run(sql`drop table bench_n`);
  if (dialect === 'postgres') await run(sql`vacuum analyze`);
  else await run(sql`analyze`);
  const count = await sql<{ n: unknown }>`select count(*) as n from events`.execute(db);
  return Number(count.rows[0]?.n);
}

const QUARTERS = { from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const LAST_90 = { to: '2026-12-01T00:00:00Z' };
const YEAR = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const CALLS: [string, (deps: Deps) => Promise<unknown>][] = [
  [
    'funnel by quarter, 2 years',
    (d) => funnel(d, ACTOR, parse(FunnelInput, { ...QUARTERS, period: 'quarter' })),
  ],
  [
    'funnel by source, 2 years',
    (d) => funnel(d, ACTOR, parse(FunnelInput, { ...QUARTERS, groupBy: 'source' })),
  ],
  [
    'outcomes by quarter, 2 years',
    (d) => outcomes(d, ACTOR, parse(OutcomesInput, { ...QUARTERS, period: 'quarter' })),
  ],
  [
    'outcomes by assignee, 90 days',
    (d) => outcomes(d, ACTOR, parse(OutcomesInput, { ...LAST_90, groupBy: 'assignee' })),
  ],
  ['velocity, 90 days', (d) => velocity(d, ACTOR, parse(VelocityInput, LAST_90))],
  [
    'velocity by tag, 90 days',
    (d) => velocity(d, ACTOR, parse(VelocityInput, { ...LAST_90, groupBy: 'tag' })),
  ],
  ['velocity, 1 year', (d) => velocity(d, ACTOR, parse(VelocityInput, YEAR))],
  ['pipeline + forecast', (d) => pipeline(d, ACTOR, parse(PipelineInput, {}))],
  ['pipeline by assignee', (d) => pipeline(d, ACTOR, parse(PipelineInput, { groupBy: 'assignee' }))],
  [
    'SLA compliance by assignee, 90 days',
    (d) => slaBreakdown(d, ACTOR, parse(SlaBreakdownInput, { ...LAST_90, groupBy: 'assignee' })),
  ],
  [
    'SLA compliance by assignee, 1 year',
    (d) => slaBreakdown(d, ACTOR, parse(SlaBreakdownInput, { ...YEAR, groupBy: 'assignee' })),
  ],
];
const ACTOR = { orgId: ORG, memberId: 'mem_b0' };

async function bench(name: string, open: () => Promise<{ store: Store; drop: () => Promise<void> }>) {
  const { store, drop } = await open();
  try {
    await migrate(store);
    const started = performance.now();
    const events = await fill(store);
    const fillSeconds = (performance.now() - started) / 1000;
    console.error(`${name}: ${PURSUITS} pursuits, ${events} events written in ${fillSeconds.toFixed(0)} s`);
    const deps: Deps = { store, clock: new ManualClock(NOW) };
    for (const [label, call] of CALLS) {
      await call(deps); // warm-up: plans and caches
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await call(deps);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.ceil(RUNS / 2) - 1] ?? 0;
      console.log(
        `| ${name} | ${PURSUITS.toLocaleString('en')} | ${events.toLocaleString('en')} | ${label} | ${p50.toFixed(0)} |`,
      );
    }
  } finally {
    await store.close();
    if (KEEP) console.error(`${name}: kept the database (--keep)`);
    else await drop();
  }
}

const sqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bench-analytics-'));
  if (KEEP) console.error(`SQLite: ${join(dir, 'bench.db')}`);
  return {
    store: await connect(`sqlite:${join(dir, 'bench.db')}`),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres = async () => {
  const name = `ws_bench_analytics_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    store: await connect(url.toString()),
    drop: async () => {
      const again = new pg.Client({ connectionString: PG_URL });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
};

console.log(`node ${process.version}; scale ${SCALE}; p50 of ${RUNS} runs after one warm-up`);
console.log('| database | pursuits | events | call | p50 (ms) |');
console.log('|---|---:|---:|---|---:|');
if (ONLY !== 'postgres') await bench('SQLite', sqlite);
if (ONLY !== 'sqlite') await bench('PostgreSQL', postgres);
