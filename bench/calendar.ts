/**
 * What SLA due-time maths costs, and how long re-targeting an org's running clocks takes.
 *
 * 1. Due-time cost of 1 h … 10,000 h targets on a one-minute-a-week calendar (Mondays 09:00–09:01,
 *    Europe/Berlin), the worst calendar an admin can set: the first call on a calendar builds its
 *    week table ("cold"), later calls read it ("warm", median of 200). Targets past the 100-year
 *    horizon are refused; the cost of the refusal is shown. The day-by-day walk the maths replaced
 *    (test/domain/calendar-oracle.ts) is timed beside it up to 1,000 h.
 * 2. Re-target time for 10,000 and 100,000 running clocks of one org after set_business_calendar,
 *    on SQLite and PostgreSQL, with the longest the event loop went without a turn meanwhile.
 *
 *   npx tsx bench/calendar.ts            # both parts; PostgreSQL at WORKSTREAM_BENCH_PG_URL
 *   npx tsx bench/calendar.ts maths      # part 1 only
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { addWorkingMinutes, type BusinessCalendar, validateCalendar } from '../src/domain/calendar.js';
import { ManualClock } from '../src/domain/clock.js';
import { connect, type Store } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream } from '../src/workstream/workstream.js';
import * as oracle from '../test/domain/calendar-oracle.js';

const PG_URL = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const START = new Date('2026-06-01T12:00:00.000Z');
const part = process.argv[2];

function calendar(weekly: { day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri'; start: string; end: string }[]) {
  const result = validateCalendar({ timeZone: 'Europe/Berlin', weekly });
  if (!result.ok) throw new Error(result.failure.message);
  return result.value;
}

function time(run: () => unknown): { ms: number; outcome: string } {
  const started = performance.now();
  let outcome: string;
  try {
    outcome = `due ${(run() as Date).toISOString().slice(0, 10)}`;
  } catch (error) {
    outcome = `refused: ${(error as Error).name}`;
  }
  return { ms: performance.now() - started, outcome };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function maths(): void {
  console.log('\n## Due time on a one-minute-a-week calendar (Mon 09:00–09:01, Europe/Berlin)\n');
  console.log('| target | outcome | cold (ms) | warm median (µs) | day-by-day walk (ms) |');
  console.log('|---:|---|---:|---:|---:|');
  for (const [row, hours] of [1, 10, 100, 1_000, 10_000].entries()) {
    // A fresh calendar object with a distinct holiday far in the past, so each row starts cold.
    const cold: BusinessCalendar = {
      ...calendar([{ day: 'mon', start: '09:00', end: '09:01' }]),
      holidays: [`1990-01-0${1 + row}`],
    };
    const first = time(() => addWorkingMinutes(cold, START, hours * 60));
    const warm: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const from = new Date(START.getTime() + i * 3_600_000);
      warm.push(time(() => addWorkingMinutes(cold, from, hours * 60)).ms);
    }
    const walk =
      hours <= 1_000
        ? time(() => oracle.addWorkingMinutes(cold, START, hours * 60)).ms.toFixed(0)
        : '(minutes)';
    console.log(
      `| ${hours.toLocaleString('en')} h | ${first.outcome} | ${first.ms.toFixed(1)} | ${(median(warm) * 1000).toFixed(1)} | ${walk} |`,
    );
  }
}

async function fillClocks(store: Store, orgId: string, policyId: string, total: number): Promise<void> {
  const { db, dialect } = store;
  const ts = (iso: string) => (dialect === 'postgres' ? sql`${new Date(iso)}::timestamptz` : sql`${iso}`);
  const started =
    dialect === 'postgres'
      ? sql`${START}::timestamptz - make_interval(mins => g)`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${START.toISOString()}, '-' || g || ' minutes')`;
  const rows = sql`select 'clk_bench_' || g, ${orgId}, 'triage', 'candidate', 'cand_bench_' || g, ${policyId}, 'running',
    ${started}, ${ts(START.toISOString())}, ${ts(START.toISOString())}`;
  const insert = sql`insert into sla_clocks (id, org_id, kind, entity_type, entity_id, policy_id, state, started_at, due_at, warn_at)`;
  if (dialect === 'postgres') {
    await sql`${insert} ${rows} from generate_series(1, ${total}) as g`.execute(db);
    await sql`vacuum analyze sla_clocks`.execute(db);
  } else {
    await sql`${insert} with recursive s(g) as (select 1 union all select g + 1 from s where g < ${total}) ${rows} from s`.execute(
      db,
    );
    await sql`analyze`.execute(db);
  }
}

async function retarget(
  name: string,
  open: () => Promise<{ store: Store; drop: () => Promise<void> }>,
  total: number,
) {
  const { store, drop } = await open();
  try {
    await migrate(store);
    const ws = createWorkstream(store, new ManualClock(START));
    const { orgId, adminId } = await ws.createOrg({
      name: 'Bench',
      slug: `bench-${total}`,
      admin: { email: 'admin@bench.test', name: 'Ada' },
    });
    const policy = await store.db
      .selectFrom('sla_policies')
      .select('id')
      .where('org_id', '=', orgId)
      .where('kind', '=', 'triage')
      .where('priority', '=', 'any')
      .executeTakeFirstOrThrow();
    await fillClocks(store, orgId, policy.id, total);
    let longestGap = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await ws.setBusinessCalendar(
      { orgId, memberId: adminId },
      { timeZone: 'Europe/Berlin', weekly: [{ day: 'tue', start: '10:00', end: '12:30' }] },
    );
    const ms = performance.now() - started;
    clearInterval(probe);
    const moved = await store.db
      .selectFrom('sla_clocks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('due_at', '<>', START)
      .executeTakeFirstOrThrow();
    console.log(
      `| ${name} | ${total.toLocaleString('en')} | ${ms.toFixed(0)} | ${longestGap.toFixed(0)} | ${Number(moved.n).toLocaleString('en')} |`,
    );
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
  const name = `ws_bench_cal_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
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

console.log(`node ${process.version}; start ${START.toISOString()}`);
maths();
if (part !== 'maths') {
  console.log('\n## Re-targeting running clocks after set_business_calendar\n');
  console.log(
    '| database | running clocks | set_business_calendar (ms) | longest event-loop gap (ms) | clocks moved |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, open] of [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ] as const) {
    for (const total of [10_000, 100_000]) await retarget(name, open, total);
  }
}
