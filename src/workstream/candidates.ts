/** Candidates: new → contacted → qualified → promoted, or disqualified / merged. */
import { z } from 'zod';
import { CANDIDATE_ACTIONS_TABLE, changesIn, permitAfterClose, touchTarget } from '../domain/actions.js';
import { CANDIDATE_MACHINE } from '../domain/candidate.js';
import { checkGate } from '../domain/checklist.js';
import { duplicate, must } from '../domain/errors.js';
import { guardDisqualify, guardMerge, guardReopen } from '../domain/guards.js';
import { newId } from '../domain/ids.js';
import { applyTransition } from '../domain/machine.js';
import { candidateNaturalKey } from '../domain/natural-key.js';
import type { Priority } from '../domain/priority.js';
import { toJson, type UniqueViolation, violates } from '../store/dialect.js';
import type { JsonObject, Row, RowUpdate } from '../store/schema.js';
import { recordActivity } from './activities.js';
import { carriedItems, copyCandidateChecklists, itemsOfTemplates } from './checklists.js';
import { change } from './command.js';
import { carryFields, checkFields, keepRequiredFields, requireFieldsForMove } from './custom-fields.js';
import type { Actor, Deps } from './deps.js';
import { enrichmentDestinations, markEnrichmentPending } from './enrichment.js';
import {
  candidateGateChecklists,
  candidateViewOf,
  loadCandidate,
  pursuitViewOf,
  resolveMember,
} from './load.js';
import {
  CandidateDetails,
  CandidateId,
  Domain,
  ExpectedVersion,
  Money,
  Reason,
  TagChanges,
  Timestamp,
  text,
} from './params.js';
import { checkReason, currentTemplates, gatesOf } from './process.js';
import { checkVersion, refuse } from './refusals.js';
import { type LastEvent, lastEventOf } from './replays.js';
import { cancelClocks, meetClock, retargetClocks, startClock } from './sla.js';
import { changeTags, moveTags } from './tags.js';
import { run, type Unit } from './unit-of-work.js';
import { CandidateView, PursuitView } from './views.js';

export const CreateCandidate = z.strictObject({
  title: text(400),
  accountName: text(400),
  accountDomain: Domain.optional(),
  opportunityRef: text(200).optional().describe('e.g. an RFP number.'),
  ...CandidateDetails,
});

