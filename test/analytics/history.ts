/**
 * A known history for the analytics tests, built through the lifecycle commands with the
 * injected clock: two quarters of signals, candidates and pursuits with a hold and resume, a
 * disqualification and reopening, a merge that brings an earlier signal along, a proposal
 * withdrawal and resend, a win, a loss, a no-bid and a cancellation. Every figure the tests
 * expect is worked out by hand in analytics.test.ts from the times below.
 */
import type { Store } from '../../src/store/connect.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

const PINK = ['compliance_matrix', 'win_themes', 'pricing_strategy', 'solution_review', 'executive_summary'];
const RED = ['evaluator_scoring', 'final_price_approval', 'lessons_captured'];

export const NOW = '2026-06-30T09:00:00.000Z';

export interface KnownHistory {
  readonly org: TestOrg;
  readonly ada: string;
  readonly bob: string;
  readonly ids: Record<string, string>;
}

export async function buildKnownHistory(store: Store): Promise<KnownHistory> {
  const org = await testOrg(store, new Date('2026-01-01T00:00:00.000Z'));
  const { ws, actor, clock } = org;
  const at = (iso: string) => clock.set(`2026-${iso}:00.000Z`);
  const ada = actor.memberId;
  const slug = (
    await store.db.selectFrom('orgs').select('slug').where('id', '=', org.orgId).executeTakeFirstOrThrow()
  ).slug;
  const adaEmail = `admin@${slug}.test`;
  const bobEmail = `bob@${slug}.test`;
  const { memberId: bob } = await ws.addMember({ orgId: org.orgId, email: bobEmail, name: 'Bob' });
  // Calendar-time targets, so due times are start + target (+ time paused).
  for (const priority of ['any', 'high', 'low'] as const)
    await ws.setSlaPolicy(actor, { kind: 'triage', priority, targetHours: 20, businessHours: false });
  await ws.setSlaPolicy(actor, { kind: 'proposal', targetHours: 200, businessHours: false });

  const ids: Record<string, string> = {};
  let n = 0;
  const signal = async (name: string, source: string, when: string) => {
    at(when);
    const { signal: s } = await ws.createSignal(actor, {
      source,
      externalRef: `${name}-${++n}`,
      kind: 'rfp_notice',
      title: `${name} notice`,
      accountName: `${name} Inc`,
    });
    ids[name] = s.id;
    return s.id;
  };
  const accept = async (sig: string, name: string, when: string, extra: Record<string, unknown>) => {
    at(when);
    const { candidate } = await ws.acceptSignal(actor, {
      signalId: sig,
      opportunityRef: `${name}-opp`,
      ...extra,
    });
    ids[name] = candidate.id;
    return candidate.id;
  };
  const direct = async (name: string, when: string, extra: Record<string, unknown>) => {
    at(when);
    const candidate = await ws.createCandidate(actor, {
      title: `${name} bid`,
      accountName: `${name} Inc`,
      opportunityRef: `${name}-opp`,
      ...extra,
    });
    ids[name] = candidate.id;
    return candidate.id;
  };
  const touch = async (candidateId: string, when: string) => {
    at(when);
    await ws.logTouch(actor, { candidateId, kind: 'call', summary: 'call' });
  };
  const qualify = async (candidateId: string, when: string) => {
    at(when);
    await ws.qualifyCandidate(actor, { candidateId });
  };
  const promote = async (candidateId: string, name: string, when: string) => {
    at(when);
    const { pursuit } = await ws.promoteCandidate(actor, { candidateId });
    ids[name] = pursuit.id;
    return pursuit.id;
  };
  const items = async (pursuitId: string, checklist: 'pink' | 'red', keys: string[]) => {
    for (const itemKey of keys)
      await ws.setChecklistItem(actor, { pursuitId, checklist, itemKey, state: 'done' });
  };
  const submit = async (pursuitId: string, when: string) => {
    at(when);
    await ws.addProposalVersion(actor, { pursuitId, title: 'v1' });
    await items(pursuitId, 'pink', PINK);
    await ws.submitPursuit(actor, { pursuitId });
  };

  // Q1 ----------------------------------------------------------------------------------------
  const s1 = await signal('S1', 'sam.gov', '01-05T09:00');
  const c1 = await accept(s1, 'C1', '01-05T10:00', {
    assignee: adaEmail,
    priority: 'high',
    estimatedValue: 100000,
    tags: ['federal'],
  });
  const s2 = await signal('S2', 'sam.gov', '01-10T09:00');
  at('01-10T12:00');
  await ws.dismissSignal(actor, { signalId: s2, reason: 'out of scope' });
  const s5 = await signal('S5', 'news', '01-20T09:00');
  const c5 = await accept(s5, 'C5', '01-20T10:00', { assignee: bobEmail });
  const s3 = await signal('S3', 'referral', '02-01T08:00');
  const c2 = await accept(s3, 'C2', '02-01T09:00', {
    assignee: bobEmail,
    estimatedValue: 50000,
    tags: ['state'],
  });

  await touch(c1, '01-06T10:00');
  await touch(c1, '01-07T10:00'); // a second touch: contacted stays contacted
  await qualify(c1, '01-08T10:00');
  const p1 = await promote(c1, 'P1', '01-09T10:00');
  await ws.updatePursuit(actor, { pursuitId: p1, probability: 50 });
  at('01-12T10:00');
  await ws.decideBid(actor, { pursuitId: p1 });
  at('01-14T10:00');
  await ws.holdPursuit(actor, { pursuitId: p1, reason: 'customer paused the tender' });
  at('01-16T10:00');
  await ws.resumePursuit(actor, { pursuitId: p1 });
  await submit(p1, '01-20T10:00');
  at('01-22T10:00');
  const sent = (await ws.getPursuit(actor, { pursuitId: p1 })).proposalVersions.find(
    (v) => v.state === 'sent',
  );
  await ws.withdrawProposalVersion(actor, {
    pursuitId: p1,
    versionId: sent?.id ?? '',
    reason: 'pricing error',
  });
  at('01-23T10:00');
  await ws.addProposalVersion(actor, { pursuitId: p1, title: 'v2' });
  await ws.sendProposalVersion(actor, { pursuitId: p1 });

  await touch(c2, '02-02T09:00');
  at('02-03T09:00');
  await ws.disqualifyCandidate(actor, { candidateId: c2, reason: 'no_budget' });
  at('02-05T09:00');
  await ws.reopenCandidate(actor, { candidateId: c2, reason: 'budget found' });

  const c3 = await direct('C3', '02-10T09:00', {
    assignee: adaEmail,
    priority: 'low',
    estimatedValue: 20000,
    tags: ['federal'],
  });
  await touch(c3, '02-11T09:00');
  await qualify(c3, '02-12T09:00');
  const p3 = await promote(c3, 'P3', '02-13T09:00');
  at('02-14T09:00');
  await ws.decideNoBid(actor, { pursuitId: p3, reason: 'no_fit' });

  at('02-16T09:00');
  await ws.mergeCandidate(actor, { candidateId: c5, intoId: c2 });
  await qualify(c2, '02-17T09:00');
  const p2 = await promote(c2, 'P2', '02-18T09:00');
  await ws.updatePursuit(actor, { pursuitId: p2, probability: 40 });
  at('02-20T09:00');
  await ws.decideBid(actor, { pursuitId: p2 });
  await submit(p2, '02-25T09:00');

  at('03-02T10:00');
  await items(p1, 'red', RED);
  await ws.markWon(actor, { pursuitId: p1, awardAmount: 90000 });

  // Q2 ----------------------------------------------------------------------------------------
  const s4 = await signal('S4', 'website', '04-01T08:00');
  const c4 = await accept(s4, 'C4', '04-01T09:00', { assignee: adaEmail, estimatedValue: 80000 });
  await touch(c4, '04-01T21:00');
  await qualify(c4, '04-03T09:00');
  const p4 = await promote(c4, 'P4', '04-06T09:00');
  await ws.updatePursuit(actor, { pursuitId: p4, probability: 25, dueAt: '2026-07-15T12:00:00Z' });
  at('04-08T09:00');
  await ws.decideBid(actor, { pursuitId: p4 });
  at('04-09T09:00');
  await ws.holdPursuit(actor, { pursuitId: p4, reason: 'waiting on the amendment' });

  at('04-10T09:00');
  await items(p2, 'red', RED);
  await ws.markLost(actor, { pursuitId: p2, lossReason: 'price' });

  const c6 = await direct('C6', '05-04T09:00', {
    assignee: bobEmail,
    estimatedValue: 30000,
    tags: ['state'],
  });
  await touch(c6, '05-05T09:00');
  await qualify(c6, '05-06T09:00');
  const p6 = await promote(c6, 'P6', '05-07T09:00');
  at('05-20T09:00');
  await ws.cancelPursuit(actor, { pursuitId: p6, reason: 'customer_cancelled' });

  await direct('C7', '05-10T09:00', { assignee: adaEmail });
  const c8 = await direct('C8', '05-11T09:00', { assignee: adaEmail });
  at('05-12T09:00');
  await ws.disqualifyCandidate(actor, { candidateId: c8, reason: 'no_budget' });

  const c9 = await direct('C9', '06-01T09:00', { assignee: bobEmail, estimatedValue: 10000 });
  await touch(c9, '06-02T09:00');
  await qualify(c9, '06-03T09:00');
  await promote(c9, 'P9', '06-04T09:00');

  clock.set(NOW);
  return { org, ada, bob, ids: { ...ids, adaEmail, bobEmail } };
}
