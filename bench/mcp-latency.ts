/**
 * Latency of the MCP server over stdio, as a desktop client sees it: p50/p99 of a read tool
 * (get_today_panel) and a write tool (update_candidate) on SQLite and, when
 * WORKSTREAM_TEST_PG_URL is set, PostgreSQL, beside an `echo` tool on the same SDK as the floor;
 * then the time from process start to the first answered tool call and the resident memory
 * when idle, on the embedded database. Runs the built server (`npm run bench:mcp` builds it).
 *
 *   npx tsx bench/mcp-latency.ts [--calls 500]
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

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const ECHO = join(ROOT, 'bench', 'echo-server.mjs');
const { values } = parseArgs({ options: { calls: { type: 'string', default: '500' } } });
const CALLS = Number(values.calls);
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

async function measure(client: Client, name: string, args: (i: number) => Record<string, unknown>) {
  for (let i = 0; i < WARMUP; i++) await call(client, name, args(i));
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call(client, name, args(WARMUP + i));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
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
  } finally {
    await store.close();
  }
  return { url, drop };
}

const rows: string[][] = [];
const fmt = (ms: number) => ms.toFixed(2);

const echo = await spawnServer([ECHO]);
const floor = await measure(echo.client, 'echo', (i) => ({ text: `hello ${i}` }));
rows.push(['echo (SDK floor)', '—', fmt(floor.p50), fmt(floor.p99)]);
await idle(1000);
const echoRss = rssMb(echo.transport.pid);
await echo.client.close();

const dialects: ('sqlite' | 'postgres')[] = [
  'sqlite',
  ...(process.env.WORKSTREAM_TEST_PG_URL ? ['postgres' as const] : []),
];
let sqliteUrl = '';
const cleanups: (() => Promise<void>)[] = [];
for (const dialect of dialects) {
  const { url, drop } = await prepare(dialect);
  cleanups.push(drop);
  if (dialect === 'sqlite') sqliteUrl = url;
  const env = { WORKSTREAM_DB_URL: url, WORKSTREAM_ORG: DEMO_SLUG, WORKSTREAM_ACTOR: DEMO_ACTOR };
  const { client } = await spawnServer([CLI, 'serve'], env);
  const page = await call(client, 'list_candidates', { state: 'contacted', assignee: 'me', limit: 1 });
  const candidateId = (page.structuredContent as { items: { id: string }[] }).items[0]?.id;
  const read = await measure(client, 'get_today_panel', () => ({}));
  const write = await measure(client, 'update_candidate', (i) => ({
    candidateId,
    priority: i % 2 ? 'high' : 'medium',
  }));
  rows.push(['get_today_panel (read)', dialect, fmt(read.p50), fmt(read.p99)]);
  rows.push(['update_candidate (write)', dialect, fmt(write.p50), fmt(write.p99)]);
  await client.close();
}

// Start-up: spawn → initialize → first tool call answered, on the embedded database.
const starts: number[] = [];
let serverRss = 0;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  const server = await spawnServer([CLI, 'serve'], {
    WORKSTREAM_DB_URL: sqliteUrl,
    WORKSTREAM_ORG: DEMO_SLUG,
    WORKSTREAM_ACTOR: DEMO_ACTOR,
  });
  await call(server.client, 'get_today_panel', {});
  starts.push(performance.now() - started);
  if (run === 4) {
    await idle(1000);
    serverRss = rssMb(server.transport.pid);
  }
  await server.client.close();
}
starts.sort((a, b) => a - b);
for (const cleanup of cleanups) await cleanup();

const widths = [26, 10, 8, 8];
const line = (cells: string[]) =>
  cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
process.stdout.write(
  [
    `MCP over stdio, ${CALLS} sequential calls per row after ${WARMUP} warm-up; Node ${process.version}, ${arch()}, ${cpus()[0]?.model ?? 'cpu'}`,
    '',
    line(['tool', 'database', 'p50 ms', 'p99 ms']),
    ...rows.map(line),
    '',
    `process start → first answered tool call (embedded SQLite, median of 5): ${starts[2]?.toFixed(0)} ms (min ${starts[0]?.toFixed(0)}, max ${starts[4]?.toFixed(0)})`,
    `resident memory when idle: workstream serve on embedded SQLite ${serverRss.toFixed(1)} MB; echo server ${echoRss.toFixed(1)} MB`,
    '',
  ].join('\n'),
);
