/**
 * The polling change relay on SQLite (src/live/poll-relay.ts), with two connections to one file
 * as two processes have them:
 * - command by command, the changes it reads back from the events table are the changes the
 *   writer's unit of work published (the one event → change rule), and every record whose SLA
 *   clocks or Today Panel columns the command changed is a change with `clocks`;
 * - a process's feed hears another process's change within 1 s, its own change once (not again
 *   from its relay), and no change of another org.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/live/feed.js';
import { inProcessFeed } from '../../src/live/feed.js';
import { changesOfEvents, eventsSinceSql, highWaterSql } from '../../src/live/poll-relay.js';
import { processFeed } from '../../src/live/process-feed.js';
import { connect, type Store } from '../../src/store/connect.js';
import { migrate } from '../../src/store/migrator.js';
import { quiet } from '../mcp/support.js';
import { createDatabase, type TestDatabase } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

/**
 * Changes as a set: one per entity and source (the relay hears in one read what the sweep
 * committed in two transactions, warnings then breaches), members sorted.
 */
function sorted(changes: readonly Change[]): Change[] {
  const merged = new Map<string, Change>();
  for (const change of changes) {
    const key = `${change.entityType}:${change.entityId}:${change.source}`;
    const found = merged.get(key);
    merged.set(key, {
      ...change,
      clocks: change.clocks || (found?.clocks ?? false),
      members: [...new Set([...(found?.members ?? []), ...change.members])].sort(),
    });
  }
  return [...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, change]) => change);
}

/** Per record: its SLA clock rows and the columns the Today Panel and the breaches show. */
async function shown(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const clocks = await store.db.selectFrom('sla_clocks').selectAll().orderBy('id').execute();
  for (const clock of clocks)
    out.set(clock.entity_id, `${out.get(clock.entity_id) ?? ''}${JSON.stringify(clock)}`);
  for (const table of ['candidates', 'pursuits'] as const) {
    const rows = await store.db
      .selectFrom(table)
      .select(['id', 'state', 'priority', 'assignee_id', 'due_at'])
      .execute();
    for (const row of rows) out.set(row.id, `${out.get(row.id) ?? ''}${JSON.stringify(row)}`);
  }
  return out;
}

async function within(ms: number, check: () => boolean): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the polling change relay [sqlite]', () => {
  let database: TestDatabase;
  let writer: Store;
  let reader: Store;

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    writer = await connect(database.url);
    await migrate(writer);
    reader = await connect(database.url);
  });

  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await database?.drop();
  });

  it('reads back, command by command, the changes the writer published', async () => {
    const feed = inProcessFeed();
    const org = await testOrg(writer, new Date(), { feed });
    const published: Change[] = [];
    feed.subscribe(org.orgId, (change) => void published.push(change));
    const { memberId: cole } = await org.ws.addMember({
      orgId: org.orgId,
      email: `cole-${Date.now()}@relay.test`,
      name: 'Cole',
    });
    const colleague = { orgId: org.orgId, memberId: cole };
    let mark = String((await highWaterSql('sqlite').execute(reader.db)).rows[0]?.seq ?? 0);

    const step = async (label: string, work: () => Promise<unknown>) => {
      published.length = 0;
      const before = await shown(reader);
      await work();
      await new Promise((resolve) => setTimeout(resolve, 0));
      const rows = (await eventsSinceSql('sqlite', mark, 500).execute(reader.db)).rows;
      mark = String(rows.at(-1)?.seq ?? mark);
      const read = await changesOfEvents(reader, rows);
      expect(published.length, label).toBeGreaterThan(0);
      expect(sorted(read), label).toEqual(sorted(published));
      const after = await shown(reader);
      for (const [id, now] of after)
        if (before.get(id) !== now)
          expect(read.find((change) => change.entityId === id)?.clocks, `${label}: ${id}`).toBe(true);
      return sorted(read);
    };

    let candidateId = '';
    await step('create, assigned to Ada', async () => {
      candidateId = (
        await org.ws.createCandidate(org.actor, { title: 'Relay', accountName: 'Harbour', assignee: 'me' })
      ).id;
    });
    const reassigned = await step('reassign to Cole and raise the priority', () =>
      org.ws.updateCandidate(org.actor, { candidateId, assignee: cole, priority: 'high' }),
    );
    // Both Today Panels show the move: the one it left and the one it joined.
    expect(reassigned).toMatchObject([{ entityId: candidateId, members: [org.actor.memberId, cole].sort() }]);
    await step('retitle only', () => org.ws.updateCandidate(org.actor, { candidateId, title: 'Relay 2' }));
    await step('log a touch', () =>
      org.ws.logTouch(colleague, { candidateId, kind: 'call', summary: 'Spoke to procurement' }),
    );
    await step('qualify', () => org.ws.qualifyCandidate(colleague, { candidateId }));
    let pursuitId = '';
    await step('promote', async () => {
      pursuitId = (await org.ws.promoteCandidate(colleague, { candidateId })).pursuit.id;
    });
    await step('reassign the pursuit to Ada', () =>
      org.ws.updatePursuit(colleague, { pursuitId, assignee: org.actor.memberId }),
    );
    const duplicate = { id: '' };
    const keeper = { id: '' };
    await step('create two unassigned', async () => {
      duplicate.id = (await org.ws.createCandidate(org.actor, { title: 'Twin', accountName: 'Twin Co' })).id;
      keeper.id = (await org.ws.createCandidate(org.actor, { title: 'Keeper', accountName: 'Keep Co' })).id;
    });
    await step('merge', () =>
      org.ws.mergeCandidate(org.actor, { candidateId: duplicate.id, intoId: keeper.id }),
    );
    await step('disqualify', () =>
      org.ws.disqualifyCandidate(org.actor, { candidateId: keeper.id, reason: 'no_budget' }),
    );
    await step('the SLA sweep 90 days on', async () => {
      org.clock.set(new Date(Date.now() + 90 * 24 * 3600 * 1000));
      const swept = await org.ws.sweepSlas();
      expect(swept.warned + swept.breached).toBeGreaterThan(0);
    });
    expect(published.every((change) => change.source === 'sweep')).toBe(true);
    await feed.close();
  });

  it('a process hears another’s change within 1 s, its own once, and no other org’s', async () => {
    const feedA = processFeed(writer, quiet, { pollMs: 25 });
    const feedB = processFeed(reader, quiet, { pollMs: 25 });
    try {
      const a = await testOrg(writer, new Date(), { feed: feedA });
      const other = await testOrg(writer, new Date(), { feed: feedA });
      const heardA: Change[] = [];
      const heardB: Change[] = [];
      feedA.subscribe(a.orgId, (change) => void heardA.push(change));
      feedB.subscribe(a.orgId, (change) => void heardB.push(change));
      // Let both relays take their marks.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await other.ws.createCandidate(other.actor, { title: 'Elsewhere', accountName: 'Other Org' });
      const { id } = await a.ws.createCandidate(a.actor, {
        title: 'Seen',
        accountName: 'Far',
        assignee: 'me',
      });
      await within(1_000, () => heardB.some((change) => change.entityId === id));
      // Several polls later: still one change each, and nothing of the other org.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heardB.filter((change) => change.entityId === id)).toHaveLength(1);
      expect(heardA.filter((change) => change.entityId === id)).toHaveLength(1);
      expect([...heardA, ...heardB].every((change) => change.orgId === a.orgId)).toBe(true);
      expect(heardB[0]).toMatchObject({
        entityType: 'candidate',
        members: [a.actor.memberId],
        source: 'command',
      });
    } finally {
      await feedA.close();
      await feedB.close();
    }
  });
});
