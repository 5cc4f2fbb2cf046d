/**
 * Cost per page, not per dataset: p50 and p99 of the Today Panel, the lists and a write that
 * moves SLA clocks, in one organization of 1k, 10k, 100k and 1M candidates where one member
 * holds 4 in 5 of them, on SQLite and PostgreSQL. Calls go straight to the workstream (no MCP):
 * this measures the database work a call does.
 *
 *   npx tsx bench/scale.ts [--max 100k] [--dialect sqlite|postgres|both] [--calls 200] [--rounds 5]
 *
 * Each scale's database is generated once, set-based (test/support/bulk.ts), and kept for the
 * next run: SQLite files under bench/.data/, PostgreSQL databases ws_bench_scale_<n> on
 * WORKSTREAM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres); `--fresh`
 * generates them again. The scales run interleaved, a slice of every operation per round, so a
 * busy moment of the (shared) machine falls on all of them alike; the ratio to 1k is per round,
 * and the table shows its median.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ManualClock } from '../src/domain/clock.js';
import { connect, type Store } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { type Actor, createWorkstream, type Workstream } from '../src/workstream/workstream.js';
import { addBulkWork } from '../test/support/bulk.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(ROOT, 'bench', '.data');
const SCALES = { '1k': 1_000, '10k': 10_000, '100k': 100_000, '1m': 1_000_000 } as const;
type Scale = keyof typeof SCALES;
const NOW = new Date('2026-11-30T12:00:00.000Z');

const { values } = parseArgs({
  options: {
    max: { type: 'string', default: '100k' },
    dialect: { type: 'string', default: 'both' },
    calls: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    fresh: { type: 'boolean', default: false },
  },
});
const maxScale = (values.max ?? '100k').toLowerCase() as Scale;
if (!(maxScale in SCALES)) throw new Error(`--max is one of ${Object.keys(SCALES).join(', ')}`);
const scales = (Object.keys(SCALES) as Scale[]).filter((s) => SCALES[s] <= SCALES[maxScale]);
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const PG_ADMIN = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dialects = (values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect]) as (
  | 'sqlite'
  | 'postgres'
)[];

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Target {
  scale: Scale;
  store: Store;
  ws: Workstream;
  actor: Actor;
  candidateId: string;
  openItems: number;
}

async function pgAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The database of one scale: reused when a finished one exists, else generated. */
async function open(dialect: 'sqlite' | 'postgres', scale: Scale): Promise<Target> {
  const count = SCALES[scale];
  let url: string;
  let exists: boolean;
  if (dialect === 'sqlite') {
    mkdirSync(DATA, { recursive: true });
    const file = join(DATA, `scale-${scale}.db`);
    if (values.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    exists = existsSync(file);
    url = `sqlite:${file}`;
  } else {
    const name = `ws_bench_scale_${scale}`;
    if (values.fresh) await pgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    exists = await pgAdmin(async (c) => {
      const found = await c.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await c.query(`create database "${name}"`);
      return (found.rowCount ?? 0) > 0;
    });
    const parsed = new URL(PG_ADMIN);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  }
  const store = await connect(url);
  await migrate(store);
  const ws = createWorkstream(store, new ManualClock(NOW));
  let org = await store.db.selectFrom('orgs').select('id').where('slug', '=', 'scale').executeTakeFirst();
  const generated = org
    ? await store.db
        .selectFrom('candidates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', org.id)
        .executeTakeFirst()
    : undefined;
  if (!exists || !org || Number(generated?.n ?? 0) < count) {
    if (org) throw new Error(`${url}: an unfinished scale database; run again with --fresh`);
    log(`${dialect} ${scale}: generating ${count.toLocaleString()} candidates…`);
    const created = await ws.createOrg({
      name: 'Scale',
      slug: 'scale',
      admin: { email: 'holder@scale.test', name: 'Holder' },
    });
    const others = [];
    for (let i = 0; i < 4; i++)
      others.push(
        (await ws.addMember({ orgId: created.orgId, email: `m${i}@scale.test`, name: `Member ${i}` }))
          .memberId,
      );
    const ms = await addBulkWork(store, {
      orgId: created.orgId,
      members: [created.adminId, ...others],
      count,
      now: NOW,
    });
    log(`${dialect} ${scale}: generated in ${(ms / 1000).toFixed(1)} s`);
    org = { id: created.orgId };
  }
  const holder = await store.db
    .selectFrom('members')
    .select('id')
    .where('org_id', '=', org.id)
    .where('email', '=', 'holder@scale.test')
    .executeTakeFirstOrThrow();
  const actor = { orgId: org.id, memberId: holder.id };
  const page = await ws.listCandidates(actor, { assignee: 'me', state: 'new', limit: 1 });
  const candidateId = page.items[0]?.id;
  if (!candidateId) throw new Error('no open candidate to write to');
  const panel = await ws.getTodayPanel(actor, {});
  return { scale, store, ws, actor, candidateId, openItems: panel.total };
}

type Operation = { name: string; run: (t: Target, i: number) => Promise<unknown> };

const operations: Operation[] = [
  { name: 'get_today_panel', run: (t) => t.ws.getTodayPanel(t.actor, {}) },
  {
    name: 'get_today_panel page 2',
    run: async (t) => {
      const first = await t.ws.getTodayPanel(t.actor, { limit: 25 });
      return t.ws.getTodayPanel(t.actor, { cursor: first.nextCursor ?? undefined });
    },
  },
  { name: 'list_candidates assignee=me', run: (t) => t.ws.listCandidates(t.actor, { assignee: 'me' }) },
  { name: 'list_candidates state=new', run: (t) => t.ws.listCandidates(t.actor, { state: 'new' }) },
  { name: 'list_pursuits assignee=me', run: (t) => t.ws.listPursuits(t.actor, { assignee: 'me' }) },
  { name: 'list_sla_breaches assignee=me', run: (t) => t.ws.listSlaBreaches(t.actor, { assignee: 'me' }) },
  {
    name: 'update_candidate priority (retargets clocks)',
    run: (t, i) =>
      t.ws.updateCandidate(t.actor, { candidateId: t.candidateId, priority: i % 2 ? 'high' : 'medium' }),
  },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

const lines: string[] = [];
for (const dialect of dialects) {
  const targets: Target[] = [];
  for (const scale of scales) targets.push(await open(dialect, scale));
  for (const t of targets)
    log(`${dialect} ${t.scale}: the holder has ${t.openItems.toLocaleString()} open items in the panel`);
  // times[op][scale][round] = the round's samples
  const times = new Map<string, Map<Scale, number[][]>>();
  for (const op of operations) {
    times.set(op.name, new Map(targets.map((t) => [t.scale, []])));
    for (const t of targets) for (let i = 0; i < 10; i++) await op.run(t, i); // warm-up
  }
  const perRound = Math.max(1, Math.ceil(CALLS / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of operations) {
      for (const t of targets) {
        const samples: number[] = [];
        for (let i = 0; i < perRound; i++) {
          const started = performance.now();
          await op.run(t, round * perRound + i);
          samples.push(performance.now() - started);
        }
        times.get(op.name)?.get(t.scale)?.push(samples);
      }
    }
    log(`${dialect}: round ${round + 1}/${ROUNDS}`);
  }
  lines.push(
    '',
    `### ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    '',
    `Open items in the holder's panel: ${targets.map((t) => `${t.scale} ${t.openItems.toLocaleString()}`).join(', ')}.`,
    '',
    `| operation | ${targets.map((t) => `${t.scale} p50 / p99 ms`).join(' | ')} | ${targets
      .slice(1)
      .map((t) => `${t.scale} ÷ 1k (p50)`)
      .join(' | ')} |`,
    `| --- | ${targets.map(() => '---:').join(' | ')} | ${targets
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  );
  for (const op of operations) {
    const byScale = times.get(op.name) as Map<Scale, number[][]>;
    const cells = targets.map((t) => {
      const all = (byScale.get(t.scale) ?? []).flat().sort((a, b) => a - b);
      return `${percentile(all, 50).toFixed(2)} / ${percentile(all, 99).toFixed(2)}`;
    });
    const base = byScale.get('1k') ?? [];
    const ratios = targets.slice(1).map((t) => {
      const rounds = byScale.get(t.scale) ?? [];
      return `${median(rounds.map((samples, r) => median(samples) / median(base[r] ?? []))).toFixed(2)}×`;
    });
    lines.push(`| ${op.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  for (const t of targets) await t.store.close();
}

process.stdout.write(
  [
    `Scale bench: ${CALLS} calls per operation and scale in ${ROUNDS} interleaved rounds, after 10 warm-up calls; Node ${process.version}.`,
    ...lines,
    '',
  ].join('\n'),
);
