/**
 * `workstream demo`: a demo organization with a few dozen signals, candidates and pursuits in
 * every state, made through the Workstream commands (so each has its history), spread over the
 * last three weeks, with tags, priorities and due dates relative to now (some overdue); before
 * them a year of closed deals for the analytics (./history-data.ts).
 * Loading is idempotent by the organization's slug: a second run finds it and adds nothing.
 */
import { DEFAULT_CHECKLIST_TEMPLATES } from '../domain/checklist.js';
import { ManualClock } from '../domain/clock.js';
import { WorkstreamError } from '../domain/errors.js';
import type { Store } from '../store/connect.js';
import { findOrgBySlug } from '../workstream/orgs.js';
import { type Actor, createWorkstream, type Workstream } from '../workstream/workstream.js';
import { DEMO_ACTOR, DEMO_MEMBERS, DEMO_SLUG, LEADS, type Lead, SIGNAL_KINDS } from './data.js';
import { historyStart, loadHistory } from './load-history.js';

export { DEMO_ACTOR, DEMO_MEMBERS, DEMO_SLUG } from './data.js';

export interface DemoLoaded {
  /** False when the demo organization existed already (nothing was added). */
  readonly created: boolean;
  readonly orgId: string;
  readonly slug: string;
  readonly actorEmail: string;
  readonly counts: { signals: number; candidates: number; pursuits: number };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The win probability (percent) set on a demo pursuit, by the state it is headed for. */
const PROBABILITY: Record<string, number> = { capture: 20, on_hold: 25, proposal: 40, submitted: 60 };

/** Loads the demo organization unless it exists; either way answers with what is there. */
export async function loadDemo(store: Store, now: Date = new Date()): Promise<DemoLoaded> {
  const existing = await findOrgBySlug({ store, clock: { now: () => now } }, DEMO_SLUG);
  if (existing) return summary(store, existing.id, false);
  const start = new Date(now.getTime() - 21 * DAY_MS);
  // The past year of closed deals comes first (./history-data.ts), then the current work.
  const clock = new ManualClock(historyStart(now));
  const ws = createWorkstream(store, clock);
  let orgId: string;
  let adminId: string;
  try {
    ({ orgId, adminId } = await ws.createOrg({
      name: 'Demo Co (sample data)',
      slug: DEMO_SLUG,
      admin: DEMO_MEMBERS.dana,
    }));
  } catch (error) {
    // Another `demo` run created it between our look and our insert: theirs stands.
    const raced = await findOrgBySlug({ store, clock }, DEMO_SLUG);
    if (error instanceof WorkstreamError && error.code === 'DUPLICATE' && raced)
      return summary(store, raced.id, false);
    throw error;
  }
  await ws.addMember({ orgId, ...DEMO_MEMBERS.sam });
  await ws.addMember({ orgId, ...DEMO_MEMBERS.priya });
  const actor: Actor = { orgId, memberId: adminId };
  await loadHistory(ws, actor, clock, now);

  const refs = new Map<string, string>();
  const step = (20 * DAY_MS) / LEADS.length;
  for (const [index, lead] of LEADS.entries()) {
    const planned = start.getTime() + index * step;
    if (clock.now().getTime() < planned) clock.set(new Date(planned));
    const candidateId = await enter(ws, actor, clock, lead, now);
    if (candidateId && lead.ref) refs.set(lead.ref, candidateId);
    if (candidateId) await progress(ws, actor, clock, lead, candidateId, refs, now);
  }
  return summary(store, orgId, true);
}

/** Records the lead as a signal (accepted, dismissed or left new) or a candidate; the candidate id if any. */
async function enter(
  ws: Workstream,
  actor: Actor,
  clock: ManualClock,
  lead: Lead,
  now: Date,
): Promise<string | null> {
  const details = {
    priority: lead.priority,
    ...(lead.owner ? { assignee: DEMO_MEMBERS[lead.owner].email } : {}),
    ...(lead.due === undefined ? {} : { dueAt: new Date(now.getTime() + lead.due * DAY_MS).toISOString() }),
    ...(lead.value === undefined ? {} : { estimatedValue: lead.value }),
    tags: [...lead.tags],
  };
  if (!lead.source) {
    const candidate = await ws.createCandidate(actor, {
      title: lead.title,
      accountName: lead.account,
      accountDomain: lead.domain,
      ...(lead.ref ? { opportunityRef: lead.ref } : {}),
      ...details,
    });
    return candidate.id;
  }
  const { signal } = await ws.createSignal(actor, {
    source: lead.source,
    externalRef: lead.ref ?? `${lead.domain}/${lead.title.toLowerCase().replace(/\W+/g, '-')}`,
    kind: SIGNAL_KINDS[lead.source],
    title: lead.title,
    accountName: lead.account,
    accountDomain: lead.domain,
    ...(lead.ref ? { opportunityRef: lead.ref } : {}),
    summary: `${lead.account}: ${lead.title}.`,
    receivedAt: clock.now().toISOString(),
  });
  clock.advance({ hours: 2 });
  if (lead.plan === 'signal:new') return null;
  if (lead.plan === 'signal:dismissed') {
    await ws.dismissSignal(actor, {
      signalId: signal.id,
      reason: 'Outside our service area; not a fit this year.',
    });
    return null;
  }
  const { candidate } = await ws.acceptSignal(actor, { signalId: signal.id, ...details });
  return candidate.id;
}

async function progress(
  ws: Workstream,
  actor: Actor,
  clock: ManualClock,
  lead: Lead,
  candidateId: string,
  refs: ReadonlyMap<string, string>,
  now: Date,
): Promise<void> {
  const later = (hours = 3) => clock.advance({ hours });
  const [stage = '', state = ''] = lead.plan.split(':');
  if (lead.plan === 'candidate:new') return;
  if (lead.plan === 'candidate:merged') {
    const into = refs.get(lead.mergeInto ?? '');
    if (!into) throw new Error(`demo data: ${lead.title} merges into unknown ${lead.mergeInto}`);
    await ws.mergeCandidate(actor, { candidateId, intoId: into });
    return;
  }
  later();
  await ws.logTouch(actor, {
    candidateId,
    kind: 'call',
    summary: `Intro call with ${lead.account}: scope and timeline.`,
  });
  if (lead.plan === 'candidate:contacted') return;
  if (lead.plan === 'candidate:disqualified' || lead.plan === 'candidate:reopened') {
    later();
    await ws.disqualifyCandidate(actor, {
      candidateId,
      reason: 'no_budget',
      note: 'No budget until next fiscal year.',
    });
    if (lead.plan === 'candidate:reopened') {
      later(48);
      await ws.reopenCandidate(actor, { candidateId, reason: 'Budget freed up after their board meeting.' });
    }
    return;
  }
  later();
  await ws.logTouch(actor, {
    candidateId,
    kind: 'meeting',
    summary: 'Discovery meeting: requirements, incumbents, decision process.',
  });
  await ws.qualifyCandidate(actor, { candidateId, note: 'Budget confirmed; decision this quarter.' });
  if (stage === 'candidate') return;

  later();
  const { pursuit } = await ws.promoteCandidate(actor, {
    candidateId,
    ...(lead.due === undefined ? {} : { dueAt: new Date(now.getTime() + lead.due * DAY_MS).toISOString() }),
  });
  const pursuitId = pursuit.id;
  // A win probability by how far it has come, so the weighted pipeline has figures.
  await ws.updatePursuit(actor, { pursuitId, probability: PROBABILITY[state] ?? 50 });
  if (state === 'capture') return;
  later();
  if (state === 'no_bid') {
    await ws.decideNoBid(actor, {
      pursuitId,
      reason: 'Incumbent has a five-year framework; low win probability.',
    });
    return;
  }
  if (state === 'on_hold') {
    await ws.holdPursuit(actor, {
      pursuitId,
      reason: 'Customer paused the procurement pending a budget review.',
    });
    return;
  }
  await ws.decideBid(actor, {
    pursuitId,
    reason: 'Strong fit and a relationship with the sponsor.',
  });
  if (state === 'cancelled') {
    later(24);
    await ws.cancelPursuit(actor, { pursuitId, reason: 'Customer withdrew the opportunity.' });
    return;
  }
  const pink = DEFAULT_CHECKLIST_TEMPLATES.pink;
  const pinkDone = state === 'proposal' ? pink.slice(0, 2) : pink.filter((item) => item.required);
  for (const item of pinkDone) {
    later(2);
    await ws.setChecklistItem(actor, { pursuitId, checklist: 'pink', itemKey: item.key, state: 'done' });
  }
  later();
  await ws.addProposalVersion(actor, {
    pursuitId,
    title: `${lead.title}: technical and price volumes, v1`,
    documentUrl: `https://docs.demo.example/${lead.domain}/proposal-v1.pdf`,
    ...(lead.value === undefined ? {} : { amount: lead.value }),
  });
  if (state === 'proposal') return;
  later();
  await ws.submitPursuit(actor, { pursuitId });
  if (state === 'submitted') {
    later(24);
    await ws.logFollowUp(actor, { pursuitId, summary: 'Confirmed receipt with the contracting officer.' });
    return;
  }
  for (const item of DEFAULT_CHECKLIST_TEMPLATES.red.filter((entry) => entry.required)) {
    later(2);
    await ws.setChecklistItem(actor, { pursuitId, checklist: 'red', itemKey: item.key, state: 'done' });
  }
  later(24);
  if (state === 'won') {
    await ws.markWon(actor, {
      pursuitId,
      awardAmount: lead.value ?? 100_000,
      note: 'Three-year contract with two option years.',
    });
  } else {
    await ws.markLost(actor, { pursuitId, lossReason: 'Price: 12% above the winning bid.' });
  }
}

async function summary(store: Store, orgId: string, created: boolean): Promise<DemoLoaded> {
  const count = async (table: 'signals' | 'candidates' | 'pursuits') => {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    created,
    orgId,
    slug: DEMO_SLUG,
    actorEmail: DEMO_ACTOR,
    counts: {
      signals: await count('signals'),
      candidates: await count('candidates'),
      pursuits: await count('pursuits'),
    },
  };
}
