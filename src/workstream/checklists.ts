/**
 * Checklists as records carry them: the tick of one item (shared by pursuits and candidates) and
 * the candidates' checklists (a candidate review's copies, in candidate_checklists and
 * candidate_checklist_items; docs/process.md). A candidate gets the current version of each
 * candidate review when it is created; apply_checklist_template moves open candidates to a new
 * version. The candidate's version covers its checklists, as a pursuit's covers its own.
 */
import { CANDIDATE_ACTIONS_TABLE, permitWork } from '../domain/actions.js';
import { type ItemState, setItemState } from '../domain/checklist.js';
import { must, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { Row } from '../store/schema.js';
import type { Actor, Deps } from './deps.js';
import { candidateViewOf, loadCandidate } from './load.js';
import { refuse } from './refusals.js';
import { run, type Unit } from './unit-of-work.js';
import type { CandidateView } from './views.js';

/** Candidates in these states are still being qualified: they take checklist ticks and new review versions. */
export const QUALIFYING_STATES = ['new', 'contacted', 'qualified'] as const;

export interface ItemTick {
  readonly checklist: string;
  readonly itemKey: string;
  readonly state: ItemState;
  readonly note?: string | null | undefined;
}

/**
 * The item a tick names among a checklist's items and the state and note it leaves, or null
 * when it changes nothing (a retry); refuses an unknown item by listing the checklist's keys.
 */
export function tickOf(
  items: readonly Row<'checklist_items'>[],
  input: ItemTick,
): { item: Row<'checklist_items'>; state: ItemState; note: string | null } | null {
  const item = items.find((candidate) => candidate.item_key === input.itemKey);
  if (!item) {
    return refuse({
      ...notFound('checklist_item', `${input.checklist}/${input.itemKey}`),
      nextStep: `The ${input.checklist} checklist's items are ${items.map((i) => i.item_key).join(', ') || '(none)'}; call again with one of them.`,
    });
  }
  const updated = must(
    setItemState(
      {
        key: item.item_key,
        label: item.label,
        required: item.is_required,
        state: item.state,
        note: item.note,
      },
      input.state,
      input.note,
    ),
  );
  if (updated.state === item.state && (updated.note ?? null) === item.note) return null;
  return { item, state: updated.state, note: updated.note ?? null };
}

/**
 * Records a tick of a pursuit's or a candidate's checklist: the item's new state and note, the
 * record's version (it covers its checklists: a concurrent edit of either is a conflict) and the
 * `<entity>.checklist_item_set` event.
 */
export async function writeTick(
  unit: Unit,
  record: { readonly entity: 'pursuit' | 'candidate'; readonly id: string; readonly version: number },
  input: ItemTick,
  tick: NonNullable<ReturnType<typeof tickOf>>,
): Promise<void> {
  const pursuit = record.entity === 'pursuit';
  await unit.db
    .updateTable(pursuit ? 'checklist_items' : 'candidate_checklist_items')
    .set({ state: tick.state, note: tick.note, updated_by: unit.actor.memberId, updated_at: unit.now })
    .where('id', '=', tick.item.id)
    .execute();
  await unit.bump(pursuit ? 'pursuits' : 'candidates', record.id, record.version, {});
  await unit.event({
    entityType: record.entity,
    entityId: record.id,
    type: `${record.entity}.checklist_item_set`,
    data: {
      checklist: input.checklist,
      itemKey: tick.item.item_key,
      from: tick.item.state,
      to: tick.state,
      note: tick.note,
    },
  });
}

/** Copies the current version of each candidate review onto a new candidate. */
export async function copyCandidateChecklists(
  unit: Unit,
  candidateId: string,
  templates: readonly Row<'checklist_templates'>[],
): Promise<void> {
  const reviews = templates.filter((t) => t.subject === 'candidate');
  for (const [template, items] of await itemsOfTemplates(unit, reviews))
    await writeChecklist(unit, candidateId, template, items, [], undefined);
}

/**
 * The items of each of these templates, in their order, read in one statement; a template without
 * items is left out (a new record gets no checklist of it).
 */
export async function itemsOfTemplates(
  unit: Unit,
  templates: readonly Row<'checklist_templates'>[],
): Promise<[Row<'checklist_templates'>, Row<'checklist_template_items'>[]][]> {
  if (templates.length === 0) return [];
  const items = await unit.db
    .selectFrom('checklist_template_items')
    .selectAll()
    .where(
      'template_id',
      'in',
      templates.map((t) => t.id),
    )
    .orderBy('position')
    .execute();
  return templates
    .map((template): [Row<'checklist_templates'>, Row<'checklist_template_items'>[]] => [
      template,
      items.filter((item) => item.template_id === template.id),
    ])
    .filter(([, own]) => own.length > 0);
}

/**
 * Moves every candidate still being qualified to the review's current version (adding it where
 * missing), as apply_checklist_template does for pursuits: items whose keys persist keep their
 * state and note; new items start open; dropped items go. Answers how many candidates it moved.
 */
export async function applyCandidateReview(
  unit: Unit,
  template: Row<'checklist_templates'>,
  items: readonly Row<'checklist_template_items'>[],
): Promise<number> {
  const candidates = await unit.db
    .selectFrom('candidates')
    .select(['id', 'version'])
    .where('org_id', '=', unit.orgId)
    .where('state', 'in', [...QUALIFYING_STATES])
    .execute();
  let moved = 0;
  for (const candidate of candidates) {
    const checklist = await unit.db
      .selectFrom('candidate_checklists')
      .selectAll()
      .where('candidate_id', '=', candidate.id)
      .where('kind', '=', template.kind)
      .executeTakeFirst();
    if (checklist && checklist.template_id === template.id) continue;
    const old = checklist
      ? await unit.db
          .selectFrom('candidate_checklist_items')
          .selectAll()
          .where('checklist_id', '=', checklist.id)
          .execute()
      : [];
    if (checklist)
      await unit.db
        .deleteFrom('candidate_checklist_items')
        .where('checklist_id', '=', checklist.id)
        .execute();
    await writeChecklist(unit, candidate.id, template, items, old, checklist);
    await unit.bump('candidates', candidate.id, candidate.version, {});
    await unit.event({
      entityType: 'candidate',
      entityId: candidate.id,
      type: 'candidate.checklist_applied',
      data: { checklist: template.kind, version: template.version },
    });
    moved += 1;
  }
  return moved;
}

async function writeChecklist(
  unit: Unit,
  candidateId: string,
  template: Row<'checklist_templates'>,
  items: readonly Row<'checklist_template_items'>[],
  old: readonly Row<'candidate_checklist_items'>[],
  checklist: Row<'candidate_checklists'> | undefined,
): Promise<void> {
  const checklistId = checklist?.id ?? newId('chk', unit.now);
  if (checklist)
    await unit.db
      .updateTable('candidate_checklists')
      .set({ template_id: template.id, template_version: template.version })
      .where('id', '=', checklist.id)
      .execute();
  else
    await unit.db
      .insertInto('candidate_checklists')
      .values({
        id: checklistId,
        org_id: unit.orgId,
        candidate_id: candidateId,
        kind: template.kind,
        template_id: template.id,
        template_version: template.version,
        created_at: unit.now,
      })
      .execute();
  await unit.db
    .insertInto('candidate_checklist_items')
    .values(carriedItems(unit, checklistId, items, old))
    .execute();
}

/** An item as a checklist of either kind holds it: the columns pursuit and candidate checklists share. */
type HeldItem = Pick<Row<'checklist_items'>, 'item_key' | 'state' | 'note' | 'updated_by' | 'updated_at'>;

/**
 * The item rows of a checklist moved to a template's version: the template's items in its order,
 * each keeping the state and note of the item with the same key before (`old`), else open. One
 * rule for the checklists of pursuits and of candidates (apply_checklist_template).
 */
export function carriedItems(
  unit: Unit,
  checklistId: string,
  items: readonly Row<'checklist_template_items'>[],
  old: readonly HeldItem[],
) {
  return items.map((item) => {
    const kept = old.find((o) => o.item_key === item.item_key);
    return {
      id: newId('item', unit.now),
      org_id: unit.orgId,
      checklist_id: checklistId,
      item_key: item.item_key,
      label: item.label,
      is_required: item.is_required,
      position: item.position,
      state: kept?.state ?? 'open',
      note: kept?.note ?? null,
      updated_by: kept?.updated_by ?? null,
      updated_at: kept?.updated_at ?? unit.now,
    };
  });
}

/** set_checklist_item with a candidateId: ticks an item of one of the candidate's reviews. */
export function setCandidateChecklistItem(
  deps: Deps,
  actor: Actor,
  input: ItemTick & { candidateId: string },
): Promise<CandidateView> {
  return run(deps, actor, async (unit) => {
    const candidate = await loadCandidate(unit.db, unit.orgId, input.candidateId);
    must(permitWork(CANDIDATE_ACTIONS_TABLE, candidate.state, 'set_checklist_item', { id: candidate.id }));
    const items = await unit.db
      .selectFrom('candidate_checklist_items as i')
      .innerJoin('candidate_checklists as c', 'c.id', 'i.checklist_id')
      .selectAll('i')
      .where('c.org_id', '=', unit.orgId)
      .where('c.candidate_id', '=', candidate.id)
      .where('c.kind', '=', input.checklist)
      .orderBy('i.position')
      .execute();
    const tick = tickOf(items, input);
    if (tick === null) return candidateViewOf(unit.db, unit.orgId, candidate);
    await writeTick(unit, { entity: 'candidate', id: candidate.id, version: candidate.version }, input, tick);
    return candidateViewOf(unit.db, unit.orgId, await loadCandidate(unit.db, unit.orgId, candidate.id));
  });
}
