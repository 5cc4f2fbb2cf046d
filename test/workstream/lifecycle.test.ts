import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/databases.js';
import { refusal, type TestOrg, testOrg } from '../support/workstream.js';

const PINK = ['compliance_matrix', 'win_themes', 'pricing_strategy', 'solution_review', 'executive_summary'];
const RED = ['evaluator_scoring', 'final_price_approval', 'lessons_captured'];

let refs = 0;
const ref = () => `RFP-${process.pid}-${++refs}`;

describeEachDialect('the lifecycle', ({ store }) => {
  let org: TestOrg;

  beforeAll(async () => {
    org = await testOrg(store());
    await org.ws.registerWebhook(org.actor, { url: 'https://hooks.example.com/all' });
  });

  /** A qualified candidate, the usual starting point of the pursuit branches. */
  async function qualified(account = `Acme ${ref()}`) {
    const { ws, actor } = org;
    const candidate = await ws.createCandidate(actor, {
      title: `${account} bid`,
      accountName: account,
      opportunityRef: ref(),
    });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
    return ws.qualifyCandidate(actor, { candidateId: candidate.id });
  }

  async function pursuitIn(state: 'capture' | 'proposal' | 'submitted') {
    const { ws, actor } = org;
    const candidate = await qualified();
    const { pursuit } = await ws.promoteCandidate(actor, { candidateId: candidate.id });
    if (state === 'capture') return pursuit;
    await ws.decideBid(actor, { pursuitId: pursuit.id });
    if (state === 'proposal') return ws.getPursuit(actor, { pursuitId: pursuit.id });
    await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v1' });
    for (const itemKey of PINK)
      await ws.setChecklistItem(actor, { pursuitId: pursuit.id, checklist: 'pink', itemKey, state: 'done' });
    return ws.submitPursuit(actor, { pursuitId: pursuit.id });
  }

  async function completeRed(pursuitId: string) {
    for (const itemKey of RED)
      await org.ws.setChecklistItem(org.actor, { pursuitId, checklist: 'red', itemKey, state: 'done' });
  }

  async function eventTypes(id: string): Promise<string[]> {
    const page = await org.ws.getHistory(org.actor, { id, limit: 100 });
    return page.items.map((event) => event.type);
  }

  async function outboxTypes(entityId: string): Promise<string[]> {
    const rows = await store()
      .db.selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_id')
      .select(['events.type', 'outbox.destination', 'outbox.payload_json'])
      .where('events.entity_id', '=', entityId)
      .orderBy('events.id')
      .execute();
    for (const row of rows) {
      expect(row.destination).toMatch(/^webhook:whk_/);
      expect(row.payload_json).toMatchObject({ entityId, type: row.type });
    }
    return rows.map((row) => row.type);
  }

  it('runs signal → candidate → contacted → qualified → pursuit → bid → pink → submitted → red → won', async () => {
    const { ws, actor, clock } = org;
    const { signal, created } = await ws.createSignal(actor, {
      source: 'sam.gov',
      externalRef: ref(),
      kind: 'rfp_notice',
      title: 'Fleet telematics RFP',
      accountName: 'City of Springfield',
      accountDomain: 'springfield.gov',
    });
    expect(created).toBe(true);
    expect(signal.state).toBe('new');

    const accepted = await ws.acceptSignal(actor, {
      signalId: signal.id,
      priority: 'high',
      tags: ['Public Sector', 'fleet'],
    });
    expect(accepted.signal.state).toBe('accepted');
    expect(accepted.signal.candidateId).toBe(accepted.candidate.id);
    const candidateId = accepted.candidate.id;
    expect(accepted.candidate).toMatchObject({
      state: 'new',
      priority: 'high',
      tags: ['fleet', 'public sector'],
    });

    clock.advance({ hours: 2 });
    const touched = await ws.logTouch(actor, {
      candidateId,
      kind: 'email',
      summary: 'Sent capability statement',
    });
    expect(touched.state).toBe('contacted');
    expect(touched.firstTouchAt).toBe(clock.now().toISOString());
    const again = await ws.logTouch(actor, { candidateId, kind: 'call', summary: 'Follow-up call' });
    expect(again.state).toBe('contacted');
    expect(again.firstTouchAt).toBe(touched.firstTouchAt);

    expect((await ws.qualifyCandidate(actor, { candidateId })).state).toBe('qualified');
    const { pursuit, created: pursuitCreated } = await ws.promoteCandidate(actor, {
      candidateId,
      dueAt: '2026-04-01T17:00:00Z',
    });
    expect(pursuitCreated).toBe(true);
    expect(pursuit).toMatchObject({
      state: 'capture',
      candidateId,
      priority: 'high',
      tags: ['fleet', 'public sector'],
      dueAt: '2026-04-01T17:00:00.000Z',
    });
    expect(pursuit.checklists.map((c) => [c.kind, c.completion.percent])).toEqual([
      ['pink', 0],
      ['red', 0],
    ]);
    expect((await ws.getCandidate(actor, { candidateId })).pursuitId).toBe(pursuit.id);

    const pursuitId = pursuit.id;
    expect((await ws.decideBid(actor, { pursuitId })).state).toBe('proposal');
    const withVersion = await ws.addProposalVersion(actor, {
      pursuitId,
      title: 'Technical volume v1',
      amount: 480000,
    });
    expect(withVersion.proposalVersions).toMatchObject([{ number: 1, state: 'draft', amount: 480000 }]);

    for (const itemKey of PINK.slice(0, 3))
      await ws.setChecklistItem(actor, { pursuitId, checklist: 'pink', itemKey, state: 'done' });
    const gate = await refusal(ws.submitPursuit(actor, { pursuitId }));
    expect(gate).toMatchObject({
      code: 'GUARD_FAILED',
      gate: 'pink_checklist',
      missing: [
        { key: 'solution_review', label: 'Solution reviewed by the technical lead' },
        { key: 'executive_summary', label: 'Executive summary drafted' },
      ],
      completion: { done: 3, total: 6, percent: 50 },
    });
    expect(gate.message).toBe(
      'pink checklist 3/6 done (50%): items `solution_review`, `executive_summary` are open.',
    );
    expect(gate.nextStep).toContain('set_checklist_item');

    await ws.setChecklistItem(actor, {
      pursuitId,
      checklist: 'pink',
      itemKey: 'solution_review',
      state: 'done',
    });
    await ws.setChecklistItem(actor, {
      pursuitId,
      checklist: 'pink',
      itemKey: 'executive_summary',
      state: 'n_a',
      note: 'Customer forbids summaries',
    });
    const submitted = await ws.submitPursuit(actor, { pursuitId });
    expect(submitted.state).toBe('submitted');
    expect(submitted.proposalVersions[0]).toMatchObject({ state: 'sent', sentAt: clock.now().toISOString() });

    await ws.logFollowUp(actor, { pursuitId, summary: 'Confirmed receipt with the buyer' });
    expect(await refusal(ws.markWon(actor, { pursuitId, awardAmount: 450000 }))).toMatchObject({
      code: 'GUARD_FAILED',
      gate: 'red_checklist',
    });
    await completeRed(pursuitId);
    expect(await refusal(ws.markWon(actor, { pursuitId, awardAmount: 0 }))).toMatchObject({
      code: 'VALIDATION',
      field: 'awardAmount',
    });
    const won = await ws.markWon(actor, { pursuitId, awardAmount: 450000 });
    expect(won).toMatchObject({ state: 'won', awardAmount: 450000, allowedActions: ['update_pursuit'] });
    expect(won.closedAt).toBe(clock.now().toISOString());

    expect(await eventTypes(signal.id)).toEqual(['signal.created', 'signal.accepted']);
    expect(await eventTypes(candidateId)).toEqual([
      'candidate.created',
      'candidate.touched',
      'candidate.touched',
      'candidate.qualified',
      'candidate.promoted',
    ]);
    const pursuitEvents = [
      'pursuit.created',
      'pursuit.bid',
      'pursuit.proposal_version_added',
      ...Array(5).fill('pursuit.checklist_item_set'),
      'pursuit.submitted',
      'pursuit.followed_up',
      ...Array(3).fill('pursuit.checklist_item_set'),
      'pursuit.won',
    ];
    expect(await eventTypes(pursuitId)).toEqual(pursuitEvents);
    // One webhook delivery per event, written with it.
    expect(await outboxTypes(pursuitId)).toEqual(pursuitEvents);
    expect(await outboxTypes(candidateId)).toEqual(await eventTypes(candidateId));

    const history = await ws.getHistory(actor, { id: pursuitId, limit: 100 });
    expect(history.items.at(-1)).toMatchObject({
      type: 'pursuit.won',
      from: 'submitted',
      to: 'won',
      actorId: actor.memberId,
    });
  });

  it('marks a submitted pursuit lost with a reason once the red checklist is complete', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('submitted');
    await completeRed(pursuit.id);
    expect(await refusal(ws.markLost(actor, { pursuitId: pursuit.id, lossReason: '  ' }))).toMatchObject({
      code: 'VALIDATION',
      field: 'lossReason',
    });
    const lost = await ws.markLost(actor, {
      pursuitId: pursuit.id,
      lossReason: 'Price 12% above the winner',
    });
    expect(lost).toMatchObject({ state: 'lost', lossReason: 'Price 12% above the winner' });
    expect((await eventTypes(pursuit.id)).at(-1)).toBe('pursuit.lost');
  });

  it('declines to bid from capture or proposal, with a reason', async () => {
    const { ws, actor } = org;
    const capture = await pursuitIn('capture');
    // @ts-expect-error: the reason is missing on purpose
    expect(await refusal(ws.decideNoBid(actor, { pursuitId: capture.id }))).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
    expect(
      await ws.decideNoBid(actor, { pursuitId: capture.id, reason: 'Incumbent locked in' }),
    ).toMatchObject({
      state: 'no_bid',
      closeReason: 'Incumbent locked in',
    });
    const proposal = await pursuitIn('proposal');
    expect((await ws.decideNoBid(actor, { pursuitId: proposal.id, reason: 'Scope changed' })).state).toBe(
      'no_bid',
    );
  });

  it('cancels an open pursuit and refuses anything after', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('submitted');
    expect(
      (await ws.cancelPursuit(actor, { pursuitId: pursuit.id, reason: 'Buyer withdrew the RFP' })).state,
    ).toBe('cancelled');
    const after = await refusal(ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v2' }));
    expect(after).toMatchObject({ code: 'INVALID_TRANSITION', state: 'cancelled', allowed: [] });
  });

  it('holds a pursuit and resumes it where it was', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('proposal');
    const held = await ws.holdPursuit(actor, { pursuitId: pursuit.id, reason: 'Budget freeze until Q3' });
    expect(held).toMatchObject({ state: 'on_hold', heldFromState: 'proposal' });
    expect(await refusal(ws.submitPursuit(actor, { pursuitId: pursuit.id }))).toMatchObject({
      code: 'INVALID_TRANSITION',
      state: 'on_hold',
      allowed: [
        { action: 'resume_pursuit', to: 'proposal' },
        { action: 'cancel_pursuit', to: 'cancelled' },
      ],
    });
    expect(await ws.resumePursuit(actor, { pursuitId: pursuit.id })).toMatchObject({
      state: 'proposal',
      heldFromState: null,
    });
  });

  it('re-sends a revised proposal while submitted, superseding the one sent before', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('submitted');
    expect(await refusal(ws.sendProposalVersion(actor, { pursuitId: pursuit.id }))).toMatchObject({
      code: 'GUARD_FAILED',
      gate: 'proposal_version',
    });
    await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v2 after clarifications' });
    const resent = await ws.sendProposalVersion(actor, { pursuitId: pursuit.id });
    expect(resent.proposalVersions.map((v) => [v.number, v.state])).toEqual([
      [1, 'superseded'],
      [2, 'sent'],
    ]);
  });

  it('disqualifies with a reason and reopens to contacted', async () => {
    const { ws, actor } = org;
    const candidate = await ws.createCandidate(actor, { title: 'Globex', accountName: `Globex ${ref()}` });
    expect(
      await refusal(ws.disqualifyCandidate(actor, { candidateId: candidate.id, reason: ' ' })),
    ).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    const out = await ws.disqualifyCandidate(actor, {
      candidateId: candidate.id,
      reason: 'no_budget',
      note: 'FY27 at the earliest',
    });
    expect(out).toMatchObject({
      state: 'disqualified',
      disqualifyReason: 'no_budget',
      allowedActions: ['reopen_candidate', 'update_candidate'],
    });
    const back = await ws.reopenCandidate(actor, { candidateId: candidate.id, reason: 'Budget found' });
    expect(back).toMatchObject({ state: 'contacted', disqualifyReason: null });
    expect(await eventTypes(candidate.id)).toEqual([
      'candidate.created',
      'candidate.disqualified',
      'candidate.reopened',
    ]);
  });

  it('merges a candidate into another open one, moving activities, tags, signals and history', async () => {
    const { ws, actor } = org;
    const { signal } = await ws.createSignal(actor, {
      source: 'web',
      externalRef: ref(),
      title: 'Contact form',
      accountName: `Initech ${ref()}`,
    });
    const { candidate: from } = await ws.acceptSignal(actor, { signalId: signal.id, tags: ['inbound'] });
    await ws.logTouch(actor, { candidateId: from.id, kind: 'call', summary: 'Called back' });
    const into = await ws.createCandidate(actor, {
      title: 'Initech platform',
      accountName: `Initech ${ref()}`,
      tags: ['platform'],
    });

    expect(await refusal(ws.mergeCandidate(actor, { candidateId: from.id, intoId: from.id }))).toMatchObject({
      code: 'VALIDATION',
      field: 'intoId',
    });
    const merged = await ws.mergeCandidate(actor, { candidateId: from.id, intoId: into.id });
    expect(merged).toMatchObject({ id: into.id, tags: ['inbound', 'platform'] });
    expect(await ws.getCandidate(actor, { candidateId: from.id })).toMatchObject({
      state: 'merged',
      mergedIntoId: into.id,
    });
    expect((await ws.getSignal(actor, { signalId: signal.id })).candidateId).toBe(into.id);
    const activities = await store()
      .db.selectFrom('activities')
      .select('entity_id')
      .where('summary', '=', 'Called back')
      .execute();
    expect(activities).toEqual([{ entity_id: into.id }]);
    // The target's history now reads both candidates' events in time order.
    expect(await eventTypes(into.id)).toEqual([
      'candidate.created',
      'candidate.touched',
      'candidate.created',
      'candidate.merged',
      'candidate.absorbed',
    ]);
  });

  it('dismisses a signal with a reason, and refuses to accept it afterwards', async () => {
    const { ws, actor } = org;
    const { signal } = await ws.createSignal(actor, {
      source: 'news',
      externalRef: ref(),
      title: 'Acme expands to Ohio',
    });
    const dismissed = await ws.dismissSignal(actor, { signalId: signal.id, reason: 'Not our market' });
    expect(dismissed).toMatchObject({ state: 'dismissed', dismissReason: 'Not our market' });
    const refused = await refusal(ws.acceptSignal(actor, { signalId: signal.id, accountName: 'Acme' }));
    expect(refused).toMatchObject({
      code: 'INVALID_TRANSITION',
      entity: 'signal',
      state: 'dismissed',
      allowed: [],
    });
    expect(refused.message).toBe(`signal ${signal.id} is \`dismissed\`, which is final.`);
  });

  it('refuses to accept a signal with no account unless one is given', async () => {
    const { ws, actor } = org;
    const { signal } = await ws.createSignal(actor, {
      source: 'news',
      externalRef: ref(),
      title: 'Rumour of an RFP',
    });
    expect(await refusal(ws.acceptSignal(actor, { signalId: signal.id }))).toMatchObject({
      code: 'VALIDATION',
      field: 'accountName',
    });
    expect(
      (await ws.acceptSignal(actor, { signalId: signal.id, accountName: `Hooli ${ref()}` })).candidate.state,
    ).toBe('new');
  });

  it('links an accepted signal to an existing candidate instead of creating one', async () => {
    const { ws, actor } = org;
    const candidate = await ws.createCandidate(actor, {
      title: 'Umbrella',
      accountName: `Umbrella ${ref()}`,
    });
    const { signal } = await ws.createSignal(actor, {
      source: 'referral',
      externalRef: ref(),
      title: 'Referral from a partner',
    });
    const linked = await ws.acceptSignal(actor, { signalId: signal.id, candidateId: candidate.id });
    expect(linked).toMatchObject({
      candidateCreated: false,
      candidate: { id: candidate.id },
      signal: { candidateId: candidate.id },
    });
  });

  describe('refusals', () => {
    it('name the next step when promoting a candidate that is not qualified', async () => {
      const { ws, actor } = org;
      const candidate = await ws.createCandidate(actor, {
        title: 'Soylent',
        accountName: `Soylent ${ref()}`,
      });
      const refused = await refusal(ws.promoteCandidate(actor, { candidateId: candidate.id }));
      expect(refused).toMatchObject({
        code: 'INVALID_TRANSITION',
        entity: 'candidate',
        id: candidate.id,
        state: 'new',
        action: 'promote_candidate',
      });
      expect(refused.message).toBe(
        `candidate ${candidate.id} is \`new\`; it can only be promoted from \`qualified\`.`,
      );
      expect(refused.nextStep).toMatch(/log_touch/);
    });

    it('refuse a stale expectedVersion with CONFLICT and the current version', async () => {
      const { ws, actor } = org;
      const candidate = await ws.createCandidate(actor, {
        title: 'Vandelay',
        accountName: `Vandelay ${ref()}`,
      });
      await ws.updateCandidate(actor, {
        candidateId: candidate.id,
        priority: 'urgent',
        expectedVersion: candidate.version,
      });
      const refused = await refusal(
        ws.updateCandidate(actor, {
          candidateId: candidate.id,
          priority: 'low',
          expectedVersion: candidate.version,
        }),
      );
      expect(refused).toMatchObject({
        code: 'CONFLICT',
        expectedVersion: candidate.version,
        actualVersion: candidate.version + 1,
      });
    });

    it('name the field of malformed input', async () => {
      const { ws, actor } = org;
      // @ts-expect-error: externalRef is missing on purpose
      expect(await refusal(ws.createSignal(actor, { source: 'x', title: 'no ref' }))).toMatchObject({
        code: 'VALIDATION',
        field: 'externalRef',
      });
      expect(
        await refusal(ws.promoteCandidate(actor, { candidateId: 'pur_01ARYZ6S410000000000000000' })),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'candidateId',
      });
      expect(
        await refusal(
          // @ts-expect-error: not a priority, on purpose
          ws.updateCandidate(actor, { candidateId: 'cand_01ARYZ6S410000000000000000', priority: 'asap' }),
        ),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'priority',
      });
    });

    it('refuse an n_a checklist item without a note, and an unknown item by listing the keys', async () => {
      const { ws, actor } = org;
      const pursuit = await pursuitIn('capture');
      expect(
        await refusal(
          ws.setChecklistItem(actor, {
            pursuitId: pursuit.id,
            checklist: 'pink',
            itemKey: 'win_themes',
            state: 'n_a',
          }),
        ),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'note',
      });
      const unknown = await refusal(
        ws.setChecklistItem(actor, {
          pursuitId: pursuit.id,
          checklist: 'red',
          itemKey: 'nope',
          state: 'done',
        }),
      );
      expect(unknown).toMatchObject({ code: 'NOT_FOUND', entity: 'checklist_item' });
      expect(unknown.nextStep).toContain('evaluator_scoring');
    });

    it('refuse a viewer any change but let them read', async () => {
      const { ws, orgId } = org;
      const { memberId } = await ws.addMember({
        orgId,
        email: `viewer-${ref()}@example.com`,
        name: 'Vic Viewer',
        role: 'viewer',
      });
      const viewer = { orgId, memberId };
      expect(await refusal(ws.createCandidate(viewer, { title: 'x', accountName: 'x' }))).toMatchObject({
        code: 'FORBIDDEN',
      });
      const page = await ws.listCandidates(viewer, { limit: 1 });
      expect(page.items).toHaveLength(1);
    });
  });
});
