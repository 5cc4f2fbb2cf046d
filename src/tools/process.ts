/**
 * The capture process (docs/process.md): reviews (versioned checklist templates and the actions
 * they gate), required fields, reason codes and sign-offs. Configuration is for admins; sign-offs
 * are requested and decided by members. Listed when the `process` toolset is named.
 */

import { COMMANDS } from '../workstream/commands.js';
import type { ProcessView, SignOffView } from '../workstream/process.js';
import { ProcessAnswer, SignOffAnswer } from './answers.js';
import { defineTool } from './define.js';

const toolset = 'process';

function processText(view: ProcessView): string {
  const reviews = view.reviews.map(
    (r) =>
      `${r.key} v${r.version} "${r.title}" (${r.subject})${r.afterClose ? ' after close' : ''} gates ${r.gates.join(', ') || 'nothing'}: ${r.items.map((i) => `${i.key}${i.required ? '' : '?'}`).join(', ')}`,
  );
  const rules = Object.entries(view.rules)
    .map(([group, value]) => `${group}: ${JSON.stringify(value)}`)
    .join('\n');
  return [...reviews, rules].join('\n');
}

const signOffText = (s: SignOffView) =>
  `${s.id} ${s.action} on ${s.pursuitId}: ${s.state} (${s.role})${s.decisionNote ? ` — ${s.decisionNote}` : ''}`;

export const getProcess = defineTool({
  toolset,
  name: 'get_process',
  summary: 'The reviews (checklists and what they gate), required fields, reason codes and sign-offs.',
  title: 'Get the process',
  description:
    "The org's reviews (key, version, items, gated tools), required fields, reason codes and sign-off roles; history: get_history of the org id.",
  outline: 2,
  command: COMMANDS.getProcess,
  render: processText,
});

export const setChecklistTemplate = defineTool({
  toolset,
  name: 'set_checklist_template',
  summary: 'Admins: create a review or its next version (items, the tools it gates).',
  title: 'Set a review',
  description:
    'Admins: create a review (checklist) of pursuits or candidates, or its next version; open records keep theirs until apply_checklist_template.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.setChecklistTemplate,
  answer: ProcessAnswer,
  render: processText,
});

export const applyChecklistTemplate = defineTool({
  toolset,
  name: 'apply_checklist_template',
  summary:
    "Admins: move open pursuits (or open candidates) to a review's current version, keeping ticks of kept items.",
  title: 'Apply a review',
  description:
    "Admins: give every open pursuit (or candidate, for a candidate review) the review's current version; items whose keys persist keep their state.",
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.applyChecklistTemplate,
  render: (a) =>
    `${a.key} v${a.version} applied to ${a.pursuits} open pursuit(s) and ${a.candidates} open candidate(s).`,
});

export const setProcessRules = defineTool({
  toolset,
  name: 'set_process_rules',
  summary: 'Admins: set required fields, reason code lists and sign-off roles per action.',
  title: 'Set process rules',
  description: 'Admins: replace the groups given (requiredFields, reasons, signOffs); others stay.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.setProcessRules,
  answer: ProcessAnswer,
  render: processText,
});

export const requestSignOff = defineTool({
  toolset,
  name: 'request_sign_off',
  summary: 'Ask the approving role to sign off an action on a pursuit.',
  title: 'Request a sign-off',
  description: 'Ask for the sign-off a gated action needs; approvers see it on their Today Panel.',
  hints: { destructive: false, idempotent: true },
  answer: SignOffAnswer,
  command: COMMANDS.requestSignOff,
  render: signOffText,
});

export const decideSignOff = defineTool({
  toolset,
  name: 'decide_sign_off',
  summary: 'Approve or reject a sign-off request, with a note.',
  title: 'Decide a sign-off',
  description:
    'Approve or reject (note required) a sign-off you may decide; the requester then calls the action.',
  hints: { destructive: false, idempotent: true },
  answer: SignOffAnswer,
  command: COMMANDS.decideSignOff,
  render: signOffText,
});

export const PROCESS_TOOLS = [
  getProcess,
  setChecklistTemplate,
  applyChecklistTemplate,
  setProcessRules,
  requestSignOff,
  decideSignOff,
];
