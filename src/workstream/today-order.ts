/**
 * The Today Panel's order kept on the rows it sorts, so a page is one index range whatever a
 * member's number of open items (migrations/<dialect>/0005_today_order.sql):
 *
 * - `today_owner`: the assignee while the candidate or pursuit is open work, else null;
 * - `today_rank`, `today_due_at`: the panel's sort key (src/domain/priority.ts): priority rank,
 *   then the effective due time — the earliest of its own due time and its running SLA clocks'
 *   — with NO_DUE standing for "none" so undated work sorts last on every dialect;
 * - `today_counts`: how many items each member's panel holds, by kind (the panel's total);
 * - `sla_clocks.assignee_id`: the assignee of an open clock's record (list_sla_breaches).
 *
 * The unit of work (./unit-of-work.ts) notes each candidate and pursuit a command writes and each
 * record whose clocks it moves (./sla.ts), and calls `syncTodayOrder` for them before it commits:
 * one rule, in SQL (`panelColumns`), read for the records that changed and written only where it
 * differs, and the counts moved by the difference. `rebuildTodayOrder` recomputes a whole
 * organization with the same rule (after bulk loads).
 */
import { type Kysely, sql } from 'kysely';
import { addToTodayCount, type DialectName } from '../store/dialect.js';
import type { Database } from '../store/schema.js';

type Db = Kysely<Database>;

export type WorkEntity = 'candidate' | 'pursuit';

/** The effective due time of work that has none: after every real time, within every dialect's range. */
export const NO_DUE = new Date('9999-12-31T23:59:59.999Z');

/** Candidates still being worked; promoted ones live on as their pursuit. */
export const OPEN_CANDIDATE_WORK = ['new', 'contacted', 'qualified'] as const;
/** Pursuits still being worked. */
export const OPEN_PURSUIT_WORK = ['capture', 'proposal', 'submitted', 'on_hold'] as const;

/**
 * Open clocks, as SQL text rather than parameters: the entity index of sla_clocks is partial
 * (`where state in ('running', 'paused')`), and a planner can match that to literal text only.
 */
export const OPEN_CLOCK = sql<boolean>`state in ('running', 'paused')`;

const TABLE = { candidate: 'candidates', pursuit: 'pursuits' } as const;
const OPEN_STATES = { candidate: OPEN_CANDIDATE_WORK, pursuit: OPEN_PURSUIT_WORK } as const;

/**
 * The panel columns of a record as SQL over its row and its running clocks: the one rule, used by
 * the whole-organization recompute and, as a read, by `syncTodayOrder`.
 */
function panelColumns(kind: WorkEntity) {
  const table = TABLE[kind];
  const open = sql.join(OPEN_STATES[kind].map((state) => sql.lit(state)));
  const clockDue = sql<Date | null>`(select min(k.due_at) from sla_clocks k
    where k.entity_type = ${kind} and k.entity_id = ${sql.ref(`${table}.id`)}
      and k.state in ('running', 'paused') and k.state = 'running')`;
  const ownDue = sql<Date>`coalesce(${sql.ref(`${table}.due_at`)}, ${NO_DUE})`;
  const slaDue = sql<Date>`coalesce(${clockDue}, ${NO_DUE})`;
  return {
    today_owner: sql<string | null>`case when state in (${open}) then assignee_id end`,
    today_rank: sql<number>`case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`,
    today_due_at: sql<Date>`case when ${ownDue} < ${slaDue} then ${ownDue} else ${slaDue} end`,
  };
}

