/** Candidate tools: new → contacted → qualified → promoted, or disqualified / merged. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';
import { candidateLine, enrichmentText, nextActions, pursuitLine, withNext } from './render.js';

const candidateResult = withNext(candidateLine);

export const createCandidate = defineTool({
  name: 'create_candidate',
  summary: 'Create a candidate directly; refused as DUPLICATE when the same account and opportunity is open.',
  title: 'Create a candidate',
  toolset: 'candidates',
  description:
    'Create a candidate (a possible deal) directly, without a signal. Needs title and accountName; accountDomain and ' +
    'opportunityRef help spot duplicates. Starts `new` and starts the triage SLA. Refused with DUPLICATE and the existing id ' +
    'when an open candidate for the same account and opportunity exists: work on that one instead (get_candidate). ' +
    'A repeat of the same call is that refusal, naming the candidate the first call made.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.createCandidate,
  render: candidateResult,
});

export const updateCandidate = defineTool({
  name: 'update_candidate',
  summary:
    'Change a candidate’s title, priority, assignee, due date, value, fields or tags; a closed one, only its tags.',
  title: 'Update a candidate',
  toolset: 'candidates',
  description:
    'Change a candidate’s title, priority, assignee, due date, estimated value, extra fields or tags (tags: {add, remove}). ' +
    'Only the fields given change. A closed candidate (promoted, disqualified, merged) takes only tags; anything else is ' +
    'refused with INVALID_TRANSITION. Pass expectedVersion from get_candidate to refuse the change (CONFLICT) if someone changed it since.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.updateCandidate,
  render: candidateResult,
});

export const logTouch = defineTool({
  name: 'log_touch',
  summary: 'Record a call, email, meeting or note; the first touch moves `new` to `contacted`.',
  title: 'Log a touch',
  toolset: 'candidates',
  description:
    'Record a call, email, meeting or note with a candidate’s account. The first touch moves a `new` candidate to ' +
    '`contacted` and meets the triage SLA; later touches are recorded without moving it. Each call records one more activity. ' +
    'Promoted candidates take touches on their pursuit instead.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.logTouch,
  render: candidateResult,
});

export const qualifyCandidate = defineTool({
  name: 'qualify_candidate',
  summary: 'Move a `contacted` candidate to `qualified`.',
  title: 'Qualify a candidate',
  toolset: 'candidates',
  description:
    'Mark a `contacted` candidate `qualified` (worth a pursuit), with an optional note. A `new` candidate needs a touch first (log_touch). ' +
    'Next: promote_candidate.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.qualifyCandidate,
  render: candidateResult,
});

export const disqualifyCandidate = defineTool({
  name: 'disqualify_candidate',
  summary: 'Close an open candidate with a reason code; reopen_candidate undoes it.',
  title: 'Disqualify a candidate',
  toolset: 'candidates',
  description:
    'Close an open candidate (`new`, `contacted` or `qualified`) as not worth pursuing, with a short reason code ' +
    '(no_budget, not_a_fit, no_response, competitor …) and an optional note. Stops its triage SLA. ' +
    'Can be undone with reopen_candidate.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.disqualifyCandidate,
  render: candidateResult,
});

export const reopenCandidate = defineTool({
  name: 'reopen_candidate',
  summary: 'Bring a `disqualified` candidate back to `contacted`, with a reason.',
  title: 'Reopen a candidate',
  toolset: 'candidates',
  description:
    'Bring a `disqualified` candidate back to `contacted`, with a reason. Refused with DUPLICATE when another open ' +
    'candidate has taken the same account and opportunity since.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.reopenCandidate,
  render: candidateResult,
});

export const mergeCandidate = defineTool({
  name: 'merge_candidate',
  summary: 'Merge a duplicate candidate into another open one, moving its activities, tags and signals.',
  title: 'Merge a candidate into another',
  toolset: 'candidates',
  description:
    'Merge a duplicate candidate (candidateId) into another open candidate (intoId): its activities, tags and signals move ' +
    'to intoId, it becomes `merged`, and its history stays readable from intoId (get_history). Cannot be undone. ' +
    'Returns the candidate merged into.',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.mergeCandidate,
  render: candidateResult,
});

export const promoteCandidate = defineTool({
  name: 'promote_candidate',
  summary: 'Promote a `qualified` candidate to a pursuit with pink and red checklists.',
  title: 'Promote a candidate to a pursuit',
  toolset: 'candidates',
  description:
    'Promote a `qualified` candidate to a pursuit (state `capture`) with the organisation’s pink and red checklists; ' +
    'optionally set the pursuit’s title, submission deadline (dueAt) and estimated value. Starts the proposal SLA. ' +
    'Safe to retry: promoting again returns the same pursuit with created=false. Next: decide_bid or decide_no_bid.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.promoteCandidate,
  render: ({ pursuit, created }) =>
    `${created ? 'Promoted to' : 'Promoted before:'} ${pursuitLine(pursuit)}\n${nextActions(pursuit.allowedActions)}`,
});

export const enrichCandidate = defineTool({
  name: 'enrich_candidate',
  summary: 'Ask the enrichment providers (company data, CRM, search) to look a candidate’s account up again.',
  title: 'Enrich a candidate',
  toolset: 'candidates',
  description:
    'Ask the configured enrichment providers (other services: company data, CRM, search) to look up a candidate’s account ' +
    'again, all of them or the ones named; the worker calls them in the background. Answers with each provider’s status ' +
    '(pending until it answers); read the results later with get_candidate (enrichment) or get_enrichment. Each call ' +
    'requests the lookups again. Refused with VALIDATION when no provider is configured.',
  hints: { destructive: false, idempotent: false, openWorld: true },
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
