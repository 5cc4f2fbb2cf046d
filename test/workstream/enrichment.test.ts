import { expect, it } from 'vitest';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { refusal, testOrg } from '../support/workstream.js';

const PROVIDERS = [
  { name: 'directory', tool: 'lookup_company' },
  { name: 'crm', tool: 'find_account' },
];

describeEachDialect('enrichment requests', ({ store }) => {
  async function setup() {
    const org = await testOrg(store());
    return { ...org, ws: createWorkstream(store(), org.clock, { enrichmentProviders: PROVIDERS }) };
  }

  it('mark a new candidate pending for every provider and write one outbox row each with its creation', async () => {
    const { ws, actor } = await setup();
    const candidate = await ws.createCandidate(actor, { title: 'Enrich me', accountName: 'Acme Enrich' });
    expect(candidate.enrichment.map((e) => [e.provider, e.tool, e.state])).toEqual([
      ['crm', 'find_account', 'pending'],
      ['directory', 'lookup_company', 'pending'],
    ]);
    const rows = await store()
      .db.selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_id')
      .select(['outbox.destination', 'events.type'])
      .where('events.entity_id', '=', candidate.id)
      .orderBy('outbox.destination')
      .execute();
    expect(rows).toEqual([
      { destination: 'enrichment:crm', type: 'candidate.created' },
      { destination: 'enrichment:directory', type: 'candidate.created' },
    ]);
  });

  it('re-requests one provider on demand, resetting its row', async () => {
    const { ws, actor } = await setup();
    const candidate = await ws.createCandidate(actor, { title: 'Again', accountName: 'Acme Again' });
    await store()
      .db.updateTable('enrichments')
      .set({ state: 'failed', last_error: 'boom', attempts: 10 })
      .where('candidate_id', '=', candidate.id)
      .execute();
    const views = (await ws.enrichCandidate(actor, { candidateId: candidate.id, providers: ['directory'] }))
      .enrichment;
    expect(views.find((v) => v.provider === 'directory')).toMatchObject({
      state: 'pending',
      lastError: null,
      attempts: 0,
    });
    expect(views.find((v) => v.provider === 'crm')).toMatchObject({ state: 'failed', lastError: 'boom' });
    const history = await ws.getHistory(actor, { id: candidate.id });
    expect(history.items.map((e) => e.type)).toEqual(['candidate.created', 'candidate.enrichment_requested']);
    const provenance = (await ws.getEnrichment(actor, { candidateId: candidate.id })).enrichment;
    expect(provenance.map((p) => [p.provider, p.raw])).toEqual([
      ['crm', null],
      ['directory', null],
    ]);
  });

  it('refuses an unknown provider, naming the known ones', async () => {
    const { ws, actor } = await setup();
    const candidate = await ws.createCandidate(actor, { title: 'Unknown', accountName: 'Acme Unknown' });
    const refused = await refusal(
      ws.enrichCandidate(actor, { candidateId: candidate.id, providers: ['nope'] }),
    );
    expect(refused).toMatchObject({ code: 'VALIDATION', field: 'providers' });
    expect(refused.nextStep).toContain('directory');
  });

  it('refuses when no provider is configured, and writes no enrichment rows for new candidates', async () => {
    const { actor, clock } = await setup();
    const bare = createWorkstream(store(), clock);
    const candidate = await bare.createCandidate(actor, { title: 'Bare', accountName: 'Acme Bare' });
    expect(candidate.enrichment).toEqual([]);
    expect(await refusal(bare.enrichCandidate(actor, { candidateId: candidate.id }))).toMatchObject({
      code: 'VALIDATION',
      field: 'providers',
    });
  });
});
