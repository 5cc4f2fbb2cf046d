/**
 * What each state allows: the one table that the guards and every `allowedActions` list read.
 * An action is a tool name. Actions that move a record are the machines' transitions (each
 * machine's table says the states it leaves from); the rest is work on a record that keeps its
 * state (a later touch, a checklist tick, a proposal version), listed here with the states that
 * allow it. `allowedIn` is the union, so a listed action is never refused as a transition and
 * an action the table does not list in a state is refused with INVALID_TRANSITION.
 *
 * Closed records (a pursuit won, lost, no_bid or cancelled; a candidate promoted, disqualified or
 * merged; a signal accepted or dismissed) keep their facts: the only change they still take is
 * their tags (update_candidate / update_pursuit with `tags` alone), because tags are how people
 * file and find records after the fact ("q3-review", "lost-on-price").
 */
import { CANDIDATE_MACHINE, type CandidateState, OPEN_CANDIDATE_STATES } from './candidate.js';
import type { InvalidTransition, Result } from './errors.js';
import { fail, ok, subjectOf } from './errors.js';
import { allowedActions, allowedTransitions, listStates, type Machine } from './machine.js';
import { OPEN_PURSUIT_STATES, PURSUIT_MACHINE, PURSUIT_STATES, type PursuitState } from './pursuit.js';
import { SIGNAL_MACHINE, type SignalState } from './signal.js';

/** Work that keeps the record's state: the states that allow it and, per state refused, what to do instead. */
export interface Work<S extends string> {
  readonly states: readonly S[];
  readonly instead?: { readonly [K in S]?: string };
}

export interface ActionTable<S extends string> {
  // The machines' action types are narrower than string; the table reads them as tool names.
  readonly machine: Machine<S, string>;
  readonly work: { readonly [action: string]: Work<S> };
  /** States in which the record is closed: only `AFTER_CLOSE` changes still apply. */
  readonly closed: readonly S[];
}

/** What still changes on a closed record, through its update_ tool. */
export const AFTER_CLOSE = ['tags'] as const;

const CLOSED_CANDIDATE_STATES = [
  'promoted',
  'disqualified',
  'merged',
] as const satisfies readonly CandidateState[];
const CLOSED_PURSUIT_STATES = [
  'won',
  'lost',
  'no_bid',
  'cancelled',
] as const satisfies readonly PursuitState[];
const CLOSED_PURSUIT = 'Nothing more changes on a closed pursuit but its tags.';

export const SIGNAL_ACTIONS_TABLE: ActionTable<SignalState> = {
  machine: SIGNAL_MACHINE,
  work: {},
  closed: ['accepted', 'dismissed'],
};

export const CANDIDATE_ACTIONS_TABLE: ActionTable<CandidateState> = {
  machine: CANDIDATE_MACHINE,
  work: {
    // The first touch is the machine's new → contacted; later ones are recorded without moving it.
    log_touch: {
      states: ['contacted', 'qualified'],
      instead: {
        promoted: 'Log the touch on its pursuit instead; find it with list_pursuits.',
        disqualified: 'Reopen it with reopen_candidate (giving a reason) if the conversation is live again.',
        merged: 'Log the touch on the candidate it was merged into; find it with list_candidates.',
      },
    },
    // On a closed candidate: tags only (checked by the command against AFTER_CLOSE).
    update_candidate: { states: CANDIDATE_MACHINE.states },
    enrich_candidate: {
      states: OPEN_CANDIDATE_STATES.filter((state) => state !== 'promoted'),
      instead: {
        promoted: 'Its pursuit carries the work now; enrichment is for candidates still being qualified.',
        disqualified: 'Reopen it with reopen_candidate first if it is worth researching again.',
        merged: 'Enrich the candidate it was merged into; find it with list_candidates.',
      },
    },
    // A candidate review (e.g. qualification) is worked while the candidate is being qualified.
    set_checklist_item: {
      states: ['new', 'contacted', 'qualified'],
      instead: {
        promoted:
          'Its pursuit carries the work now; work its checklists with set_checklist_item and pursuitId.',
        disqualified: 'Reopen it with reopen_candidate first if it is being qualified again.',
        merged: 'Work the checklists of the candidate it was merged into; find it with list_candidates.',
      },
    },
  },
  closed: CLOSED_CANDIDATE_STATES,
};

