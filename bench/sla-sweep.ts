/**
 * How long one SLA sweep takes, by how many clocks fall due and how many are running in all.
 * "breach" rows: the due clocks were warned by an earlier sweep and now pass their due time (one
 * event and one alert row each, the steady state of a sweep every 30 s). "warn+breach" rows: they
 * pass both times at once (two events each, as after a long outage of every worker).
 *
 *   npx tsx bench/sla-sweep.ts            # SQLite, and PostgreSQL at WORKSTREAM_BENCH_PG_URL
 *                                         # (default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { ManualClock } from '../src/domain/clock.js';
import { connect, type Store } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { sweepSlas } from '../src/workstream/sla-sweep.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const PAST = new Date(NOW.getTime() - 3_600_000);
const FUTURE = new Date(NOW.getTime() + 30 * 86_400_000);
const PG_URL = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Inserts `total` running clocks, the first `due` of them past warning and due time, in the database itself. */
async function fill(store: Store, total: number, due: number, warnedEarlier: boolean): Promise<void> {
  const { db, dialect } = store;
  await db
    .insertInto('orgs')
    .values({ id: 'org_bench', name: 'Bench', slug: `bench-${Date.now()}` })
    .execute();
  const times = (g: string) =>
    dialect === 'postgres'
      ? sql`case when ${sql.raw(g)} <= ${due} then ${PAST}::timestamptz else ${FUTURE}::timestamptz end`
      : sql`case when ${sql.raw(g)} <= ${due} then ${PAST.toISOString()} else ${FUTURE.toISOString()} end`;
  const rows = (g: string) => sql`
    select 'clk_' || ${sql.raw(g)}, 'org_bench', 'triage', 'candidate', 'cand_' || ${sql.raw(g)}, 'running',
           ${dialect === 'postgres' ? sql`${PAST}::timestamptz` : sql`${PAST.toISOString()}`}, ${times(g)}, ${times(g)},
           ${warnedEarlier ? sql`case when ${sql.raw(g)} <= ${due} then ${dialect === 'postgres' ? sql`${PAST}::timestamptz` : sql`${PAST.toISOString()}`} end` : sql`null`}`;
  const insert = sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, state, started_at, due_at, warn_at, warned_at)`;
  if (dialect === 'postgres') {
    await sql`${insert} ${rows('g')} from generate_series(1, ${total}) as g`.execute(db);
    // Settle the freshly written table (visibility map, statistics, dirty pages) before timing.
    await sql`vacuum analyze sla_clocks`.execute(db);
    await sql`checkpoint`.execute(db);
  } else {
    await sql`${insert} with recursive s(g) as (select 1 union all select g + 1 from s where g < ${total}) ${rows('g')} from s`.execute(
      db,
    );
    await sql`analyze`.execute(db);
  }
}

async function measure(
  open: () => Promise<{ store: Store; drop: () => Promise<void> }>,
  total: number,
  due: number,
  warnedEarlier: boolean,
) {
  const { store, drop } = await open();
  try {
    await migrate(store);
    await fill(store, total, due, warnedEarlier);
    const started = performance.now();
    const result = await sweepSlas({ store, clock: new ManualClock(NOW) });
    const ms = performance.now() - started;
    if (result.warned !== (warnedEarlier ? 0 : due) || result.breached !== due)
      throw new Error(`swept ${JSON.stringify(result)}`);
    return ms;
  } finally {
    await store.close();
    await drop();
  }
}

const sqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bench-'));
  return {
    store: await connect(`sqlite:${join(dir, 'bench.db')}`),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres = async () => {
  const name = `ws_bench_sla_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
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

const CASES = [
  { total: 1_000, due: 1_000, warnedEarlier: true },
  { total: 100_000, due: 1_000, warnedEarlier: true },
  { total: 1_000_000, due: 1_000, warnedEarlier: true },
  { total: 100_000, due: 10_000, warnedEarlier: true },
  { total: 100_000, due: 10_000, warnedEarlier: false },
];

console.log(`node ${process.version}; NOW ${NOW.toISOString()}`);
console.log('| database | running clocks | falling due | what happens | sweep (ms) | events written |');
console.log('|---|---:|---:|---|---:|---:|');
const only = process.argv[2]; // 'sqlite' or 'postgres' to run one
for (const [name, open] of [
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
] as const) {
  if (only && only !== name.toLowerCase()) continue;
  await measure(open, 1_000, 100, false); // warm-up: module loading and JIT, not the sweep
  for (const { total, due, warnedEarlier } of CASES) {
    const ms = await measure(open, total, due, warnedEarlier);
    const events = (warnedEarlier ? 1 : 2) * due;
    console.log(
      `| ${name} | ${total.toLocaleString('en')} | ${due.toLocaleString('en')} | ${warnedEarlier ? 'breach' : 'warn+breach'} | ${ms.toFixed(0)} | ${events.toLocaleString('en')} |`,
    );
  }
}
