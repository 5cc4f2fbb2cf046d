/**
 * What scraping /metrics costs a busy HTTP server: `serve --http` on the embedded database with
 * the demo data, driven by concurrent MCP clients calling get_today_panel, in paired rounds
 * without and with a scraper fetching /metrics every --scrape-ms (1 s: fifteen times a usual
 * Prometheus interval). Prints calls/s and latency per round and the medians per mode.
 *
 *   npx tsx bench/http-metrics.ts [--rounds 20] [--seconds 3] [--clients 4] [--scrape-ms 1000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { DEMO_ACTOR, DEMO_SLUG, loadDemo } from '../src/demo/load.js';
import { issueToken } from '../src/server/auth.js';
import { Metrics } from '../src/server/metrics.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { ALL_TOOLS } from '../src/tools/index.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '4' },
    'scrape-ms': { type: 'string', default: '1000' },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const SCRAPE_MS = Number(values['scrape-ms']);

const dir = mkdtempSync(join(tmpdir(), 'workstream-bench-'));
const dbUrl = `sqlite:${join(dir, 'bench.db')}`;
const store = await connect(dbUrl);
await migrate(store);
await loadDemo(store);
const { token } = await issueToken(store, { orgSlug: DEMO_SLUG, email: DEMO_ACTOR, name: 'bench' });
await store.close();

const server = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--http', '--port', '0'], {
  env: { ...process.env, WORKSTREAM_DB_URL: dbUrl, WORKSTREAM_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const mcpUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const found = /Streamable HTTP at (http:\S+\/mcp)/.exec(out)?.[1];
    if (found) resolve(found);
  });
  server.once('exit', () => reject(new Error(`the server exited:\n${out}`)));
});
const metricsUrl = mcpUrl.replace(/\/mcp$/, '/metrics');

const clients: Client[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const client = new Client({ name: `bench-${i}`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
}

async function call(client: Client): Promise<void> {
  const result = await client.callTool({ name: 'get_today_panel', arguments: {} });
  if (result.isError) throw new Error(`get_today_panel failed: ${JSON.stringify(result.content)}`);
}

/** CPU time the server process has used (user + system), from /proc, in ms (Linux ticks: 10 ms). */
function serverCpuMs(): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Round {
  mode: 'no scrape' | 'scrape';
  callsPerSecond: number;
  /** Server CPU per answered call: what the scrapes cost the server, whatever else runs on the machine. */
  cpuMsPerCall: number;
  p50: number;
  p99: number;
  scrapes: number;
  scrapeMs: number;
  scrapeBytes: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function round(mode: Round['mode']): Promise<Round> {
  const until = performance.now() + SECONDS * 1000;
  const cpuBefore = serverCpuMs();
  const times: number[] = [];
  let scrapes = 0;
  let scrapeTotal = 0;
  let scrapeBytes = 0;
  let scraping = true;
  const scraper = (async () => {
    while (mode === 'scrape' && scraping) {
      const started = performance.now();
      const body = await (await fetch(metricsUrl)).text();
      scrapeTotal += performance.now() - started;
      scrapeBytes = body.length;
      scrapes += 1;
      await new Promise((resolve) => setTimeout(resolve, SCRAPE_MS));
    }
  })();
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const started = performance.now();
        await call(client);
        times.push(performance.now() - started);
      }
    }),
  );
  scraping = false;
  await scraper;
  const cpu = serverCpuMs() - cpuBefore;
  times.sort((a, b) => a - b);
  return {
    mode,
    callsPerSecond: times.length / SECONDS,
    cpuMsPerCall: cpu / times.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    scrapes,
    scrapeMs: scrapes ? scrapeTotal / scrapes : 0,
    scrapeBytes,
  };
}

// Warm-up: the first seconds of a process are slower (JIT, caches) and would favour the later mode.
for (const client of clients) for (let i = 0; i < 20; i++) await call(client);
await round('no scrape');

