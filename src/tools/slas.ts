/**
 * SLA tools: the targets and business calendar the clocks run on (read by anyone, changed by
 * admins), the clocks that are breached or at risk now, and compliance over a period.
 */
import { COMMANDS } from '../workstream/commands.js';
import { CalendarAnswer, SlaPoliciesAnswer } from './answers.js';
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
  description: 'The SLA targets per kind and priority ("any": the fallback), and the business calendar.',
  command: COMMANDS.getSlaPolicies,
  render: slaPoliciesText,
});

export const setSlaPolicy = defineTool({
  toolset,
  name: 'set_sla_policy',
  summary: 'Admins: set the SLA target for one kind and priority; re-targets running clocks.',
  title: 'Set an SLA policy',
  description:
    'Admins: set one SLA kind\'s target for one priority (or "any"): hours, business or calendar time, warning percent. Re-targets open clocks.',
  hints: retargets,
  answer: SlaPoliciesAnswer,
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
    'Admins: replace the business calendar (IANA time zone, weekly intervals {day, start, end}, holidays). Re-targets open clocks.',
  hints: retargets,
  answer: CalendarAnswer,
  command: COMMANDS.setBusinessCalendar,
  render: slaPoliciesText,
});

export const listSlaBreaches = defineTool({
  toolset,
  name: 'list_sla_breaches',
  summary: 'Running SLA clocks that are breached or at risk, most overdue first.',
  title: 'List SLA breaches',
  description:
    'Running SLA clocks past due (breached) or past their warning (at risk) across the team, most overdue first.',
  command: COMMANDS.listSlaBreaches,
  render: (page) => pageText('breached or at-risk SLA clocks', page, slaBreachLine),
});

export const getSlaCompliance = defineTool({
  toolset,
  name: 'get_sla_compliance',
  summary: 'Per SLA kind, the share of clocks met in time over a period, and how long meeting them took.',
  title: 'Get SLA compliance',
  description:
    'Per SLA kind, the clocks met in a period (default 30 days): in time, late, share in time, median and p90 minutes to meet.',
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
