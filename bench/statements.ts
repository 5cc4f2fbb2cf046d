/**
 * Where a call's database time goes, in process (no MCP, no HTTP): runs get_today_panel
 * (`read`) or get_candidate + update_candidate toggling a new candidate's priority (`write`)
 * on an embedded database of 10,000 bulk candidates, and prints the wall time and the CPU time
 * (process.cpuUsage) per call, then each SQL statement's time per call in better-sqlite3
 * (`all`/`run`/`get`, wrapped) and how many times a call runs it, costliest first.
 *
 *   npx tsx bench/statements.ts [read|write]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { createWorkstream } from '../src/workstream/workstream.js';
import { addBulkWork } from '../test/support/bulk.js';

// Statements are wrapped as better-sqlite3 prepares them, before the store opens a database.
const times = new Map<string, { n: number; ms: number }>();
type Statement = Record<'all' | 'run' | 'get', (...args: unknown[]) => unknown>;
const proto = SqliteDatabase.prototype as unknown as { prepare: (text: string) => Statement };
const prepare = proto.prepare;
proto.prepare = function (this: unknown, text: string) {
  const statement = prepare.call(this, text);
  for (const method of ['all', 'run', 'get'] as const) {
    const original = statement[method].bind(statement);
    statement[method] = (...args: unknown[]) => {
      const started = performance.now();
      try {
        return original(...args);
      } finally {
        const entry = times.get(text) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started;
        times.set(text, entry);
      }
    };
  }
  return statement;
};
const dir = mkdtempSync(join(tmpdir(), 'ws-stmt-'));
const url = `sqlite:${join(dir, 'b.db')}`;
const loading = await connect(url);
await migrate(loading);
const setup = createWorkstream(loading);
const org = await setup.createOrg({ name: 'Load', slug: 'load', admin: { email: 'h@load.test', name: 'H' } });
const other = await setup.addMember({ orgId: org.orgId, email: 'o@load.test', name: 'O' });
await addBulkWork(loading, {
  orgId: org.orgId,
  members: [org.adminId, other.memberId],
  count: 10000,
  now: new Date(),
});
await loading.close();
// Opened again, as a server opens the database it serves (src/store/connect.ts).
const store = await connect(url);
const ws = createWorkstream(store);
const actor = { orgId: org.orgId, memberId: org.adminId };
const page = await ws.listCandidates(actor, { assignee: 'me', state: 'new', limit: 1 });
const id = page.items[0]?.id as string;
const which = process.argv[2] ?? 'read';
for (let i = 0; i < 50; i++) await ws.getTodayPanel(actor, {});
times.clear();
const N = Number(process.env.BENCH_N ?? 300);
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  if (which === 'read') await ws.getTodayPanel(actor, {});
  else {
    const c = await ws.getCandidate(actor, { candidateId: id });
    await ws.updateCandidate(actor, {
      candidateId: id,
      expectedVersion: c.version,
      priority: i % 2 ? 'high' : 'low',
    });
  }
}
const c1 = process.cpuUsage(c0);
console.log(
  which,
  'ms/call',
  ((performance.now() - t0) / N).toFixed(2),
  'cpu',
  ((c1.user + c1.system) / 1000 / N).toFixed(2),
);
let tot = 0;
for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
  tot += v.ms;
  console.log((v.ms / N).toFixed(3), v.n / N, k.slice(0, 200).replace(/\s+/g, ' '));
}
console.log('sql total ms/call', (tot / N).toFixed(2));
await store.close();
rmSync(dir, { recursive: true, force: true });
