/**
 * Latency of the MCP server over stdio, as a desktop client sees it: p50/p99 of a read tool
 * (get_today_panel) and a write that moves SLA clocks (update_candidate toggling the priority
 * of a new candidate, which re-targets its triage clock) on SQLite and, when
 * WORKSTREAM_TEST_PG_URL is set, PostgreSQL, beside an `echo` tool on the same SDK as the floor.
 * The echo server runs the whole time and its calls are interleaved with ours in rounds, so both
 * see the same machine; the database holds the demo plus 10,000 bulk candidates, most of them
 * the caller's. Then, on the embedded database: process start → first answered call for both
 * servers (interleaved, 5 each), and the resident memory of both, each started fresh, after
 * `--calls` calls and the same idle time (3 pairs in turn). Runs the built server (`npm run
 * bench:mcp` builds it).
 *
 *   npx tsx bench/mcp-latency.ts [--calls 500] [--rounds 5] [--count 10000]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import pg from 'pg';
import { DEMO_ACTOR, DEMO_SLUG, loadDemo } from '../src/demo/load.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { addBulkWork } from '../test/support/bulk.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// BENCH_CLI: another build of the command (e.g. an earlier commit's dist/src/cli.js), for before/after figures.
const CLI = process.env.BENCH_CLI ?? join(ROOT, 'dist', 'src', 'cli.js');
const ECHO = join(ROOT, 'bench', 'echo-server.mjs');
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    count: { type: 'string', default: '10000' },
  },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const COUNT = Number(values.count);
const WARMUP = 50;

if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run \`npm run build\` first (npm run bench:mcp does).\n`);
  process.exit(2);
}

interface Server {
  client: Client;
  transport: StdioClientTransport;
}

async function spawnServer(command: string[], env: Record<string, string> = {}): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: command,
    env: { ...env, WORKSTREAM_LOG_LEVEL: 'warn' },
    cwd: ROOT,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport, { timeout: 30_000 });
  return { client, transport };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Runs `count` calls, returning each one's milliseconds. */
async function samples(
  client: Client,
  name: string,
  args: (i: number) => Record<string, unknown>,
  count: number,
  from = 0,
) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call(client, name, args(from + i));
    times.push(performance.now() - started);
  }
  return times;
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result;
}

