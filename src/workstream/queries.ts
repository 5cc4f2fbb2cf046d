/** Reads: one record, a filtered page of records, or an entity's history. Lists page by id (time order). */
import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { CANDIDATE_STATES } from '../domain/candidate.js';
import { notFound } from '../domain/errors.js';
import { PURSUIT_STATES } from '../domain/pursuit.js';
import { SIGNAL_STATES } from '../domain/signal.js';
import { limitRows } from '../store/dialect.js';
import { fieldEqualsSql } from '../store/field-sql.js';
import type { Database, Row } from '../store/schema.js';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { parseFieldFilter } from './custom-fields.js';
import {
  candidateViews,
  loadCandidate,
  loadPursuit,
  loadSignal,
  pursuitViewOf,
  resolveMember,
} from './load.js';
import { CandidateId, Cursor, Limit, PriorityParam, PursuitId, SignalId, Tag } from './params.js';
import { refuse } from './refusals.js';
import {
  CandidateItem,
  candidateItems,
  membersOf,
  Person,
  PursuitItem,
  pursuitItems,
  SignalItem,
  type SummaryPage,
  signalItems,
  summaryPage,
} from './summaries.js';
import { run, type Unit } from './unit-of-work.js';
import { CandidateView, EventView, eventView, PursuitView, SignalView, signalView } from './views.js';

export const GetSignal = z.strictObject({ signalId: SignalId });

export const GetCandidate = z.strictObject({ candidateId: CandidateId });

export const GetPursuit = z.strictObject({ pursuitId: PursuitId });

export const ListSignals = z.strictObject({
  state: z.enum(SIGNAL_STATES).optional(),
  source: z.string().max(200).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const WorkFilters = {
  assignee: z.string().max(400).optional().describe('A member id, e-mail or name; "me" for you.'),
  priority: PriorityParam.optional(),
  tag: Tag.optional(),
  field: z.string().max(2100).optional().describe('key=value of a custom field.'),
  cursor: Cursor.optional(),
  limit: Limit,
};

export const ListCandidates = z.strictObject({ state: z.enum(CANDIDATE_STATES).optional(), ...WorkFilters });

export const ListPursuits = z.strictObject({ state: z.enum(PURSUIT_STATES).optional(), ...WorkFilters });

export const GetHistory = z.strictObject({
  id: z
    .string()
    .regex(/^(sig|cand|pur|org)_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a signal, candidate, pursuit or org id'),
  cursor: Cursor.optional(),
  limit: Limit,
});

/** List cursors carry the last id of the page (ids are time-ordered). */
const IdKey = z.string().regex(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/);
const afterId = (cursor: string) => decodeCursor(cursor, IdKey);

/** Fetches one row more than the page to know whether another page follows. */
async function readPage<R extends { id: string }, V>(
  unit: Unit,
  select: SelectQueryBuilder<Database, never, R>,
  limit: number,
  view: (rows: R[]) => Promise<V[]> | V[],
  people: (row: R) => string | null,
): Promise<SummaryPage<V>> {
  return pageOf(unit, await limitRows(unit.dialect, select, limit + 1).execute(), limit, view, people);
}

/**
 * A page of views from `limit + 1` rows (the extra row only says another page follows), with
 * the members its rows name.
 */
async function pageOf<R extends { id: string }, V>(
  unit: Unit,
  rows: R[],
  limit: number,
  view: (rows: R[]) => Promise<V[]> | V[],
  people: (row: R) => string | null,
): Promise<SummaryPage<V>> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: await view(items),
    members: await membersOf(unit.db, unit.orgId, items.map(people)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}

/** Rows of the entity carrying the tag (through the tags index), for a list's where clause. */
function taggedWith(
  unit: Unit,
  entityType: 'candidate' | 'pursuit',
  id: 'candidates.id' | 'pursuits.id',
  tag: string,
) {
  return sql<boolean>`exists (select 1 from tags where tags.org_id = ${unit.orgId} and tags.entity_type = ${entityType}
    and tags.tag = ${tag} and tags.entity_id = ${sql.ref(id)})`;
}

export const getSignal = query({
  input: GetSignal,
  output: SignalView,
  run: async (deps, actor, { signalId: id }) => {
    return run(deps, actor, async (unit) => signalView(await loadSignal(unit.db, unit.orgId, id)));
  },
});

/** A record read by itself names its assignee: name and e-mail beside assigneeId. */
const Assigned = { assignee: Person.nullable() };
export const CandidateRead = CandidateView.extend(Assigned);
export const PursuitRead = PursuitView.extend(Assigned);

async function assigneeOf(unit: Unit, id: string | null): Promise<Person | null> {
  const [member] = await membersOf(unit.db, unit.orgId, [id]);
  return member ? { name: member.name, email: member.email } : null;
}

export const getCandidate = query({
  input: GetCandidate,
  output: CandidateRead,
  run: async (deps, actor, { candidateId: id }) => {
    return run(deps, actor, async (unit) => {
      const [view] = await candidateViews(unit.db, unit.orgId, [
        await loadCandidate(unit.db, unit.orgId, id),
      ]);
      if (!view) throw new Error('one view per row');
      return { ...view, assignee: await assigneeOf(unit, view.assigneeId) };
    });
  },
});

export const getPursuit = query({
  input: GetPursuit,
  output: PursuitRead,
  run: async (deps, actor, { pursuitId: id }) => {
    return run(deps, actor, async (unit) => {
      const view = await pursuitViewOf(unit.db, unit.orgId, await loadPursuit(unit.db, unit.orgId, id));
      return { ...view, assignee: await assigneeOf(unit, view.assigneeId) };
    });
  },
});

export const listSignals = query({
  input: ListSignals,
  output: summaryPage(SignalItem),
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      let select = unit.db
        .selectFrom('signals')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .orderBy('id', 'desc');
      if (input.state) select = select.where('state', '=', input.state);
      if (input.source) select = select.where('source', '=', input.source);
      if (input.cursor) select = select.where('id', '<', afterId(input.cursor));
      return readPage(unit, select, input.limit, signalItems, () => null);
    });
  },
});

