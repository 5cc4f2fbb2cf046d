/** Reads: one record, a filtered page of records, or an entity's history. Lists page by id (time order). */
import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { limitRows } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Actor, Deps } from './deps.js';
import type { GetHistory, ListCandidates, ListPursuits, ListSignals } from './inputs.js';
import {
  candidateViews,
  loadCandidate,
  loadPursuit,
  loadSignal,
  pursuitViewOf,
  pursuitViews,
  resolveMember,
} from './read.js';
import { run, type Unit } from './unit-of-work.js';
import {
  type CandidateView,
  type EventView,
  eventView,
  type Page,
  type PursuitView,
  type SignalView,
  signalView,
} from './views.js';

const READ = { readOnly: true } as const;

/** List cursors carry the last id of the page (ids are time-ordered). */
const IdKey = z.string().regex(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/);
const afterId = (cursor: string) => decodeCursor(cursor, IdKey);

/** Fetches one row more than the page to know whether another page follows. */
async function page<R extends { id: string }, V>(
  unit: Unit,
  query: SelectQueryBuilder<Database, never, R>,
  limit: number,
  view: (rows: R[]) => Promise<V[]> | V[],
): Promise<Page<V>> {
  const rows = await limitRows(unit.dialect, query, limit + 1).execute();
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: await view(items), nextCursor: more && last ? encodeCursor(last.id) : null };
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

export async function getSignal(deps: Deps, actor: Actor, id: string): Promise<SignalView> {
  return run(deps, actor, async (unit) => signalView(await loadSignal(unit.db, unit.orgId, id)), READ);
}

export async function getCandidate(deps: Deps, actor: Actor, id: string): Promise<CandidateView> {
  return run(
    deps,
    actor,
    async (unit) => {
      const [view] = await candidateViews(unit.db, unit.orgId, [
        await loadCandidate(unit.db, unit.orgId, id),
      ]);
      if (!view) throw new Error('one view per row');
      return view;
    },
    READ,
  );
}

export async function getPursuit(deps: Deps, actor: Actor, id: string): Promise<PursuitView> {
  return run(
    deps,
    actor,
    async (unit) => pursuitViewOf(unit.db, unit.orgId, await loadPursuit(unit.db, unit.orgId, id)),
    READ,
  );
}

export async function listSignals(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof ListSignals>,
): Promise<Page<SignalView>> {
  return run(
    deps,
    actor,
    async (unit) => {
      let query = unit.db
        .selectFrom('signals')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .orderBy('id', 'desc');
      if (input.state) query = query.where('state', '=', input.state);
      if (input.source) query = query.where('source', '=', input.source);
      if (input.cursor) query = query.where('id', '<', afterId(input.cursor));
      return page(unit, query, input.limit, (rows) => rows.map(signalView));
    },
    READ,
  );
}

export async function listCandidates(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof ListCandidates>,
): Promise<Page<CandidateView>> {
  return run(
    deps,
    actor,
    async (unit) => {
      let query = unit.db
        .selectFrom('candidates')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .orderBy('id', 'desc');
      if (input.state) query = query.where('state', '=', input.state);
      if (input.priority) query = query.where('priority', '=', input.priority);
      if (input.assignee)
        query = query.where('assignee_id', '=', await resolveMember(unit.db, unit.actor, input.assignee));
      if (input.tag) query = query.where(taggedWith(unit, 'candidate', 'candidates.id', input.tag));
      if (input.cursor) query = query.where('id', '<', afterId(input.cursor));
      return page(unit, query, input.limit, (rows) => candidateViews(unit.db, unit.orgId, rows));
    },
    READ,
  );
}

export async function listPursuits(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof ListPursuits>,
): Promise<Page<PursuitView>> {
  return run(
    deps,
    actor,
    async (unit) => {
      let query = unit.db
        .selectFrom('pursuits')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .orderBy('id', 'desc');
      if (input.state) query = query.where('state', '=', input.state);
      if (input.priority) query = query.where('priority', '=', input.priority);
      if (input.assignee)
        query = query.where('assignee_id', '=', await resolveMember(unit.db, unit.actor, input.assignee));
      if (input.tag) query = query.where(taggedWith(unit, 'pursuit', 'pursuits.id', input.tag));
      if (input.cursor) query = query.where('id', '<', afterId(input.cursor));
      return page(unit, query, input.limit, (rows) => pursuitViews(unit.db, unit.orgId, rows));
    },
    READ,
  );
}

/**
 * The history of a signal, candidate or pursuit, oldest first. A candidate's history includes
 * the history of the candidates merged into it.
 */
export async function history(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof GetHistory>,
): Promise<Page<EventView>> {
  return run(
    deps,
    actor,
    async (unit) => {
      const ids = [input.id];
      if (input.id.startsWith('sig_')) await loadSignal(unit.db, unit.orgId, input.id);
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
      let query = unit.db
        .selectFrom('events')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('entity_id', 'in', ids)
        .orderBy('id', 'asc');
      if (input.cursor) query = query.where('id', '>', afterId(input.cursor));
      return page(unit, query, input.limit, (rows) => rows.map(eventView));
    },
    READ,
  );
}