function rssMb(pid: number | null): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A migrated database with the demo organization; returns its URL and how to drop it. */
async function prepare(dialect: 'sqlite' | 'postgres'): Promise<{ url: string; drop: () => Promise<void> }> {
  let url: string;
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'workstream-bench-'));
    url = `sqlite:${join(dir, 'bench.db')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const admin = process.env.WORKSTREAM_TEST_PG_URL as string;
    const name = `ws_bench_${Date.now().toString(36)}`;
    const exec = async (sql: string) => {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await exec(`create database "${name}"`);
    const parsed = new URL(admin);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    drop = () => exec(`drop database if exists "${name}" with (force)`);
  }
  const store = await connect(url);
  try {
    await migrate(store);
    await loadDemo(store);
    const org = await store.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    const members = await store.db
      .selectFrom('members')
      .select(['id', 'email'])
      .where('org_id', '=', org.id)
      .execute();
    const actor = members.find((m) => m.email === DEMO_ACTOR);
    if (!actor) throw new Error('the demo actor is missing');
    await addBulkWork(store, {
      orgId: org.id,
      members: [actor.id, ...members.filter((m) => m !== actor).map((m) => m.id)],
      count: COUNT,
      now: new Date(),
    });
  } finally {
    await store.close();
  }
  return { url, drop };
}

const rows: string[][] = [];
const fmt = (ms: number) => ms.toFixed(2);

const echo = await spawnServer([ECHO]);
let echoCalls = 0;
const echoArgs = (i: number) => ({ text: `hello ${i}` });
await samples(echo.client, 'echo', echoArgs, WARMUP);
echoCalls += WARMUP;

const dialects: ('sqlite' | 'postgres')[] = [
  'sqlite',
  ...(process.env.WORKSTREAM_TEST_PG_URL ? ['postgres' as const] : []),
];
let sqliteUrl = '';
const cleanups: (() => Promise<void>)[] = [];
const perRound = Math.max(1, Math.ceil(CALLS / ROUNDS));
for (const dialect of dialects) {
  const { url, drop } = await prepare(dialect);
  cleanups.push(drop);
  if (dialect === 'sqlite') sqliteUrl = url;
  const env = { WORKSTREAM_DB_URL: url, WORKSTREAM_ORG: DEMO_SLUG, WORKSTREAM_ACTOR: DEMO_ACTOR };
  const { client } = await spawnServer([CLI, 'serve'], env);
  // A new candidate: its triage clock runs, so each priority change re-targets it.
  const page = await call(client, 'list_candidates', { state: 'new', assignee: 'me', limit: 1 });
  const candidateId = (page.structuredContent as { items: { id: string }[] }).items[0]?.id;
  const readArgs = () => ({});
  const writeArgs = (i: number) => ({ candidateId, priority: i % 2 ? 'high' : 'medium' });
  await samples(client, 'get_today_panel', readArgs, WARMUP);
  await samples(client, 'update_candidate', writeArgs, WARMUP);
  const read: number[] = [];
  const write: number[] = [];
  const echoHere: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    echoHere.push(...(await samples(echo.client, 'echo', echoArgs, perRound, echoCalls)));
    echoCalls += perRound;
    read.push(...(await samples(client, 'get_today_panel', readArgs, perRound)));
    write.push(...(await samples(client, 'update_candidate', writeArgs, perRound, round * perRound)));
  }
  const e = summary(echoHere);
  const r = summary(read);
  const w = summary(write);
  rows.push(['echo (SDK floor)', `beside ${dialect}`, fmt(e.p50), fmt(e.p99), '1.00']);
  rows.push(['get_today_panel (read)', dialect, fmt(r.p50), fmt(r.p99), (r.p50 / e.p50).toFixed(2)]);
  rows.push(['update_candidate (write)', dialect, fmt(w.p50), fmt(w.p99), (w.p50 / e.p50).toFixed(2)]);
  await client.close();
}

// Start-up: spawn → initialize → first tool call answered, ours and echo's in turn.
const starts: number[] = [];
const echoStarts: number[] = [];
const serverEnv = { WORKSTREAM_DB_URL: sqliteUrl, WORKSTREAM_ORG: DEMO_SLUG, WORKSTREAM_ACTOR: DEMO_ACTOR };
for (let run = 0; run < 5; run++) {
  let started = performance.now();
  const ours = await spawnServer([CLI, 'serve'], serverEnv);
  await call(ours.client, 'get_today_panel', {});
  starts.push(performance.now() - started);
  await ours.client.close();
  started = performance.now();
  const floor = await spawnServer([ECHO]);
  await call(floor.client, 'echo', { text: 'hello' });
  echoStarts.push(performance.now() - started);
  await floor.client.close();
}
starts.sort((a, b) => a - b);
echoStarts.sort((a, b) => a - b);

// Idle memory: both servers fresh, the same number of calls each, then the same idle time; in
// turn, three pairs (the echo server above has idled through the whole bench, and V8 shrinks an
// idle heap, so it is not the one measured).
const IDLE_MS = 1000;
async function idleRss(
  command: string[],
  env: Record<string, string>,
  once: (client: Client, i: number) => unknown,
) {
  const server = await spawnServer(command, env);
  for (let i = 0; i < CALLS; i++) await once(server.client, i);
  await idle(IDLE_MS);
  const mb = rssMb(server.transport.pid);
  await server.client.close();
  return mb;
}
const memory: { ours: number; echo: number }[] = [];
for (let pair = 0; pair < 3; pair++) {
  const oursMb = await idleRss([CLI, 'serve'], serverEnv, (client, i) =>
    call(client, i % 2 ? 'get_today_panel' : 'list_candidates', {}),
  );
  const echoMb = await idleRss([ECHO], {}, (client, i) => call(client, 'echo', echoArgs(i)));
  memory.push({ ours: oursMb, echo: echoMb });
}
const ratios = memory.map((m) => m.ours / m.echo).sort((a, b) => a - b);
const serverRss = [...memory.map((m) => m.ours)].sort((a, b) => a - b)[1] ?? Number.NaN;
const echoRss = [...memory.map((m) => m.echo)].sort((a, b) => a - b)[1] ?? Number.NaN;
await echo.client.close();
for (const cleanup of cleanups) await cleanup();

const widths = [26, 18, 8, 8, 8];
const line = (cells: string[]) =>
  cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? Number.NaN;
process.stdout.write(
  [
    `MCP over stdio, ${CALLS} calls per row in ${ROUNDS} rounds interleaved with echo's, after ${WARMUP} warm-up; demo + ${COUNT.toLocaleString()} candidates; Node ${process.version}, ${arch()}, ${cpus()[0]?.model ?? 'cpu'}`,
    '',
    line(['tool', 'database', 'p50 ms', 'p99 ms', '÷ echo']),
    ...rows.map(line),
    '',
    `process start → first answered tool call (median of 5, interleaved): workstream serve on SQLite ${mid(starts).toFixed(0)} ms (min ${starts[0]?.toFixed(0)}, max ${starts.at(-1)?.toFixed(0)}); echo server ${mid(echoStarts).toFixed(0)} ms (min ${echoStarts[0]?.toFixed(0)}, max ${echoStarts.at(-1)?.toFixed(0)}); ratio ${(mid(starts) / mid(echoStarts)).toFixed(2)}×`,
    `resident memory of a fresh server after ${CALLS} calls and ${IDLE_MS} ms idle (median of 3 pairs, in turn): workstream serve on SQLite ${serverRss.toFixed(1)} MB; echo server ${echoRss.toFixed(1)} MB; ratio ${(ratios[1] ?? Number.NaN).toFixed(2)}× (pairs ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    '',
  ].join('\n'),
);
