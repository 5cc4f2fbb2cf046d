/**
 * The Today Panel: one member's open candidates and pursuits with their open SLA clocks, in the
 * order work should be done (src/domain/priority.ts: priority, then effective due, then age),
 * and the open SLA clocks of one record.
 *
 * A page costs the same whatever the member's number of open items: each record keeps its place
 * in the panel on its row (./today-order.ts), so each kind is one range of an index in panel
 * order (candidates_today_order, pursuits_today_order) read from the cursor for one page plus
 * one row; the two are merged here with the domain's comparator. The total comes from the
 * member's counts (today_counts) — only a tag filter counts the matching rows.
 * Pages are cut by keyset on the sort key: the cursor carries the last item's (priority,
 * effective due, created, id) and the next page starts strictly after it. Unlike an offset,
 * that neither repeats nor skips an item when work is closed or added between two pages.
 *
 * Clock flags: a running clock is breached once its due time has passed (or the sweeper
 * recorded breached_at) and at risk once its warning time has passed (or warned_at is set).
 * A paused clock's times move when it resumes, so only what was recorded counts for it, and
 * it does not count towards the item's effective due time.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { allowedIn, CANDIDATE_ACTIONS_TABLE, PURSUIT_ACTIONS_TABLE } from '../domain/actions.js';
import type { CandidateState } from '../domain/candidate.js';
import type { Priority } from '../domain/priority.js';
import { compareTodayItems, PRIORITIES, priorityRank } from '../domain/priority.js';
import type { PursuitState } from '../domain/pursuit.js';
import { SLA_KINDS } from '../domain/sla.js';
import { nextChange } from '../live/feed.js';
import { afterKeySql, limitRows } from '../store/dialect.js';
import type { Row } from '../store/schema.js';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { loadCandidate, loadPursuit, resolveMember, tagsOf } from './load.js';
import { Cursor, Limit, Tag } from './params.js';
import { signOffsFor } from './process.js';
import { membersOf, Person } from './summaries.js';
import { NO_DUE, OPEN_CANDIDATE_WORK, OPEN_CLOCK, OPEN_PURSUIT_WORK } from './today-order.js';
import { run, type Unit } from './unit-of-work.js';
import {
  AllowedActions,
  clockFlags,
  clockView,
  NextCursor,
  OptionalTime,
  PriorityValue,
  SlaClockView,
  Time,
  Version,
} from './views.js';

export { OPEN_CANDIDATE_WORK, OPEN_PURSUIT_WORK };

export const TodayPanelInput = z.strictObject({
  assignee: z
    .string()
    .trim()
    .min(1)
    .max(400)
    .optional()
    .describe('Whose: id, e-mail or name; you by default.'),
  tags: z.array(Tag).max(30).optional().describe('Items with all these tags (any: tagMatch).'),
  tagMatch: z.enum(['all', 'any']).default('all'),
  kind: z.enum(['candidate', 'pursuit']).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
  waitMs: z
    .number()
    .int()
    .min(0)
    .max(30_000)
    .optional()
    .describe('Live views: answer when a change reaches this panel, at most this long.'),
});

export const GetSlaClocks = z.strictObject({
  id: z.string().regex(/^(cand|pur)_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a candidate or pursuit id'),
});

export const TODAY_FLAGS = ['overdue', 'breached', 'atRisk'] as const;

/**
 * One item of the panel, small: a panel page of 25 stays within a few kilobytes. The actions its
 * state allows are listed once per state in the panel (`allowedActions`), its clocks are one
 * get_sla_clocks call away, its owner is the panel's.
 */
export const TodayItem = z.object({
  id: z.string(),
  title: z.string(),
  accountName: z.string(),
  state: z.string(),
  priority: PriorityValue,
  effectiveDueAt: OptionalTime.describe('Its due date or its SLAs’, the earliest.'),
  sla: z.enum(SLA_KINDS).nullable(),
  flags: z
    .array(z.enum(TODAY_FLAGS))
    .describe('overdue: past effectiveDueAt; breached: an SLA past due; atRisk: past its warning.'),
  tags: z.array(z.string()),
  version: Version,
});
export type TodayItem = z.output<typeof TodayItem>;

