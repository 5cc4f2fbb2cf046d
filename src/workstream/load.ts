/** Loading rows and assembling views; shared by commands (inside their transaction) and queries. */
import type { Kysely } from 'kysely';
import type { ChecklistsByKind } from '../domain/checklist.js';
import { validation } from '../domain/errors.js';
import type { Database, Row } from '../store/schema.js';
import type { Actor } from './deps.js';
import { refuse, required } from './refusals.js';
import {
  type CandidateView,
  candidateView,
  checklistView,
  enrichmentView,
  type PursuitView,
  proposalVersionView,
  pursuitView,
} from './views.js';

export type Reader = Kysely<Database>;
export type TaggedEntity = 'signal' | 'candidate' | 'pursuit';

export async function loadSignal(db: Reader, orgId: string, id: string): Promise<Row<'signals'>> {
  const row = await db
    .selectFrom('signals')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return required(row, 'signal', id);
}

export async function loadCandidate(db: Reader, orgId: string, id: string): Promise<Row<'candidates'>> {
  const row = await db
    .selectFrom('candidates')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return required(row, 'candidate', id);
}

export async function loadPursuit(db: Reader, orgId: string, id: string): Promise<Row<'pursuits'>> {
  const row = await db
    .selectFrom('pursuits')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return required(row, 'pursuit', id);
}

export async function tagsOf(
  db: Reader,
  orgId: string,
  entityType: TaggedEntity,
  ids: string[],
): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return tags;
  const rows = await db
    .selectFrom('tags')
    .select(['entity_id', 'tag'])
    .where('org_id', '=', orgId)
    .where('entity_type', '=', entityType)
    .where('entity_id', 'in', ids)
    // By entity first: the primary key's order, so the page's few tags are found by entity, not
    // every tag of the organization read through tags_by_tag (bench/statements.ts).
    .orderBy('entity_id')
    .orderBy('tag')
    .execute();
  for (const row of rows) tags.get(row.entity_id)?.push(row.tag);
  return tags;
}

export async function candidateViews(
  db: Reader,
  orgId: string,
  rows: Row<'candidates'>[],
): Promise<CandidateView[]> {
  const ids = rows.map((row) => row.id);
  const tags = await tagsOf(db, orgId, 'candidate', ids);
  const pursuits =
    ids.length === 0
      ? []
      : await db
          .selectFrom('pursuits')
          .select(['id', 'candidate_id'])
          .where('org_id', '=', orgId)
          .where('candidate_id', 'in', ids)
          .execute();
  const pursuitOf = new Map(pursuits.map((p) => [p.candidate_id, p.id]));
  const items = ids.length === 0 ? [] : await candidateChecklistItemsOf(db, orgId, ids);
  const enrichments =
    ids.length === 0
      ? []
      : await db
          .selectFrom('enrichments')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('candidate_id', 'in', ids)
          .orderBy('provider')
          .execute();
  return rows.map((row) =>
    candidateView(row, {
      tags: tags.get(row.id) ?? [],
      pursuitId: pursuitOf.get(row.id) ?? null,
      enrichment: enrichments.filter((e) => e.candidate_id === row.id).map(enrichmentView),
      checklists: checklistViews(items.filter((item) => item.candidate_id === row.id)),
    }),
  );
}

export async function candidateViewOf(
  db: Reader,
  orgId: string,
  row: Row<'candidates'>,
): Promise<CandidateView> {
  const [view] = await candidateViews(db, orgId, [row]);
  if (!view) throw new Error('a view for one row');
  return view;
}

/** Checklist items (with their checklist's kind) of some pursuits, in one query. */
function checklistItemsOf(db: Reader, orgId: string, pursuitIds: string[]) {
  return db
    .selectFrom('checklist_items as i')
    .innerJoin('checklists as c', 'c.id', 'i.checklist_id')
    .selectAll('i')
    .select(['c.kind', 'c.pursuit_id'])
    .orderBy('c.id')
    .where('c.org_id', '=', orgId)
    .where('c.pursuit_id', 'in', pursuitIds)
    .execute();
}

/** Checklist items (with their checklist's kind) of some candidates, in one query. */
function candidateChecklistItemsOf(db: Reader, orgId: string, candidateIds: string[]) {
  return db
    .selectFrom('candidate_checklist_items as i')
    .innerJoin('candidate_checklists as c', 'c.id', 'i.checklist_id')
    .selectAll('i')
    .select(['c.kind', 'c.candidate_id'])
    .orderBy('c.id')
    .where('c.org_id', '=', orgId)
    .where('c.candidate_id', 'in', candidateIds)
    .execute();
}

