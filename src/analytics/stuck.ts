/**
 * The open items that have sat longest in their current state. An item entered its state either
 * by its last state change (its latest stay, whose next_state is the state it is in) or, never
 * having left its first state, when it was created. Each state reads both in order through an
 * index and stops after a few, so the cost does not grow with the open items.
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
  candidate: { table: 'candidates', states: ['new', 'contacted', 'qualified'], first: 'new' },
  pursuit: { table: 'pursuits', states: ['capture', 'proposal', 'submitted', 'on_hold'], first: 'capture' },
} as const;

/** Per open state, the `count` items there longest: oldest entry first, ties by id. */
export async function stuckItems(unit: Unit, count: number): Promise<StuckRowData[]> {
  const rows: StuckRowData[] = [];
  for (const entityType of ['candidate', 'pursuit'] as const) {
    const { table, states, first } = OPEN[entityType];
    // Kysely cannot type a table chosen at run time; both have the columns read here, alike.
    const x = `${table} as x` as 'candidates as x';
    for (const state of states) {
      // Entered by a state change, and still there: the latest stay of the item ended in `state`.
      const entered = await limitRows(
        unit.dialect,
        unit.db
          .selectFrom('state_stays as t')
          .innerJoin(x, 'x.id', 't.entity_id')
          .select(['x.id', 'x.title', 'x.assignee_id', 't.left_at as entered_at'])
          .where('t.org_id', '=', unit.orgId)
          .where('t.entity_type', '=', entityType)
          .where('t.next_state', '=', state)
          .where(sql<string>`x.state`, '=', state)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('state_stays as l')
                  .select('l.left_event_id')
                  .whereRef('l.org_id', '=', 't.org_id')
                  .whereRef('l.entity_type', '=', 't.entity_type')
                  .whereRef('l.entity_id', '=', 't.entity_id')
                  .whereRef('l.left_at', '>', 't.left_at'),
              ),
            ),
          )
          .orderBy('t.left_at')
          .orderBy('x.id'),
        count,
      ).execute();
      // Still in its first state, never having left it: entered when it was created.
      const never =
        state === first
          ? await limitRows(
              unit.dialect,
              unit.db
                .selectFrom(x)
                .select(['x.id', 'x.title', 'x.assignee_id', 'x.created_at as entered_at'])
                .where('x.org_id', '=', unit.orgId)
                .where(sql<string>`x.state`, '=', state)
                .where(({ not, exists, selectFrom }) =>
                  not(
                    exists(
                      selectFrom('state_stays as t')
                        .select('t.left_event_id')
                        .where('t.org_id', '=', unit.orgId)
                        .where('t.entity_type', '=', entityType)
                        .whereRef('t.entity_id', '=', 'x.id'),
                    ),
                  ),
                )
                .orderBy('x.created_at')
                .orderBy('x.id'),
              count,
            ).execute()
          : [];
      const items = [...entered, ...never]
        .sort((a, b) => a.entered_at.getTime() - b.entered_at.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, count)
        .map((r) => ({ id: r.id, title: r.title, assigneeId: r.assignee_id, enteredAt: r.entered_at }));
      if (items.length > 0) rows.push({ entityType, state, items });
    }
  }
  return rows;
}
