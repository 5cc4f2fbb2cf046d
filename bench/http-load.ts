/**
 * Requests per second over Streamable HTTP at c = 1, 8 and 32 concurrent requests: a read
 * (get_today_panel) and a write that moves SLA clocks (update_candidate, priority toggled) on
 * `workstream serve --http`, beside an `echo` tool served by the same SDK entry
 * (bench/echo-http-server.mjs) as the floor. Each server is its own process; the load comes
 * from this one over keep-alive connections, as stateless 2025-era `tools/call` POSTs.
 *
 *   npm run bench:http                # builds, then both dialects
 *   npx tsx bench/http-load.ts [--dialect sqlite|postgres|both] [--seconds 2] [--rounds 3] [--count 10000] [--only echo,read,write]
 *
 * The database holds `--count` candidates of one organization (test/support/bulk.ts), most of
 * them the caller's. Every round runs echo, read and write back to back at each concurrency (in
 * a rotating order), and a ratio is ours ÷ echo within one round, so the (shared, noisy)
 * machine's drift falls on both sides of it; the table shows medians over rounds. CPU per
 * request is the server process's user + system time (/proc) over the requests it answered.
 * BENCH_CPU_PROF=DIR runs our server under `node --cpu-prof`, writing its profile to DIR.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { issueToken } from '../src/server/auth.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream } from '../src/workstream/workstream.js';
import { addBulkWork } from '../test/support/bulk.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// BENCH_CLI: another build of the command (e.g. an earlier commit's dist/src/cli.js), for before/after figures.
const CLI = process.env.BENCH_CLI ?? join(ROOT, 'dist', 'src', 'cli.js');
const ECHO = join(ROOT, 'bench', 'echo-http-server.mjs');
const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '1,8,32' },
    // e.g. `--only read` to profile one target (the ratio columns then need echo among them).
    only: { type: 'string', default: 'echo,read,write' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const COUNT = Number(values.count);
const CONCURRENCY = (values.concurrency ?? '1,8,32').split(',').map(Number);
const ONLY = new Set((values.only ?? '').split(','));
const PG_ADMIN = process.env.WORKSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dialects = (values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect]) as (
  | 'sqlite'
  | 'postgres'
)[];
const log = (line: string) => process.stderr.write(`${line}\n`);

if (!existsSync(CLI)) {
  log(`${CLI} is missing: run \`npm run build\` first (npm run bench:http does).`);
  process.exit(2);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  process: ChildProcess;
}

function callBody(name: string, args: Record<string, unknown>, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

/** `c` loops posting the bodies in turn for `seconds`; how many answered, all checked. */
async function load(target: Target, c: number, seconds: number): Promise<{ rps: number; cpuMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: c });
  const until = performance.now() + seconds * 1000;
  const pid = target.process.pid as number;
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  let done = 0;
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        target.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...target.headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            if (res.statusCode !== 200 || !text.includes('"result"') || text.includes('"isError":true'))
              reject(new Error(`${target.name}: ${res.statusCode} ${text.slice(0, 300)}`));
            else resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: c }, async (_, worker) => {
      for (let i = worker; performance.now() < until; i += c) {
        await post(target.bodies[i % target.bodies.length] ?? '');
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, done);
  agent.destroy();
  return { rps: done / elapsed, cpuMs };
}