export const UpdateCandidate = z.strictObject({
  candidateId: CandidateId,
  title: text(400).optional(),
  ...CandidateDetails,
  tags: TagChanges.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const ActivityKind = z.enum(['call', 'email', 'meeting', 'note']);

export const LogTouch = z.strictObject({
  candidateId: CandidateId,
  kind: ActivityKind,
  summary: text(4000),
  occurredAt: Timestamp.optional().describe('Default: now.'),
  expectedVersion: ExpectedVersion.optional(),
});

export const QualifyCandidate = z.strictObject({
  candidateId: CandidateId,
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const DisqualifyCandidate = z.strictObject({
  candidateId: CandidateId,
  reason: text(80).describe('A short code, e.g. no_budget.'),
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const ReopenCandidate = z.strictObject({
  candidateId: CandidateId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const MergeCandidates = z.strictObject({
  candidateId: CandidateId.describe('The duplicate.'),
  intoId: CandidateId.describe('The open candidate taking it over.'),
  expectedVersion: ExpectedVersion.optional(),
});

export const PromoteCandidate = z.strictObject({
  candidateId: CandidateId,
  title: text(400).optional().describe("Default: the candidate's."),
  dueAt: Timestamp.optional(),
  estimatedValue: Money.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export interface NewCandidate {
  readonly title: string;
  readonly accountName: string;
  readonly accountDomain?: string | undefined;
  readonly opportunityRef?: string | undefined;
  readonly priority?: Priority | undefined;
  readonly assignee?: string | null | undefined;
  readonly dueAt?: string | null | undefined;
  readonly estimatedValue?: number | null | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly fields?: JsonObject | undefined;
  readonly signalId?: string | undefined;
}

/** Inserts a candidate with its tags and `candidate.created` event, inside the caller's unit. */
export async function insertCandidate(unit: Unit, input: NewCandidate): Promise<Row<'candidates'>> {
  const id = newId('cand', unit.now);
  const assigneeId = input.assignee ? await resolveMember(unit.db, unit.actor, input.assignee) : null;
  const naturalKey = candidateNaturalKey(input);
  await unit.db
    .insertInto('candidates')
    .values({
      id,
      org_id: unit.orgId,
      title: input.title,
      account_name: input.accountName,
      account_domain: input.accountDomain ?? null,
      opportunity_ref: input.opportunityRef ?? null,
      natural_key: naturalKey,
      priority: input.priority ?? 'medium',
      assignee_id: assigneeId,
      due_at: input.dueAt ? new Date(input.dueAt) : null,
      estimated_value: input.estimatedValue ?? null,
      fields_json: toJson((await checkFields(unit, 'candidate', input.fields)) ?? {}),
      created_by: unit.actor.memberId,
      created_at: unit.now,
      updated_at: unit.now,
    })
    .execute();
  unit.touch('candidate', id);
  await copyCandidateChecklists(unit, id, await currentTemplates(unit.db, unit.orgId));
  if (input.tags?.length) await changeTags(unit, 'candidate', id, { add: input.tags });
  await startClock(unit, 'triage', 'candidate', id, input.priority ?? 'medium');
  await markEnrichmentPending(unit, id, unit.enrichmentProviders);
  await unit.event({
    entityType: 'candidate',
    entityId: id,
    type: 'candidate.created',
    to: 'new',
    data: { naturalKey, ...(input.signalId ? { signalId: input.signalId } : {}) },
    alsoTo: enrichmentDestinations(unit.enrichmentProviders),
  });
  return loadCandidate(unit.db, unit.orgId, id);
}

/** After a natural-key violation rolled back: answers DUPLICATE with the open candidate that holds the key. */
export async function openCandidateWithKey(
  deps: Deps,
  actor: Actor,
  violation: UniqueViolation,
  naturalKey: string,
): Promise<never> {
  if (!violates(violation, 'candidates_open_natural_key', 'candidates.org_id, candidates.natural_key'))
    throw new Error(`unexpected unique violation: ${violation.constraint}`);
  const existing = await deps.store.db
    .selectFrom('candidates')
    .select(['id', 'state'])
    .where('org_id', '=', actor.orgId)
    .where('natural_key', '=', naturalKey)
    .where('state', 'in', ['new', 'contacted', 'qualified', 'promoted'])
    .executeTakeFirst();
  const id = existing?.id ?? naturalKey;
  return refuse(
    duplicate(
      'candidate',
      id,
      `An open candidate for the same account and opportunity exists already: ${id} (\`${existing?.state ?? 'open'}\`).`,
    ),
  );
}

export const createCandidate = change({
  input: CreateCandidate,
  output: CandidateView,
  run: async (deps, actor, input) => {
    const naturalKey = candidateNaturalKey(input);
    return run(
      deps,
      actor,
      async (unit) => candidateViewOf(unit.db, unit.orgId, await insertCandidate(unit, input)),
      { onUniqueViolation: (violation) => openCandidateWithKey(deps, actor, violation, naturalKey) },
    );
  },
});

/** Loads a candidate, checks the caller's expected version, runs `change` and answers with the fresh view. */
function candidateCommand<I extends { candidateId: string; expectedVersion?: number | undefined }>(
  change: (unit: Unit, row: Row<'candidates'>, input: I) => Promise<void>,
  done?: (row: Row<'candidates'>, input: I, last: LastEvent | undefined) => boolean,
) {
  return (deps: Deps, actor: Actor, input: I): Promise<CandidateView> =>
    run(deps, actor, async (unit) => {
      const row = await loadCandidate(unit.db, unit.orgId, input.candidateId);
      // A retry of the change that made the candidate what it is: answer it as it is (./replays.ts).
      if (done?.(row, input, await lastEventOf(unit, 'candidate', row.id)))
        return candidateViewOf(unit.db, unit.orgId, row);
      checkVersion('candidate', row, input.expectedVersion);
      await change(unit, row, input);
      return candidateViewOf(unit.db, unit.orgId, await loadCandidate(unit.db, unit.orgId, row.id));
    });
}

export const updateCandidate = change({
  input: UpdateCandidate,
  output: CandidateView,
  run: candidateCommand<z.output<typeof UpdateCandidate>>(async (unit, row, input) => {
    must(
      permitAfterClose(
        CANDIDATE_ACTIONS_TABLE,
        row.state,
        'update_candidate',
        changesIn(input, 'candidateId'),
        {
          id: row.id,
        },
      ),
    );
    const changed: string[] = [];
    const set: RowUpdate<'candidates'> = {};
    if (input.title !== undefined && input.title !== row.title) set.title = input.title;
    if (input.priority !== undefined && input.priority !== row.priority) set.priority = input.priority;
    if (input.assignee !== undefined) {
      const assigneeId =
        input.assignee === null ? null : await resolveMember(unit.db, unit.actor, input.assignee);
      if (assigneeId !== row.assignee_id) set.assignee_id = assigneeId;
    }
    if (input.dueAt !== undefined) {
      const dueAt = input.dueAt === null ? null : new Date(input.dueAt);
      if (dueAt?.getTime() !== row.due_at?.getTime()) set.due_at = dueAt;
    }
    if (input.estimatedValue !== undefined && input.estimatedValue !== row.estimated_value)
      set.estimated_value = input.estimatedValue;
    if (input.fields !== undefined) {
      const checked = await checkFields(unit, 'candidate', input.fields);
      await keepRequiredFields(unit, 'candidate', row, checked);
      const fields = { ...row.fields_json, ...checked };
      if (JSON.stringify(fields) !== JSON.stringify(row.fields_json)) set.fields_json = toJson(fields);
    }
    // Only what differs counts as a change, so the same update twice changes nothing the second time.
    changed.push(...Object.keys(set));
    const tagsChanged = input.tags ? await changeTags(unit, 'candidate', row.id, input.tags) : false;
    if (tagsChanged) changed.push('tags');
    if (changed.length === 0) return;
    await unit.bump('candidates', row.id, row.version, set);
    if (set.priority) await retargetClocks(unit, row.id, set.priority);
    await unit.event({
      entityType: 'candidate',
      entityId: row.id,
      type: 'candidate.updated',
      data: {
        changed,
        ...(set.assignee_id !== undefined ? { previousAssigneeId: row.assignee_id } : {}),
        ...(input.tags ? { tags: { ...input.tags } } : {}),
      },
    });
  }),
});

export const logTouch = change({
  input: LogTouch,
  output: CandidateView,
  run: candidateCommand<z.output<typeof LogTouch>>(async (unit, row, input) => {
    const to = must(touchTarget(row.state, row.id));
    await requireFieldsForMove(unit, 'candidate', row, to, 'log_touch');
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : unit.now;
    await recordActivity(unit, { type: 'candidate', id: row.id }, input.kind, input.summary, occurredAt);
    await unit.bump('candidates', row.id, row.version, {
      state: to,
      first_touch_at: row.first_touch_at ?? occurredAt,
    });
    if (row.first_touch_at === null) await meetClock(unit, 'triage', row.id);
    await unit.event({
      entityType: 'candidate',
      entityId: row.id,
      type: 'candidate.touched',
      from: row.state,
      to,
      data: {
        kind: input.kind,
        summary: input.summary,
        occurredAt: occurredAt.toISOString(),
        firstTouch: row.first_touch_at === null,
      },
    });
  }),
});

export const qualifyCandidate = change({
  input: QualifyCandidate,
  output: CandidateView,
  run: candidateCommand<z.output<typeof QualifyCandidate>>(
    async (unit, row, input) => {
      const moved = must(applyTransition(CANDIDATE_MACHINE, row.state, 'qualify_candidate', { id: row.id }));
      await requireFieldsForMove(unit, 'candidate', row, moved.to, 'qualify_candidate');
      await unit.bump('candidates', row.id, row.version, { state: moved.to });
      await unit.event({
        entityType: 'candidate',
        entityId: row.id,
        type: 'candidate.qualified',
        from: moved.from,
        to: moved.to,
        reason: input.note ?? null,
      });
    },
    (row, _input, last) => row.state === 'qualified' && last?.type === 'candidate.qualified',
  ),
});

export const disqualifyCandidate = change({
  input: DisqualifyCandidate,
  output: CandidateView,
  run: candidateCommand<z.output<typeof DisqualifyCandidate>>(
    async (unit, row, input) => {
      const moved = must(guardDisqualify({ candidate: row, reason: input.reason }));
      await checkReason(unit, 'disqualify', moved.reason);
      await requireFieldsForMove(unit, 'candidate', row, moved.to, 'disqualify_candidate');
      await unit.bump('candidates', row.id, row.version, {
        state: moved.to,
        disqualify_reason: moved.reason,
        disqualify_note: input.note ?? null,
      });
      await cancelClocks(unit, ['triage'], row.id);
      await unit.event({
        entityType: 'candidate',
        entityId: row.id,
        type: 'candidate.disqualified',
        from: moved.from,
        to: moved.to,
        reason: moved.reason,
        data: input.note ? { note: input.note } : {},
      });
    },
    (row, input) => row.state === 'disqualified' && row.disqualify_reason === input.reason,
  ),
});

export const reopenCandidate = change({
  input: ReopenCandidate,
  output: CandidateView,
  run: async (deps, actor, input) => {
    let naturalKey = '';
    return run(
      deps,
      actor,
      async (unit) => {
        const row = await loadCandidate(unit.db, unit.orgId, input.candidateId);
        naturalKey = row.natural_key;
        const last = await lastEventOf(unit, 'candidate', row.id);
        // A retry of this reopen: answer the candidate as it is (./replays.ts).
        if (row.state === 'contacted' && last?.type === 'candidate.reopened' && last.reason === input.reason)
          return candidateViewOf(unit.db, unit.orgId, row);
        checkVersion('candidate', row, input.expectedVersion);
        const moved = must(guardReopen({ candidate: row, reason: input.reason }));
        await requireFieldsForMove(unit, 'candidate', row, moved.to, 'reopen_candidate');
        await unit.bump('candidates', row.id, row.version, {
          state: moved.to,
          disqualify_reason: null,
          disqualify_note: null,
        });
        await unit.event({
          entityType: 'candidate',
          entityId: row.id,
          type: 'candidate.reopened',
          from: moved.from,
          to: moved.to,
          reason: moved.reason,
        });
        return candidateViewOf(unit.db, unit.orgId, await loadCandidate(unit.db, unit.orgId, row.id));
      },
      // Reopening takes the natural key back; an open candidate that took it since is the duplicate.
      { onUniqueViolation: (violation) => openCandidateWithKey(deps, actor, violation, naturalKey) },
    );
  },
});

/** Merges a candidate into another open one: its activities, tags and signals move; its history stays readable from the target. */
export const mergeCandidate = change({
  input: MergeCandidates,
  output: CandidateView,
  run: async (deps, actor, input) => {
    return run(deps, actor, async (unit) => {
      const row = await loadCandidate(unit.db, unit.orgId, input.candidateId);
      const into = await loadCandidate(unit.db, unit.orgId, input.intoId);
      // A retry of this merge: answer the candidate it went into, as merging did (./replays.ts).
      if (row.state === 'merged' && row.merged_into_id === into.id)
        return candidateViewOf(unit.db, unit.orgId, into);
      checkVersion('candidate', row, input.expectedVersion);
      const moved = must(guardMerge({ candidate: row, into }));
      await requireFieldsForMove(unit, 'candidate', row, moved.to, 'merge_candidate');
      await unit.bump('candidates', row.id, row.version, { state: moved.to, merged_into_id: into.id });
      await cancelClocks(unit, ['triage'], row.id);
      await unit.bump('candidates', into.id, into.version, {});
      await unit.db
        .updateTable('activities')
        .set({ entity_id: into.id })
        .where('org_id', '=', unit.orgId)
        .where('entity_type', '=', 'candidate')
        .where('entity_id', '=', row.id)
        .execute();
      await moveTags(unit, 'candidate', row.id, into.id);
      await unit.db
        .updateTable('signals')
        .set({ candidate_id: into.id })
        .where('org_id', '=', unit.orgId)
        .where('candidate_id', '=', row.id)
        .execute();
      await unit.event({
        entityType: 'candidate',
        entityId: row.id,
        type: 'candidate.merged',
        from: moved.from,
        to: moved.to,
        data: { intoId: into.id },
      });
      await unit.event({
        entityType: 'candidate',
        entityId: into.id,
        type: 'candidate.absorbed',
        data: { mergedId: row.id },
      });
      return candidateViewOf(unit.db, unit.orgId, await loadCandidate(unit.db, unit.orgId, into.id));
    });
  },
});

export const Promoted = z.object({
  pursuit: PursuitView,
  created: z.boolean().describe('False when the candidate was promoted before: its pursuit is returned.'),
});
export type Promoted = z.output<typeof Promoted>;

/** Promotes a qualified candidate to a pursuit with the org's checklists. Promoting again returns the same pursuit. */
export const promoteCandidate = change({
  input: PromoteCandidate,
  output: Promoted,
  run: async (deps, actor, input) => {
    const existing = async (unit: Unit): Promise<Promoted | null> => {
      const pursuit = await unit.db
        .selectFrom('pursuits')
        .selectAll()
        .where('org_id', '=', unit.orgId)
        .where('candidate_id', '=', input.candidateId)
        .executeTakeFirst();
      return pursuit ? { pursuit: await pursuitViewOf(unit.db, unit.orgId, pursuit), created: false } : null;
    };
    return run(
      deps,
      actor,
      async (unit) => {
        const row = await loadCandidate(unit.db, unit.orgId, input.candidateId);
        if (row.state === 'promoted') {
          const found = await existing(unit);
          if (found) return found;
        }
        checkVersion('candidate', row, input.expectedVersion);
        const moved = must(
          applyTransition(CANDIDATE_MACHINE, row.state, 'promote_candidate', { id: row.id }),
        );
        // The state first, then the candidate reviews gating promote_candidate (as pursuit gates do).
        const [gates, checklists] = await Promise.all([
          gatesOf(unit.db, unit.orgId),
          candidateGateChecklists(unit.db, unit.orgId, row.id),
        ]);
        must(checkGate('promote', gates, checklists, { entity: 'candidate', id: row.id }));
        await requireFieldsForMove(unit, 'candidate', row, moved.to, 'promote_candidate');
        await unit.bump('candidates', row.id, row.version, { state: moved.to });
        const pursuitId = newId('pur', unit.now);
        await unit.db
          .insertInto('pursuits')
          .values({
            id: pursuitId,
            org_id: unit.orgId,
            candidate_id: row.id,
            title: input.title ?? row.title,
            account_name: row.account_name,
            priority: row.priority,
            assignee_id: row.assignee_id,
            due_at: input.dueAt ? new Date(input.dueAt) : null,
            estimated_value: input.estimatedValue ?? row.estimated_value,
            fields_json: toJson(await carryFields(unit, row.fields_json)),
            created_by: unit.actor.memberId,
            created_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        unit.touch('pursuit', pursuitId);
        await copyChecklists(unit, pursuitId);
        await startClock(unit, 'proposal', 'pursuit', pursuitId, row.priority);
        await copyTags(unit, row.id, pursuitId);
        await unit.event({
          entityType: 'candidate',
          entityId: row.id,
          type: 'candidate.promoted',
          from: moved.from,
          to: moved.to,
          data: { pursuitId },
        });
        await unit.event({
          entityType: 'pursuit',
          entityId: pursuitId,
          type: 'pursuit.created',
          to: 'capture',
          data: { candidateId: row.id },
        });
        const pursuit = await unit.db
          .selectFrom('pursuits')
          .selectAll()
          .where('id', '=', pursuitId)
          .executeTakeFirstOrThrow();
        return { pursuit: await pursuitViewOf(unit.db, unit.orgId, pursuit), created: true };
      },
      {
        // Two promotions raced and this one lost: answer with the pursuit the winner created.
        onUniqueViolation: async () => {
          const pursuit = await deps.store.db
            .selectFrom('pursuits')
            .selectAll()
            .where('org_id', '=', actor.orgId)
            .where('candidate_id', '=', input.candidateId)
            .executeTakeFirstOrThrow();
          return { pursuit: await pursuitViewOf(deps.store.db, actor.orgId, pursuit), created: false };
        },
      },
    );
  },
});

/** The pursuit starts with the candidate's tags. */
async function copyTags(unit: Unit, candidateId: string, pursuitId: string): Promise<void> {
  const tags = await unit.db
    .selectFrom('tags')
    .select('tag')
    .where('org_id', '=', unit.orgId)
    .where('entity_type', '=', 'candidate')
    .where('entity_id', '=', candidateId)
    .execute();
  await changeTags(unit, 'pursuit', pursuitId, { add: tags.map((t) => t.tag) });
}

/** Copies the current version of each of the org's pursuit reviews onto a new pursuit. */
async function copyChecklists(unit: Unit, pursuitId: string): Promise<void> {
  const current = (await currentTemplates(unit.db, unit.orgId)).filter((t) => t.subject !== 'candidate');
  for (const [template, items] of await itemsOfTemplates(unit, current)) {
    const checklistId = newId('chk', unit.now);
    await unit.db
      .insertInto('checklists')
      .values({
        id: checklistId,
        org_id: unit.orgId,
        pursuit_id: pursuitId,
        kind: template.kind,
        template_id: template.id,
        template_version: template.version,
        created_at: unit.now,
      })
      .execute();
    await unit.db
      .insertInto('checklist_items')
      .values(carriedItems(unit, checklistId, items, []))
      .execute();
  }
}
