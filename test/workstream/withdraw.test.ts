import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/databases.js';
import { refusal, type TestOrg, testOrg } from '../support/workstream.js';

const PINK = ['compliance_matrix', 'win_themes', 'pricing_strategy', 'solution_review', 'executive_summary'];

let refs = 0;
const ref = () => `WD-${process.pid}-${++refs}`;

describeEachDialect('withdrawing a proposal version', ({ store }) => {
  let org: TestOrg;

  beforeAll(async () => {
    org = await testOrg(store());
  });

  async function pursuitIn(state: 'proposal' | 'submitted') {
    const { ws, actor } = org;
    const account = `Withdraw ${ref()}`;
    const candidate = await ws.createCandidate(actor, { title: `${account} bid`, accountName: account });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
    await ws.qualifyCandidate(actor, { candidateId: candidate.id });
    const { pursuit } = await ws.promoteCandidate(actor, { candidateId: candidate.id });
    await ws.decideBid(actor, { pursuitId: pursuit.id });
    const withDraft = await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v1' });
    if (state === 'proposal') return withDraft;
    for (const itemKey of PINK)
      await ws.setChecklistItem(actor, { pursuitId: pursuit.id, checklist: 'pink', itemKey, state: 'done' });
    return ws.submitPursuit(actor, { pursuitId: pursuit.id });
  }

  /** A pursuit's proposal version ids, oldest first (a missing one is refused by the command as VALIDATION). */
  const versionIds = (pursuit: { proposalVersions: { id: string }[] }) =>
    pursuit.proposalVersions.map((version) => version.id) as [string, string, string];

  const responseClocks = (pursuitId: string) =>
    store()
      .db.selectFrom('sla_clocks')
      .select('state')
      .where('entity_id', '=', pursuitId)
      .where('kind', '=', 'response')
      .orderBy('created_at')
      .execute();

  it('withdraws a draft, bumping the pursuit and recording why in its history', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('proposal');
    const [versionId] = versionIds(pursuit);

    const after = await ws.withdrawProposalVersion(actor, {
      pursuitId: pursuit.id,
      versionId,
      reason: 'Pricing assumptions changed',
      expectedVersion: pursuit.version,
    });
    expect(after).toMatchObject({ state: 'proposal', version: pursuit.version + 1 });
    expect(after.proposalVersions).toMatchObject([{ id: versionId, number: 1, state: 'withdrawn' }]);
    const history = await ws.getHistory(actor, { id: pursuit.id, limit: 100 });
    expect(history.items.at(-1)).toMatchObject({
      type: 'pursuit.proposal_version_withdrawn',
      reason: 'Pricing assumptions changed',
      data: { versionId, number: 1, reason: 'Pricing assumptions changed' },
    });
    // A withdrawn draft is not one submit_pursuit can send.
    for (const itemKey of PINK)
      await ws.setChecklistItem(actor, { pursuitId: pursuit.id, checklist: 'pink', itemKey, state: 'done' });
    expect(await refusal(ws.submitPursuit(actor, { pursuitId: pursuit.id }))).toMatchObject({
      code: 'GUARD_FAILED',
    });
  });

  it('cancels the response clock when the version sent on a submitted pursuit is withdrawn, not for a draft', async () => {
    const { ws, actor } = org;
    const submitted = await pursuitIn('submitted');
    const [sentId] = versionIds(submitted);
    expect(await responseClocks(submitted.id)).toEqual([{ state: 'running' }]);

    const withDraft = await ws.addProposalVersion(actor, { pursuitId: submitted.id, title: 'v2' });
    const draftId = versionIds(withDraft)[1];
    await ws.withdrawProposalVersion(actor, {
      pursuitId: submitted.id,
      versionId: draftId,
      reason: 'Not needed',
    });
    expect(await responseClocks(submitted.id)).toEqual([{ state: 'running' }]);

    const after = await ws.withdrawProposalVersion(actor, {
      pursuitId: submitted.id,
      versionId: sentId,
      reason: 'Customer asked us to resubmit on the amended RFP',
    });
    expect(after.state).toBe('submitted');
    expect(after.proposalVersions.map((version) => version.state)).toEqual(['withdrawn', 'withdrawn']);
    expect(await responseClocks(submitted.id)).toEqual([{ state: 'cancelled' }]);
    expect((await ws.getSlaClocks(actor, { id: submitted.id })).clocks).toEqual([]);
  });

  it('is refused without a reason, naming the field, and changes nothing', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('proposal');
    const [versionId] = versionIds(pursuit);
    expect(
      // @ts-expect-error: the reason is missing on purpose
      await refusal(ws.withdrawProposalVersion(actor, { pursuitId: pursuit.id, versionId })),
    ).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    expect(
      await refusal(ws.withdrawProposalVersion(actor, { pursuitId: pursuit.id, versionId, reason: '   ' })),
    ).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    const unchanged = await ws.getPursuit(actor, { pursuitId: pursuit.id });
    expect(unchanged).toMatchObject({ version: pursuit.version, proposalVersions: [{ state: 'draft' }] });
  });

  it('is refused on a superseded version with the transitions it allows', async () => {
    const { ws, actor } = org;
    const submitted = await pursuitIn('submitted');
    const [firstId] = versionIds(submitted);
    await ws.addProposalVersion(actor, { pursuitId: submitted.id, title: 'v2' });
    const resent = await ws.sendProposalVersion(actor, { pursuitId: submitted.id });
    expect(resent.proposalVersions.map((version) => version.state)).toEqual(['superseded', 'sent']);

    const failure = await refusal(
      ws.withdrawProposalVersion(actor, { pursuitId: submitted.id, versionId: firstId, reason: 'Too late' }),
    );
    expect(failure).toMatchObject({
      code: 'INVALID_TRANSITION',
      entity: 'proposal_version',
      id: firstId,
      state: 'superseded',
      action: 'withdraw_proposal_version',
      allowed: [],
    });
    expect(failure.nextStep).toContain('add_proposal_version');
  });

  it('is refused as NOT_FOUND for a version of another pursuit, which stays as it was', async () => {
    const { ws, actor } = org;
    const mine = await pursuitIn('proposal');
    const theirs = await pursuitIn('proposal');
    const [theirVersionId] = versionIds(theirs);
    const failure = await refusal(
      ws.withdrawProposalVersion(actor, {
        pursuitId: mine.id,
        versionId: theirVersionId,
        reason: 'Wrong one',
      }),
    );
    expect(failure).toMatchObject({ code: 'NOT_FOUND', entity: 'proposal_version', id: theirVersionId });
    expect(failure.nextStep).toContain(versionIds(mine)[0]);
    expect((await ws.getPursuit(actor, { pursuitId: theirs.id })).proposalVersions).toMatchObject([
      { id: theirVersionId, state: 'draft' },
    ]);
  });

  it('is refused once the pursuit is closed', async () => {
    const { ws, actor } = org;
    const pursuit = await pursuitIn('proposal');
    await ws.cancelPursuit(actor, { pursuitId: pursuit.id, reason: 'Buyer withdrew' });
    expect(
      await refusal(
        ws.withdrawProposalVersion(actor, {
          pursuitId: pursuit.id,
          versionId: versionIds(pursuit)[0],
          reason: 'Tidy up',
        }),
      ),
    ).toMatchObject({ code: 'INVALID_TRANSITION', entity: 'pursuit', state: 'cancelled' });
  });
});
