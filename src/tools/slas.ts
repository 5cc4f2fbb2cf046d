/**
 * SLA tools: the targets and business calendar the clocks run on (read by anyone, changed by
 * admins), the clocks that are breached or at risk now, and compliance over a period.
 */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';
import { complianceText, pageText, slaBreachLine, slaPoliciesText } from './render.js';

const toolset = 'slas';
/**
 * Both changes re-target every open clock they govern from its original start: a clock can turn
 * at risk or breached on the spot, and the old due times are gone (the history keeps the change).
 * Repeating the call with the same values changes nothing more.
 */
const retargets = { destructive: true, idempotent: true };

export const getSlaPolicies = defineTool({
  toolset,
  name: 'get_sla_policies',
  summary: 'The SLA targets per kind and priority, and the business calendar they count in.',
  title: 'Get SLA policies',
  description:
    'The organization’s SLA targets: per kind (triage: first touch of a new candidate; proposal: submitting after ' +
    'promotion; response: a follow-up after the proposal is sent) and priority ("any" is the fallback), the target in ' +
    'hours, whether it counts only business hours, and the share of the target after which a clock is at risk. Also the ' +
    'business calendar (time zone, weekly working hours, holidays). Read it before set_sla_policy or set_business_calendar.',
  command: COMMANDS.getSlaPolicies,
  render: slaPoliciesText,
});

export const setSlaPolicy = defineTool({
  toolset,
  name: 'set_sla_policy',
  summary: 'Admins: set the SLA target for one kind and priority; re-targets running clocks.',
  title: 'Set an SLA policy',
  description:
    'Set the target of one SLA kind (triage, proposal, response) for one priority, or "any" for the fallback: hours, ' +
    'business hours or calendar time, and the warning threshold in percent (default 75). Needs the admin role; others ' +
    'are refused with FORBIDDEN. Every running or paused clock of that kind is re-targeted from its original start, so ' +
    'some may become at risk or breached at once. See get_sla_policies for the current targets. Answers with all policies.',
  hints: retargets,
  command: COMMANDS.setSlaPolicy,
  render: slaPoliciesText,
});

export const setBusinessCalendar = defineTool({
  toolset,
  name: 'set_business_calendar',
  summary:
    'Admins: replace the business calendar (time zone, working hours, holidays); re-targets running clocks.',
  title: 'Set the business calendar',
  description:
    'Replace the organization’s business calendar: an IANA time zone, weekly working intervals in local time ' +
    '(e.g. {day:"mon", start:"09:00", end:"17:00"}, one per working day) and holidays (YYYY-MM-DD). Policies counted in ' +
    'business hours count only this time. Needs the admin role; others are refused with FORBIDDEN. Every running or paused ' +
    'clock is re-targeted from its original start. See get_sla_policies for the current calendar. Answers with all policies.',
  hints: retargets,
  command: COMMANDS.setBusinessCalendar,
  render: slaPoliciesText,
});

export const listSlaBreaches = defineTool({
  toolset,
  name: 'list_sla_breaches',
  summary: 'Running SLA clocks that are breached or at risk, most overdue first.',
  title: 'List SLA breaches',
  description:
    'Running SLA clocks past their due time (breached) or their warning time (at risk), most overdue first, each with ' +
    'the candidate or pursuit it belongs to, its title, assignee and minutes overdue (negative: minutes left). Filter by ' +
    'status (breached, at_risk, all), kind and assignee (member id, e-mail or "me"). Pages of `limit` (default 25, at most ' +
    '100): pass nextCursor back as cursor until it is null. To act on one, get_candidate or get_pursuit lists its allowed ' +
    'actions; get_sla_clocks shows all of one record’s clocks.',
  command: COMMANDS.listSlaBreaches,
  render: (page) => pageText('breached or at-risk SLA clocks', page, slaBreachLine),
});

export const getSlaCompliance = defineTool({
  toolset,
  name: 'get_sla_compliance',
  summary: 'Per SLA kind, the share of clocks met in time over a period, and how long meeting them took.',
  title: 'Get SLA compliance',
  description:
    'Per SLA kind, over the clocks met in a period (from/to, default the last 30 days): how many were met in time and how ' +
    'many late, the share in time (0–1), and the median and p90 minutes from start to met. Cancelled clocks are left out ' +
    'and running ones are not counted yet: list_sla_breaches shows those that are overdue now.',
  command: COMMANDS.getSlaCompliance,
  render: complianceText,
});

export const SLA_TOOLS = [
  getSlaPolicies,
  setSlaPolicy,
  setBusinessCalendar,
  listSlaBreaches,
  getSlaCompliance,
];