export const TodayPanel = z.object({
  assigneeId: z.string(),
  owner: Person,
  allowedActions: z.record(z.string(), AllowedActions).describe('By state.'),
  asOf: Time,
  total: z.number().int().describe('On all pages.'),
  items: z.array(TodayItem),
  nextCursor: NextCursor,
  /** Sign-offs the caller may decide: `sgn_… <action> <pursuit id>`. */
  signOffs: z.array(z.string()).optional(),
});
export type TodayPanel = z.output<typeof TodayPanel>;

export const SlaClocks = z.object({ entityId: z.string(), clocks: z.array(SlaClockView) });
export type SlaClocks = z.output<typeof SlaClocks>;

type Input = z.output<typeof TodayPanelInput>;

/*
 * A page reads only the columns the panel shows: reading whole rows (every text, the fields
 * document, every timestamp) cost the panel more than finding them (bench/http-load.ts).
 */
const ROW_COLUMNS = [
  'id',
  'title',
  'account_name',
  'state',
  'priority',
  'version',
  'created_at',
  'today_due_at',
] as const;
const CLOCK_COLUMNS = [
  'id',
  'entity_id',
  'kind',
  'state',
  'due_at',
  'warn_at',
  'warned_at',
  'breached_at',
] as const;
type PanelRow = Pick<Row<'candidates'>, (typeof ROW_COLUMNS)[number]>;
type PanelClock = Pick<Row<'sla_clocks'>, (typeof CLOCK_COLUMNS)[number]>;
type WorkRow = { kind: Kind; row: PanelRow };

interface Sortable {
  work: WorkRow;
  effectiveDueAt: Date | null;
  order: { priority: Priority; effectiveDueAt: Date | null; createdAt: Date; id: string };
}

/** The open work of one member in Today Panel order, one page at a time. */
export const getTodayPanel = query({
  input: TodayPanelInput,
  output: TodayPanel,
  run: async (deps, actor, input) => {
    if (input.waitMs) {
      // Waits outside any transaction, for a change of whoever's panel this is (src/live/feed.ts).
      const memberId =
        input.assignee === undefined
          ? actor.memberId
          : await run(deps, actor, (unit) => resolveMember(unit.db, unit.actor, input.assignee ?? 'me'));
      await nextChange(deps.feed, actor.orgId, { kind: 'today', memberId }, input.waitMs);
    }
    return run(deps, actor, async (unit) => {
      const assigneeId = await resolveMember(unit.db, unit.actor, input.assignee ?? 'me');
      const after = input.cursor === undefined ? null : decodeTodayCursor(input.cursor);
      const kinds = input.kind === undefined ? KINDS : [input.kind];
      const [rows, total] = await Promise.all([
        Promise.all(kinds.map((kind) => pageRows(unit, kind, assigneeId, input, after))),
        totalOf(unit, kinds, assigneeId, input),
      ]);
      const merged = rows.flat().sort((a, b) => compareTodayItems(a.order, b.order));
      const page = merged.slice(0, input.limit);
      const last = page.at(-1);
      const [owner] =
        assigneeId === unit.actor.memberId
          ? [unit.caller]
          : await membersOf(unit.db, unit.orgId, [assigneeId]);
      if (!owner) throw new Error('a resolved member exists');
      const { items, allowedActions } = await todayItems(unit, page);
      // Sign-off requests the caller may decide, on their own panel's first page only.
      const signOffs = assigneeId === unit.actor.memberId && after === null ? await signOffsFor(unit) : [];
      return {
        assigneeId,
        owner: { name: owner.name, email: owner.email },
        allowedActions,
        asOf: unit.now.toISOString(),
        total,
        items,
        nextCursor: merged.length > input.limit && last ? encodeTodayCursor(last.order) : null,
        ...(signOffs.length > 0
          ? { signOffs: signOffs.map((s) => `${s.id} ${s.action} ${s.pursuitId}`) }
          : {}),
      };
    });
  },
});

