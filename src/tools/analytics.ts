/**
 * Analytics tools: the pipeline's numbers computed by the server from the history, set-based,
 * each answer a small table whose every figure is defined in one resource,
 * workstream://analytics/definitions (derived from the output schemas). Few tools, each
 * with the same shape: a range (from/to), a period to cut it by, a groupBy to split it by.
 */
import type { FunnelView } from '../analytics/funnel.js';
import type { OutcomesView } from '../analytics/outcomes.js';
import type { PipelineView } from '../analytics/pipeline.js';
import type { SlaBreakdownView } from '../analytics/sla.js';
import type { VelocityView } from '../analytics/velocity.js';
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';

const toolset = 'analytics';
/** The resource that defines every figure of every analytics answer (src/resources/analytics.ts). */
export const ANALYTICS_DEFINITIONS = 'workstream://analytics/definitions';
const definitions = ANALYTICS_DEFINITIONS;
/** Said by every analytics description: the range and where the figures are defined. */
const RANGE = `Terms: ${ANALYTICS_DEFINITIONS}.`;

const pct = (value: number | null) => (value === null ? '–' : `${Math.round(value * 100)}%`);
const money = (value: number) => Math.round(value).toLocaleString('en');
const days = (minutes: number | null) => (minutes === null ? '–' : `${(minutes / 1440).toFixed(1)} d`);
const more = (n: number) => (n > 0 ? `\n(${n} more groups left out)` : '');

export function funnelText(view: FunnelView): string {
  const lines = view.rows.map((r) => {
    const c = r.counts;
    const signals = c.signals === null ? '' : `signals ${c.signals} → accepted ${c.accepted}; `;
    return (
      `${r.period} ${r.group}: ${signals}candidates ${c.candidates} → contacted ${c.contacted} → qualified ` +
      `${c.qualified} → promoted ${c.promoted} → bid ${c.bid} → submitted ${c.submitted} → won ${c.won} ` +
      `(win ÷ submitted ${pct(r.conversion.won)})`
    );
  });
  return `Funnel ${view.from} – ${view.to} by ${view.period}, ${view.groupBy}:\n${lines.join('\n') || '(nothing in range)'}${more(view.moreGroups)}`;
}

export function outcomesText(view: OutcomesView): string {
  const lines = view.rows.map(
    (r) =>
      `${r.period} ${r.group}: bid rate ${pct(r.bidRate)} (${r.bids}/${r.bids + r.noBids}), win rate ${pct(r.winRate)} ` +
      `(${r.won} won, ${r.lost} lost), by value ${pct(r.winRateByValue)}, median award ${r.award.median === null ? '–' : money(r.award.median)}; ` +
      `${r.noBidClosed} no-bid, ${r.cancelled} cancelled`,
  );
  const top = view.reasons.loss[0];
  const reason = top ? `\nTop loss reason: ${top.reason} (${top.count}).` : '';
  const byCode = Object.entries(view.reasonCodes)
    .filter(([, codes]) => codes.total > 0)
    .map(
      ([list, codes]) =>
        `\n${list} reasons by ${codes.list === 'org' ? "the org's codes" : 'code (no list set)'}: ${codes.codes.map((c) => `${c.code} ${c.count}`).join(', ')}${codes.list === 'org' ? `; unlisted ${codes.unlisted}` : ''}.`,
    )
    .join('');
  return `Outcomes ${view.from} – ${view.to} by ${view.period}, ${view.groupBy}:\n${lines.join('\n') || '(nothing decided or closed)'}${reason}${byCode}${more(view.moreGroups)}`;
}

export function velocityText(view: VelocityView): string {
  const stays = view.timeInState.map(
    (s) =>
      `${s.entityType} ${s.state} ${s.group}: median ${days(s.minutes.median)}, p90 ${days(s.minutes.p90)} (${s.minutes.n})`,
  );
  const cycles = view.cycles.map(
    (c) =>
      `${c.cycle} ${c.group}: median ${days(c.total.median)}, p90 ${days(c.total.p90)}, on hold median ${days(c.hold.median)} (${c.total.n})`,
  );
  const stuck = view.stuck.map((s) => {
    const first = s.items[0];
    return `${s.entityType} ${s.state}: longest ${first ? `${first.id} ${days(first.minutesInState)}` : '–'}`;
  });
  return [`Velocity ${view.from} – ${view.to}, ${view.groupBy}:`, ...stays, ...cycles, ...stuck].join('\n');
}