export const PURSUIT_ACTIONS_TABLE: ActionTable<PursuitState> = {
  machine: PURSUIT_MACHINE,
  work: {
    // On a closed pursuit: tags only (checked by the command against AFTER_CLOSE).
    update_pursuit: { states: PURSUIT_STATES },
    add_proposal_version: {
      states: ['capture', 'proposal', 'submitted'],
      instead: { on_hold: 'Resume it first with resume_pursuit.' },
    },
    send_proposal_version: {
      states: ['submitted'],
      instead: {
        capture: 'Submit it first with submit_pursuit: submitting sends the newest draft.',
        proposal: 'Submit it first with submit_pursuit: submitting sends the newest draft.',
        on_hold: 'Resume it with resume_pursuit and submit it with submit_pursuit.',
      },
    },
    withdraw_proposal_version: { states: OPEN_PURSUIT_STATES },
    log_follow_up: { states: OPEN_PURSUIT_STATES },
    set_checklist_item: { states: OPEN_PURSUIT_STATES },
    request_sign_off: { states: OPEN_PURSUIT_STATES },
  },
  closed: CLOSED_PURSUIT_STATES,
};

/** The tools a record in `state` may be the subject of next: its transitions, then the work it takes. */
export function allowedIn<S extends string>(table: ActionTable<S>, state: S): string[] {
  const actions = allowedActions(table.machine, state);
  for (const [action, work] of Object.entries(table.work))
    if (work.states.includes(state) && !actions.includes(action)) actions.push(action);
  return actions;
}

export function isClosed<S extends string>(table: ActionTable<S>, state: S): boolean {
  return table.closed.includes(state);
}

/**
 * Work that keeps the state: ok when the table allows it in `state`, otherwise the refusal an
 * assistant can act on (what the state is, which states would take it, what to do instead).
 */
export function permitWork<S extends string>(
  table: ActionTable<S>,
  state: S,
  action: string,
  ref: { readonly id?: string; readonly heldFrom?: S | null } = {},
): Result<S> {
  const work = table.work[action];
  if (work === undefined) throw new Error(`${action} is not work in the ${table.machine.entity} table`);
  if (work.states.includes(state)) return ok(state);
  return fail(workRefused(table, state, action, statesAllowing(table, action), ref, work.instead?.[state]));
}

/** Every state in which `action` is allowed, by the machine or as work. */
export function statesAllowing<S extends string>(table: ActionTable<S>, action: string): S[] {
  return table.machine.states.filter((state) => allowedIn(table, state).includes(action));
}

/**
 * Where a touch leaves a candidate: the first touch contacts a new candidate (the machine's
 * transition); later touches on an open candidate are work that keeps its state.
 */
export function touchTarget(state: CandidateState, id?: string): Result<CandidateState> {
  if (state === 'new') return ok('contacted');
  return permitWork(CANDIDATE_ACTIONS_TABLE, state, 'log_touch', id === undefined ? {} : { id });
}

/**
 * A change to a closed record beyond what AFTER_CLOSE names: INVALID_TRANSITION naming the
 * arguments it may not take.
 */
export function permitAfterClose<S extends string>(
  table: ActionTable<S>,
  state: S,
  action: string,
  changing: readonly string[],
  ref: { readonly id?: string } = {},
): Result<S> {
  if (!isClosed(table, state)) return ok(state);
  const refused = changing.filter((field) => !(AFTER_CLOSE as readonly string[]).includes(field));
  if (refused.length === 0) return ok(state);
  const failure = workRefused(table, state, action, [], ref, undefined);
  return fail({
    ...failure,
    message: `${subjectOf(table.machine.entity, ref.id)} is \`${state}\`, which is closed: only its ${AFTER_CLOSE.join(', ')} change now, not ${refused.join(', ')}.`,
    nextStep: `Call ${action} again with only ${AFTER_CLOSE.join(', ')}, or leave it as it is.`,
  });
}

/** The arguments of an update that would change something (the id and expectedVersion do not). */
export function changesIn(input: object, idKey: string): string[] {
  return Object.entries(input)
    .filter(([key, value]) => value !== undefined && key !== idKey && key !== 'expectedVersion')
    .map(([key]) => key);
}

function workRefused<S extends string>(
  table: ActionTable<S>,
  state: S,
  action: string,
  states: readonly S[],
  ref: { readonly id?: string; readonly heldFrom?: S | null },
  instead: string | undefined,
): InvalidTransition {
  const machine = table.machine;
  const subject = subjectOf(machine.entity, ref.id);
  const closed = isClosed(table, state);
  return {
    code: 'INVALID_TRANSITION',
    entity: machine.entity,
    ...(ref.id === undefined ? {} : { id: ref.id }),
    state,
    action,
    allowed: allowedTransitions(machine, state, ref.heldFrom),
    message: closed
      ? `${subject} is \`${state}\`, which is closed; ${action} needs it to be ${listStates(states)}.`
      : `${subject} is \`${state}\`; ${action} needs it to be ${listStates(states)}.`,
    nextStep:
      instead ??
      (closed && machine.entity === 'pursuit' ? CLOSED_PURSUIT : machine.nextSteps[state].otherwise),
  };
}
