/** Signal tools: record an inbound indication of an opportunity, then accept or dismiss it. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';
import { candidateLine, nextActions, signalLine, withNext } from './render.js';

export const createSignal = defineTool({
  name: 'create_signal',
  summary:
    'Record an inbound lead (RFP notice, form fill, referral, news); the same source + ref is stored once.',
  title: 'Record a signal',
  toolset: 'signals',
  description:
    'Record an inbound indication of an opportunity (an RFP notice, a form fill, a referral, news) as a new signal. ' +
    'Needs source, externalRef (the source’s own id) and title; give accountName/accountDomain when known. ' +
    'Safe to retry: the same source + externalRef is stored once, and a repeat returns the first signal with created=false. ' +
    'Then accept it (accept_signal) to make a candidate, or dismiss it (dismiss_signal).',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.createSignal,
  render: ({ signal, created }) =>
    `${created ? 'Recorded' : 'Already recorded'}: ${signalLine(signal)}\n${nextActions(signal.allowedActions)}`,
});

export const acceptSignal = defineTool({
  name: 'accept_signal',
  summary: 'Turn a new signal into a candidate, or link it to an existing one.',
  title: 'Accept a signal',
  toolset: 'signals',
  description:
    'Accept a `new` signal: creates a candidate from it (title and account default to the signal’s), or links it to an ' +
    'existing candidate when candidateId is given. Optionally set priority, assignee, due date, value and tags of the new candidate. ' +
    'Find signals with list_signals. Refused with DUPLICATE (and the existing id) when an open candidate for the same ' +
    'account and opportunity exists: call again with that candidateId to link instead. Safe to retry: accepting an accepted ' +
    'signal again returns its candidate with candidateCreated=false.',
  hints: { destructive: false, idempotent: true },
  command: COMMANDS.acceptSignal,
  render: ({ signal, candidate, candidateCreated }) =>
    `Accepted ${signalLine(signal)}\n${candidateCreated ? 'Created' : 'Linked to'} ${candidateLine(candidate)}\n${nextActions(candidate.allowedActions)}`,
});

export const dismissSignal = defineTool({
  name: 'dismiss_signal',
  summary: 'Close a new signal as not worth pursuing, with a reason.',
  title: 'Dismiss a signal',
  toolset: 'signals',
  description:
    'Dismiss a `new` signal that is not worth pursuing, with a one-sentence reason kept in the history. ' +
    'Final: a dismissed signal cannot be accepted later (record a new signal if the opportunity returns).',
  hints: { destructive: true, idempotent: true },
  command: COMMANDS.dismissSignal,
  render: withNext(signalLine),
});

export const SIGNAL_TOOLS = [createSignal, acceptSignal, dismissSignal];