async function waitFor(url: string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function prepare(dialect: 'sqlite' | 'postgres') {
  let url: string;
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'workstream-http-'));
    url = `sqlite:${join(dir, 'bench.db')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `ws_bench_http_${Date.now().toString(36)}`;
    const admin = async (text: string) => {
      const client = new pg.Client({ connectionString: PG_ADMIN });
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    };
    await admin(`create database "${name}"`);
    const parsed = new URL(PG_ADMIN);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    drop = () => admin(`drop database if exists "${name}" with (force)`);
  }
  const store = await connect(url);
  try {
    await migrate(store);
    const ws = createWorkstream(store);
    const org = await ws.createOrg({
      name: 'Load',
      slug: 'load',
      admin: { email: 'holder@load.test', name: 'Holder' },
    });
    const other = await ws.addMember({ orgId: org.orgId, email: 'other@load.test', name: 'Other' });
    await addBulkWork(store, {
      orgId: org.orgId,
      members: [org.adminId, other.memberId],
      count: COUNT,
      now: new Date(),
    });
    const actor = { orgId: org.orgId, memberId: org.adminId };
    const page = await ws.listCandidates(actor, { assignee: 'me', state: 'new', limit: 1 });
    const candidateId = page.items[0]?.id as string;
    const { token } = await issueToken(store, { orgSlug: 'load', email: 'holder@load.test', name: 'bench' });
    return { url, drop, token, candidateId };
  } finally {
    await store.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

const out: string[] = [
  `Streamable HTTP, stateless 2025-era tools/call POSTs over keep-alive; ${ROUNDS} rounds of ${SECONDS} s per target and concurrency; ${COUNT.toLocaleString()} candidates; Node ${process.version}.`,
];
for (const dialect of dialects) {
  const db = await prepare(dialect);
  const echoPort = await freePort();
  const echo = spawn(process.execPath, [ECHO], {
    env: { ...process.env, PORT: String(echoPort) },
    stdio: 'ignore',
  });
  const ourPort = await freePort();
  const profile = process.env.BENCH_CPU_PROF
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const ours = spawn(process.execPath, [...profile, CLI, 'serve', '--http', '--port', String(ourPort)], {
    env: {
      ...process.env,
      WORKSTREAM_DB_URL: db.url,
      WORKSTREAM_LOG_LEVEL: 'warn',
      // The bench is one token sending as fast as it can: lift the per-token and per-org budgets.
      WORKSTREAM_RATE_LIMIT_TOKEN: '100000000',
      WORKSTREAM_RATE_LIMIT_ORG: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(`http://127.0.0.1:${ourPort}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const auth = { authorization: `Bearer ${db.token}` };
    const ourUrl = `http://127.0.0.1:${ourPort}/mcp`;
    const all: Target[] = [
      {
        name: 'echo',
        url: `http://127.0.0.1:${echoPort}/mcp`,
        headers: {},
        bodies: [callBody('echo', { text: 'hello' })],
        process: echo,
      },
      { name: 'read', url: ourUrl, headers: auth, bodies: [callBody('get_today_panel', {})], process: ours },
      {
        name: 'write',
        url: ourUrl,
        headers: auth,
        bodies: ['high', 'medium'].map((priority) =>
          callBody('update_candidate', { candidateId: db.candidateId, priority }),
        ),
        process: ours,
      },
    ];
    const targets = all.filter((target) => ONLY.has(target.name));
    for (const target of targets) await load(target, 4, 1); // warm-up
    out.push('', `### ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '');
    out.push(
      '| c | echo req/s | get_today_panel req/s | ÷ echo | update_candidate req/s | ÷ echo | CPU ms/request echo / read / write |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const c of CONCURRENCY) {
      const rounds: Record<string, { rps: number; cpuMs: number }>[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
        const round: Record<string, { rps: number; cpuMs: number }> = {};
        for (const target of order) round[target.name] = await load(target, c, SECONDS);
        rounds.push(round);
        log(
          `${dialect} c=${c} round ${r + 1}: ${Object.entries(round)
            .map(([k, v]) => `${k} ${v.rps.toFixed(0)}/s`)
            .join(', ')}`,
        );
      }
      const rps = (name: string) => median(rounds.map((round) => round[name]?.rps ?? 0));
      const cpu = (name: string) => median(rounds.map((round) => round[name]?.cpuMs ?? 0)).toFixed(2);
      const ratio = (name: string) =>
        median(rounds.map((round) => (round[name]?.rps ?? 0) / (round.echo?.rps ?? 1))).toFixed(2);
      out.push(
        `| ${c} | ${rps('echo').toFixed(0)} | ${rps('read').toFixed(0)} | ${ratio('read')}× | ${rps('write').toFixed(0)} | ${ratio('write')}× | ${cpu('echo')} / ${cpu('read')} / ${cpu('write')} |`,
      );
    }
  } finally {
    echo.kill('SIGTERM');
    ours.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await db.drop();
  }
}
process.stdout.write(`${out.join('\n')}\n`);
