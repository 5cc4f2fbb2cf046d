import type { Machine, Transition } from './machine.js';

export const SIGNAL_STATES = ['new', 'accepted', 'dismissed'] as const;
export type SignalState = (typeof SIGNAL_STATES)[number];

export const SIGNAL_ACTIONS = ['accept_signal', 'dismiss_signal'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];

export const SIGNAL_TRANSITIONS: readonly Transition<SignalState, SignalAction>[] = [
  { action: 'accept_signal', from: ['new'], to: 'accepted', participle: 'accepted' },
  { action: 'dismiss_signal', from: ['new'], to: 'dismissed', participle: 'dismissed' },
];

export const SIGNAL_MACHINE: Machine<SignalState, SignalAction> = {
  entity: 'signal',
  initial: 'new',
  states: SIGNAL_STATES,
  actions: SIGNAL_ACTIONS,
  transitions: SIGNAL_TRANSITIONS,
  nextSteps: {
    new: { otherwise: 'Accept it with accept_signal, or dismiss it with dismiss_signal and a reason.' },
    accepted: {
      otherwise: 'Work on the candidate it created or linked instead; find it with list_candidates.',
    },
    dismissed: {
      otherwise: 'Leave it closed; if the opportunity is back, record a new signal with create_signal.',
    },
  },
};
