/** Candidate tools: new → contacted → qualified → promoted, or disqualified / merged. */
import { COMMANDS } from '../workstream/commands.js';
import { CandidateAnswer, EnrichmentAnswer, PromotedAnswer } from './answers.js';
import { defineTool } from './define.js';
import { candidateLine, enrichmentText, nextActions, pursuitLine, withNext } from './render.js';

const candidateResult = withNext(candidateLine);

export const createCandidate = defineTool({
  name: 'create_candidate',
  summary: 'Create a candidate directly; refused as DUPLICATE when the same account and opportunity is open.',
  title: 'Create a candidate',
  toolset: 'candidates',
  description:
    'Create a candidate without a signal; starts `new` with its triage SLA. DUPLICATE names an open one for that account and opportunity.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.createCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const updateCandidate = defineTool({
  name: 'update_candidate',
  summary:
    'Change a candidate’s title, priority, assignee, due date, value, fields or tags; a closed one, only its tags.',
  title: 'Update a candidate',
  toolset: 'candidates',
  description:
    "Change a candidate's title, priority, assignee, due date, value, fields or tags ({add, remove}); a closed one takes only tags.",
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.updateCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const logTouch = defineTool({
  name: 'log_touch',
  summary: 'Record a call, email, meeting or note; the first touch moves `new` to `contacted`.',
  title: 'Log a touch',
  toolset: 'candidates',
  description:
    'Record a call, email, meeting or note. The first touch moves `new` to `contacted` and meets the triage SLA.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.logTouch,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const qualifyCandidate = defineTool({
  name: 'qualify_candidate',
  summary: 'Move a `contacted` candidate to `qualified`.',
  title: 'Qualify a candidate',
  toolset: 'candidates',
  description:
    'Mark a `contacted` candidate `qualified` (worth a pursuit), with an optional note. Next: promote_candidate.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.qualifyCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const disqualifyCandidate = defineTool({
  name: 'disqualify_candidate',
  summary: 'Close an open candidate with a reason code; reopen_candidate undoes it.',
  title: 'Disqualify a candidate',
  toolset: 'candidates',
  description:
    'Close an open candidate with a reason code (no_budget, not_a_fit …). Stops its triage SLA; reopen_candidate undoes it.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.disqualifyCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const reopenCandidate = defineTool({
  name: 'reopen_candidate',
  summary: 'Bring a `disqualified` candidate back to `contacted`, with a reason.',
  title: 'Reopen a candidate',
  toolset: 'candidates',
  description:
    'Bring a `disqualified` candidate back to `contacted`, with a reason; DUPLICATE if another open one has its account and opportunity.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.reopenCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const mergeCandidate = defineTool({
  name: 'merge_candidate',
  summary: 'Merge a duplicate candidate into another open one, moving its activities, tags and signals.',
  title: 'Merge a candidate into another',
  toolset: 'candidates',
  description:
    'Merge a duplicate candidate into another open one (intoId): its activities, tags and signals move, it becomes `merged`. Final.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.mergeCandidate,
  answer: CandidateAnswer,
  render: candidateResult,
});

export const promoteCandidate = defineTool({
  name: 'promote_candidate',
  summary:
    'Promote a `qualified` candidate to a pursuit with its checklists, once its candidate reviews are done.',
  title: 'Promote a candidate to a pursuit',
  toolset: 'candidates',
  description:
    'Promote a `qualified` candidate (its reviews done) to a pursuit in `capture`; starts the proposal SLA. Again: the same pursuit.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.promoteCandidate,
  answer: PromotedAnswer,
  render: ({ pursuit, created }) =>
    `${created ? 'Promoted to' : 'Promoted before:'} ${pursuitLine(pursuit)}\n${nextActions(pursuit.allowedActions)}`,
});

export const enrichCandidate = defineTool({
  name: 'enrich_candidate',
  summary: 'Ask the enrichment providers (company data, CRM, search) to look a candidate’s account up again.',
  title: 'Enrich a candidate',
  toolset: 'candidates',
  description:
    "Ask the enrichment providers (all, or those named) to look a candidate's account up again, in the background; see get_enrichment.",
  hints: { destructive: false, idempotent: false, openWorld: true },
  answer: EnrichmentAnswer,
  command: COMMANDS.enrichCandidate,
  render: ({ candidateId, enrichment }) => enrichmentText(candidateId, enrichment),
});

export const CANDIDATE_TOOLS = [
  createCandidate,
  updateCandidate,
  logTouch,
  qualifyCandidate,
  disqualifyCandidate,
  reopenCandidate,
  mergeCandidate,
  promoteCandidate,
  enrichCandidate,
];
