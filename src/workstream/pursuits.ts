/** Pursuits: capture → proposal → submitted → won | lost, with holds, no-bids, cancellations and the checklist gates. */
import { z } from 'zod';
import { changesIn, PURSUIT_ACTIONS_TABLE, permitAfterClose, permitWork } from '../domain/actions.js';
import { checkGate, ITEM_STATES, REVIEW_KEY } from '../domain/checklist.js';
import { must, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { applyTransition } from '../domain/machine.js';
import { PROPOSAL_VERSION_MACHINE } from '../domain/proposal.js';
import { PURSUIT_MACHINE, type PursuitAction, type PursuitState } from '../domain/pursuit.js';
import {
  guardCancel,
  guardLost,
  guardNoBid,
  guardSubmit,
  guardWon,
  versionToSend,
} from '../domain/pursuit-guards.js';
import { requireReason } from '../domain/reason.js';
import { toJson } from '../store/dialect.js';
import type { Row, RowUpdate } from '../store/schema.js';
import { recordActivity } from './activities.js';
import { type ItemTick, setCandidateChecklistItem, tickOf, writeTick } from './checklists.js';
import { change } from './command.js';
import { checkFields, keepRequiredFields, requireFieldsForMove } from './custom-fields.js';
import type { Actor, Deps } from './deps.js';
import { gateChecklists, loadPursuit, proposalVersionsOf, pursuitViewOf, resolveMember } from './load.js';
import {
  Assignee,
  CandidateId,
  ExpectedVersion,
  Fields,
  Money,
  PriorityParam,
  ProposalVersionId,
  PursuitId,
  Reason,
  TagChanges,
  Timestamp,
  text,
} from './params.js';
import { checkReason, gatesOf, passRules } from './process.js';
import { checkVersion, refuse } from './refusals.js';
import { type LastEvent, lastEventOf } from './replays.js';
import { cancelClocks, meetClock, pauseClock, resumeClock, retargetClocks, startClock } from './sla.js';
import { changeTags } from './tags.js';
import { run, type Unit } from './unit-of-work.js';
import { PursuitView } from './views.js';

export const UpdatePursuit = z.strictObject({
  pursuitId: PursuitId,
  title: text(400).optional(),
  priority: PriorityParam.optional(),
  assignee: Assignee.optional(),
  dueAt: Timestamp.nullable().optional().describe('Deadline; null clears.'),
  estimatedValue: Money.nullable().optional(),
  probability: z.number().int().min(0).max(100).nullable().optional().describe('Win probability, 0–100.'),
  tags: TagChanges.optional(),
  fields: Fields.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const DecideBid = z.strictObject({
  pursuitId: PursuitId,
  reason: Reason.optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const DecideNoBid = z.strictObject({
  pursuitId: PursuitId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const HoldPursuit = z.strictObject({
  pursuitId: PursuitId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const ResumePursuit = z.strictObject({
  pursuitId: PursuitId,
  expectedVersion: ExpectedVersion.optional(),
});

export const AddProposalVersion = z.strictObject({
  pursuitId: PursuitId,
  title: text(400),
  documentUrl: z.url().max(700).optional(),
  amount: Money.optional(),
  notes: text(4000).optional(),
});

export const SubmitPursuit = z.strictObject({
  pursuitId: PursuitId,
  expectedVersion: ExpectedVersion.optional(),
});

export const SendProposalVersion = z.strictObject({
  pursuitId: PursuitId,
  expectedVersion: ExpectedVersion.optional(),
});

export const WithdrawProposalVersion = z.strictObject({
  pursuitId: PursuitId,
  versionId: ProposalVersionId.describe('prop_… (get_pursuit)'),
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const LogFollowUp = z.strictObject({
  pursuitId: PursuitId,
  summary: text(4000),
  occurredAt: Timestamp.optional(),
});

export const MarkWon = z.strictObject({
  pursuitId: PursuitId,
  awardAmount: Money.positive(),
  note: text(2000).optional(),
  expectedVersion: ExpectedVersion.optional(),
});

export const MarkLost = z.strictObject({
  pursuitId: PursuitId,
  lossReason: text(2000),
  expectedVersion: ExpectedVersion.optional(),
});

export const CancelPursuit = z.strictObject({
  pursuitId: PursuitId,
  reason: Reason,
  expectedVersion: ExpectedVersion.optional(),
});

export const SetChecklistItem = z
  .strictObject({
    pursuitId: PursuitId.optional(),
    candidateId: CandidateId.optional(),
    checklist: z.string().regex(REVIEW_KEY, 'a review key, e.g. pink'),
    itemKey: z.string().trim().min(1).max(200),
    state: z.enum(ITEM_STATES).describe('n_a needs a note.'),
    note: z.string().trim().max(2000).nullable().optional(),
  })
  .superRefine((input, ctx) => {
    if ((input.pursuitId === undefined) === (input.candidateId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['pursuitId'],
        message: 'give either pursuitId (a pursuit review) or candidateId (a candidate review), not both',
      });
  });

type Output<S extends z.ZodType> = z.output<S>;

/** The pursuit as the guards see it. */
function ref(pursuit: Row<'pursuits'>) {
  return { id: pursuit.id, state: pursuit.state, heldFrom: pursuit.held_from_state };
}

/** Whether a call finds its work done already: the pursuit as it is and what last happened to it. */
type Retried<I> = (pursuit: Row<'pursuits'>, input: I, last: LastEvent | undefined) => boolean;

/**
 * Loads a pursuit, checks the caller's expected version, runs `change` and answers with the fresh
 * view; a call `done` recognises as a retry is answered with the pursuit unchanged.
 */
function pursuitCommand<I extends { pursuitId: string; expectedVersion?: number | undefined }>(
  change: (unit: Unit, pursuit: Row<'pursuits'>, input: I) => Promise<void>,
  done?: Retried<I>,
) {
  return (deps: Deps, actor: Actor, input: I): Promise<PursuitView> =>
    run(deps, actor, async (unit) => {
      const pursuit = await loadPursuit(unit.db, unit.orgId, input.pursuitId);
      // A retry of the change that made the pursuit what it is: answer it as it is (./replays.ts).
      if (done?.(pursuit, input, await lastEventOf(unit, 'pursuit', pursuit.id)))
        return pursuitViewOf(unit.db, unit.orgId, pursuit);
      checkVersion('pursuit', pursuit, input.expectedVersion);
      await change(unit, pursuit, input);
      return pursuitViewOf(unit.db, unit.orgId, await loadPursuit(unit.db, unit.orgId, pursuit.id));
    });
}

/**
 * Moves the pursuit's state (and more columns) by `tool` and appends the `pursuit.<type>` event;
 * refused while a field required from the new state is missing.
 */
async function move(
  unit: Unit,
  pursuit: Row<'pursuits'>,
  tool: PursuitAction,
  type: string,
  to: PursuitState,
  set: RowUpdate<'pursuits'> = {},
  event: { reason?: string | null; data?: Record<string, unknown> } = {},
): Promise<void> {
  await requireFieldsForMove(unit, 'pursuit', pursuit, to, tool);
  await unit.bump('pursuits', pursuit.id, pursuit.version, { ...set, state: to });
  await unit.event({
    entityType: 'pursuit',
    entityId: pursuit.id,
    type: `pursuit.${type}`,
    from: pursuit.state,
    to,
    reason: event.reason ?? null,
    data: event.data ?? {},
  });
}

/** Work on the pursuit that keeps its state: allowed in the states the action table names, else INVALID_TRANSITION. */
function requireWork(pursuit: Row<'pursuits'>, action: string): void {
  must(
    permitWork(PURSUIT_ACTIONS_TABLE, pursuit.state, action, {
      id: pursuit.id,
      heldFrom: pursuit.held_from_state,
    }),
  );
}

export const updatePursuit = change({
  input: UpdatePursuit,
  output: PursuitView,
  run: pursuitCommand<Output<typeof UpdatePursuit>>(async (unit, pursuit, input) => {
    must(
      permitAfterClose(
        PURSUIT_ACTIONS_TABLE,
        pursuit.state,
        'update_pursuit',
        changesIn(input, 'pursuitId'),
        {
          id: pursuit.id,
        },
      ),
    );
    const set: RowUpdate<'pursuits'> = {};
    if (input.title !== undefined && input.title !== pursuit.title) set.title = input.title;
    if (input.priority !== undefined && input.priority !== pursuit.priority) set.priority = input.priority;
    if (input.assignee !== undefined) {
      const assigneeId =
        input.assignee === null ? null : await resolveMember(unit.db, unit.actor, input.assignee);
      if (assigneeId !== pursuit.assignee_id) set.assignee_id = assigneeId;
    }
    if (input.dueAt !== undefined) {
      const dueAt = input.dueAt === null ? null : new Date(input.dueAt);
      if (dueAt?.getTime() !== pursuit.due_at?.getTime()) set.due_at = dueAt;
    }
    if (input.estimatedValue !== undefined && input.estimatedValue !== pursuit.estimated_value)
      set.estimated_value = input.estimatedValue;
    if (input.probability !== undefined && input.probability !== pursuit.probability)
      set.probability = input.probability;
    if (input.fields !== undefined) {
      const checked = await checkFields(unit, 'pursuit', input.fields);
      await keepRequiredFields(unit, 'pursuit', pursuit, checked);
      const fields = { ...pursuit.fields_json, ...checked };
      if (JSON.stringify(fields) !== JSON.stringify(pursuit.fields_json)) set.fields_json = toJson(fields);
    }
    // Only what differs counts as a change, so the same update twice changes nothing the second time.
    const changed = Object.keys(set);
    if (input.tags && (await changeTags(unit, 'pursuit', pursuit.id, input.tags))) changed.push('tags');
    if (changed.length === 0) return;
    await unit.bump('pursuits', pursuit.id, pursuit.version, set);
    if (set.priority) await retargetClocks(unit, pursuit.id, set.priority);
    await unit.event({
      entityType: 'pursuit',
      entityId: pursuit.id,
      type: 'pursuit.updated',
      data: {
        changed,
        ...(set.assignee_id !== undefined ? { previousAssigneeId: pursuit.assignee_id } : {}),
      },
    });
  }),
});

export const decideBid = change({
  input: DecideBid,
  output: PursuitView,
  run: pursuitCommand<Output<typeof DecideBid>>(
    async (unit, pursuit, input) => {
      const moved = must(applyTransition(PURSUIT_MACHINE, pursuit.state, 'decide_bid', ref(pursuit)));
      const { gates, checklists } = await gated(unit, pursuit);
      must(checkGate('bid', gates, checklists, { entity: 'pursuit', id: pursuit.id }));
      await passRules(unit, pursuit, 'decide_bid', input);
      await move(unit, pursuit, 'decide_bid', 'bid', moved.to, {}, { reason: input.reason ?? null });
    },
    (pursuit, _input, last) => pursuit.state === 'proposal' && last?.type === 'pursuit.bid',
  ),
});

export const decideNoBid = change({
  input: DecideNoBid,
  output: PursuitView,
  run: pursuitCommand<Output<typeof DecideNoBid>>(
    async (unit, pursuit, input) => {
      const moved = must(guardNoBid({ pursuit: ref(pursuit), reason: input.reason }));
      const { gates, checklists } = await gated(unit, pursuit);
      must(checkGate('no_bid', gates, checklists, { entity: 'pursuit', id: pursuit.id }));
      await passRules(unit, pursuit, 'decide_no_bid', input, { list: 'no_bid', value: moved.reason });
      await cancelClocks(unit, ['proposal'], pursuit.id);
      await move(
        unit,
        pursuit,
        'decide_no_bid',
        'no_bid',
        moved.to,
        { close_reason: moved.reason, closed_at: unit.now },
        { reason: moved.reason },
      );
    },
    (pursuit, input) => pursuit.state === 'no_bid' && pursuit.close_reason === input.reason,
  ),
});

export const holdPursuit = change({
  input: HoldPursuit,
  output: PursuitView,
  run: pursuitCommand<Output<typeof HoldPursuit>>(
    async (unit, pursuit, input) => {
      const moved = must(applyTransition(PURSUIT_MACHINE, pursuit.state, 'hold_pursuit', ref(pursuit)));
      const reason = must(requireReason('reason', input.reason, 'hold_pursuit'));
      await pauseClock(unit, 'proposal', pursuit.id);
      await move(
        unit,
        pursuit,
        'hold_pursuit',
        'held',
        moved.to,
        { held_from_state: pursuit.state },
        { reason },
      );
    },
    (pursuit, input, last) =>
      pursuit.state === 'on_hold' && last?.type === 'pursuit.held' && last.reason === input.reason,
  ),
});

export const resumePursuit = change({
  input: ResumePursuit,
  output: PursuitView,
  run: pursuitCommand<Output<typeof ResumePursuit>>(
    async (unit, pursuit) => {
      const moved = must(applyTransition(PURSUIT_MACHINE, pursuit.state, 'resume_pursuit', ref(pursuit)));
      await resumeClock(unit, 'proposal', pursuit.id, pursuit.priority);
      await move(unit, pursuit, 'resume_pursuit', 'resumed', moved.to, { held_from_state: null });
    },
    (pursuit, _input, last) => pursuit.state !== 'on_hold' && last?.type === 'pursuit.resumed',
  ),
});

export const addProposalVersion = change({
  input: AddProposalVersion,
  output: PursuitView,
  run: pursuitCommand<Output<typeof AddProposalVersion>>(async (unit, pursuit, input) => {
    requireWork(pursuit, 'add_proposal_version');
    const versions = await proposalVersionsOf(unit.db, unit.orgId, pursuit.id);
    const number = versions.reduce((max, v) => Math.max(max, v.number), 0) + 1;
    const id = newId('prop', unit.now);
    // Bumping the pursuit serialises concurrent additions, so version numbers never collide.
    await unit.bump('pursuits', pursuit.id, pursuit.version, {});
    await unit.db
      .insertInto('proposal_versions')
      .values({
        id,
        org_id: unit.orgId,
        pursuit_id: pursuit.id,
        number,
        title: input.title,
        document_url: input.documentUrl ?? null,
        amount: input.amount ?? null,
        notes: input.notes ?? null,
        created_by: unit.actor.memberId,
        created_at: unit.now,
        updated_at: unit.now,
      })
      .execute();
    await unit.event({
      entityType: 'pursuit',
      entityId: pursuit.id,
      type: 'pursuit.proposal_version_added',
      data: { versionId: id, number },
    });
  }),
});

/** Marks a draft version sent and supersedes the version sent before it. */
async function sendVersion(unit: Unit, pursuit: Row<'pursuits'>, versionId: string): Promise<string | null> {
  const previous = await unit.db
    .selectFrom('proposal_versions')
    .select('id')
    .where('org_id', '=', unit.orgId)
    .where('pursuit_id', '=', pursuit.id)
    .where('state', '=', 'sent')
    .executeTakeFirst();
  if (previous)
    await unit.db
      .updateTable('proposal_versions')
      .set({ state: 'superseded', updated_at: unit.now })
      .where('id', '=', previous.id)
      .execute();
  await unit.db
    .updateTable('proposal_versions')
    .set({ state: 'sent', sent_at: unit.now, updated_at: unit.now })
    .where('id', '=', versionId)
    .execute();
  return previous?.id ?? null;
}

export const submitPursuit = change({
  input: SubmitPursuit,
  output: PursuitView,
  run: pursuitCommand<Output<typeof SubmitPursuit>>(
    async (unit, pursuit, input) => {
      const [gates, checklists, proposalVersions] = await Promise.all([
        gatesOf(unit.db, unit.orgId),
        gateChecklists(unit.db, unit.orgId, pursuit.id),
        proposalVersionsOf(unit.db, unit.orgId, pursuit.id),
      ]);
      const moved = must(guardSubmit({ pursuit: ref(pursuit), gates, checklists, proposalVersions }));
      await passRules(unit, pursuit, 'submit_pursuit', input);
      await sendVersion(unit, pursuit, moved.versionId);
      await meetClock(unit, 'proposal', pursuit.id);
      await startClock(unit, 'response', 'pursuit', pursuit.id, pursuit.priority);
      await move(
        unit,
        pursuit,
        'submit_pursuit',
        'submitted',
        moved.to,
        { submitted_at: unit.now },
        { data: { versionId: moved.versionId } },
      );
    },
    (pursuit, _input, last) => pursuit.state === 'submitted' && last?.type === 'pursuit.submitted',
  ),
});

export const sendProposalVersion = change({
  input: SendProposalVersion,
  output: PursuitView,
  run: pursuitCommand<Output<typeof SendProposalVersion>>(
    async (unit, pursuit) => {
      requireWork(pursuit, 'send_proposal_version');
      const versions = await proposalVersionsOf(unit.db, unit.orgId, pursuit.id);
      const versionId = must(versionToSend(pursuit.id, versions));
      const superseded = await sendVersion(unit, pursuit, versionId);
      // A new send restarts the response clock: the customer now answers this version.
      await cancelClocks(unit, ['response'], pursuit.id);
      await startClock(unit, 'response', 'pursuit', pursuit.id, pursuit.priority);
      await unit.bump('pursuits', pursuit.id, pursuit.version, {});
      await unit.event({
        entityType: 'pursuit',
        entityId: pursuit.id,
        type: 'pursuit.proposal_sent',
        data: { versionId, superseded },
      });
    },
    (pursuit, _input, last) => pursuit.state === 'submitted' && last?.type === 'pursuit.proposal_sent',
  ),
});

/**
 * Withdraws a draft or sent version (the customer is no longer to read it). The version sent on a
 * submitted pursuit is the one the response clock waits on: with it withdrawn there is nothing
 * to follow up, so the clock stops; sending a revision starts a new one.
 */
export const withdrawProposalVersion = change({
  input: WithdrawProposalVersion,
  output: PursuitView,
  run: pursuitCommand<Output<typeof WithdrawProposalVersion>>(
    async (unit, pursuit, input) => {
      requireWork(pursuit, 'withdraw_proposal_version');
      const versions = await proposalVersionsOf(unit.db, unit.orgId, pursuit.id);
      const version = versions.find((v) => v.id === input.versionId);
      if (!version) {
        const ids = versions.map((v) => `${v.id} (v${v.number}, ${v.state})`).join(', ');
        refuse({
          ...notFound('proposal_version', input.versionId),
          message: `proposal version ${input.versionId} is not a version of pursuit ${pursuit.id}.`,
          nextStep: `Pursuit ${pursuit.id}'s proposal versions are ${ids || '(none)'}; see get_pursuit and call again with one of them.`,
        });
      }
      must(
        applyTransition(PROPOSAL_VERSION_MACHINE, version.state, 'withdraw_proposal_version', {
          id: version.id,
        }),
      );
      const reason = must(requireReason('reason', input.reason, 'withdraw_proposal_version'));
      if (version.state === 'sent' && pursuit.state === 'submitted')
        await cancelClocks(unit, ['response'], pursuit.id);
      await unit.bump('proposal_versions', version.id, version.version, { state: 'withdrawn' });
      // The pursuit's version covers its proposal versions, as it does its checklists.
      await unit.bump('pursuits', pursuit.id, pursuit.version, {});
      await unit.event({
        entityType: 'pursuit',
        entityId: pursuit.id,
        type: 'pursuit.proposal_version_withdrawn',
        reason,
        data: { versionId: version.id, number: version.number, from: version.state, reason },
      });
    },
    (_pursuit, input, last) =>
      last?.type === 'pursuit.proposal_version_withdrawn' && last.data.versionId === input.versionId,
  ),
});

export const logFollowUp = change({
  input: LogFollowUp,
  output: PursuitView,
  run: pursuitCommand<Output<typeof LogFollowUp> & { expectedVersion?: undefined }>(
    async (unit, pursuit, input) => {
      requireWork(pursuit, 'log_follow_up');
      const occurredAt = input.occurredAt ? new Date(input.occurredAt) : unit.now;
      await recordActivity(unit, { type: 'pursuit', id: pursuit.id }, 'follow_up', input.summary, occurredAt);
      await unit.bump('pursuits', pursuit.id, pursuit.version, {});
      await meetClock(unit, 'response', pursuit.id);
      await unit.event({
        entityType: 'pursuit',
        entityId: pursuit.id,
        type: 'pursuit.followed_up',
        data: { summary: input.summary, occurredAt: occurredAt.toISOString() },
      });
    },
  ),
});

async function gated(unit: Unit, pursuit: Row<'pursuits'>) {
  const [gates, checklists] = await Promise.all([
    gatesOf(unit.db, unit.orgId),
    gateChecklists(unit.db, unit.orgId, pursuit.id),
  ]);
  return { pursuit: ref(pursuit), gates, checklists };
}

export const markWon = change({
  input: MarkWon,
  output: PursuitView,
  run: pursuitCommand<Output<typeof MarkWon>>(
    async (unit, pursuit, input) => {
      const moved = must(guardWon({ ...(await gated(unit, pursuit)), awardAmount: input.awardAmount }));
      await passRules(unit, pursuit, 'mark_won', input);
      await cancelClocks(unit, ['response'], pursuit.id);
      await move(
        unit,
        pursuit,
        'mark_won',
        'won',
        moved.to,
        { award_amount: moved.awardAmount, closed_at: unit.now, close_reason: input.note ?? null },
        { reason: input.note ?? null, data: { awardAmount: moved.awardAmount } },
      );
    },
    (pursuit, input) => pursuit.state === 'won' && pursuit.award_amount === input.awardAmount,
  ),
});

export const markLost = change({
  input: MarkLost,
  output: PursuitView,
  run: pursuitCommand<Output<typeof MarkLost>>(
    async (unit, pursuit, input) => {
      const moved = must(guardLost({ ...(await gated(unit, pursuit)), lossReason: input.lossReason }));
      await passRules(unit, pursuit, 'mark_lost', input, { list: 'loss', value: moved.lossReason });
      await cancelClocks(unit, ['response'], pursuit.id);
      await move(
        unit,
        pursuit,
        'mark_lost',
        'lost',
        moved.to,
        { loss_reason: moved.lossReason, closed_at: unit.now },
        { reason: moved.lossReason },
      );
    },
    (pursuit, input) => pursuit.state === 'lost' && pursuit.loss_reason === input.lossReason,
  ),
});

export const cancelPursuit = change({
  input: CancelPursuit,
  output: PursuitView,
  run: pursuitCommand<Output<typeof CancelPursuit>>(
    async (unit, pursuit, input) => {
      const moved = must(guardCancel({ pursuit: ref(pursuit), reason: input.reason }));
      await checkReason(unit, 'cancel', moved.reason);
      await cancelClocks(unit, ['proposal', 'response'], pursuit.id);
      await move(
        unit,
        pursuit,
        'cancel_pursuit',
        'cancelled',
        moved.to,
        { close_reason: moved.reason, closed_at: unit.now },
        { reason: moved.reason },
      );
    },
    (pursuit, input) => pursuit.state === 'cancelled' && pursuit.close_reason === input.reason,
  ),
});

type PursuitTick = ItemTick & { pursuitId: string; expectedVersion?: undefined };

const setPursuitChecklistItem = pursuitCommand<PursuitTick>(async (unit, pursuit, input) => {
  const items = await unit.db
    .selectFrom('checklist_items as i')
    .innerJoin('checklists as c', 'c.id', 'i.checklist_id')
    .leftJoin('checklist_templates as t', 't.id', 'c.template_id')
    .selectAll('i')
    .select('t.is_after_close')
    .where('c.org_id', '=', unit.orgId)
    .where('c.pursuit_id', '=', pursuit.id)
    .where('c.kind', '=', input.checklist)
    .orderBy('i.position')
    .execute();
  // An after-close review (e.g. lessons learned) is worked on a won or lost pursuit.
  const afterClose =
    Boolean(items[0]?.is_after_close) && (pursuit.state === 'won' || pursuit.state === 'lost');
  if (!afterClose) requireWork(pursuit, 'set_checklist_item');
  const tick = tickOf(items, input);
  if (tick === null) return;
  await writeTick(unit, { entity: 'pursuit', id: pursuit.id, version: pursuit.version }, input, tick);
});

/** What a tick answers: the record (a pursuit or a candidate) with its checklists. */
export const ChecklistHolder = PursuitView.pick({
  id: true,
  title: true,
  accountName: true,
  priority: true,
  version: true,
  allowedActions: true,
  checklists: true,
}).extend({ state: z.string() });

/** Ticks an item of a pursuit's review, or with candidateId, of a candidate's. */
export const setChecklistItem = change({
  input: SetChecklistItem,
  output: ChecklistHolder,
  run: (deps, actor, input): Promise<z.output<typeof ChecklistHolder>> => {
    const { pursuitId, candidateId, ...tick } = input;
    if (candidateId !== undefined) return setCandidateChecklistItem(deps, actor, { ...tick, candidateId });
    return setPursuitChecklistItem(deps, actor, { ...tick, pursuitId: pursuitId ?? '' });
  },
});