export function pipelineText(view: PipelineView): string {
  const lines = view.byState.map(
    (r) =>
      `${r.state} ${r.group}: ${r.pursuits} pursuits, ${money(r.value)} open, ${money(r.weightedValue)} weighted`,
  );
  const forecast = view.forecast.map(
    (r) => `${r.month} ${r.group}: ${money(r.weightedValue)} weighted of ${money(r.value)}`,
  );
  return [
    `Pipeline as of ${view.asOf}, ${view.groupBy}:`,
    ...lines,
    'Forecast by deadline month:',
    ...forecast,
  ].join('\n');
}

export function slaBreakdownText(view: SlaBreakdownView): string {
  const lines = view.rows.map(
    (r) =>
      `${r.kind} ${r.group}: ${pct(r.compliance)} in time (${r.inTime}/${r.met}), median ${days(r.minutesToMeet.median)} to meet`,
  );
  return `SLA compliance ${view.from} – ${view.to}, ${view.groupBy}:\n${lines.join('\n') || '(no clock met in range)'}${more(view.moreGroups)}`;
}

export const getFunnel = defineTool({
  toolset,
  name: 'get_funnel',
  title: 'Get the funnel',
  summary:
    'Counts and conversion at each stage, signal → accepted → contacted → … → won, per period and group.',
  description:
    'How many reached each stage, signal → accepted, candidate → contacted → … → won, and the conversion ' +
    `between stages, per period and groupBy. ${RANGE}`,
  definitions,
  command: COMMANDS.getFunnel,
  render: funnelText,
});

export const getOutcomes = defineTool({
  toolset,
  name: 'get_outcomes',
  title: 'Get outcomes',
  summary:
    "Bid and win rates by count and value, awards, and loss, no-bid, disqualify and cancel reasons, also by the org's codes.",
  description:
    'Bid and win rates by count and value, awards, and the top loss, no-bid, cancel and disqualify reasons ' +
    `(also by the org’s codes), per period and groupBy (this quarter’s win rate: period quarter). ${RANGE}`,
  definitions,
  command: COMMANDS.getOutcomes,
  render: outcomesText,
});

export const getVelocity = defineTool({
  toolset,
  name: 'get_velocity',
  title: 'Get velocity',
  summary:
    'Time in each state and cycle times (median, p90; hold time apart), and the items stuck longest now.',
  description:
    'Where work stalls: minutes in each state, cycle times (hold time apart) and the open items longest in ' +
    `their state; the last 90 days by default. ${RANGE}`,
  definitions,
  command: COMMANDS.getVelocity,
  render: velocityText,
});

export const getPipeline = defineTool({
  toolset,
  name: 'get_pipeline',
  title: 'Get the pipeline',
  summary: 'Open pursuit value by state, weighted by win probability, and the forecast by deadline month.',
  description:
    'The open pipeline now: pursuit value and value × probability by state, and the forecast by deadline ' +
    `month (probabilities and deadlines: update_pursuit). ${RANGE}`,
  definitions,
  command: COMMANDS.getPipeline,
  render: pipelineText,
});

export const getSlaBreakdown = defineTool({
  toolset,
  name: 'get_sla_breakdown',
  title: 'Get SLA compliance by assignee or tag',
  summary: 'SLA compliance per kind split by assignee, tag or priority, with median and p90 minutes to meet.',
  description:
    'SLA compliance per kind split by assignee, tag or priority, with minutes to meet; the last 90 days by ' +
    `default (unsplit: get_sla_compliance). ${RANGE}`,
  definitions,
  command: COMMANDS.getSlaBreakdown,
  render: slaBreakdownText,
});

export const ANALYTICS_TOOLS = [getFunnel, getOutcomes, getVelocity, getPipeline, getSlaBreakdown];
