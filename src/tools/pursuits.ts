/**
 * Pursuit tools: capture → proposal → submitted → won | lost, holds, no-bids, cancellations,
 * proposal versions and the pink / red checklists that gate submitting and closing.
 */
import { COMMANDS } from '../workstream/commands.js';
import { PursuitAnswer } from './answers.js';
import { closesPursuit } from './confirm.js';
import { defineTool } from './define.js';
import { pursuitLine, reviewedLine, withNext } from './render.js';

const pursuitResult = withNext(pursuitLine);
const common = { toolset: 'pursuits', render: pursuitResult, answer: PursuitAnswer } as const;

export const updatePursuit = defineTool({
  ...common,
  name: 'update_pursuit',
  summary:
    'Change a pursuit’s title, priority, assignee, deadline, value, probability, fields or tags; a closed one, only its tags.',
  title: 'Update a pursuit',
  description:
    "Change a pursuit's title, priority, assignee, deadline, value, probability, fields or tags ({add, remove}); a closed one takes only tags.",
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.updatePursuit,
});

export const decideBid = defineTool({
  ...common,
  name: 'decide_bid',
  summary: 'Decide to bid: `capture` → `proposal`.',
  title: 'Decide to bid',
  description:
    'Decide to bid on a pursuit in `capture`: it moves to `proposal`. Next: the pink checklist, a proposal version, submit_pursuit.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.decideBid,
});

export const decideNoBid = defineTool({
  ...common,
  name: 'decide_no_bid',
  summary: 'Decline to bid, with a reason: the pursuit closes as `no_bid`.',
  title: 'Decide not to bid',
  description:
    'Decline to bid on a pursuit in `capture` or `proposal`, with a reason: it closes as `no_bid` and its proposal SLA stops. Final.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.decideNoBid,
  confirm: closesPursuit((closed) => closed.closeReason),
});

export const holdPursuit = defineTool({
  ...common,
  name: 'hold_pursuit',
  summary: 'Put a pursuit in `capture` or `proposal` on hold, pausing its proposal SLA.',
  title: 'Put a pursuit on hold',
  description:
    'Put a pursuit in `capture` or `proposal` on hold, with a reason; pauses its proposal SLA until resume_pursuit.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.holdPursuit,
});

export const resumePursuit = defineTool({
  ...common,
  name: 'resume_pursuit',
  summary: 'Resume an `on_hold` pursuit to the state it was held from.',
  title: 'Resume a pursuit',
  description:
    'Resume an `on_hold` pursuit: it returns to the state it was held from and its proposal SLA runs again.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.resumePursuit,
});

export const addProposalVersion = defineTool({
  ...common,
  name: 'add_proposal_version',
  summary: 'Add a draft proposal version (title, document, amount, notes).',
  title: 'Add a proposal version',
  description:
    'Add a draft proposal version (title, document URL, amount, notes) to an open pursuit; submit_pursuit sends the latest draft.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.addProposalVersion,
});

export const submitPursuit = defineTool({
  ...common,
  name: 'submit_pursuit',
  summary: 'Submit a pursuit in `proposal`: needs the pink checklist and a draft proposal version.',
  title: 'Submit a pursuit',
  description:
    'Submit a pursuit in `proposal`: needs the pink checklist and a draft proposal version (sent now). Meets the proposal SLA, starts response.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.submitPursuit,
});

export const sendProposalVersion = defineTool({
  ...common,
  name: 'send_proposal_version',
  summary: 'Send a revised proposal version on a `submitted` pursuit, superseding the last one.',
  title: 'Send a revised proposal version',
  description:
    'On a `submitted` pursuit, send the latest draft proposal version: it supersedes the one sent before and restarts the response SLA.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.sendProposalVersion,
});

export const withdrawProposalVersion = defineTool({
  ...common,
  name: 'withdraw_proposal_version',
  summary:
    'Withdraw a draft or sent proposal version, with a reason; on a submitted pursuit it stops the response SLA.',
  title: 'Withdraw a proposal version',
  description:
    'Withdraw a `draft` or `sent` proposal version, with a reason. Withdrawing the sent one stops the response SLA.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.withdrawProposalVersion,
});

export const logFollowUp = defineTool({
  ...common,
  name: 'log_follow_up',
  summary: 'Record a follow-up with the customer; after the proposal is sent it meets the response SLA.',
  title: 'Log a follow-up',
  description:
    'Record a follow-up with the customer on a pursuit. After the proposal was sent, it meets the response SLA.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.logFollowUp,
});

export const markWon = defineTool({
  ...common,
  name: 'mark_won',
  summary: 'Close a `submitted` pursuit as won with the award amount; needs the red checklist.',
  title: 'Mark a pursuit won',
  description:
    'Close a `submitted` pursuit as `won` with the award amount; needs the red checklist done. Final.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.markWon,
});

export const markLost = defineTool({
  ...common,
  name: 'mark_lost',
  summary: 'Close a `submitted` pursuit as lost with the loss reason; needs the red checklist.',
  title: 'Mark a pursuit lost',
  description:
    'Close a `submitted` pursuit as `lost` with the loss reason; needs the red checklist done. Final.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.markLost,
  confirm: closesPursuit((closed) => closed.lossReason),
});

export const cancelPursuit = defineTool({
  ...common,
  name: 'cancel_pursuit',
  summary: 'Close an open pursuit as `cancelled`, with a reason.',
  title: 'Cancel a pursuit',
  description:
    'Close an open pursuit as `cancelled`, with a reason (the customer withdrew …). Stops its SLAs. Final.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.cancelPursuit,
  confirm: closesPursuit((closed) => closed.closeReason),
});

export const setChecklistItem = defineTool({
  ...common,
  name: 'set_checklist_item',
  summary: 'Set a checklist item of a pursuit or a candidate to done, open or n_a (with a note).',
  title: 'Set a checklist item',
  description:
    'Tick a checklist item (pursuitId or candidateId): done, open or n_a (with a note why). Keys: get_pursuit, get_candidate.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.setChecklistItem,
  render: withNext(reviewedLine),
});

export const PURSUIT_TOOLS = [
  updatePursuit,
  decideBid,
  decideNoBid,
  holdPursuit,
  resumePursuit,
  addProposalVersion,
  submitPursuit,
  sendProposalVersion,
  withdrawProposalVersion,
  logFollowUp,
  markWon,
  markLost,
  cancelPursuit,
  setChecklistItem,
];