function checklistViews(items: (Row<'checklist_items'> & { kind: string })[]) {
  // Reviews in the order their checklists were made (ids are time-ordered): pink before red.
  return [...new Set(items.map((item) => item.kind))].map((kind) =>
    checklistView(
      kind,
      items.filter((item) => item.kind === kind),
    ),
  );
}

export async function checklistsOf(db: Reader, orgId: string, pursuitId: string) {
  return checklistViews(await checklistItemsOf(db, orgId, [pursuitId]));
}

/** The pursuit's checklists in the shape the gate guards read. */
export async function gateChecklists(
  db: Reader,
  orgId: string,
  pursuitId: string,
): Promise<ChecklistsByKind> {
  const byKind: Record<string, ReturnType<typeof checklistView>['items']> = {};
  for (const list of await checklistsOf(db, orgId, pursuitId)) byKind[list.kind] = list.items;
  return byKind;
}

/** The candidate's checklists in the shape the gate guards read (a candidate review gating promote_candidate). */
export async function candidateGateChecklists(
  db: Reader,
  orgId: string,
  candidateId: string,
): Promise<ChecklistsByKind> {
  const byKind: Record<string, ReturnType<typeof checklistView>['items']> = {};
  for (const list of checklistViews(await candidateChecklistItemsOf(db, orgId, [candidateId])))
    byKind[list.kind] = list.items;
  return byKind;
}

export async function proposalVersionsOf(db: Reader, orgId: string, pursuitId: string) {
  return db
    .selectFrom('proposal_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('pursuit_id', '=', pursuitId)
    .orderBy('number')
    .execute();
}

/** Views of a page of pursuits: three queries however many pursuits. */
export async function pursuitViews(
  db: Reader,
  orgId: string,
  rows: Row<'pursuits'>[],
): Promise<PursuitView[]> {
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  const [tags, items, versions] = await Promise.all([
    tagsOf(db, orgId, 'pursuit', ids),
    checklistItemsOf(db, orgId, ids),
    db
      .selectFrom('proposal_versions')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('pursuit_id', 'in', ids)
      .orderBy('number')
      .execute(),
  ]);
  return rows.map((row) =>
    pursuitView(row, {
      tags: tags.get(row.id) ?? [],
      checklists: checklistViews(items.filter((item) => item.pursuit_id === row.id)),
      proposalVersions: versions.filter((version) => version.pursuit_id === row.id).map(proposalVersionView),
    }),
  );
}

export async function pursuitViewOf(db: Reader, orgId: string, row: Row<'pursuits'>): Promise<PursuitView> {
  const [view] = await pursuitViews(db, orgId, [row]);
  if (!view) throw new Error('a view for one row');
  return view;
}

/**
 * A member by id, e-mail or name ("me" is the caller); refuses anyone outside the org, naming the
 * field. A name matches case-insensitively, whole or in part ("dana" finds Dana Demo); a name
 * that fits several members is refused with VALIDATION listing them, so the caller can pick one.
 */
export async function resolveMember(
  db: Reader,
  actor: Actor,
  ref: string,
  field = 'assignee',
): Promise<string> {
  const wanted = ref.trim();
  if (wanted === 'me') return actor.memberId;
  if (wanted.includes('@') || /^mem_[0-9A-HJKMNP-TV-Z]{26}$/.test(wanted)) {
    const byEmail = wanted.includes('@');
    const member = await db
      .selectFrom('members')
      .select('id')
      .where('org_id', '=', actor.orgId)
      .where(byEmail ? 'email' : 'id', '=', byEmail ? wanted.toLowerCase() : wanted)
      .executeTakeFirst();
    if (member) return member.id;
    return notAMember(field, ref);
  }
  // An organization's members are a team, not a table of millions: matched here, alike on every dialect.
  const members = await db
    .selectFrom('members')
    .select(['id', 'display_name', 'email'])
    .where('org_id', '=', actor.orgId)
    .orderBy('id')
    .execute();
  const name = wanted.toLowerCase();
  const exact = members.filter((m) => m.display_name.toLowerCase() === name);
  const matches =
    exact.length > 0 ? exact : members.filter((m) => m.display_name.toLowerCase().includes(name));
  const [only] = matches;
  if (only && matches.length === 1) return only.id;
  if (matches.length === 0) return notAMember(field, ref);
  const listed = matches
    .slice(0, 10)
    .map((m) => `${m.display_name} <${m.email}> (${m.id})`)
    .join(', ');
  return refuse({
    ...validation(field, `${field}: "${ref}" names ${matches.length} members: ${listed}.`),
    nextStep: `Pass one of them by e-mail or id as ${field}; call again.`,
  });
}

function notAMember(field: string, ref: string): never {
  return refuse({
    ...validation(field, `${field}: ${ref} is not a member of this organization.`),
    nextStep: 'Give a member id (mem_…), e-mail or name (list_members shows them); call again.',
  });
}
