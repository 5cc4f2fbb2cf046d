/** Read tools: one record, a page of records, a history, the Today Panel and SLA clocks. */
import { TODAY_VIEW_URI } from '../apps/today-view.js';
import { COMMANDS } from '../workstream/commands.js';
import { CandidateRead } from '../workstream/queries.js';
import { defineTool } from './define.js';
import {
  candidateLine,
  clocksText,
  enrichmentText,
  eventLine,
  itemLine,
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
  description: 'One signal: source, account, state and the candidate it became.',
  command: COMMANDS.getSignal,
  render: withNext(signalLine),
});

export const getCandidate = defineTool({
  ...view,
  name: 'get_candidate',
  summary: 'Read one candidate with its checklists and allowed next actions.',
  title: 'Get a candidate',
  description: 'One candidate: account, state, assignee, tags, checklists and its pursuit.',
  command: COMMANDS.getCandidate,
  // Enrichment has its own tool, get_enrichment; the candidate answers without it.
  answer: CandidateRead.omit({ enrichment: true }),
  // Each checklist's kind is published; its items and completion are in the answer and its text.
  outline: 2,
  render: withNext(candidateLine),
});

export const getPursuit = defineTool({
  ...view,
  name: 'get_pursuit',
  summary: 'Read one pursuit with its checklists and proposal versions.',
  title: 'Get a pursuit',
  description:
    'One pursuit with its checklists (keys, states, completion), proposal versions and allowed actions.',
  command: COMMANDS.getPursuit,
  // Each checklist's and proposal version's fields are published one level down; their items
  // and completion are in the answer and its text.
  outline: 2,
  render: withNext(pursuitLine),
});

export const listSignals = defineTool({
  ...view,
  name: 'list_signals',
  summary: 'Page through signals, newest first, by state or source.',
  title: 'List signals',
  description: 'Signals, newest first, by state (new, accepted, dismissed) or source.',
  command: COMMANDS.listSignals,
  render: (page) => pageText('signals', page, itemLine),
});

export const listCandidates = defineTool({
  ...view,
  name: 'list_candidates',
  summary: 'Page through candidates, newest first, by state, assignee, priority, tag or custom field.',
  title: 'List candidates',
  description:
    'Candidates, newest first, by state, assignee, priority, tag or custom field. For what to do next, get_today_panel.',
  command: COMMANDS.listCandidates,
  render: (page) => pageText('candidates', page, itemLine),
});

export const listPursuits = defineTool({
  ...view,
  name: 'list_pursuits',
  summary: 'Page through pursuits, newest first, by state, assignee, priority, tag or custom field.',
  title: 'List pursuits',
  description: 'Pursuits, newest first, by state, assignee, priority, tag or custom field.',
  command: COMMANDS.listPursuits,
  render: (page) => pageText('pursuits', page, itemLine),
});

export const getHistory = defineTool({
  ...view,
  name: 'get_history',
  summary: 'Page through the audit trail of a signal, candidate or pursuit.',
  title: 'Get the history of a record',
  description:
    'The audit trail of a signal, candidate, pursuit or org, oldest first: who changed what, from → to, when, why.',
  command: COMMANDS.getHistory,
  render: (page) => pageText('events', page, (event) => eventLine(event, page.members)),
});

export const getTodayPanel = defineTool({
  ...view,
  name: 'get_today_panel',
  summary:
    'Your open candidates and pursuits with their SLA clocks, most urgent first, flagged overdue / breached / at risk.',
  title: 'Get the Today Panel',
  description:
    "What to work on now: your (or assignee's) open candidates and pursuits, most urgent first (priority, due, age), with their flags.",
  command: COMMANDS.getTodayPanel,
  app: TODAY_VIEW_URI,
  // Each item's fields are published; what nests in them (its clocks) is in the answer and text.
  outline: 2,
  render: (panel) => todayText(panel),
});

export const getSlaClocks = defineTool({
  ...view,
  name: 'get_sla_clocks',
  summary: 'The open SLA clocks of a candidate or pursuit.',
  title: 'Get SLA clocks',
  description: 'The open SLA clocks (running or paused) of a candidate or pursuit.',
  command: COMMANDS.getSlaClocks,
  render: ({ entityId, clocks }) => `${entityId}: ${clocksText(clocks)}`,
});

export const getEnrichment = defineTool({
  ...view,
  name: 'get_enrichment',
  summary: 'What each enrichment provider found for a candidate, with its raw answer.',
  title: 'Get enrichment provenance',
  description:
    'What each enrichment provider found for a candidate: status, mapped fields, error, and its raw answer.',
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
