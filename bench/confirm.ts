/**
 * What asking costs: p50/p99 of decide_no_bid through an in-memory SDK v2 client on SQLite (and
 * PostgreSQL when WORKSTREAM_TEST_PG_URL is set), three ways, interleaved in rounds so each sees
 * the same machine: a client without elicitation (the call as before), a 2025-era client that
 * answers the elicitation/create request yes at once, and a 2026-07-28 client that answers the
 * input_required round yes at once. The difference is the server's preview (a read and a
 * rehearsal of the command, rolled back) and the protocol round trip; a person's think time is
 * not in it.
 *
 *   npx tsx bench/confirm.ts [--calls 200] [--rounds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, type ClientOptions } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import pg from 'pg';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/mcp.js';
import { connect, type Store } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream, type Workstream } from '../src/workstream/workstream.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '200' }, rounds: { type: 'string', default: '4' } },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const log = createLogger('silent');

type Mode = 'no elicitation' | '2025-era, asked' | '2026-07-28, asked';
const MODES: readonly Mode[] = ['no elicitation', '2025-era, asked', '2026-07-28, asked'];

async function clientFor(mode: Mode, workstream: Workstream, actor: { orgId: string; memberId: string }) {
  const serve = () => createServer({ workstream, actor, log });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const asked = mode !== 'no elicitation';
  const options: ClientOptions = {
    ...(mode === '2026-07-28, asked' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    ...(asked ? { capabilities: { elicitation: { form: {} } } } : {}),
  };
  const client = new Client({ name: 'bench-confirm', version: '1' }, options);
  if (asked)
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { confirm: true },
    }));
  if (mode === '2026-07-28, asked') {
    const handle = serveStdio(serve, { transport: serverSide });
    await client.connect(clientSide);
    const close = async () => {
      await client.close();
      await handle.close();
    };
    return { client, close };
  }
  await serve().connect(serverSide);
  await client.connect(clientSide);
  return { client, close: () => client.close() };
}

let made = 0;

async function pursuits(ws: Workstream, actor: { orgId: string; memberId: string }, count: number) {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const i = ++made;
    const candidate = await ws.createCandidate(actor, {
      title: `Bench ${i}`,
      accountName: `Bench ${i} Ltd`,
      opportunityRef: `B-${i}`,
    });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro' });
    await ws.qualifyCandidate(actor, { candidateId: candidate.id });
    ids.push((await ws.promoteCandidate(actor, { candidateId: candidate.id })).pursuit.id);
  }
  return ids;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function bench(name: string, store: Store): Promise<void> {
  await migrate(store);
  const ws = createWorkstream(store);
  const { orgId, adminId } = await ws.createOrg({
    name: 'Bench',
    slug: `bench-${Date.now()}`,
    admin: { email: 'admin@bench.test', name: 'Ada' },
  });
  const actor = { orgId, memberId: adminId };
  const perRound = Math.ceil(CALLS / ROUNDS);
  const work = new Map<Mode, string[]>();
  for (const mode of MODES) work.set(mode, await pursuits(ws, actor, perRound * ROUNDS + 10));
  const clients = new Map<Mode, Awaited<ReturnType<typeof clientFor>>>();
  for (const mode of MODES) clients.set(mode, await clientFor(mode, ws, actor));
  const times = new Map<Mode, number[]>(MODES.map((mode) => [mode, []]));
  for (const mode of MODES)
    for (let i = 0; i < 10; i++) await close(clients.get(mode)?.client, work.get(mode)?.pop());
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of MODES)
      for (let i = 0; i < perRound; i++) {
        const started = performance.now();
        await close(clients.get(mode)?.client, work.get(mode)?.pop());
        times.get(mode)?.push(performance.now() - started);
      }
  for (const client of clients.values()) await client.close();
  process.stdout.write(
    `\n## ${name}: decide_no_bid, ${perRound * ROUNDS} calls per way\n\n| way | p50 ms | p99 ms |\n|---|---|---|\n`,
  );
  for (const mode of MODES) {
    const sorted = [...(times.get(mode) ?? [])].sort((a, b) => a - b);
    process.stdout.write(
      `| ${mode} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |\n`,
    );
  }
}

async function close(client: Client | undefined, pursuitId: string | undefined): Promise<void> {
  if (!client || !pursuitId) throw new Error('no client or no pursuit left');
  const result = await client.callTool({ name: 'decide_no_bid', arguments: { pursuitId, reason: 'No fit' } });
  if (result.isError) throw new Error(`decide_no_bid was refused: ${JSON.stringify(result.content)}`);
}

process.stdout.write(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores\n`,
);
const dir = mkdtempSync(join(tmpdir(), 'bench-confirm-'));
try {
  const sqlite = await connect(`sqlite:${join(dir, 'bench.db')}`);
  await bench('SQLite', sqlite);
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const pgUrl = process.env.WORKSTREAM_TEST_PG_URL;
if (pgUrl) {
  const database = `ws_bench_confirm_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  try {
    const url = new URL(pgUrl);
    url.pathname = `/${database}`;
    const store = await connect(url.toString());
    await bench('PostgreSQL', store);
    await store.close();
  } finally {
    await admin.query(`drop database ${database} with (force)`);
    await admin.end();
  }
}
process.stdout.write(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} after\n`,
);
