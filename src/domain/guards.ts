import type { CandidateState } from './candidate.js';
import { CANDIDATE_MACHINE, OPEN_CANDIDATE_STATES } from './candidate.js';
import type { Result } from './errors.js';
import { fail, ok, validation } from './errors.js';
import type { Machine, Moved } from './machine.js';
import { applyTransition, listStates } from './machine.js';
import { requireReason } from './reason.js';
import type { SignalState } from './signal.js';
import { SIGNAL_MACHINE } from './signal.js';

export interface StateRef<S extends string> {
  readonly id: string;
  readonly state: S;
  /** Where an on-hold pursuit was held from, so a refusal can say where resuming leads. */
  readonly heldFrom?: S | null;
}

export type MovedWithReason<S extends string> = Moved<S> & { readonly reason: string };

/**
 * A move that must say why. The state is checked first, since a reason does not help a move the
 * state forbids; the action doubles as the tool to call again because actions are named as tools.
 */
export function guardMoveWithReason<S extends string, A extends string>(
  machine: Machine<S, A>,
  subject: StateRef<S>,
  action: A,
  reason: string | null | undefined,
): Result<MovedWithReason<S>> {
  const moved = applyTransition(machine, subject.state, action, {
    id: subject.id,
    heldFrom: subject.heldFrom ?? null,
  });
  if (!moved.ok) return moved;
  const given = requireReason('reason', reason, action);
  return given.ok ? ok({ ...moved.value, reason: given.value }) : given;
}

export function guardDismiss(input: { signal: StateRef<SignalState>; reason?: string | null }) {
  return guardMoveWithReason(SIGNAL_MACHINE, input.signal, 'dismiss_signal', input.reason);
}

export function guardDisqualify(input: { candidate: StateRef<CandidateState>; reason?: string | null }) {
  return guardMoveWithReason(CANDIDATE_MACHINE, input.candidate, 'disqualify_candidate', input.reason);
}

export function guardReopen(input: { candidate: StateRef<CandidateState>; reason?: string | null }) {
  return guardMoveWithReason(CANDIDATE_MACHINE, input.candidate, 'reopen_candidate', input.reason);
}

/** A candidate merges into another open candidate, which takes over its history. */
export function guardMerge(input: {
  candidate: StateRef<CandidateState>;
  into: StateRef<CandidateState>;
}): Result<Moved<CandidateState>> {
  const { candidate, into } = input;
  const moved = applyTransition(CANDIDATE_MACHINE, candidate.state, 'merge_candidate', { id: candidate.id });
  if (!moved.ok) return moved;
  if (into.id === candidate.id) {
    return fail(
      validation('intoId', `candidate ${candidate.id} cannot be merged into itself.`, {
        nextStep: 'Call merge_candidate with the id of the other candidate as intoId.',
      }),
    );
  }
  if (!OPEN_CANDIDATE_STATES.some((s) => s === into.state)) {
    return fail(
      validation(
        'intoId',
        `candidate ${into.id} is \`${into.state}\`; a candidate can only be merged into one that is ${listStates(OPEN_CANDIDATE_STATES)}.`,
        { nextStep: 'Call merge_candidate with an open candidate as intoId; find one with list_candidates.' },
      ),
    );
  }
  return moved;
}