/** The open SLA clocks (running or paused) of a candidate or pursuit. */
export const getSlaClocks = query({
  input: GetSlaClocks,
  output: SlaClocks,
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const entityType = input.id.startsWith('cand_') ? 'candidate' : 'pursuit';
      if (entityType === 'candidate') await loadCandidate(unit.db, unit.orgId, input.id);
      else await loadPursuit(unit.db, unit.orgId, input.id);
      const rows = await unit.db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('entity_type', '=', entityType)
        .where('entity_id', '=', input.id)
        .where(OPEN_CLOCK)
        .where('org_id', '=', unit.orgId)
        .orderBy('due_at')
        .execute();
      return { entityId: input.id, clocks: rows.map((row) => clockView(row, unit.now)) };
    });
  },
});

/** Items carrying the tags: all of them, or any of them (through the tags index). */
function tagFilter(
  unit: Unit,
  entityType: 'candidate' | 'pursuit',
  id: 'candidates.id' | 'pursuits.id',
  input: Input,
) {
  const tags = [...new Set(input.tags ?? [])];
  if (tags.length === 0) return null;
  const matching = sql`select count(distinct tag) from tags where tags.org_id = ${unit.orgId}
    and tags.entity_type = ${entityType} and tags.entity_id = ${sql.ref(id)} and tags.tag in (${sql.join(tags)})`;
  return input.tagMatch === 'any'
    ? sql<boolean>`(${matching}) > 0`
    : sql<boolean>`(${matching}) = ${tags.length}`;
}

const KINDS = ['candidate', 'pursuit'] as const;
type Kind = (typeof KINDS)[number];

/** The panel's sort key, column by column, in the order of the *_today_order indexes. */
const ORDER_COLUMNS = ['today_rank', 'today_due_at', 'created_at', 'id'] as const;

/** One page plus one row of a member's open candidates or pursuits after the cursor, in panel order. */
async function pageRows(
  unit: Unit,
  kind: Kind,
  assigneeId: string,
  input: Input,
  after: Sortable['order'] | null,
): Promise<Sortable[]> {
  const table = kind === 'candidate' ? 'candidates' : 'pursuits';
  // Kysely cannot narrow a query over a table chosen at run time; both tables have these columns.
  let select = unit.db
    .selectFrom(table as 'candidates')
    .select(ROW_COLUMNS)
    .where('org_id', '=', unit.orgId)
    .where('today_owner', '=', assigneeId)
    .orderBy('today_rank')
    .orderBy('today_due_at')
    .orderBy('created_at')
    .orderBy('id');
  const tagged = tagFilter(unit, kind, `${table}.id` as 'candidates.id', input);
  if (tagged) select = select.where(tagged);
  if (after)
    select = select.where(
      afterKeySql(
        unit.dialect,
        ORDER_COLUMNS.map((column) => `${table}.${column}`),
        [priorityRank(after.priority), after.effectiveDueAt ?? NO_DUE, after.createdAt, after.id],
      ),
    );
  const rows: PanelRow[] = await limitRows(unit.dialect, select, input.limit + 1).execute();
  return rows.map((row) => {
    const due =
      row.today_due_at === null || row.today_due_at.getTime() >= NO_DUE.getTime() ? null : row.today_due_at;
    return {
      work: { kind, row },
      effectiveDueAt: due,
      order: { priority: row.priority, effectiveDueAt: due, createdAt: row.created_at, id: row.id },
    };
  });
}

