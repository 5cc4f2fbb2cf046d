import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  applyTransition,
  CANDIDATE_MACHINE,
  isFinal,
  type Machine,
  PROPOSAL_VERSION_MACHINE,
  PURSUIT_MACHINE,
  SIGNAL_MACHINE,
} from '../../src/domain/index.js';

/**
 * The expected machines, written out by hand from the lifecycle the README describes rather than derived from the
 * transition tables, so a wrong table entry fails here.
 */
type Expected<S extends string, A extends string> = Record<S, Partial<Record<A, S>>>;

const SIGNAL: Expected<'new' | 'accepted' | 'dismissed', 'accept_signal' | 'dismiss_signal'> = {
  new: { accept_signal: 'accepted', dismiss_signal: 'dismissed' },
  accepted: {},
  dismissed: {},
};

const CANDIDATE: Expected<
  'new' | 'contacted' | 'qualified' | 'promoted' | 'disqualified' | 'merged',
  | 'log_touch'
  | 'qualify_candidate'
  | 'disqualify_candidate'
  | 'reopen_candidate'
  | 'merge_candidate'
  | 'promote_candidate'
> = {
  new: { log_touch: 'contacted', disqualify_candidate: 'disqualified', merge_candidate: 'merged' },
  contacted: {
    qualify_candidate: 'qualified',
    disqualify_candidate: 'disqualified',
    merge_candidate: 'merged',
  },
  qualified: {
    promote_candidate: 'promoted',
    disqualify_candidate: 'disqualified',
    merge_candidate: 'merged',
  },
  promoted: {},
  disqualified: { reopen_candidate: 'contacted' },
  merged: {},
};

// resume_pursuit returns to where the pursuit was held; these runs pass heldFrom 'proposal'.
const PURSUIT: Expected<
  'capture' | 'proposal' | 'submitted' | 'won' | 'lost' | 'no_bid' | 'cancelled' | 'on_hold',
  | 'decide_bid'
  | 'decide_no_bid'
  | 'hold_pursuit'
  | 'resume_pursuit'
  | 'submit_pursuit'
  | 'mark_won'
  | 'mark_lost'
  | 'cancel_pursuit'
> = {
  capture: {
    decide_bid: 'proposal',
    decide_no_bid: 'no_bid',
    hold_pursuit: 'on_hold',
    cancel_pursuit: 'cancelled',
  },
  proposal: {
    submit_pursuit: 'submitted',
    decide_no_bid: 'no_bid',
    hold_pursuit: 'on_hold',
    cancel_pursuit: 'cancelled',
  },
  submitted: { mark_won: 'won', mark_lost: 'lost', cancel_pursuit: 'cancelled' },
  on_hold: { resume_pursuit: 'proposal', cancel_pursuit: 'cancelled' },
  won: {},
  lost: {},
  no_bid: {},
  cancelled: {},
};

const PROPOSAL_VERSION: Expected<
  'draft' | 'sent' | 'superseded' | 'withdrawn',
  'send_proposal_version' | 'supersede_proposal_version' | 'withdraw_proposal_version'
> = {
  draft: { send_proposal_version: 'sent', withdraw_proposal_version: 'withdrawn' },
  sent: { supersede_proposal_version: 'superseded', withdraw_proposal_version: 'withdrawn' },
  superseded: {},
  withdrawn: {},
};

function cases<S extends string, A extends string>(machine: Machine<S, A>, expected: Expected<S, A>) {
  return machine.states.flatMap((state) =>
    machine.actions.map((action) => ({ state, action, to: expected[state][action] })),
  );
}

function expectedAllowed<S extends string, A extends string>(expected: Expected<S, A>, state: S) {
  return Object.entries(expected[state])
    .map(([action, to]) => ({ action, to: String(to) }))
    .sort((a, b) => a.action.localeCompare(b.action));
}

function checkMachine<S extends string, A extends string>(
  name: string,
  machine: Machine<S, A>,
  expected: Expected<S, A>,
  heldFrom?: S,
) {
  describe(`${name} machine`, () => {
    it('lists exactly the states of the expected machine', () => {
      expect([...machine.states].sort()).toEqual(Object.keys(expected).sort());
    });

    it.each(cases(machine, expected).filter((c) => c.to !== undefined))(
      'moves from $state to $to on $action',
      ({ state, action, to }) => {
        expect(applyTransition(machine, state, action, { id: 'x_1', heldFrom })).toEqual({
          ok: true,
          value: { from: state, to },
        });
      },
    );

    it.each(cases(machine, expected).filter((c) => c.to === undefined))(
      'refuses $action from $state, listing what is allowed there',
      ({ state, action }) => {
        const result = applyTransition(machine, state, action, { id: 'x_1', heldFrom });
        if (result.ok) throw new Error(`expected ${action} from ${state} to be refused`);
        const failure = result.failure;
        if (failure.code !== 'INVALID_TRANSITION') throw new Error(`unexpected ${failure.code}`);
        expect(failure).toMatchObject({ entity: machine.entity, id: 'x_1', state, action });
        const allowed = [...failure.allowed].sort((a, b) => a.action.localeCompare(b.action));
        expect(allowed).toEqual(expectedAllowed(expected, state));
        expect(failure.message).toContain(`\`${state}\``);
        expect(failure.message).toContain('x_1');
      },
    );

    it.each(machine.states.map((state) => ({ state })))(
      'calls $state final exactly when nothing leaves it',
      ({ state }) => {
        expect(isFinal(machine, state)).toBe(Object.keys(expected[state]).length === 0);
        expect([...allowedActions(machine, state)].sort()).toEqual(Object.keys(expected[state]).sort());
      },
    );
  });
}

checkMachine('signal', SIGNAL_MACHINE, SIGNAL);
checkMachine('candidate', CANDIDATE_MACHINE, CANDIDATE);
checkMachine('pursuit', PURSUIT_MACHINE, PURSUIT, 'proposal');
checkMachine('proposal version', PROPOSAL_VERSION_MACHINE, PROPOSAL_VERSION);