/** Recomputes the panel columns of every record of one kind in an org, set-based. */
async function recomputeAll(db: Db, orgId: string, kind: WorkEntity) {
  const table = TABLE[kind];
  await db.updateTable(table).set(panelColumns(kind)).where('org_id', '=', orgId).execute();
  await db
    .updateTable('sla_clocks')
    .set({
      assignee_id: sql<
        string | null
      >`(select w.assignee_id from ${sql.table(table)} w where w.id = sla_clocks.entity_id)`,
    })
    .where('org_id', '=', orgId)
    .where('entity_type', '=', kind)
    .where(OPEN_CLOCK)
    .execute();
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/**
 * Brings the panel columns and counts of the records a command touched up to date. It reads
 * what each record's columns hold and what they should hold (one statement), and writes only the
 * records and open clocks that differ: rewriting equal values would still rewrite the row and
 * its panel index entry (most writes, e.g. a title or a tag, move nothing).
 */
export async function syncTodayOrder(
  db: Db,
  dialect: DialectName,
  orgId: string,
  touched: ReadonlyMap<WorkEntity, ReadonlySet<string>>,
): Promise<void> {
  for (const [kind, set] of touched) {
    const ids = [...set];
    if (ids.length === 0) continue;
    const table = TABLE[kind];
    const next = panelColumns(kind);
    const rows = await db
      .selectFrom(table)
      .select([
        'id',
        'assignee_id',
        'today_owner',
        'today_rank',
        'today_due_at',
        next.today_owner.as('next_owner'),
        next.today_rank.as('next_rank'),
        next.today_due_at.as('next_due_at'),
      ])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute();
    const moved = new Map<string, number>();
    for (const row of rows) {
      const rank = Number(row.next_rank);
      if (
        row.today_owner === row.next_owner &&
        row.today_rank === rank &&
        sameTime(row.today_due_at, row.next_due_at)
      )
        continue;
      await db
        .updateTable(table)
        .set({ today_owner: row.next_owner, today_rank: rank, today_due_at: row.next_due_at })
        .where('org_id', '=', orgId)
        .where('id', '=', row.id)
        .execute();
      if (row.today_owner === row.next_owner) continue;
      if (row.today_owner !== null) moved.set(row.today_owner, (moved.get(row.today_owner) ?? 0) - 1);
      if (row.next_owner !== null) moved.set(row.next_owner, (moved.get(row.next_owner) ?? 0) + 1);
    }
    // Open clocks carry their record's assignee (list_sla_breaches reads them by it).
    const assignees = new Map(rows.map((row) => [row.id, row.assignee_id]));
    const clocks = await db
      .selectFrom('sla_clocks')
      .select(['id', 'entity_id', 'assignee_id'])
      .where('org_id', '=', orgId)
      .where('entity_type', '=', kind)
      .where(OPEN_CLOCK)
      .where('entity_id', 'in', ids)
      .execute();
    for (const clock of clocks) {
      const assignee = assignees.get(clock.entity_id) ?? null;
      if (clock.assignee_id === assignee) continue;
      await db
        .updateTable('sla_clocks')
        .set({ assignee_id: assignee })
        .where('org_id', '=', orgId)
        .where('id', '=', clock.id)
        .execute();
    }
    for (const [memberId, delta] of moved)
      if (delta !== 0)
        await addToTodayCount(db, dialect, { org_id: orgId, member_id: memberId, entity_type: kind }, delta);
  }
}

/** Recomputes the panel columns and counts of a whole organization (bulk loads, tests that write rows). */
export async function rebuildTodayOrder(db: Db, orgId: string): Promise<void> {
  for (const kind of ['candidate', 'pursuit'] as const) {
    await recomputeAll(db, orgId, kind);
    await db.deleteFrom('today_counts').where('org_id', '=', orgId).where('entity_type', '=', kind).execute();
    await db
      .insertInto('today_counts')
      .columns(['org_id', 'member_id', 'entity_type', 'items'])
      .expression(
        db
          .selectFrom(TABLE[kind])
          .select((eb) => [
            'org_id',
            sql<string>`today_owner`.as('member_id'),
            sql.lit(kind).as('entity_type'),
            eb.fn.countAll<number>().as('items'),
          ])
          .where('org_id', '=', orgId)
          .where('today_owner', 'is not', null)
          .groupBy(['org_id', 'today_owner']),
      )
      .execute();
  }
}
