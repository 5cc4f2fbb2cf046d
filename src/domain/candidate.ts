import type { Machine, Transition } from './machine.js';

export const CANDIDATE_STATES = [
  'new',
  'contacted',
  'qualified',
  'promoted',
  'disqualified',
  'merged',
] as const;
export type CandidateState = (typeof CANDIDATE_STATES)[number];

/** Candidates in these states hold their natural key: a second one with the same key is a duplicate. */
export const OPEN_CANDIDATE_STATES = [
  'new',
  'contacted',
  'qualified',
  'promoted',
] as const satisfies readonly CandidateState[];
export type OpenCandidateState = (typeof OPEN_CANDIDATE_STATES)[number];

export const CANDIDATE_ACTIONS = [
  'log_touch',
  'qualify_candidate',
  'disqualify_candidate',
  'reopen_candidate',
  'merge_candidate',
  'promote_candidate',
] as const;
export type CandidateAction = (typeof CANDIDATE_ACTIONS)[number];

export const CANDIDATE_TRANSITIONS: readonly Transition<CandidateState, CandidateAction>[] = [
  // Only the first touch moves the state; later touches are handled by touchTarget.
  { action: 'log_touch', from: ['new'], to: 'contacted', participle: 'touched' },
  { action: 'qualify_candidate', from: ['contacted'], to: 'qualified', participle: 'qualified' },
  {
    action: 'disqualify_candidate',
    from: ['new', 'contacted', 'qualified'],
    to: 'disqualified',
    participle: 'disqualified',
  },
  { action: 'reopen_candidate', from: ['disqualified'], to: 'contacted', participle: 'reopened' },
  { action: 'merge_candidate', from: ['new', 'contacted', 'qualified'], to: 'merged', participle: 'merged' },
  { action: 'promote_candidate', from: ['qualified'], to: 'promoted', participle: 'promoted' },
];

export const CANDIDATE_MACHINE: Machine<CandidateState, CandidateAction> = {
  entity: 'candidate',
  initial: 'new',
  states: CANDIDATE_STATES,
  actions: CANDIDATE_ACTIONS,
  transitions: CANDIDATE_TRANSITIONS,
  nextSteps: {
    new: {
      otherwise:
        'Log a touch with log_touch first, or close it with disqualify_candidate or merge_candidate.',
      qualify_candidate:
        'Log a touch (log_touch) first; a candidate is qualified after someone has talked to it.',
      promote_candidate: 'Log a touch (log_touch) and qualify it (qualify_candidate) first.',
      reopen_candidate: 'It is open already; log a touch with log_touch to move it on.',
    },
    contacted: {
      otherwise:
        'Qualify it with qualify_candidate, or close it with disqualify_candidate or merge_candidate.',
      promote_candidate: 'Qualify it first with qualify_candidate.',
      reopen_candidate: 'It is open already; qualify it with qualify_candidate to move it on.',
    },
    qualified: {
      otherwise:
        'Promote it with promote_candidate, or close it with disqualify_candidate or merge_candidate.',
      qualify_candidate: 'It is qualified already; promote it with promote_candidate.',
      reopen_candidate: 'It is open already; promote it with promote_candidate.',
    },
    promoted: {
      otherwise: 'Work on its pursuit instead; promote_candidate on it again returns that pursuit.',
    },
    disqualified: {
      otherwise: 'Reopen it first with reopen_candidate, giving a reason.',
      disqualify_candidate:
        'It is disqualified already; reopen_candidate brings it back if that was a mistake.',
    },
    merged: {
      otherwise: 'Work on the candidate it was merged into; find it with list_candidates.',
    },
  },
};
