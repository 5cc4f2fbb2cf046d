/** Signal tools: record an inbound indication of an opportunity, then accept or dismiss it. */
import { COMMANDS } from '../workstream/commands.js';
import { SignalAcceptedAnswer, SignalAnswer, SignalCreatedAnswer } from './answers.js';
import { defineTool } from './define.js';
import { candidateLine, nextActions, signalLine, withNext } from './render.js';

export const createSignal = defineTool({
  name: 'create_signal',
  summary:
    'Record an inbound lead (RFP notice, form fill, referral, news); the same source + ref is stored once.',
  title: 'Record a signal',
  toolset: 'signals',
  description:
    'Record an inbound lead (RFP notice, form fill, referral, news) as a `new` signal; one per source + externalRef (created=false).',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.createSignal,
  answer: SignalCreatedAnswer,
  render: ({ signal, created }) =>
    `${created ? 'Recorded' : 'Already recorded'}: ${signalLine(signal)}\n${nextActions(signal.allowedActions)}`,
});

export const acceptSignal = defineTool({
  name: 'accept_signal',
  summary: 'Turn a new signal into a candidate, or link it to an existing one.',
  title: 'Accept a signal',
  toolset: 'signals',
  description:
    "Accept a `new` signal: creates a candidate (title, account: the signal's unless given), or links it to candidateId (DUPLICATE names the open one for that account).",
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.acceptSignal,
  answer: SignalAcceptedAnswer,
  render: ({ signal, candidate, candidateCreated }) =>
    `Accepted ${signalLine(signal)}\n${candidateCreated ? 'Created' : 'Linked to'} ${candidateLine(candidate)}\n${nextActions(candidate.allowedActions)}`,
});

export const dismissSignal = defineTool({
  name: 'dismiss_signal',
  summary: 'Close a new signal as not worth pursuing, with a reason.',
  title: 'Dismiss a signal',
  toolset: 'signals',
  description:
    'Dismiss a `new` signal not worth pursuing, with a reason. Final (record a new signal if it returns).',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.dismissSignal,
  answer: SignalAnswer,
  render: withNext(signalLine),
});

export const SIGNAL_TOOLS = [createSignal, acceptSignal, dismissSignal];
