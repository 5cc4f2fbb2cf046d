/**
 * Resource subscriptions: notification latency (commit → notifications/resources/updated at a
 * 2025-era SDK v2 client, in memory, coalescing window 10 ms so the figure is the path's own),
 * - in-process on SQLite (the write and the subscriber in this process);
 * - across processes: a writer process (forked from this file, writing without a feed) commits,
 *   and this process's relay publishes the change: PostgreSQL LISTEN/NOTIFY (when
 *   WORKSTREAM_TEST_PG_URL is set) and, on one SQLite file, the polling relay at 250 ms (the
 *   default WORKSTREAM_LIVE_POLL_MS) and at 50 ms. Measured from the writer's commit (its clock
 *   read after the command returned) to the notification here, both on performance.timeOrigin;
 * and the cost of 1,000 idle subscribers (one in-memory connection each, subscribed to their
 * Today Panel): RSS and CPU while a write lands that none of them watches.
 *
 *   node --expose-gc --import tsx bench/subscriptions.ts
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import pg from 'pg';
import { systemClock } from '../src/domain/clock.js';
import { type ChangeFeed, inProcessFeed } from '../src/live/feed.js';
import { processFeed } from '../src/live/process-feed.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/mcp.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream, type Workstream } from '../src/workstream/workstream.js';

const log = createLogger('silent');
const ROUNDS = 200;

async function subscriber(
  ws: Workstream,
  actor: { orgId: string; memberId: string },
  feed: ChangeFeed,
  onUri: () => void,
) {
  const server = createServer({ workstream: ws, actor, log, live: { feed, windowMs: 10 } });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: 'bench', version: '1.0.0' }, {});
  client.setNotificationHandler('notifications/resources/updated', onUri);
  await client.connect(a);
  await client.subscribeResource({ uri: 'workstream://today' });
  return client;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

/** Latency of ROUNDS writes, each waited for at the subscriber. */
async function latency(label: string, writer: Workstream, subscriberWs: Workstream, feed: ChangeFeed) {
  const org = await writer.createOrg({
    name: label,
    slug: `b-${Date.now()}`,
    admin: { email: `a${Date.now()}@bench.test`, name: 'A' },
  });
  const actor = { orgId: org.orgId, memberId: org.adminId };
  let resolveHeard: (() => void) | null = null;
  const client = await subscriber(subscriberWs, actor, feed, () => resolveHeard?.());
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const heard = new Promise<void>((resolve) => {
      resolveHeard = resolve;
    });
    const started = performance.now();
    await writer.createCandidate(actor, { title: `L${i}`, accountName: `Acct ${i}`, assignee: 'me' });
    await heard;
    // Less the 10 ms window the notification waited for.
    times.push(performance.now() - started - 10);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await client.close();
  console.log(
    `${label}: commit → notification over ${ROUNDS} writes: p50 ${pct(times, 0.5).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms (write time included, window excluded)`,
  );
}

async function idleCost(ws: Workstream, feed: ChangeFeed) {
  const org = await ws.createOrg({
    name: 'Idle',
    slug: `idle-${Date.now()}`,
    admin: { email: 'i@idle.test', name: 'I' },
  });
  const actor = { orgId: org.orgId, memberId: org.adminId };
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const clients: Client[] = [];
  for (let i = 0; i < 1_000; i++) clients.push(await subscriber(ws, actor, feed, () => {}));
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const { memberId } = await ws.addMember({ orgId: org.orgId, email: 'o@idle.test', name: 'Other' });
  const other = { orgId: org.orgId, memberId };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < 50; i++)
    await ws.createCandidate(other, { title: `U${i}`, accountName: `Idle ${i}`, assignee: 'me' });
  const withSubs = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  for (const client of clients) await client.close();
  const cpu1 = process.cpuUsage();
  for (let i = 0; i < 50; i++)
    await ws.createCandidate(other, { title: `V${i}`, accountName: `Bare ${i}`, assignee: 'me' });
  const without = process.cpuUsage(cpu1);
  const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000 / 50;
  console.log(
    `1,000 idle subscribers (in-memory connections, each subscribed to its Today Panel): RSS +${((rssAfter - rssBefore) / 1024 / 1024).toFixed(1)} MiB ` +
      `(${((rssAfter - rssBefore) / 1000 / 1024).toFixed(1)} KiB each, server and client halves); ` +
      `CPU per unrelated write ${ms(withSubs).toFixed(2)} ms with them, ${ms(without).toFixed(2)} ms without (wall ${(wall / 50).toFixed(1)} ms per write)`,
  );
}

