/**
 * Text no database can store alike, and JSON without bounds, are refused as VALIDATION naming the
 * field, on every dialect, and leave the database as it was.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { inMemoryClient, refused } from './support.js';

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
}

describeEachDialect('hostile input', (db) => {
  let org: TestOrg;
  let client: Client;
  beforeAll(async () => {
    org = await testOrg(db.store());
    client = await inMemoryClient(createWorkstream(db.store()), org.actor);
  });
  afterAll(async () => {
    await client.close();
  });

  const signal = (extra: Record<string, unknown>) => ({
    source: 'sam.gov',
    externalRef: `HOSTILE-${Math.random().toString(36).slice(2)}`,
    title: 'Fleet telematics',
    ...extra,
  });

  const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
    ['a NUL in a list filter', 'list_signals', { source: '\u0000' }, 'source', /NUL/],
    ['a NUL in a title', 'create_candidate', { title: 'a\u0000b', accountName: 'Acme' }, 'title', /NUL/],
    [
      'a lone surrogate in a title',
      'create_candidate',
      { title: '\ud800', accountName: 'Acme' },
      'title',
      /surrogate/,
    ],
    [
      'a lone surrogate in a reason',
      'disqualify_candidate',
      { candidateId: 'cand_01J00000000000000000000000', reason: 'no_fit', note: 'x\udc00' },
      'note',
      /surrogate/,
    ],
    [
      'a NUL deep in a payload',
      'create_signal',
      signal({ payload: { notes: ['fine', 'a\u0000'] } }),
      'payload.notes.1',
      /NUL/,
    ],
    [
      'a NUL in a payload key',
      'create_signal',
      signal({ payload: { 'k\u0000': 1 } }),
      'payload.k\u0000',
      /NUL/,
    ],
    [
      'a payload 5,000 levels deep',
      'create_signal',
      signal({ payload: nested(5_000) }),
      'payload',
      /deeper than 32 levels/,
    ],
    [
      'a payload 11 levels deep',
      'create_signal',
      signal({ payload: nested(11) }),
      'payload',
      /at most 10 levels/,
    ],
    [
      'a 3.5 MB payload',
      'create_signal',
      signal({ payload: { blob: 'x'.repeat(3_500_000) } }),
      'payload',
      /32,768 bytes/,
    ],
    [
      'a payload of 1,001 members',
      'create_signal',
      signal({ payload: Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i])) }),
      'payload',
      /1,000 members/,
    ],
    [
      'a 30,000-key custom fields object',
      'create_candidate',
      {
        title: 'T',
        accountName: 'Acme',
        fields: Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i])),
      },
      'fields',
      /20,000 values/,
    ],
  ];

  for (const [what, tool, args, field, message] of cases) {
    it(`refuses ${what} (${tool}) as VALIDATION naming ${field.replace('\u0000', '\\0')}, writing nothing`, async () => {
      const before = await snapshot(db.store());
      const error = await refused(client, tool, args);
      expect(error).toMatchObject({ code: 'VALIDATION', field });
      expect(error.message).toMatch(message);
      expect(await snapshot(db.store())).toEqual(before);
    });
  }
});
