/** Concurrent accept_signal: every loser learns which candidate won, on every dialect. */
import { beforeAll, expect, it } from 'vitest';
import { WorkstreamError } from '../../src/domain/errors.js';
import { connect, type Store } from '../../src/store/connect.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';

let refs = 0;
const ref = () => `RACE-${process.pid}-${++refs}`;

describeEachDialect('concurrent accept_signal', ({ dialect, store, url }) => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await testOrg(store());
  });

  /** Separate connections, as separate server processes would have. */
  async function withStores<T>(work: (stores: Store[]) => Promise<T>): Promise<T> {
    const stores = await Promise.all(
      Array.from({ length: dialect === 'sqlite' ? 1 : 4 }, () => connect(url())),
    );
    try {
      return await work(stores);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }

  it('answers 12 concurrent accepts of one signal with one candidate, the losers as retries', async () => {
    const { signal } = await org.ws.createSignal(org.actor, {
      source: 'race',
      externalRef: ref(),
      title: 'One signal',
      accountName: `Account ${ref()}`,
    });
    const results = await withStores((stores) =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          createWorkstream(stores[i % stores.length] ?? store(), org.clock).acceptSignal(org.actor, {
            signalId: signal.id,
          }),
        ),
      ),
    );
    expect(new Set(results.map((r) => r.candidate.id)).size).toBe(1);
    expect(results.filter((r) => r.candidateCreated)).toHaveLength(1);
    const candidates = await store()
      .db.selectFrom('candidates')
      .select('id')
      .where('org_id', '=', org.orgId)
      .where('account_name', '=', results[0]?.candidate.accountName ?? '')
      .execute();
    expect(candidates).toHaveLength(1);
  });

  it('refuses every loser among 12 signals for one account as DUPLICATE naming the winner', async () => {
    const account = `Account ${ref()}`;
    const signals = await Promise.all(
      Array.from(
        { length: 12 },
        async () =>
          (
            await org.ws.createSignal(org.actor, {
              source: 'race',
              externalRef: ref(),
              title: 'Same account',
              accountName: account,
            })
          ).signal,
      ),
    );
    // One domain for all, so they share the natural key.
    const domain = `${ref().toLowerCase()}.example`;
    const settled = await withStores((stores) =>
      Promise.allSettled(
        signals.map((signal, i) =>
          createWorkstream(stores[i % stores.length] ?? store(), org.clock).acceptSignal(org.actor, {
            signalId: signal.id,
            accountDomain: domain,
          }),
        ),
      ),
    );
    const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(won).toHaveLength(1);
    const winner = won[0]?.candidate.id;
    expect(winner).toMatch(/^cand_/);
    const losers = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    expect(losers).toHaveLength(11);
    for (const loser of losers) {
      expect(loser).toBeInstanceOf(WorkstreamError);
      const failure = (loser as WorkstreamError).failure;
      expect(failure).toMatchObject({ code: 'DUPLICATE', entity: 'candidate', existingId: winner });
      expect(failure.nextStep).toContain(String(winner));
    }
  });
});
