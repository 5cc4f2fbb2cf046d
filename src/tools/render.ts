/** The short text beside each result's structuredContent: ids, states and versions a model can act on. */
import type { SlaPoliciesView } from '../workstream/sla-admin.js';
import type { ComplianceView, SlaBreachView } from '../workstream/sla-views.js';
import type {
  CandidateSummary,
  Member,
  PursuitSummary,
  SignalSummary,
  SummaryPage,
} from '../workstream/summaries.js';
import type { TodayItem, TodayPanel } from '../workstream/today.js';
import type {
  ChecklistView,
  EnrichmentView,
  EventView,
  ProposalVersionView,
  SlaClockView,
} from '../workstream/views.js';

export function when(iso: string | null): string {
  return iso === null ? 'none' : `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

export function nextActions(actions: readonly string[]): string {
  return actions.length > 0 ? `Next: ${actions.join(', ')}.` : 'Closed: no further actions.';
}

export function signalLine(signal: SignalSummary): string {
  const account = signal.accountName ? ` — ${signal.accountName}` : '';
  return `signal ${signal.id} "${signal.title}"${account} — ${signal.state}, from ${signal.source}; version ${signal.version}`;
}

/** A candidate in one line; with its checklists' completion when it has some. */
export function candidateLine(
  candidate: CandidateSummary & { checklists?: Pick<ChecklistView, 'kind' | 'completion'>[] },
): string {
  const due = candidate.dueAt ? `, due ${when(candidate.dueAt)}` : '';
  const pursuit = candidate.pursuitId ? `, pursuit ${candidate.pursuitId}` : '';
  const lists = candidate.checklists?.map((list) => `${list.kind} ${list.completion.percent}%`).join(', ');
  return `candidate ${candidate.id} "${candidate.title}" — ${candidate.accountName} — ${candidate.state}, ${candidate.priority}${due}${pursuit}${lists ? `; ${lists}` : ''}; version ${candidate.version}`;
}

/** A pursuit in one line; with its checklists and proposal versions when the answer has them. */
export function pursuitLine(
  pursuit: PursuitSummary & {
    checklists?: Pick<ChecklistView, 'kind' | 'completion'>[];
    proposalVersions?: Pick<ProposalVersionView, 'id' | 'number' | 'state'>[];
  },
): string {
  const due = pursuit.dueAt ? `, due ${when(pursuit.dueAt)}` : '';
  const lists = pursuit.checklists?.map((list) => `${list.kind} ${list.completion.percent}%`).join(', ');
  const versions = pursuit.proposalVersions?.map((v) => `v${v.number} ${v.id} ${v.state}`).join(', ');
  const parts = [
    lists === undefined ? '' : `; ${lists || 'no checklists'}`,
    versions ? `; proposal ${versions}` : '',
  ];
  return `pursuit ${pursuit.id} "${pursuit.title}" — ${pursuit.accountName} — ${pursuit.state}, ${pursuit.priority}${due}${parts.join('')}; version ${pursuit.version}`;
}

/** A pursuit or a candidate after a checklist tick: its checklists' completion. */
export function reviewedLine(record: {
  id: string;
  title: string;
  accountName: string;
  state: string;
  priority: string;
  version: number;
  allowedActions: string[];
  checklists: Pick<ChecklistView, 'kind' | 'completion'>[];
}): string {
  const noun = record.id.startsWith('cand_') ? 'candidate' : 'pursuit';
  const lists = record.checklists.map((list) => `${list.kind} ${list.completion.percent}%`).join(', ');
  return `${noun} ${record.id} "${record.title}" — ${record.accountName} — ${record.state}, ${record.priority}; ${lists || 'no checklists'}; version ${record.version}`;
}

export function withNext<T extends { allowedActions: string[] }>(line: (item: T) => string) {
  return (item: T) => `${line(item)}\n${nextActions(item.allowedActions)}`;
}

/** "Dana Demo <dana@demo.example>", or the id of a member the page does not name. */
export function person(members: readonly Member[], id: string | null): string {
  if (id === null) return 'nobody';
  const member = members.find((m) => m.id === id);
  return member ? `${member.name} <${member.email}>` : id;
}

/**
 * A page as a digest: how many, whether more follow, and one short line per item (id, title,
 * state); the rest of each item is in structuredContent, and all of it one get_… call away.
 */
export function pageText<T>(noun: string, page: SummaryPage<T>, line: (item: T) => string): string {
  const more = page.nextCursor === null ? 'last page' : `more: cursor "${page.nextCursor}"`;
  const head = `${page.items.length} ${noun} (${more})`;
  const first = page.items.slice(0, DIGEST_ITEMS).map((item) => `- ${line(item)}`);
  const rest = page.items.length - first.length;
  return [head, ...first, ...(rest > 0 ? [`…and ${rest} more in structuredContent.items.`] : [])].join('\n');
}

/** The short line of a page item: id, title and state. */
export function itemLine(item: { id: string; title: string; state: string }): string {
  return `${item.id} "${item.title}" ${item.state}`;
}

export function eventLine(event: EventView, members: readonly Member[] = []): string {
  const move = event.from || event.to ? ` ${event.from ?? '∅'} → ${event.to ?? '∅'}` : '';
  const who = members.find((m) => m.id === event.actorId)?.name ?? event.actorId;
  return `${when(event.occurredAt)} ${event.type}${move} by ${who}`;
}

/** "2h 05m", "3d 4h", "45m": a span an assistant can read out. */
export function span(minutes: number): string {
  const m = Math.abs(minutes);
  if (m >= 1440) return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
  if (m >= 60) return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  return `${m}m`;
}

function clockText(clock: SlaClockView): string {
  const flag = clock.breached ? ' BREACHED' : clock.atRisk ? ' at risk' : '';
  const left =
    clock.minutesToDue === null
      ? ''
      : clock.minutesToDue < 0
        ? ` (overdue by ${span(clock.minutesToDue)})`
        : ` (${span(clock.minutesToDue)} left)`;
  return `${clock.kind} SLA ${clock.state}, due ${when(clock.dueAt)}${left}${flag}`;
}

export function clocksText(clocks: readonly SlaClockView[]): string {
  return clocks.length === 0 ? 'no open SLA clocks' : clocks.map(clockText).join('; ');
}

/** How many items a digest names; the rest are in structuredContent. */
export const DIGEST_ITEMS = 5;

function todayLine(item: TodayItem, position: number): string {
  const flags = item.flags.length > 0 ? ` ${item.flags.join(', ')}` : '';
  return `${position}. ${item.id} "${item.title}" ${item.priority}${flags}`;
}

/** The panel as a digest: whose, how much, how late, and the items by id and title in order. */
export function todayText(panel: TodayPanel, offset = 0): string {
  const more = panel.nextCursor === null ? 'last page' : `more: cursor "${panel.nextCursor}"`;
  const count = (flag: TodayItem['flags'][number]) =>
    panel.items.filter((item) => item.flags.includes(flag)).length;
  const head =
    `Today for ${panel.owner.name} <${panel.owner.email}> as of ${when(panel.asOf)}: ${panel.total} open, ` +
    `${panel.items.length} here (${more}); ${count('overdue')} overdue, ${count('breached')} SLA breached, ${count('atRisk')} at risk.`;
  const first = panel.items.slice(0, DIGEST_ITEMS).map((item, index) => todayLine(item, offset + index + 1));
  const rest = panel.items.length - first.length;
  return [head, ...first, ...(rest > 0 ? [`…and ${rest} more in structuredContent.items.`] : [])].join('\n');
}

export function enrichmentText(candidateId: string, enrichment: readonly EnrichmentView[]): string {
  if (enrichment.length === 0) return `${candidateId}: no enrichment requested`;
  const lines = enrichment.map((entry) => {
    const found = Object.keys(entry.fields);
    const detail =
      entry.state === 'failed'
        ? `: ${entry.lastError ?? 'failed'}`
        : found.length > 0
          ? `: ${found.join(', ')}`
          : '';
    return `- ${entry.provider} (${entry.tool}) ${entry.state}${detail}`;
  });
  return [`${candidateId} enrichment:`, ...lines].join('\n');
}

function hours(value: number): string {
  return `${Number(value.toFixed(2))} h`;
}

function minutes(value: number): string {
  const whole = Math.round(Math.abs(value));
  return whole < 120 ? `${whole} min` : hours(Math.round(whole / 6) / 10);
}

export function slaPoliciesText(view: SlaPoliciesView): string {
  const { calendar } = view;
  const head = calendar
    ? `Business calendar: ${calendar.timeZone}, ${calendar.weekly.length} weekly interval${calendar.weekly.length === 1 ? '' : 's'}, ${calendar.holidays.length} holiday${calendar.holidays.length === 1 ? '' : 's'}.`
    : 'No business calendar: every target counts calendar time.';
  const lines = view.policies.map(
    (p) =>
      `- ${p.kind} / ${p.priority}: ${hours(p.targetHours)} ${p.businessHours ? 'business time' : 'calendar time'}, at risk from ${p.warnPercent}%`,
  );
  return [head, ...(lines.length > 0 ? lines : ['No SLA policies: no clocks start.'])].join('\n');
}

export function slaBreachLine(breach: SlaBreachView): string {
  const timing =
    breach.status === 'breached'
      ? `BREACHED ${minutes(breach.overdueMinutes)} ago`
      : `at risk, due in ${minutes(breach.overdueMinutes)}`;
  const title = breach.title === null ? '' : ` "${breach.title}"`;
  const owner = breach.assigneeId === null ? 'unassigned' : `assignee ${breach.assigneeId}`;
  return `${breach.kind} SLA ${timing} (due ${when(breach.dueAt)}) — ${breach.entityType} ${breach.entityId}${title}, ${owner}`;
}

export function complianceText(view: ComplianceView): string {
  const lines = view.kinds.map((k) => {
    if (k.compliance === null) return `- ${k.kind}: no clock met in the period`;
    const median = k.medianMinutesToMeet === null ? '' : `; median ${minutes(k.medianMinutesToMeet)}`;
    const p90 = k.p90MinutesToMeet === null ? '' : `, p90 ${minutes(k.p90MinutesToMeet)} to meet`;
    return `- ${k.kind}: ${Math.round(k.compliance * 100)}% in time (${k.met} in time, ${k.breached} late${median}${p90})`;
  });
  return [`SLA compliance ${when(view.from)} → ${when(view.to)}:`, ...lines].join('\n');
}
