import type { Machine, Transition } from './machine.js';
import { HELD_FROM } from './machine.js';

export const PURSUIT_STATES = [
  'capture',
  'proposal',
  'submitted',
  'won',
  'lost',
  'no_bid',
  'cancelled',
  'on_hold',
] as const;
export type PursuitState = (typeof PURSUIT_STATES)[number];

/** The states in which a pursuit is still being worked, i.e. can be cancelled. */
export const OPEN_PURSUIT_STATES = [
  'capture',
  'proposal',
  'submitted',
  'on_hold',
] as const satisfies readonly PursuitState[];
export type OpenPursuitState = (typeof OPEN_PURSUIT_STATES)[number];

/** decide_bid is the "bid" outcome of the bid decision; decide_no_bid is the other outcome. */
export const PURSUIT_ACTIONS = [
  'decide_bid',
  'decide_no_bid',
  'hold_pursuit',
  'resume_pursuit',
  'submit_pursuit',
  'mark_won',
  'mark_lost',
  'cancel_pursuit',
] as const;
export type PursuitAction = (typeof PURSUIT_ACTIONS)[number];

export const PURSUIT_TRANSITIONS: readonly Transition<PursuitState, PursuitAction>[] = [
  { action: 'decide_bid', from: ['capture'], to: 'proposal', participle: 'bid on' },
  { action: 'decide_no_bid', from: ['capture', 'proposal'], to: 'no_bid', participle: 'declined (no bid)' },
  { action: 'hold_pursuit', from: ['capture', 'proposal'], to: 'on_hold', participle: 'put on hold' },
  { action: 'resume_pursuit', from: ['on_hold'], to: HELD_FROM, participle: 'resumed' },
  { action: 'submit_pursuit', from: ['proposal'], to: 'submitted', participle: 'submitted' },
  { action: 'mark_won', from: ['submitted'], to: 'won', participle: 'marked won' },
  { action: 'mark_lost', from: ['submitted'], to: 'lost', participle: 'marked lost' },
  { action: 'cancel_pursuit', from: OPEN_PURSUIT_STATES, to: 'cancelled', participle: 'cancelled' },
];

const CLOSED =
  'Nothing more changes on it; to work this account again, promote a qualified candidate with promote_candidate.';

export const PURSUIT_MACHINE: Machine<PursuitState, PursuitAction> = {
  entity: 'pursuit',
  initial: 'capture',
  states: PURSUIT_STATES,
  actions: PURSUIT_ACTIONS,
  transitions: PURSUIT_TRANSITIONS,
  nextSteps: {
    capture: {
      otherwise: 'Make the bid decision with decide_bid or decide_no_bid, or pause it with hold_pursuit.',
      submit_pursuit:
        'Decide to bid with decide_bid first, then complete the pink checklist and call submit_pursuit.',
      mark_won: 'Decide to bid (decide_bid) and submit it (submit_pursuit) before recording the outcome.',
      mark_lost: 'Decide to bid (decide_bid) and submit it (submit_pursuit) before recording the outcome.',
      resume_pursuit: 'It is not on hold; make the bid decision with decide_bid or decide_no_bid.',
    },
    proposal: {
      otherwise:
        'Submit it with submit_pursuit once the pink checklist is complete and a proposal version exists.',
      decide_bid:
        'The decision to bid is made already; submit it with submit_pursuit when the proposal is ready.',
      mark_won: 'Submit it first with submit_pursuit.',
      mark_lost: 'Submit it first with submit_pursuit, or decline with decide_no_bid if it will not be sent.',
      resume_pursuit: 'It is not on hold; submit it with submit_pursuit when the proposal is ready.',
    },
    submitted: {
      otherwise: 'Record the outcome with mark_won or mark_lost, or withdraw with cancel_pursuit.',
      hold_pursuit:
        'A submitted pursuit waits on the customer and cannot be held; record the outcome with mark_won or mark_lost.',
      decide_no_bid:
        'The proposal is out already; withdraw with cancel_pursuit or record the outcome with mark_lost.',
      submit_pursuit:
        'It is submitted already; to revise, add a version with add_proposal_version and send it with send_proposal_version.',
    },
    on_hold: {
      otherwise: 'Resume it first with resume_pursuit, or close it with cancel_pursuit.',
      hold_pursuit: 'It is on hold already; resume it with resume_pursuit when work restarts.',
    },
    won: { otherwise: CLOSED },
    lost: { otherwise: CLOSED },
    no_bid: { otherwise: CLOSED },
    cancelled: { otherwise: CLOSED },
  },
};
