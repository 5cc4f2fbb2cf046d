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
 * one rule, in SQL, recomputed for the records that changed, and the counts moved by the
 * difference. `rebuildTodayOrder` recomputes a whole organization (after bulk loads).
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

/** Recomputes the panel columns of some records of one kind (`'all'`: every one of the org). */
async function recompute(db: Db, orgId: string, kind: WorkEntity, ids: readonly string[] | 'all') {
  const table = TABLE[kind];
  const open = sql.join(OPEN_STATES[kind].map((state) => sql.lit(state)));
  const clockDue = sql<Date | null>`(select min(k.due_at) from sla_clocks k
    where k.entity_type = ${kind} and k.entity_id = ${sql.ref(`${table}.id`)}
      and k.state in ('running', 'paused') and k.state = 'running')`;
  const ownDue = sql<Date>`coalesce(${sql.ref(`${table}.due_at`)}, ${NO_DUE})`;
  const slaDue = sql<Date>`coalesce(${clockDue}, ${NO_DUE})`;
  let update = db
    .updateTable(table)
    .set({
      today_owner: sql<string | null>`case when state in (${open}) then assignee_id end`,
      today_rank: sql<number>`case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`,
      today_due_at: sql<Date>`case when ${ownDue} < ${slaDue} then ${ownDue} else ${slaDue} end`,
    })
    .where('org_id', '=', orgId);
  if (ids !== 'all') update = update.where('id', 'in', ids);
  await update.execute();

  let clocks = db
    .updateTable('sla_clocks')
    .set({
      assignee_id: sql<
        string | null
      >`(select w.assignee_id from ${sql.table(table)} w where w.id = sla_clocks.entity_id)`,
    })
    .where('org_id', '=', orgId)
    .where('entity_type', '=', kind)
    .where(OPEN_CLOCK);
  if (ids !== 'all') clocks = clocks.where('entity_id', 'in', ids);
  await clocks.execute();
}

async function owners(db: Db, orgId: string, kind: WorkEntity, ids: readonly string[]) {
  const rows = await db
    .selectFrom(TABLE[kind])
    .select(['id', 'today_owner'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.today_owner]));
}

/** Brings the panel columns and counts of the records a command touched up to date. */
export async function syncTodayOrder(
  db: Db,
  dialect: DialectName,
  orgId: string,
  touched: ReadonlyMap<WorkEntity, ReadonlySet<string>>,
): Promise<void> {
  for (const [kind, set] of touched) {
    const ids = [...set];
    if (ids.length === 0) continue;
    const before = await owners(db, orgId, kind, ids);
    await recompute(db, orgId, kind, ids);
    const after = await owners(db, orgId, kind, ids);
    const moved = new Map<string, number>();
    for (const id of ids) {
      const was = before.get(id) ?? null;
      const is = after.get(id) ?? null;
      if (was === is) continue;
      if (was !== null) moved.set(was, (moved.get(was) ?? 0) - 1);
      if (is !== null) moved.set(is, (moved.get(is) ?? 0) + 1);
    }
    for (const [memberId, delta] of moved)
      if (delta !== 0)
        await addToTodayCount(db, dialect, { org_id: orgId, member_id: memberId, entity_type: kind }, delta);
  }
}

/** Recomputes the panel columns and counts of a whole organization (bulk loads, tests that write rows). */
export async function rebuildTodayOrder(db: Db, orgId: string): Promise<void> {
  for (const kind of ['candidate', 'pursuit'] as const) {
    await recompute(db, orgId, kind, 'all');
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
