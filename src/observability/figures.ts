/**
 * The database-wide figures behind the outbox and SLA gauges: the outbox's own stats (as
 * `workstream outbox stats` prints them) and the open SLA clocks by kind. Read at scrape time by
 * processes that run the worker, at most once per few seconds however often they are scraped.
 */
import type { Store } from '../store/connect.js';
import { OutboxStore } from '../worker/outbox-store.js';
import type { DatabaseFigures } from './metrics.js';

async function slaClockCounts(store: Store): Promise<DatabaseFigures['slaClocks']> {
  const rows = await store.db
    .selectFrom('sla_clocks')
    .where('state', '=', 'running')
    .groupBy('kind')
    .select((eb) => [
      'kind',
      eb.fn.countAll<number>().as('running'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('warned_at', 'is not', null), eb('breached_at', 'is', null)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('warned'),
      eb.fn.count<number>('breached_at').as('breached'),
    ])
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    running: Number(row.running),
    warned: Number(row.warned ?? 0),
    breached: Number(row.breached),
  }));
}

export function databaseFigures(store: Store): () => Promise<DatabaseFigures> {
  const outbox = new OutboxStore(store);
  return async () => {
    const [stats, slaClocks] = await Promise.all([outbox.stats(), slaClockCounts(store)]);
    return { outbox: stats, slaClocks };
  };
}
