import type { Machine, Transition } from './machine.js';

export const PROPOSAL_VERSION_STATES = ['draft', 'sent', 'superseded', 'withdrawn'] as const;
export type ProposalVersionState = (typeof PROPOSAL_VERSION_STATES)[number];

export const PROPOSAL_VERSION_ACTIONS = [
  'send_proposal_version',
  'supersede_proposal_version',
  'withdraw_proposal_version',
] as const;
export type ProposalVersionAction = (typeof PROPOSAL_VERSION_ACTIONS)[number];

export const PROPOSAL_VERSION_TRANSITIONS: readonly Transition<
  ProposalVersionState,
  ProposalVersionAction
>[] = [
  { action: 'send_proposal_version', from: ['draft'], to: 'sent', participle: 'sent' },
  // No tool of its own: sending a newer version (send_proposal_version) supersedes the sent one.
  { action: 'supersede_proposal_version', from: ['sent'], to: 'superseded', participle: 'superseded' },
  { action: 'withdraw_proposal_version', from: ['draft', 'sent'], to: 'withdrawn', participle: 'withdrawn' },
];

const CLOSED = 'Add a new version with add_proposal_version and send that.';

export const PROPOSAL_VERSION_MACHINE: Machine<ProposalVersionState, ProposalVersionAction> = {
  entity: 'proposal_version',
  initial: 'draft',
  states: PROPOSAL_VERSION_STATES,
  actions: PROPOSAL_VERSION_ACTIONS,
  transitions: PROPOSAL_VERSION_TRANSITIONS,
  nextSteps: {
    draft: {
      otherwise: 'Send it with send_proposal_version, or withdraw it with withdraw_proposal_version.',
      supersede_proposal_version:
        'Only a sent version is superseded; send this draft with send_proposal_version.',
    },
    sent: {
      otherwise:
        'To revise it, add a version with add_proposal_version and send that, which supersedes this one; or withdraw it with withdraw_proposal_version.',
      send_proposal_version:
        'It was sent already; to revise, add a version with add_proposal_version and send that.',
    },
    superseded: { otherwise: CLOSED },
    withdrawn: { otherwise: CLOSED },
  },
};
