/** A Workstream over a test store with a manual clock, and an organization to act in. */
import { ManualClock } from '../../src/domain/clock.js';
import { type Failure, WorkstreamError } from '../../src/domain/errors.js';
import type { Store } from '../../src/store/connect.js';
import { TABLE_NAMES } from '../../src/store/schema.js';
import { type Actor, createWorkstream, type Workstream } from '../../src/workstream/workstream.js';

let orgs = 0;

export interface TestOrg {
  readonly ws: Workstream;
  readonly clock: ManualClock;
  readonly actor: Actor;
  readonly orgId: string;
}

/** Webhooks to the loopback receiver (test/support/receiver.ts), as WORKSTREAM_WEBHOOK_ALLOW_PRIVATE allows. */
export const LOCAL_WEBHOOKS = { webhookAddresses: { allowPrivate: true } } as const;

export async function testOrg(
  store: Store,
  start = new Date('2026-03-02T09:00:00.000Z'),
  options: Parameters<typeof createWorkstream>[2] = {},
): Promise<TestOrg> {
  const clock = new ManualClock(start);
  const ws = createWorkstream(store, clock, options);
  const slug = `org-${process.pid}-${++orgs}-${Math.random().toString(36).slice(2, 8)}`;
  const { orgId, adminId } = await ws.createOrg({
    name: `Org ${slug}`,
    slug,
    admin: { email: `admin@${slug}.test`, name: 'Ada Admin' },
  });
  return { ws, clock, actor: { orgId, memberId: adminId }, orgId };
}

/** The failure a refused call carries; fails the test if the call succeeded or threw something else. */
export async function refusal(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof WorkstreamError) return error.failure;
    throw error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** Every row of every table, for proving a refused command wrote nothing. */
export async function snapshot(store: Store): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLE_NAMES) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return tables;
}
