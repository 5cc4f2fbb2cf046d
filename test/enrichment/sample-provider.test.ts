/**
 * The worker enriching candidates from the sample provider (examples/company-directory), spawned
 * over stdio with the sample's own enrichment.json, and over Streamable HTTP with a bearer token.
 * Run on every available database: the enrichment rows are written through each dialect.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EnrichmentConfig, loadEnrichmentConfig } from '../../src/enrichment/config.js';
import { describeEachDialect } from '../support/databases.js';
import {
  candidateRow,
  config,
  deadLetters,
  enrichingOrg,
  enrichmentRow,
  type HttpProvider,
  makeDue,
  outboxRows,
  SAMPLE_DIR,
  SAMPLE_SERVER,
  startHttpProvider,
  until,
  worker,
} from './support.js';

const sample = (): EnrichmentConfig => loadEnrichmentConfig(join(SAMPLE_DIR, 'enrichment.json'));

describeEachDialect('enrichment from the sample company directory', ({ store }) => {
  it('enriches a new candidate over stdio as examples/company-directory/enrichment.json maps it', async () => {
    const enrichment = sample();
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    const candidate = await ws.createCandidate(actor, {
      title: 'Cold-chain WMS replacement',
      accountName: 'Northwind Freight',
      accountDomain: 'northwind-freight.example',
    });
    const before = await candidateRow(store(), candidate.id);
    expect((await ws.getCandidate(actor, { candidateId: candidate.id })).enrichment).toMatchObject([
      { provider: 'company-directory', tool: 'lookup_company', state: 'pending', attempts: 0 },
    ]);

    const running = worker(store(), enrichment);
    try {
      await until(async () =>
        expect((await enrichmentRow(store(), candidate.id, 'company-directory')).state).toBe('ok'),
      );
    } finally {
      await running.stop();
    }

    const view = await ws.getCandidate(actor, { candidateId: candidate.id });
    expect(view.enrichment).toEqual([
      expect.objectContaining({
        provider: 'company-directory',
        tool: 'lookup_company',
        state: 'ok',
        lastError: null,
        attempts: 1,
        completedAt: expect.any(String),
        fields: {
          industry: 'Logistics',
          size: 1250,
          location: 'Hamburg, Germany',
          description: expect.stringContaining('cold-chain'),
          links: ['https://www.northwind-freight.example', 'https://www.northwind-freight.example/investors'],
          contacts: [
            expect.objectContaining({ name: 'Lena Brandt', title: 'Head of Procurement' }),
            expect.objectContaining({ name: 'Jonas Weber', title: 'CIO' }),
          ],
          custom: { founded: 1998, website: 'https://www.northwind-freight.example' },
        },
      }),
    ]);
    const [provenance] = (await ws.getEnrichment(actor, { candidateId: candidate.id })).enrichment;
    expect(provenance?.raw).toMatchObject({ structuredContent: { company: { name: 'Northwind Freight' } } });
    expect(await outboxRows(store(), 'enrichment:company-directory')).toEqual([]);
    expect(await candidateRow(store(), candidate.id)).toEqual(before);
  });

  it('records isError, retries, then marks the enrichment failed and dead-letters the event; the candidate is untouched', async () => {
    const enrichment = sample();
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    const candidate = await ws.createCandidate(actor, { title: 'Unknown buyer', accountName: 'Nobody Ltd' });
    const before = await candidateRow(store(), candidate.id);
    const running = worker(store(), enrichment, { maxAttempts: 2 });
    try {
      await until(async () => {
        const [row] = await outboxRows(store(), 'enrichment:company-directory');
        expect(row).toMatchObject({ attempts: 1, locked_at: null });
      });
      expect(await enrichmentRow(store(), candidate.id, 'company-directory')).toMatchObject({
        state: 'pending',
        attempts: 1,
        last_error: 'tool lookup_company answered isError: no such company: name Nobody Ltd',
      });
      await makeDue(store(), 'enrichment:company-directory');
      running.worker.wake();
      await until(async () =>
        expect((await enrichmentRow(store(), candidate.id, 'company-directory')).state).toBe('failed'),
      );
    } finally {
      await running.stop();
    }
    const row = await enrichmentRow(store(), candidate.id, 'company-directory');
    expect(row).toMatchObject({ attempts: 2, completed_at: expect.any(Date), fields_json: {} });
    const [letter] = (await deadLetters(store(), 'enrichment:company-directory')).filter(
      (l) => l.payload_json.entityId === candidate.id,
    );
    expect(letter?.attempts).toBe(2);
    expect(letter?.errors_json).toMatchObject([
      { attempt: 1, error: expect.stringContaining('isError: no such company') },
      { attempt: 2, error: expect.stringContaining('isError: no such company') },
    ]);
    expect(await candidateRow(store(), candidate.id)).toEqual(before);
  });

  it('says which required field is missing when the result does not match the mapping', async () => {
    const enrichment = sample();
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    // In the directory, but with no industry on file.
    const candidate = await ws.createCandidate(actor, {
      title: 'Seed round tooling',
      accountName: 'Quiet Startup',
    });
    const running = worker(store(), enrichment);
    try {
      await until(async () =>
        expect((await enrichmentRow(store(), candidate.id, 'company-directory')).last_error).toBe(
          'result does not match the mapping: required field industry missing at path company.industry',
        ),
      );
    } finally {
      await running.stop();
    }
    const [provenance] = (await ws.getEnrichment(actor, { candidateId: candidate.id })).enrichment;
    expect(provenance).toMatchObject({ state: 'pending', fields: {} });
    expect(provenance?.raw).toMatchObject({ structuredContent: { company: { name: 'Quiet Startup' } } });
  });
});

describeEachDialect('enrichment from the sample company directory over Streamable HTTP', ({ store }) => {
  const token = `test-token-${process.pid}`;
  let provider: HttpProvider;

  beforeAll(async () => {
    provider = await startHttpProvider(SAMPLE_SERVER, ['--http', '--port', '0'], {
      COMPANY_DIRECTORY_TOKEN: token,
    });
  });
  afterAll(() => provider?.stop());

  const httpConfig = (bearerTokenEnv: string) =>
    config({
      providers: [
        {
          name: 'directory-http',
          transport: { type: 'http', url: provider.url, bearerTokenEnv },
          tool: 'lookup_company',
          arguments: { domain: '{{accountDomain}}', name: '{{accountName}}' },
          result: {
            from: 'json-text',
            fields: { industry: 'company.industry', location: '{{company.hq.city}}, {{company.hq.country}}' },
            required: ['industry'],
          },
          timeoutMs: 5_000,
        },
      ],
    });

  it('calls the provider with the bearer token read from the named environment variable', async () => {
    const enrichment = httpConfig('TEST_DIRECTORY_TOKEN');
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    const first = await ws.createCandidate(actor, {
      title: 'Satellite ground segment',
      accountName: 'Orbitale',
    });
    const second = await ws.createCandidate(actor, {
      title: 'Core banking RFP',
      accountName: 'M&F',
      accountDomain: 'maplefinch.example',
    });
    process.env.TEST_DIRECTORY_TOKEN = token;
    const running = worker(store(), enrichment);
    try {
      await until(async () => {
        expect((await enrichmentRow(store(), first.id, 'directory-http')).state).toBe('ok');
        expect((await enrichmentRow(store(), second.id, 'directory-http')).state).toBe('ok');
      });
    } finally {
      await running.stop();
      delete process.env.TEST_DIRECTORY_TOKEN;
    }
    expect((await enrichmentRow(store(), first.id, 'directory-http')).fields_json).toEqual({
      industry: 'Aerospace',
      location: 'Toulouse, France',
    });
    expect((await enrichmentRow(store(), second.id, 'directory-http')).fields_json).toEqual({
      industry: 'Banking',
      location: 'Toronto, Canada',
    });
  });

  it('records a refused token as the reason, and keeps the event for a retry', async () => {
    const enrichment = httpConfig('TEST_WRONG_DIRECTORY_TOKEN');
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    const candidate = await ws.createCandidate(actor, {
      title: 'Fleet telematics',
      accountName: 'Tallgrass County',
    });
    process.env.TEST_WRONG_DIRECTORY_TOKEN = 'not-the-token';
    const running = worker(store(), enrichment);
    try {
      await until(async () => {
        const row = await enrichmentRow(store(), candidate.id, 'directory-http');
        expect(row.attempts).toBe(1);
        expect(row.last_error).toMatch(
          /^cannot start provider at http:\/\/127\.0\.0\.1:\d+\/mcp: .*\(HTTP 401 Unauthorized\); check the token in TEST_WRONG_DIRECTORY_TOKEN$/,
        );
      });
    } finally {
      await running.stop();
      delete process.env.TEST_WRONG_DIRECTORY_TOKEN;
    }
    const [row] = (await outboxRows(store(), 'enrichment:directory-http')).filter(
      (r) => r.payload_json.entityId === candidate.id,
    );
    expect(row).toMatchObject({ attempts: 1, locked_at: null, last_error: expect.stringContaining('401') });
  });
});
