/**
 * The open items that have sat longest in their current state. An item entered its state at its
 * last state change into it (its latest stay ending there), or at its creation if it never left
 * its first state; so it entered no earlier than it was created. Each state's items are read
 * oldest-created first, a batch at a time, until the next item was created after the `count`-th
 * earliest entry found so far: no later one can enter earlier. The cost follows the items that
 * could be among the oldest, not all open items.
 */
import { sql } from 'kysely';
import { limitRows } from '../store/dialect.js';
import type { Unit } from '../workstream/unit-of-work.js';

export interface StuckRowData {
  readonly entityType: 'candidate' | 'pursuit';
  readonly state: string;
  readonly items: { id: string; title: string; assigneeId: string | null; enteredAt: Date }[];
}

const OPEN = {
  candidate: { table: 'candidates', states: ['new', 'contacted', 'qualified'] },
  pursuit: { table: 'pursuits', states: ['capture', 'proposal', 'submitted', 'on_hold'] },
} as const;

/** Items read per round trip; a parameter so a test can make every state take several. */
const BATCH = 200;

/** Per open state, the `count` items there longest: earliest entry first, ties by id. */
export async function stuckItems(unit: Unit, count: number, batchSize = BATCH): Promise<StuckRowData[]> {
  const rows: StuckRowData[] = [];
  for (const entityType of ['candidate', 'pursuit'] as const) {
    const { table, states } = OPEN[entityType];
    // Kysely cannot type a table chosen at run time; both have the columns read here, alike.
    const x = `${table} as x` as 'candidates as x';
    for (const state of states) {
      const best: { id: string; title: string; assigneeId: string | null; enteredAt: Date }[] = [];
      let after: { createdAt: Date; id: string } | null = null;
      for (;;) {
        let query = unit.db
          .selectFrom(x)
          .select(['x.id', 'x.title', 'x.assignee_id', 'x.created_at'])
          .select((eb) =>
            eb
              .selectFrom('state_stays as t')
              .select((t) => t.fn.max('t.left_at').as('m'))
              .where('t.org_id', '=', unit.orgId)
              .where('t.entity_type', '=', entityType)
              .whereRef('t.entity_id', '=', 'x.id')
              .where('t.next_state', '=', state)
              .as('entered_at'),
          )
          .where('x.org_id', '=', unit.orgId)
          .where(sql<string>`x.state`, '=', state)
          .orderBy('x.created_at')
          .orderBy('x.id');
        if (after) {
          const { createdAt, id } = after;
          query = query.where((eb) =>
            eb.or([
              eb('x.created_at', '>', createdAt),
              eb.and([eb('x.created_at', '=', createdAt), eb('x.id', '>', id)]),
            ]),
          );
        }
        const batch = await limitRows(unit.dialect, query, batchSize).execute();
        for (const r of batch)
          best.push({
            id: r.id,
            title: r.title,
            assigneeId: r.assignee_id,
            enteredAt: r.entered_at ?? r.created_at,
          });
        best.sort((a, b) => a.enteredAt.getTime() - b.enteredAt.getTime() || (a.id < b.id ? -1 : 1));
        best.splice(count);
        const last = batch.at(-1);
        const bound = best[count - 1]?.enteredAt;
        if (!last || batch.length < batchSize || (bound && last.created_at > bound)) break;
        after = { createdAt: last.created_at, id: last.id };
      }
      if (best.length > 0) rows.push({ entityType, state, items: best });
    }
  }
  return rows;
}
