import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/store/connect.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, snapshot, type TestOrg, testOrg } from '../support/workstream.js';

let refs = 0;
const ref = () => `REF-${process.pid}-${++refs}`;
const FOREIGN_IDS = {
  signalId: 'sig_01ARYZ6S410000000000000000',
  candidateId: 'cand_01ARYZ6S410000000000000000',
  pursuitId: 'pur_01ARYZ6S410000000000000000',
};

describeEachDialect('the lifecycle guarantees', ({ dialect, store, url }) => {
  let org: TestOrg;

  beforeAll(async () => {
    org = await testOrg(store());
    await org.ws.registerWebhook(org.actor, { url: 'https://hooks.example.com/guarantees' });
  });

  async function qualifiedCandidate() {
    const { ws, actor } = org;
    const candidate = await ws.createCandidate(actor, { title: 'Bid', accountName: `Account ${ref()}` });
    await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro' });
    return ws.qualifyCandidate(actor, { candidateId: candidate.id });
  }

  describe('natural keys', () => {
    it('return the first signal, flagged, when the same source and external reference arrive twice', async () => {
      const { ws, actor } = org;
      const input = { source: 'sam.gov', externalRef: ref(), title: 'RFP' };
      const first = await ws.createSignal(actor, input);
      const second = await ws.createSignal(actor, { ...input, title: 'RFP (re-posted)' });
      expect(second).toEqual({ signal: first.signal, created: false });
    });

    it('return the same pursuit when a candidate is promoted twice', async () => {
      const { ws, actor } = org;
      const candidate = await qualifiedCandidate();
      const first = await ws.promoteCandidate(actor, { candidateId: candidate.id });
      const second = await ws.promoteCandidate(actor, { candidateId: candidate.id });
      expect(second.created).toBe(false);
      expect(second.pursuit.id).toBe(first.pursuit.id);
    });

    it('refuse a duplicate open candidate, naming the existing one', async () => {
      const { ws, actor } = org;
      const rfp = ref();
      const first = await ws.createCandidate(actor, {
        title: 'A',
        accountName: 'Wayne Enterprises, Inc.',
        opportunityRef: rfp,
      });
      const refused = await refusal(
        ws.createCandidate(actor, {
          title: 'B',
          accountName: 'wayne enterprises',
          opportunityRef: ` ${rfp.toLowerCase()} `,
        }),
      );
      expect(refused).toMatchObject({ code: 'DUPLICATE', entity: 'candidate', existingId: first.id });
      expect(refused.message).toContain(first.id);
    });

    it('refuse reopening a candidate whose key another open candidate has taken', async () => {
      const { ws, actor } = org;
      const account = `Stark ${ref()}`;
      const old = await ws.createCandidate(actor, { title: 'Old', accountName: account });
      await ws.disqualifyCandidate(actor, { candidateId: old.id, reason: 'no_budget' });
      const fresh = await ws.createCandidate(actor, { title: 'New', accountName: account });
      expect(
        await refusal(ws.reopenCandidate(actor, { candidateId: old.id, reason: 'Budget back' })),
      ).toMatchObject({
        code: 'DUPLICATE',
        existingId: fresh.id,
      });
      expect((await ws.getCandidate(actor, { candidateId: old.id })).state).toBe('disqualified');
    });
  });

  describe('concurrency', () => {
    it('answers 24 concurrent promotions of one candidate with one pursuit', async () => {
      const candidate = await qualifiedCandidate();
      // Separate connections, as separate server processes would have.
      const stores = await Promise.all(
        Array.from({ length: dialect === 'sqlite' ? 1 : 4 }, () => connect(url())),
      );
      try {
        const results = await Promise.all(
          Array.from({ length: 24 }, (_, i) => {
            const ws = createWorkstream(stores[i % stores.length] ?? store(), org.clock);
            return ws.promoteCandidate(org.actor, { candidateId: candidate.id });
          }),
        );
        expect(new Set(results.map((r) => r.pursuit.id)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const pursuits = await store()
          .db.selectFrom('pursuits')
          .select('id')
          .where('candidate_id', '=', candidate.id)
          .execute();
        expect(pursuits).toHaveLength(1);
        const promotedEvents = await store()
          .db.selectFrom('events')
          .select('id')
          .where('entity_id', '=', candidate.id)
          .where('type', '=', 'candidate.promoted')
          .execute();
        expect(promotedEvents).toHaveLength(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('answers 24 concurrent signals with one natural key with one signal', async () => {
      const stores = await Promise.all(
        Array.from({ length: dialect === 'sqlite' ? 1 : 4 }, () => connect(url())),
      );
      const input = { source: 'partner-feed', externalRef: ref(), title: 'Same RFP from 24 feeds' };
      try {
        const results = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            createWorkstream(stores[i % stores.length] ?? store(), org.clock).createSignal(org.actor, input),
          ),
        );
        expect(new Set(results.map((r) => r.signal.id)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const rows = await store()
          .db.selectFrom('signals')
          .select('id')
          .where('external_ref', '=', input.externalRef)
          .execute();
        expect(rows).toHaveLength(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('serialises concurrent updates of one candidate without an expected version', async () => {
      const { ws, actor } = org;
      const candidate = await ws.createCandidate(actor, {
        title: 'Counter',
        accountName: `Counter ${ref()}`,
      });
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ws.updateCandidate(actor, { candidateId: candidate.id, fields: { [`f${i}`]: i } }),
        ),
      );
      const after = await ws.getCandidate(actor, { candidateId: candidate.id });
      expect(after.version).toBe(candidate.version + 10);
      expect(Object.keys(after.fields).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`).sort());
    });
  });

  describe('a refused command', () => {
    const refusals: [
      string,
      (o: TestOrg, ids: { candidateId: string; pursuitId: string; signalId: string }) => Promise<unknown>,
    ][] = [
      [
        'promote an unqualified candidate',
        (o, ids) => o.ws.promoteCandidate(o.actor, { candidateId: ids.candidateId }),
      ],
      [
        'submit past an open pink checklist',
        (o, ids) => o.ws.submitPursuit(o.actor, { pursuitId: ids.pursuitId }),
      ],
      [
        'win past an open red checklist',
        (o, ids) => o.ws.markWon(o.actor, { pursuitId: ids.pursuitId, awardAmount: 10 }),
      ],
      [
        'dismiss without a reason',
        (o, ids) => o.ws.dismissSignal(o.actor, { signalId: ids.signalId, reason: '' }),
      ],
      [
        'update with a stale version',
        (o, ids) =>
          o.ws.updateCandidate(o.actor, { candidateId: ids.candidateId, title: 'x', expectedVersion: 99 }),
      ],
      [
        'merge into itself',
        (o, ids) => o.ws.mergeCandidate(o.actor, { candidateId: ids.candidateId, intoId: ids.candidateId }),
      ],
      [
        'duplicate an open candidate',
        (o) => o.ws.createCandidate(o.actor, { title: 'dup', accountName: 'Snapshot Co' }),
      ],
      [
        'accept into a missing candidate',
        (o, ids) =>
          o.ws.acceptSignal(o.actor, { signalId: ids.signalId, candidateId: FOREIGN_IDS.candidateId }),
      ],
    ];

    let ids: { candidateId: string; pursuitId: string; signalId: string };
    beforeAll(async () => {
      const { ws, actor } = org;
      const candidate = await ws.createCandidate(actor, {
        title: 'Snapshot',
        accountName: 'Snapshot Co',
        tags: ['snap'],
      });
      const qualified = await qualifiedCandidate();
      const { pursuit } = await ws.promoteCandidate(actor, { candidateId: qualified.id });
      await ws.decideBid(actor, { pursuitId: pursuit.id });
      await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v1' });
      const { signal } = await ws.createSignal(actor, {
        source: 'snap',
        externalRef: ref(),
        title: 'S',
        accountName: 'Snap',
      });
      ids = { candidateId: candidate.id, pursuitId: pursuit.id, signalId: signal.id };
    });

    for (const [name, call] of refusals) {
      it(`leaves the database exactly as it was: ${name}`, async () => {
        const before = await snapshot(store());
        await refusal(call(org, ids));
        expect(await snapshot(store())).toEqual(before);
      });
    }
  });

  describe('organization scoping', () => {
    let other: TestOrg;
    let mine: { signalId: string; candidateId: string; pursuitId: string };

    beforeAll(async () => {
      other = await testOrg(store());
      const { ws, actor } = org;
      const { signal } = await ws.createSignal(actor, {
        source: 'scope',
        externalRef: ref(),
        title: 'Mine',
        accountName: 'Mine',
      });
      const candidate = await qualifiedCandidate();
      const { pursuit } = await ws.promoteCandidate(actor, { candidateId: candidate.id });
      mine = { signalId: signal.id, candidateId: candidate.id, pursuitId: pursuit.id };
    });

    const reads: [string, (o: TestOrg, ids: typeof mine) => Promise<unknown>][] = [
      ['get_signal', (o, ids) => o.ws.getSignal(o.actor, { signalId: ids.signalId })],
      ['get_candidate', (o, ids) => o.ws.getCandidate(o.actor, { candidateId: ids.candidateId })],
      ['get_pursuit', (o, ids) => o.ws.getPursuit(o.actor, { pursuitId: ids.pursuitId })],
      ['history of a signal', (o, ids) => o.ws.getHistory(o.actor, { id: ids.signalId })],
      ['history of a candidate', (o, ids) => o.ws.getHistory(o.actor, { id: ids.candidateId })],
      ['history of a pursuit', (o, ids) => o.ws.getHistory(o.actor, { id: ids.pursuitId })],
      [
        'a command on a candidate',
        (o, ids) => o.ws.logTouch(o.actor, { candidateId: ids.candidateId, kind: 'note', summary: 'x' }),
      ],
      ['a command on a pursuit', (o, ids) => o.ws.decideBid(o.actor, { pursuitId: ids.pursuitId })],
    ];

    for (const [name, read] of reads) {
      it(`answers NOT_FOUND for another organization's id: ${name}`, async () => {
        expect(await refusal(read(other, mine))).toMatchObject({ code: 'NOT_FOUND' });
      });
    }

    it('lists none of another organization’s records', async () => {
      const { ws, actor } = other;
      expect((await ws.listSignals(actor, {})).items).toEqual([]);
      expect((await ws.listCandidates(actor, {})).items).toEqual([]);
      expect((await ws.listPursuits(actor, {})).items).toEqual([]);
    });

    it('refuses a caller who is not a member of the organization', async () => {
      const intruder = { orgId: org.orgId, memberId: other.actor.memberId };
      expect(await refusal(org.ws.listCandidates(intruder, {}))).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('lists', () => {
    it('page through every candidate once, newest first, with filters', async () => {
      const fresh = await testOrg(store());
      const { ws, actor } = fresh;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const candidate = await ws.createCandidate(actor, {
          title: `C${i}`,
          accountName: `Paged ${i}`,
          priority: i % 2 === 0 ? 'high' : 'low',
          tags: i < 3 ? ['federal'] : [],
        });
        made.push(candidate.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ws.listCandidates(actor, { limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
      expect((await ws.listCandidates(actor, { priority: 'high' })).items).toHaveLength(4);
      expect((await ws.listCandidates(actor, { tag: 'Federal' })).items.map((c) => c.id)).toEqual(
        made.slice(0, 3).reverse(),
      );
      expect(await refusal(ws.listCandidates(actor, { cursor: 'not-a-cursor' }))).toMatchObject({
        code: 'VALIDATION',
        field: 'cursor',
      });
    });
  });
});
