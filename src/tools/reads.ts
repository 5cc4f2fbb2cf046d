/** Read tools: one record, a page of records, a history, the Today Panel and SLA clocks. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';
import {
  candidateLine,
  clocksText,
  enrichmentText,
  eventLine,
  pageText,
  pursuitLine,
  signalLine,
  todayText,
  withNext,
} from './render.js';

const view = { toolset: 'views' } as const;

export const getSignal = defineTool({
  ...view,
  name: 'get_signal',
  summary: 'Read one signal.',
  title: 'Get a signal',
  description:
    'Read one signal by id: its source, account, state, the candidate it became, version and allowed next actions.',
  command: COMMANDS.getSignal,
  render: withNext(signalLine),
});

export const getCandidate = defineTool({
  ...view,
  name: 'get_candidate',
  summary: 'Read one candidate with its allowed next actions.',
  title: 'Get a candidate',
  description:
    'Read one candidate by id: account, state, priority, assignee, due date, tags, its pursuit if promoted, version and ' +
    'allowed next actions. For its SLA clocks use get_sla_clocks; for its history, get_history.',
  command: COMMANDS.getCandidate,
  render: withNext(candidateLine),
});

export const getPursuit = defineTool({
  ...view,
  name: 'get_pursuit',
  summary: 'Read one pursuit with its checklists and proposal versions.',
  title: 'Get a pursuit',
  description:
    'Read one pursuit by id with its pink and red checklists (item keys, states, completion) and proposal versions, ' +
    'version and allowed next actions. Call it before set_checklist_item, submit_pursuit, mark_won or mark_lost.',
  command: COMMANDS.getPursuit,
  render: withNext(pursuitLine),
});

export const listSignals = defineTool({
  ...view,
  name: 'list_signals',
  summary: 'Page through signals, newest first, by state or source.',
  title: 'List signals',
  description:
    'List signals, newest first, optionally only one state (new, accepted, dismissed) or one source. ' +
    'Pages of `limit` (default 25, at most 100): pass nextCursor back as cursor for the next page until it is null.',
  command: COMMANDS.listSignals,
  render: (page) => pageText('signals', page, signalLine),
});

export const listCandidates = defineTool({
  ...view,
  name: 'list_candidates',
  summary: 'Page through candidates, newest first, by state, assignee, priority or tag.',
  title: 'List candidates',
  description:
    'List candidates, newest first, filtered by state, assignee (member id, e-mail or "me"), priority or one tag. ' +
    'Pages of `limit` (default 25, at most 100): pass nextCursor back as cursor for the next page until it is null. ' +
    'For what to work on next, get_today_panel is better.',
  command: COMMANDS.listCandidates,
  render: (page) => pageText('candidates', page, candidateLine),
});

export const listPursuits = defineTool({
  ...view,
  name: 'list_pursuits',
  summary: 'Page through pursuits, newest first, by state, assignee, priority or tag.',
  title: 'List pursuits',
  description:
    'List pursuits, newest first, filtered by state, assignee (member id, e-mail or "me"), priority or one tag, each with ' +
    'its checklists and proposal versions. Pages of `limit` (default 25, at most 100): pass nextCursor back as cursor ' +
    'for the next page until it is null.',
  command: COMMANDS.listPursuits,
  render: (page) => pageText('pursuits', page, pursuitLine),
});

export const getHistory = defineTool({
  ...view,
  name: 'get_history',
  summary: 'Page through the audit trail of a signal, candidate or pursuit.',
  title: 'Get the history of a record',
  description:
    'The audit trail of a signal, candidate or pursuit, oldest first: every change with who, what, from → to, when and why ' +
    '(a candidate’s includes the candidates merged into it). Pages of `limit`: pass nextCursor back as cursor until it is null.',
  command: COMMANDS.getHistory,
  render: (page) => pageText('events', page, eventLine),
});

export const getTodayPanel = defineTool({
  ...view,
  name: 'get_today_panel',
  summary:
    'Your open candidates and pursuits with their SLA clocks, most urgent first, flagged overdue / breached / at risk.',
  title: 'Get the Today Panel',
  description:
    'What to work on now: your (or a named assignee’s) open candidates and pursuits with their open SLA clocks, most urgent ' +
    'first (priority urgent → high → medium → low, then the earliest of own due date and SLA due time, then the oldest). ' +
    'Each item is flagged overdue, breached (SLA past due) and atRisk (SLA past its warning time), and lists its allowed actions. ' +
    'Filter by tags (all of them, or any with tagMatch "any") and kind. Pass nextCursor back as cursor for the next page.',
  command: COMMANDS.getTodayPanel,
  render: (panel) => todayText(panel),
});

export const getSlaClocks = defineTool({
  ...view,
  name: 'get_sla_clocks',
  summary: 'The open SLA clocks of a candidate or pursuit.',
  title: 'Get SLA clocks',
  description:
    'The open SLA clocks (triage, proposal, response; running or paused) of a candidate or pursuit, with start, warning and ' +
    'due times and whether each is breached or at risk.',
  command: COMMANDS.getSlaClocks,
  render: ({ entityId, clocks }) => `${entityId}: ${clocksText(clocks)}`,
});

export const getEnrichment = defineTool({
  ...view,
  name: 'get_enrichment',
  summary: 'What each enrichment provider found for a candidate, with its raw answer.',
  title: 'Get enrichment provenance',
  description:
    'What each enrichment provider found for a candidate: status, mapped fields, error if any, and the raw answer it gave ' +
    '(provenance). The mapped fields alone are on get_candidate.',
  command: COMMANDS.getEnrichment,
  render: ({ candidateId, enrichment }) => enrichmentText(candidateId, enrichment),
});

export const READ_TOOLS = [
  getSignal,
  getCandidate,
  getPursuit,
  listSignals,
  listCandidates,
  listPursuits,
  getHistory,
  getTodayPanel,
  getSlaClocks,
  getEnrichment,
];