/** Items matching the filters over all pages: the member's counts, or with tags the matching rows. */
async function totalOf(
  unit: Unit,
  kinds: readonly Kind[],
  assigneeId: string,
  input: Input,
): Promise<number> {
  if ((input.tags ?? []).length === 0) {
    const counts = await unit.db
      .selectFrom('today_counts')
      .select('items')
      .where('org_id', '=', unit.orgId)
      .where('member_id', '=', assigneeId)
      .where('entity_type', 'in', kinds)
      .execute();
    return counts.reduce((sum, row) => sum + Number(row.items), 0);
  }
  const counts = await Promise.all(
    kinds.map(async (kind) => {
      const table = kind === 'candidate' ? 'candidates' : 'pursuits';
      const tagged = tagFilter(unit, kind, `${table}.id` as 'candidates.id', input);
      let count = unit.db
        .selectFrom(table as 'candidates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', unit.orgId)
        .where('today_owner', '=', assigneeId);
      if (tagged) count = count.where(tagged);
      const row = await count.executeTakeFirst();
      return Number(row?.n ?? 0);
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/** The open clocks of the page's records of one kind, soonest due first. */
async function pageClocks(unit: Unit, kind: Kind, ids: string[]): Promise<Map<string, PanelClock[]>> {
  const clocksOf = new Map<string, PanelClock[]>();
  if (ids.length === 0) return clocksOf;
  const rows = await unit.db
    .selectFrom('sla_clocks')
    .select(CLOCK_COLUMNS)
    .where('entity_type', '=', kind)
    .where('entity_id', 'in', ids)
    .where(OPEN_CLOCK)
    .where('org_id', '=', unit.orgId)
    .execute();
  // A page's few clocks sort here, not by a sort step in the database.
  rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || (a.id < b.id ? -1 : 1));
  for (const clock of rows) clocksOf.set(clock.entity_id, [...(clocksOf.get(clock.entity_id) ?? []), clock]);
  return clocksOf;
}

async function todayItems(
  unit: Unit,
  page: Sortable[],
): Promise<{ items: TodayItem[]; allowedActions: Record<string, string[]> }> {
  const ids = (kind: WorkRow['kind']) =>
    page.filter((item) => item.work.kind === kind).map((item) => item.work.row.id);
  const [candidateTags, pursuitTags, candidateClocks, pursuitClocks] = await Promise.all([
    tagsOf(unit.db, unit.orgId, 'candidate', ids('candidate')),
    tagsOf(unit.db, unit.orgId, 'pursuit', ids('pursuit')),
    pageClocks(unit, 'candidate', ids('candidate')),
    pageClocks(unit, 'pursuit', ids('pursuit')),
  ]);
  const now = unit.now.getTime();
  // Candidate and pursuit states have distinct names, so one map by state serves both.
  const allowedActions: Record<string, string[]> = {};
  const items = page.map(({ work, effectiveDueAt }) => {
    const row = work.row;
    const tags = (work.kind === 'candidate' ? candidateTags : pursuitTags).get(row.id) ?? [];
    const clocks = ((work.kind === 'candidate' ? candidateClocks : pursuitClocks).get(row.id) ?? []).map(
      (clock) => clockFlags(clock, unit.now),
    );
    // The actions tables own the rule of which actions a state allows, as the views use them.
    allowedActions[row.state] ??=
      work.kind === 'candidate'
        ? allowedIn(CANDIDATE_ACTIONS_TABLE, row.state as CandidateState)
        : allowedIn(PURSUIT_ACTIONS_TABLE, row.state as PursuitState);
    const running = clocks.find((clock) => clock.state === 'running');
    const flags = TODAY_FLAGS.filter((flag) =>
      flag === 'overdue'
        ? effectiveDueAt !== null && effectiveDueAt.getTime() <= now
        : clocks.some((clock) => clock[flag]),
    );
    return {
      id: row.id,
      title: row.title,
      accountName: row.account_name,
      state: row.state,
      priority: row.priority,
      effectiveDueAt: effectiveDueAt?.toISOString() ?? null,
      sla: running ? (running.kind as TodayItem['sla']) : null,
      flags,
      tags,
      version: row.version,
    };
  });
  return { items, allowedActions };
}

/** Today cursors carry the last item's sort key: priority rank, effective due, created, id. */
const TodayKey = z.tuple([
  z
    .number()
    .int()
    .min(0)
    .max(PRIORITIES.length - 1),
  z.number().nullable(),
  z.number(),
  z.string(),
]);

function encodeTodayCursor(order: Sortable['order']): string {
  return encodeCursor([
    priorityRank(order.priority),
    order.effectiveDueAt?.getTime() ?? null,
    order.createdAt.getTime(),
    order.id,
  ]);
}

function decodeTodayCursor(cursor: string): Sortable['order'] {
  const [rank, due, created, id] = decodeCursor(cursor, TodayKey, 'get_today_panel');
  return {
    priority: PRIORITIES[rank] ?? 'low',
    effectiveDueAt: due === null ? null : new Date(due),
    createdAt: new Date(created),
    id,
  };
}
