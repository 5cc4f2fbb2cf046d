/**
 * Makes the demo's past year (./history-data.ts) through the commands: every deal's steps on one
 * timeline, run in time order with the demo's clock, so each record has the history the
 * analytics read (stays, holds, closes) and ids sort as the events happened.
 */
import { DEFAULT_CHECKLIST_TEMPLATES } from '../domain/checklist.js';
import type { ManualClock } from '../domain/clock.js';
import type { Actor, Workstream } from '../workstream/workstream.js';
import { DEMO_MEMBERS, SIGNAL_KINDS } from './data.js';
import { PAST_DEALS, type PastDeal } from './history-data.js';

const DAY_MS = 24 * 60 * 60 * 1000;

interface Step {
  readonly at: number;
  readonly order: number;
  readonly run: () => Promise<void>;
}

/** The earliest moment the past year needs the clock at. */
export function historyStart(now: Date): Date {
  const days = Math.max(...PAST_DEALS.map((deal) => deal.daysAgo));
  return new Date(now.getTime() - days * DAY_MS);
}

export async function loadHistory(
  ws: Workstream,
  actor: Actor,
  clock: ManualClock,
  now: Date,
): Promise<void> {
  const steps: Step[] = [];
  for (const deal of PAST_DEALS)
    steps.push(...stepsOf(ws, actor, deal, now.getTime() - deal.daysAgo * DAY_MS));
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const step of steps) {
    if (clock.now().getTime() < step.at) clock.set(new Date(step.at));
    await step.run();
  }
}

function stepsOf(ws: Workstream, actor: Actor, deal: PastDeal, start: number): Step[] {
  const ids = { candidate: '', pursuit: '' };
  const steps: Step[] = [];
  // Each step a minute after the one before it, so the steps of one deal never share a moment.
  const at = (day: number, then: () => Promise<void>) =>
    steps.push({ at: start + day * DAY_MS + steps.length * 60_000, order: steps.length, run: then });
  const owner = DEMO_MEMBERS[deal.owner].email;
  const ref = `${deal.domain.split('.')[0]?.toUpperCase()}-${Math.round(deal.value / 1000)}`;
  const details = {
    priority: deal.priority,
    assignee: owner,
    estimatedValue: deal.value,
    tags: [...deal.tags],
  };

  at(0, async () => {
    if (!deal.source) {
      ids.candidate = (
        await ws.createCandidate(actor, {
          title: deal.title,
          accountName: deal.account,
          accountDomain: deal.domain,
          opportunityRef: ref,
          ...details,
        })
      ).id;
      return;
    }
    const { signal } = await ws.createSignal(actor, {
      source: deal.source,
      externalRef: ref,
      kind: SIGNAL_KINDS[deal.source],
      title: deal.title,
      accountName: deal.account,
      accountDomain: deal.domain,
      opportunityRef: ref,
      summary: `${deal.account}: ${deal.title}.`,
    });
    ids.candidate = (await ws.acceptSignal(actor, { signalId: signal.id, ...details })).candidate.id;
  });
  const { days } = deal;
  at(days.touch, async () => {
    await ws.logTouch(actor, {
      candidateId: ids.candidate,
      kind: 'call',
      summary: `Intro call with ${deal.account}.`,
    });
  });
  if (deal.outcome === 'disqualified') {
    at(days.close, async () => {
      await ws.disqualifyCandidate(actor, { candidateId: ids.candidate, reason: deal.reason ?? 'not_a_fit' });
    });
    return steps;
  }
  at(days.qualify, async () => {
    await ws.qualifyCandidate(actor, { candidateId: ids.candidate });
  });
  at(days.promote, async () => {
    const { pursuit } = await ws.promoteCandidate(actor, {
      candidateId: ids.candidate,
      dueAt: new Date(start + days.close * DAY_MS).toISOString(),
    });
    ids.pursuit = pursuit.id;
    await ws.updatePursuit(actor, { pursuitId: pursuit.id, probability: deal.probability });
  });
  const hold = deal.hold;
  if (hold) {
    at(hold.at, async () => {
      await ws.holdPursuit(actor, { pursuitId: ids.pursuit, reason: 'Customer paused the procurement.' });
    });
    at(hold.at + hold.days, async () => {
      await ws.resumePursuit(actor, { pursuitId: ids.pursuit });
    });
  }
  if (deal.outcome === 'no_bid') {
    at(days.decide, async () => {
      await ws.decideNoBid(actor, { pursuitId: ids.pursuit, reason: deal.reason ?? 'no_fit' });
    });
    return steps;
  }
  at(days.decide, async () => {
    await ws.decideBid(actor, { pursuitId: ids.pursuit });
  });
  if (deal.outcome === 'cancelled') {
    at(days.close, async () => {
      await ws.cancelPursuit(actor, { pursuitId: ids.pursuit, reason: deal.reason ?? 'customer_cancelled' });
    });
    return steps;
  }
  at(days.submit, async () => {
    for (const item of DEFAULT_CHECKLIST_TEMPLATES.pink.filter((entry) => entry.required))
      await ws.setChecklistItem(actor, {
        pursuitId: ids.pursuit,
        checklist: 'pink',
        itemKey: item.key,
        state: 'done',
      });
    await ws.addProposalVersion(actor, {
      pursuitId: ids.pursuit,
      title: `${deal.title}, v1`,
      amount: deal.value,
    });
    await ws.submitPursuit(actor, { pursuitId: ids.pursuit });
  });
  at(days.close, async () => {
    for (const item of DEFAULT_CHECKLIST_TEMPLATES.red.filter((entry) => entry.required))
      await ws.setChecklistItem(actor, {
        pursuitId: ids.pursuit,
        checklist: 'red',
        itemKey: item.key,
        state: 'done',
      });
    if (deal.outcome === 'won')
      await ws.markWon(actor, { pursuitId: ids.pursuit, awardAmount: deal.award ?? deal.value });
    else await ws.markLost(actor, { pursuitId: ids.pursuit, lossReason: deal.reason ?? 'price' });
  });
  return steps;
}
