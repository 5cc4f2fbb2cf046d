/**
 * The search tool's latency on a large organization: 100,000 candidates (with tags, through the
 * same triggers that keep search documents in step on every write), then p50 / p95 of `search`
 * for a rare word, a common word, two words and an exact account name, on SQLite and, with
 * WORKSTREAM_BENCH_PG_URL (default the local server), PostgreSQL. Each run makes its own database.
 *
 *   npx tsx bench/search.ts [sqlite|postgresql] [--rows 100000] [--explain]
 *
 * --explain prints each query's plan for the other matches (restStatement) to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { ManualClock } from '../src/domain/clock.js';
import { newId } from '../src/domain/ids.js';
import { connect, type Store } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { restStatement } from '../src/store/search-sql.js';
import { searchTerms } from '../src/workstream/search.js';
import { createWorkstream } from '../src/workstream/workstream.js';

const { values, positionals } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, explain: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const ROWS = Number(values.rows);
const CALLS = 50;
const PG_URL = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORDS = [
  'fleet',
  'county',
  'transit',
  'harbor',
  'telematics',
  'dispatch',
  'water',
  'school',
  'grid',
  'clinic',
];
const QUERIES: [string, string][] = [
  ['rare word', 'zebrafish'],
  ['common word', 'fleet'],
  ['two words', 'county telematics'],
  ['exact account', 'Account 4242'],
];

async function fill(
  store: Store,
): Promise<{ ws: ReturnType<typeof createWorkstream>; orgId: string; memberId: string }> {
  await migrate(store);
  const ws = createWorkstream(store, new ManualClock(new Date('2026-12-01T09:00:00Z')));
  const { orgId, adminId } = await ws.createOrg({
    name: 'Bench',
    slug: `bench-${Date.now()}`,
    admin: { email: 'a@bench.example', name: 'A' },
  });
  for (let start = 0; start < ROWS; start += 1000) {
    const rows = [];
    const tags = [];
    for (let i = start; i < Math.min(ROWS, start + 1000); i++) {
      const id = newId('cand', new Date(Date.UTC(2026, 0, 1) + i * 1000));
      const word = (n: number) => WORDS[(i * 7 + n) % WORDS.length] ?? 'fleet';
      rows.push({
        id,
        org_id: orgId,
        title: `${word(0)} ${word(3)} ${i === 77_777 ? 'zebrafish ' : ''}programme ${i}`,
        account_name: `Account ${i}`,
        account_domain: `account${i}.example`,
        opportunity_ref: `REF-${i}`,
        natural_key: `account${i}.example|ref-${i}`,
        created_by: adminId,
      });
      tags.push({ org_id: orgId, entity_type: 'candidate' as const, entity_id: id, tag: word(5) });
    }
    await store.db.insertInto('candidates').values(rows).execute();
    await store.db.insertInto('tags').values(tags).execute();
  }
  // What autovacuum does soon after a bulk load: without statistics the planner guesses every
  // match rare and ranks them all, which no settled database does.
  if (store.dialect === 'postgres') await sql`analyze search_documents`.execute(store.db);
  return { ws, orgId, memberId: adminId };
}

async function measure(name: string, store: Store): Promise<string[]> {
  const filled = performance.now();
  const { ws, orgId, memberId } = await fill(store);
  process.stderr.write(`${name}: ${ROWS} candidates in ${Math.round(performance.now() - filled)} ms\n`);
  const lines: string[] = [];
  for (const [what, query] of QUERIES) {
    if (values.explain) {
      const compiled = restStatement(store.dialect, {
        orgId,
        terms: searchTerms(query),
        phrase: query.toLowerCase(),
        limit: 26,
      }).compile(store.db);
      const explain = store.dialect === 'sqlite' ? 'explain query plan' : 'explain analyze';
      const plan = await store.db.executeQuery({
        ...compiled,
        sql: `${explain} ${compiled.sql}`,
        query: compiled.query,
      });
      process.stderr.write(
        `${name} ${what}:\n${plan.rows.map((row) => Object.values(row as object).join(' ')).join('\n')}\n`,
      );
    }
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < CALLS + 5; i++) {
      const started = performance.now();
      const page = await ws.search({ orgId, memberId }, { query, limit: 25 });
      if (i >= 5) times.push(performance.now() - started);
      hits = page.items.length;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => (times[Math.ceil((p / 100) * times.length) - 1] ?? Number.NaN).toFixed(2);
    lines.push(
      `| ${name} | ${ROWS.toLocaleString('en')} | ${what} (\`${query}\`) | ${hits} | ${at(50)} | ${at(95)} |`,
    );
  }
  return lines;
}

const which = positionals[0];
const out = [
  '| database | candidates | query | hits (page of 25) | p50 ms | p95 ms |',
  '|---|---:|---|---:|---:|---:|',
];
if (which !== 'postgresql') {
  const dir = mkdtempSync(join(tmpdir(), 'workstream-search-'));
  const store = await connect(`sqlite:${join(dir, 'bench.db')}`);
  try {
    out.push(...(await measure('SQLite', store)));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (which !== 'sqlite') {
  const name = `ws_bench_search_${Date.now()}`;
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
