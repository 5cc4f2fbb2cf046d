/** The enrichment configuration file, its path and template syntax, and the result mapping. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  EnrichmentConfigError,
  loadEnrichmentConfig,
  providerRefs,
} from '../../src/enrichment/config.js';
import { buildArguments, type CandidateFacts, mapResult } from '../../src/enrichment/mapping.js';
import { parsePath, valueAt } from '../../src/enrichment/paths.js';
import { config, SAMPLE_DIR } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'enrichment-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const provider = (overrides: Record<string, unknown> = {}) => ({
  name: 'directory',
  transport: { type: 'stdio', command: 'node', args: ['server.mjs'] },
  tool: 'lookup_company',
  arguments: { domain: '{{accountDomain}}' },
  result: { fields: { industry: 'company.industry' } },
  ...overrides,
});

function refusal(content: unknown): string {
  const path = file(`bad-${Math.random().toString(36).slice(2)}.json`, content);
  try {
    loadEnrichmentConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(EnrichmentConfigError);
    return (error as Error).message.replace(path, '<file>');
  }
  throw new Error('expected the configuration to be refused');
}

describe('loading an enrichment configuration', () => {
  it('loads the sample, fills defaults and resolves the stdio folder against the file', () => {
    const loaded = loadEnrichmentConfig(join(SAMPLE_DIR, 'enrichment.json'));
    expect(providerRefs(loaded)).toEqual([{ name: 'company-directory', tool: 'lookup_company' }]);
    expect(loaded.providers[0]?.transport).toEqual({
      type: 'stdio',
      command: 'node',
      args: ['server.mjs'],
      env: {},
      passEnv: [],
      cwd: SAMPLE_DIR,
    });
    const minimal = loadEnrichmentConfig(file('minimal.json', { providers: [provider()] }));
    expect(minimal.providers[0]).toMatchObject({
      timeoutMs: DEFAULT_TIMEOUT_MS,
      startTimeoutMs: DEFAULT_START_TIMEOUT_MS,
      result: { from: 'structuredContent' },
    });
    expect(providerRefs(undefined)).toEqual([]);
  });

  it('refuses a file that is missing or not JSON, naming it', () => {
    expect(() => loadEnrichmentConfig(join(dir, 'nope.json'))).toThrow(
      new RegExp(`^cannot read enrichment config ${join(dir, 'nope.json')}: ENOENT`),
    );
    expect(refusal('{ providers: [] }')).toMatch(/^enrichment config <file> is not JSON: /);
  });

  it.each([
    [
      'a provider name with spaces',
      { providers: [provider({ name: 'Company Directory' })] },
      'providers[0].name: use 1–63 lower-case letters',
    ],
    [
      'two providers of one name',
      { providers: [provider(), provider()] },
      "providers[1].name: 'directory' is named twice",
    ],
    [
      'an unknown transport type',
      { providers: [provider({ transport: { type: 'ftp' } })] },
      "providers[0].transport.type: must be {type: 'stdio'",
    ],
    [
      'a URL that is not http',
      { providers: [provider({ transport: { type: 'http', url: 'file:///etc/passwd' } })] },
      'providers[0].transport.url: must be an http:// or https:// URL',
    ],
    [
      'a secret in the file',
      { providers: [provider({ transport: { type: 'http', url: 'http://x/mcp', token: 's3cret' } })] },
      'providers[0].transport: Unrecognized key: "token"',
    ],
    [
      'a misspelt variable',
      { providers: [provider({ arguments: { q: ['{{acountName}}'] } })] },
      'providers[0].arguments.q[0]: unknown variable {{acountName}}; use one of {{candidateId}}',
    ],
    [
      'a path with an empty key',
      { providers: [provider({ result: { fields: { industry: 'company..industry' } } })] },
      "providers[0].result.fields.industry: expected a key at position 9 of path 'company..industry'",
    ],
    [
      'a template with a bad index',
      { providers: [provider({ result: { fields: { location: '{{hq.city}}, {{hq[x]}}' } } })] },
      "providers[0].result.fields.location: expected an array index such as [0] at position 3 of path 'hq[x]'",
    ],
    [
      'a required field that is not mapped',
      { providers: [provider({ result: { fields: { industry: 'a' }, required: ['size'] } })] },
      "providers[0].result.required[0]: 'size' is not a mapped field",
    ],
    [
      'an unknown field',
      { providers: [provider({ result: { fields: { sector: 'a' } } })] },
      'providers[0].result.fields: Unrecognized key: "sector"',
    ],
    ['a timeout too short', { providers: [provider({ timeoutMs: 5 })] }, 'providers[0].timeoutMs: Too small'],
    ['no providers list', { provider: [] }, '(top level): '],
  ])('refuses %s, naming the field path', (_, content, message) => {
    const error = refusal(content);
    expect(error).toMatch(/^enrichment config <file> is not valid:\n {2}/);
    expect(error).toContain(message);
  });
});

describe('paths into a result', () => {
  const answer = { data: { items: [{ name: 'a', tags: ['x', 'y'] }] }, list: [[1, 2]] };

  it.each([
    ['data.items[0].name', 'a'],
    ['data.items[0].tags[1]', 'y'],
    ['data.items.0.name', 'a'],
    ['list[0][1]', 2],
    ['data.items[3].name', undefined],
    ['data.missing.deeper', undefined],
    ['data.items[0].name.length', undefined],
    ['constructor', undefined],
  ])('%s reads %j', (path, expected) => {
    expect(valueAt(answer, parsePath(path))).toEqual(expected);
  });

  it('reads a result that is itself a list', () => {
    expect(valueAt([{ name: 'first' }], parsePath('[0].name'))).toBe('first');
  });

  it.each(['', '.a', 'a.', 'a[', 'a[]', 'a[-1]', 'a]b'])('refuses %j', (path) => {
    expect(() => parsePath(path)).toThrow(/at position \d+ of path|empty path/);
  });
});

describe('arguments from a candidate', () => {
  const facts: CandidateFacts = {
    candidateId: 'cand_1',
    title: 'Core banking RFP',
    accountName: 'Maple & Finch',
    accountDomain: null,
    opportunityRef: 'RFP-9',
    signalUrl: null,
  };

  it('fills variables, keeps literals, and leaves out an argument that is one absent variable', () => {
    expect(
      buildArguments(
        {
          name: '{{accountName}}',
          domain: '{{ accountDomain }}',
          query: '{{accountName}} {{accountDomain}} {{opportunityRef}}',
          limit: 5,
          exact: true,
          names: ['{{accountName}}', '{{signalUrl}}'],
          filter: { ref: '{{opportunityRef}}', url: '{{signalUrl}}' },
        },
        facts,
      ),
    ).toEqual({
      name: 'Maple & Finch',
      query: 'Maple & Finch  RFP-9',
      limit: 5,
      exact: true,
      names: ['Maple & Finch'],
      filter: { ref: 'RFP-9' },
    });
  });
});

describe('mapping a result', () => {
  const mapping = config({
    providers: [
      provider({
        result: {
          fields: {
            industry: 'company.industry',
            size: 'company.employees',
            location: '{{company.hq.city}}, {{company.hq.country}}',
            description: 'company.description',
            links: 'company.website',
            contacts: 'company.owner',
            custom: { founded: 'company.founded', tags: 'company.tags' },
          },
          required: ['industry', 'custom.founded'],
        },
      }),
    ],
  }).providers[0]?.result;
  if (!mapping) throw new Error('the mapping is configured above');

  const company = {
    industry: ' Logistics ',
    employees: 1250,
    hq: { country: 'Germany' },
    description: 'Freight.',
    website: 'https://nw.example',
    owner: { name: 'Lena' },
    founded: 1998,
    tags: ['a'],
  };

  it('reads structuredContent into normalised fields', () => {
    expect(mapResult(mapping, { structuredContent: { company } })).toEqual({
      ok: true,
      fields: {
        industry: 'Logistics',
        size: 1250,
        location: 'Germany',
        description: 'Freight.',
        links: ['https://nw.example'],
        contacts: [{ name: 'Lena' }],
        custom: { founded: 1998, tags: ['a'] },
      },
    });
  });

  it('reads JSON text when configured so', () => {
    const fromText = { ...mapping, from: 'json-text' as const };
    const text = JSON.stringify({ company });
    expect(mapResult(fromText, { content: [{ type: 'text', text }] })).toMatchObject({
      ok: true,
      fields: { industry: 'Logistics' },
    });
    expect(mapResult(fromText, { content: [{ type: 'text', text: 'Echo: hello' }] })).toEqual({
      ok: false,
      error: 'its text is not JSON: "Echo: hello"',
    });
    expect(mapResult(fromText, { content: [{ type: 'image' }] })).toEqual({
      ok: false,
      error: 'the result has no text content to read JSON from',
    });
  });

  it('says what does not match: no structuredContent, a missing required field, a field of the wrong kind', () => {
    expect(mapResult(mapping, { content: [{ type: 'text', text: '{}' }] })).toEqual({
      ok: false,
      error: "the result has no structuredContent (if the tool answers JSON as text, use from: 'json-text')",
    });
    expect(mapResult(mapping, { structuredContent: { company: { ...company, industry: null } } })).toEqual({
      ok: false,
      error: 'required field industry missing at path company.industry',
    });
    expect(
      mapResult(mapping, { structuredContent: { company: { ...company, founded: undefined } } }),
    ).toEqual({
      ok: false,
      error: 'required field custom.founded missing at path company.founded',
    });
    expect(
      mapResult(mapping, { structuredContent: { company: { ...company, industry: { code: 7 } } } }),
    ).toEqual({
      ok: false,
      error: 'field industry at path company.industry is an object, expected text',
    });
  });
});
