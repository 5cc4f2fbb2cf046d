import type { ChecklistsByKind, Gates } from './checklist.js';
import { checkGate } from './checklist.js';
import type { GuardFailed, Result } from './errors.js';
import { fail, ok, subjectOf, validation } from './errors.js';
import type { StateRef } from './guards.js';
import { guardMoveWithReason } from './guards.js';
import type { Moved } from './machine.js';
import { applyTransition } from './machine.js';
import type { ProposalVersionState } from './proposal.js';
import type { PursuitState } from './pursuit.js';
import { PURSUIT_MACHINE } from './pursuit.js';
import { requireReason } from './reason.js';

export interface ProposalVersionRef {
  readonly id: string;
  readonly number: number;
  readonly state: ProposalVersionState;
}

interface GatedInput {
  readonly pursuit: StateRef<PursuitState>;
  readonly gates: Gates;
  readonly checklists: ChecklistsByKind;
}

/*
 * Order of checks, each guard reporting only the first failure: the state, then the checklist
 * gate, then the guard's own inputs. A refused state makes the rest moot, and the checklist is
 * the long piece of work, so the assistant hears about it first.
 */

export function guardSubmit(
  input: GatedInput & { readonly proposalVersions: readonly ProposalVersionRef[] },
): Result<Moved<PursuitState> & { readonly versionId: string }> {
  const { pursuit } = input;
  const moved = applyTransition(PURSUIT_MACHINE, pursuit.state, 'submit_pursuit', {
    id: pursuit.id,
    heldFrom: pursuit.heldFrom ?? null,
  });
  if (!moved.ok) return moved;
  const gate = checkGate('submit', input.gates, input.checklists, { entity: 'pursuit', id: pursuit.id });
  if (!gate.ok) return gate;
  const version = versionToSend(pursuit.id, input.proposalVersions);
  return version.ok ? ok({ ...moved.value, versionId: version.value }) : version;
}

/**
 * Submitting sends the newest version that was not withdrawn, and it must still be a draft: a
 * newest version already sent means the proposal has not been revised since, and an older
 * draft behind it is stale.
 */
export function versionToSend(pursuitId: string, versions: readonly ProposalVersionRef[]): Result<string> {
  const live = versions.filter((v) => v.state !== 'withdrawn');
  const newest = live.reduce<ProposalVersionRef | undefined>(
    (a, v) => (a === undefined || v.number > a.number ? v : a),
    undefined,
  );
  if (newest === undefined) {
    const withdrawn = versions.length === 0 ? '' : ` (${versions.length} withdrawn)`;
    return fail(
      noDraft(
        pursuitId,
        `${subjectOf('pursuit', pursuitId)} has no proposal version to send${withdrawn}.`,
        'Add one',
      ),
    );
  }
  if (newest.state !== 'draft') {
    return fail(
      noDraft(
        pursuitId,
        `${subjectOf('pursuit', pursuitId)} has no draft to send: its newest proposal version ${newest.id} (v${newest.number}) is \`${newest.state}\`.`,
        'Add a new version',
      ),
    );
  }
  return ok(newest.id);
}

function noDraft(pursuitId: string, message: string, add: string): GuardFailed {
  return {
    code: 'GUARD_FAILED',
    entity: 'pursuit',
    id: pursuitId,
    gate: 'proposal_version',
    missing: [{ key: 'draft_proposal_version', label: 'A draft proposal version to send' }],
    message,
    nextStep: `${add} with add_proposal_version, then call submit_pursuit again.`,
  };
}

export function guardWon(
  input: GatedInput & { readonly awardAmount?: number | null },
): Result<Moved<PursuitState> & { readonly awardAmount: number }> {
  const { pursuit, awardAmount } = input;
  const moved = applyTransition(PURSUIT_MACHINE, pursuit.state, 'mark_won', {
    id: pursuit.id,
    heldFrom: pursuit.heldFrom ?? null,
  });
  if (!moved.ok) return moved;
  const gate = checkGate('won', input.gates, input.checklists, { entity: 'pursuit', id: pursuit.id });
  if (!gate.ok) return gate;
  if (
    awardAmount === undefined ||
    awardAmount === null ||
    !Number.isFinite(awardAmount) ||
    awardAmount <= 0
  ) {
    return fail(
      validation(
        'awardAmount',
        `A won pursuit needs the awarded amount, above zero; got ${String(awardAmount)}.`,
        {
          nextStep: 'Call mark_won again with awardAmount set to the value of the award.',
        },
      ),
    );
  }
  return ok({ ...moved.value, awardAmount });
}

export function guardLost(
  input: GatedInput & { readonly lossReason?: string | null },
): Result<Moved<PursuitState> & { readonly lossReason: string }> {
  const { pursuit } = input;
  const moved = applyTransition(PURSUIT_MACHINE, pursuit.state, 'mark_lost', {
    id: pursuit.id,
    heldFrom: pursuit.heldFrom ?? null,
  });
  if (!moved.ok) return moved;
  const gate = checkGate('lost', input.gates, input.checklists, { entity: 'pursuit', id: pursuit.id });
  if (!gate.ok) return gate;
  const reason = requireReason('lossReason', input.lossReason, 'mark_lost');
  return reason.ok ? ok({ ...moved.value, lossReason: reason.value }) : reason;
}

export function guardNoBid(input: { pursuit: StateRef<PursuitState>; reason?: string | null }) {
  return guardMoveWithReason(PURSUIT_MACHINE, input.pursuit, 'decide_no_bid', input.reason);
}

export function guardCancel(input: { pursuit: StateRef<PursuitState>; reason?: string | null }) {
  return guardMoveWithReason(PURSUIT_MACHINE, input.pursuit, 'cancel_pursuit', input.reason);
}