const now = () => performance.timeOrigin + performance.now();

/** Writer mode (forked): commits one candidate per message, answering the moment it committed. */
async function writer(url: string) {
  const store = await connect(url);
  const ws = createWorkstream(store, systemClock);
  process.on(
    'message',
    async (message: { actor: { orgId: string; memberId: string }; i: number } | 'stop') => {
      if (message === 'stop') {
        await store.close();
        process.exit(0);
      }
      await ws.createCandidate(message.actor, {
        title: `X${message.i}`,
        accountName: `Cross ${message.i}`,
        assignee: message.actor.memberId,
      });
      process.send?.({ i: message.i, committedAt: now() });
    },
  );
  process.send?.('ready');
}

const CROSS_ROUNDS = 100;

/** Commit in a forked writer → notification at a subscriber of this process, over CROSS_ROUNDS writes. */
async function crossProcess(label: string, url: string, pollMs: number) {
  const store = await connect(url);
  await migrate(store);
  const feed = processFeed(store, log, { pollMs });
  const ws = createWorkstream(store, systemClock, { feed });
  const org = await ws.createOrg({
    name: label,
    slug: `x-${Date.now()}`,
    admin: { email: `x${Date.now()}@bench.test`, name: 'X' },
  });
  const actor = { orgId: org.orgId, memberId: org.adminId };
  let heardAt = 0;
  let resolveHeard: (() => void) | null = null;
  const client = await subscriber(ws, actor, feed, () => {
    heardAt = now();
    resolveHeard?.();
  });
  const child = fork(new URL(import.meta.url).pathname, ['--writer', url], { execArgv: ['--import', 'tsx'] });
  const replies: ((reply: { committedAt: number }) => void)[] = [];
  await new Promise<void>((resolve) =>
    child.on('message', (reply: 'ready' | { committedAt: number }) => {
      if (reply === 'ready') resolve();
      else replies.shift()?.(reply);
    }),
  );
  // The relay takes its mark when it starts; let it.
  await new Promise((resolve) => setTimeout(resolve, Math.max(100, pollMs * 2)));
  const times: number[] = [];
  for (let i = 0; i < CROSS_ROUNDS; i++) {
    const heard = new Promise<void>((resolve) => {
      resolveHeard = resolve;
    });
    const committed = new Promise<{ committedAt: number }>((resolve) => replies.push(resolve));
    child.send({ actor, i });
    const [{ committedAt }] = await Promise.all([committed, heard]);
    // Less the 10 ms window the notification waited for.
    times.push(heardAt - committedAt - 10);
    // A random pause up to a whole poll interval, so writes do not fall in step with the polls.
    await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * Math.max(20, pollMs)));
  }
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await client.close();
  await feed.close();
  await store.close();
  console.log(
    `${label}: commit in another process → notification over ${CROSS_ROUNDS} writes: p50 ${pct(times, 0.5).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms (write time excluded, window excluded)`,
  );
}

if (process.argv.includes('--writer')) {
  await writer(process.argv[process.argv.indexOf('--writer') + 1] ?? '');
} else {
  await main();
}

async function main() {
  // The notifier's timers do not hold the process open (a server's sockets do); the bench holds it.
  const keepAlive = setInterval(() => {}, 1_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-live-'));
  try {
    const store = await connect(`sqlite:${join(dir, 'b.db')}`);
    await migrate(store);
    const feed = inProcessFeed();
    const ws = createWorkstream(store, systemClock, { feed });
    await latency('SQLite in-process', ws, ws, feed);
    await idleCost(ws, feed);
    await feed.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const crossDir = mkdtempSync(join(tmpdir(), 'bench-live-x-'));
  try {
    for (const pollMs of [250, 50])
      await crossProcess(
        `SQLite, polling relay every ${pollMs} ms`,
        `sqlite:${join(crossDir, `x${pollMs}.db`)}`,
        pollMs,
      );
  } finally {
    rmSync(crossDir, { recursive: true, force: true });
  }

  const PG_URL = process.env.WORKSTREAM_TEST_PG_URL;
  if (PG_URL) {
    const name = `ws_bench_live_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    try {
      await crossProcess('PostgreSQL, LISTEN/NOTIFY relay', url.toString(), 0);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  } else console.log('PostgreSQL: set WORKSTREAM_TEST_PG_URL to measure its LISTEN/NOTIFY relay.');
  clearInterval(keepAlive);
}