/**
 * Candidates and pursuits list the same way: newest first, by state, priority, assignee, tag or
 * custom field.
 * One reader for both, named by its table.
 */
async function listWork<T extends 'candidates' | 'pursuits'>(
  unit: Unit,
  table: T,
  input: z.output<typeof ListCandidates> | z.output<typeof ListPursuits>,
): Promise<Row<T>[]> {
  const entity = table === 'candidates' ? 'candidate' : 'pursuit';
  // Kysely cannot narrow a query over a table chosen by a generic; both tables have these columns.
  let select = unit.db
    .selectFrom(table as 'candidates')
    .selectAll()
    .where('org_id', '=', unit.orgId)
    .orderBy('id', 'desc');
  if (input.state) select = select.where('state', '=', input.state as Row<'candidates'>['state']);
  if (input.priority) select = select.where('priority', '=', input.priority);
  if (input.assignee)
    select = select.where('assignee_id', '=', await resolveMember(unit.db, unit.actor, input.assignee));
  if (input.tag) select = select.where(taggedWith(unit, entity, `${table}.id` as 'candidates.id', input.tag));
  if (input.field !== undefined) {
    const { key, value } = await parseFieldFilter(unit, entity, input.field);
    select = select.where(fieldEqualsSql(unit.dialect, `${table}.fields_json`, key, value));
  }
  if (input.cursor) select = select.where('id', '<', afterId(input.cursor));
  return (await limitRows(unit.dialect, select, input.limit + 1).execute()) as Row<T>[];
}

export const listCandidates = query({
  input: ListCandidates,
  output: summaryPage(CandidateItem),
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) =>
      pageOf(
        unit,
        await listWork(unit, 'candidates', input),
        input.limit,
        (rows) => candidateItems(unit.db, unit.orgId, rows),
        (row) => row.assignee_id,
      ),
    ),
});

export const listPursuits = query({
  input: ListPursuits,
  output: summaryPage(PursuitItem),
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) =>
      pageOf(
        unit,
        await listWork(unit, 'pursuits', input),
        input.limit,
        pursuitItems,
        (row) => row.assignee_id,
      ),
    ),
});

/**
 * The history of a signal, candidate or pursuit, oldest first. A candidate's history includes
 * the history of the candidates merged into it.
 */
export const getHistory = query({
  input: GetHistory,
  output: summaryPage(EventView),
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const ids = [input.id];
      if (input.id.startsWith('org_')) {
        if (input.id !== unit.orgId) refuse(notFound('organization', input.id));
      } else if (input.id.startsWith('sig_')) await loadSignal(unit.db, unit.orgId, input.id);
      else if (input.id.startsWith('pur_')) await loadPursuit(unit.db, unit.orgId, input.id);
      else {
        await loadCandidate(unit.db, unit.orgId, input.id);
        for (let frontier = [input.id]; frontier.length > 0; ) {
          const merged = await unit.db
            .selectFrom('candidates')
            .select('id')
            .where('org_id', '=', unit.orgId)
            .where('merged_into_id', 'in', frontier)
            .execute();
          frontier = merged.map((row) => row.id).filter((id) => !ids.includes(id));
          ids.push(...frontier);
        }
      }
      let select = unit.db
        .selectFrom('events')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('entity_id', 'in', ids)
        .orderBy('id', 'asc');
      if (input.cursor) select = select.where('id', '>', afterId(input.cursor));
      return readPage(
        unit,
        select,
        input.limit,
        (rows) => rows.map(eventView),
        (row) => row.actor_id,
      );
    });
  },
});