// Pairs of rounds, the order flipped every pair (AB, BA, …): a change in the machine's load
// falls on both modes of a pair, and the median of the pairs' ratios cancels most of it.
const rounds: Round[] = [];
const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const order: Round['mode'][] = i % 2 === 0 ? ['no scrape', 'scrape'] : ['scrape', 'no scrape'];
  const pair: Round[] = [];
  for (const mode of order) pair.push(await round(mode));
  rounds.push(...pair);
  const plain = pair.find((r) => r.mode === 'no scrape');
  const scraped = pair.find((r) => r.mode === 'scrape');
  if (plain && scraped) {
    ratios.push(scraped.callsPerSecond / plain.callsPerSecond);
    cpuRatios.push(scraped.cpuMsPerCall / plain.cpuMsPerCall);
  }
}

for (const client of clients) await client.close();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const summary = (mode: Round['mode']) => {
  const of = rounds.filter((r) => r.mode === mode);
  return {
    callsPerSecond: median(of.map((r) => r.callsPerSecond)),
    cpuMsPerCall: median(of.map((r) => r.cpuMsPerCall)),
    p50: median(of.map((r) => r.p50)),
    p99: median(of.map((r) => r.p99)),
  };
};
/**
 * The scrape's own CPU cost, apart from the noise of a shared machine: rendering the exposition
 * text in this process with every tool's series filled in (ok, refused and error for each).
 */
async function renderCost(): Promise<{ ms: number; kib: number }> {
  const metrics = new Metrics({ process: true });
  for (const tool of ALL_TOOLS) {
    metrics.toolCall(tool.name, 0.004);
    metrics.toolCall(tool.name, 0.002, { code: 'VALIDATION' });
    metrics.toolCall(tool.name, 0.003, { code: 'INTERNAL' });
  }
  let text = '';
  for (let i = 0; i < 20; i++) text = await metrics.text();
  const runs = 200;
  const started = performance.now();
  for (let i = 0; i < runs; i++) text = await metrics.text();
  return { ms: (performance.now() - started) / runs, kib: text.length / 1024 };
}
const render = await renderCost();

const without = summary('no scrape');
const withScrape = summary('scrape');
const scraped = rounds.filter((r) => r.mode === 'scrape');
const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
const summaryLine = (name: string, m: ReturnType<typeof summary>) =>
  line([name, m.callsPerSecond.toFixed(1), m.cpuMsPerCall.toFixed(2), m.p50.toFixed(2), m.p99.toFixed(2)]);
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(11))).join('  ');

process.stdout.write(
  [
    `serve --http on embedded SQLite (demo data), ${CLIENTS} concurrent MCP clients calling get_today_panel, ${ROUNDS} pairs of ${SECONDS} s rounds (one per mode, order flipped each pair); scraper every ${SCRAPE_MS} ms`,
    `Node ${process.version}, ${arch()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    '',
    line(['round', 'calls/s', 'CPU ms/call', 'p50 ms', 'p99 ms', 'scrapes']),
    ...rounds.map((r) =>
      line([
        r.mode,
        r.callsPerSecond.toFixed(1),
        r.cpuMsPerCall.toFixed(2),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        String(r.scrapes),
      ]),
    ),
    '',
    line(['median', 'calls/s', 'CPU ms/call', 'p50 ms', 'p99 ms']),
    summaryLine('no scrape', without),
    summaryLine('scrape', withScrape),
    '',
    `scraping changes throughput by ${pct(without.callsPerSecond, withScrape.callsPerSecond)} (medians), by ${((median(ratios) - 1) * 100).toFixed(1)}% (median of ${ratios.length} paired rounds); p50 by ${pct(without.p50, withScrape.p50)}, p99 by ${pct(without.p99, withScrape.p99)}`,
    `scraping changes the server's CPU per call by ${((median(cpuRatios) - 1) * 100).toFixed(1)}% (median of ${cpuRatios.length} paired rounds)`,
    `one scrape as the scraper saw it: ${median(scraped.map((r) => r.scrapeMs)).toFixed(1)} ms, ${(median(scraped.map((r) => r.scrapeBytes)) / 1024).toFixed(1)} KiB`,
    `rendering /metrics with every tool's series filled (${ALL_TOOLS.length} tools × 3 outcomes): ${render.ms.toFixed(2)} ms CPU, ${render.kib.toFixed(1)} KiB — at one scrape per 15 s, ${((render.ms / 15_000) * 100).toFixed(3)}% of one core`,
    '',
  ].join('\n'),
);
