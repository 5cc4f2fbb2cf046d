/**
 * list_candidates filtered by a custom field on a large organization: N candidates (default
 * 50,000) with an enum `region` (half EMEA, half AMER, one in 10,000 APAC) and a number `seats`,
 * then p50 / p95 of a first page of 25 for a common value, a rare value, a number, and the
 * common value's tenth page by cursor, on SQLite and, with WORKSTREAM_BENCH_PG_URL (default the
 * local server), PostgreSQL. No index holds field values: a rare value scans the org's rows.
 * Each run makes its own database.
 *
 *   npx tsx bench/field-filter.ts [sqlite|postgresql] [--rows 50000] [--explain]
 *
 * --explain prints each database's plan of the common value's first page on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { ManualClock } from '../src/domain/clock.js';
import { newId } from '../src/domain/ids.js';
import { connect, type Store } from '../src/store/connect.js';
import { toJson } from '../src/store/dialect.js';
import { fieldEqualsSql } from '../src/store/field-sql.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream } from '../src/workstream/workstream.js';

const { values, positionals } = parseArgs({
  options: { rows: { type: 'string', default: '50000' }, explain: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const ROWS = Number(values.rows);
const CALLS = 30;
const PG_URL = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function fill(store: Store) {
  await migrate(store);
  const ws = createWorkstream(store, new ManualClock(new Date('2026-12-01T09:00:00Z')));
  const { orgId, adminId } = await ws.createOrg({
    name: 'Bench',
    slug: `bench-${Date.now()}`,
    admin: { email: 'a@bench.example', name: 'A' },
  });
  const actor = { orgId, memberId: adminId };
  await ws.setCustomField(actor, {
    entity: 'candidate',
    key: 'region',
    label: 'Region',
    type: 'enum',
    options: ['EMEA', 'AMER', 'APAC'],
  });
  await ws.setCustomField(actor, { entity: 'candidate', key: 'seats', label: 'Seats', type: 'number' });
  for (let start = 0; start < ROWS; start += 1000) {
    const rows = [];
    for (let i = start; i < Math.min(ROWS, start + 1000); i++) {
      const region = i % 10_000 === 4_242 ? 'APAC' : i % 2 === 0 ? 'EMEA' : 'AMER';
      rows.push({
        id: newId('cand', new Date(Date.UTC(2026, 0, 1) + i * 1000)),
        org_id: orgId,
        title: `Programme ${i}`,
        account_name: `Account ${i}`,
        natural_key: `account-${i}`,
        fields_json: toJson({ region, seats: i % 500 }),
        created_by: adminId,
      });
    }
    await store.db.insertInto('candidates').values(rows).execute();
  }
  // Statistics as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) would have them.
  await store.db.executeQuery(CompiledQuery.raw('analyze'));
  return { ws, actor };
}

async function measure(name: string, store: Store): Promise<string[]> {
  const filled = performance.now();
  const { ws, actor } = await fill(store);
  process.stderr.write(`${name}: ${ROWS} candidates in ${Math.round(performance.now() - filled)} ms\n`);
  const tenth = async () => {
    let cursor: string | undefined;
    for (let page = 0; page < 9; page++)
      cursor = (
        await ws.listCandidates(actor, { field: 'region=EMEA', limit: 25, ...(cursor ? { cursor } : {}) })
      ).nextCursor as string;
    return cursor;
  };
  const cursor = await tenth();
  const cases: [string, Record<string, unknown>][] = [
    ['common value, first page', { field: 'region=EMEA' }],
    ['common value, tenth page', { field: 'region=EMEA', cursor }],
    [`rare value (${Math.ceil(ROWS / 10_000)} rows)`, { field: 'region=APAC' }],
    ['number', { field: 'seats=42' }],
    ['no filter', {}],
  ];
  if (values.explain) {
    const page = store.db
      .selectFrom('candidates')
      .selectAll()
      .where('org_id', '=', actor.orgId)
      .orderBy('id', 'desc')
      .where(fieldEqualsSql(store.dialect, 'candidates.fields_json', 'region', 'EMEA'))
      .limit(26)
      .compile();
    const explain = store.dialect === 'postgres' ? 'explain analyze' : 'explain query plan';
    const plan = await store.db.executeQuery(
      CompiledQuery.raw(`${explain} ${page.sql}`, [...page.parameters]),
    );
    process.stderr.write(
      `${name} plan:\n${plan.rows.map((row) => Object.values(row as object).join(' ')).join('\n')}\n`,
    );
  }
  const lines: string[] = [];
  for (const [what, args] of cases) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < CALLS + 3; i++) {
      const started = performance.now();
      const page = await ws.listCandidates(actor, { limit: 25, ...args });
      if (i >= 3) times.push(performance.now() - started);
      hits = page.items.length;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => (times[Math.ceil((p / 100) * times.length) - 1] ?? Number.NaN).toFixed(2);
    lines.push(`| ${name} | ${ROWS.toLocaleString('en')} | ${what} | ${hits} | ${at(50)} | ${at(95)} |`);
  }
  return lines;
}

const which = positionals[0];
const out = [
  '| database | candidates | filter | rows on the page | p50 ms | p95 ms |',
  '|---|---:|---|---:|---:|---:|',
];
if (which !== 'postgresql') {
  const dir = mkdtempSync(join(tmpdir(), 'workstream-field-filter-'));
  const store = await connect(`sqlite:${join(dir, 'bench.db')}`);
  try {
    out.push(...(await measure('SQLite', store)));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (which !== 'sqlite') {
  const name = `ws_bench_fields_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const store = await connect(url.toString());
  try {
    out.push(...(await measure('PostgreSQL', store)));
  } finally {
    await store.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}
process.stdout.write(`${out.join('\n')}\n`);
