/**
 * list_candidates and list_pursuits filtered by a custom field (`field: "key=value"`), through
 * real MCP clients (SDK v2 and v1) on each dialect: equality typed by the org's definitions,
 * keyset pages through the filtered rows, refusals naming `field`, hostile values refused or
 * bound as data alike on every dialect.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { expect, it } from 'vitest';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { runLabel } from './scenario.js';
import { inMemoryClient, ok, quiet, refused, type ToolClient } from './support.js';

const SDKS = ['v2', 'v1'] as const;

describeEachDialect('lists filtered by a custom field', (db) => {
  async function client(org: TestOrg, sdk: (typeof SDKS)[number]): Promise<ToolClient> {
    if (sdk === 'v2') return inMemoryClient(org.ws, org.actor, { toolsets: TOOLSETS });
    const server = createServer({ workstream: org.ws, actor: org.actor, log: quiet, toolsets: TOOLSETS });
    const [clientSide, serverSide] = InMemoryV1.createLinkedPair();
    await server.connect(serverSide as never);
    const v1 = new ClientV1({ name: 'field-filter-v1', version: '1.0.0' });
    await v1.connect(clientSide);
    return v1 as unknown as ToolClient;
  }

  /** An org with one field of each filterable type (and a money one) on candidates, one on pursuits. */
  async function orgWithFields(sdk: (typeof SDKS)[number]) {
    const org = await testOrg(db.store());
    const c = await client(org, sdk);
    const define = (entity: string, key: string, type: string, options?: string[]) =>
      ok(c, 'set_custom_field', { entity, key, label: key, type, ...(options ? { options } : {}) });
    await define('candidate', 'region', 'enum', ['EMEA', 'AMER']);
    await define('candidate', 'seats', 'number');
    await define('candidate', 'rfp', 'boolean');
    await define('candidate', 'close_by', 'date');
    await define('candidate', 'owner', 'member');
    await define('candidate', 'note', 'text');
    await define('candidate', 'budget', 'money');
    await define('pursuit', 'vehicle', 'enum', ['GSA', 'SEWP']);
    const create = async (fields: Record<string, unknown>) => {
      const label = runLabel();
      return (
        await ok(c, 'create_candidate', { title: `Lead ${label}`, accountName: `Acme ${label}`, fields })
      ).id as string;
    };
    return { org, c, create };
  }

  const ids = async (c: ToolClient, tool: string, args: Record<string, unknown>) =>
    (await ok(c, tool, args)).items.map((i: { id: string }) => i.id);

  for (const sdk of SDKS) {
    it(`finds records whose field equals the value, typed by the definition (SDK ${sdk})`, async () => {
      const { org, c, create } = await orgWithFields(sdk);
      const emea40 = await create({
        region: 'EMEA',
        seats: 40,
        rfp: true,
        close_by: '2026-04-30',
        owner: 'me',
      });
      const amer = await create({ region: 'AMER', seats: 40.5, rfp: false, note: '40' });
      const emea = await create({ region: 'EMEA', seats: 4, note: 'Call after Easter' });
      await create({});
      const list = (field: string) => ids(c, 'list_candidates', { field });
      expect(await list('region=EMEA')).toEqual([emea, emea40]);
      expect(await list('region=AMER')).toEqual([amer]);
      // A number equals a number (40 is not the text "40", nor 40.5); a text equals a text.
      expect(await list('seats=40')).toEqual([emea40]);
      expect(await list('seats=40.5')).toEqual([amer]);
      expect(await list('seats=4e1')).toEqual([emea40]);
      expect(await list('note=40')).toEqual([amer]);
      expect(await list('note=Call after Easter')).toEqual([emea]);
      expect(await list('rfp=true')).toEqual([emea40]);
      expect(await list('rfp=false')).toEqual([amer]);
      expect(await list('close_by=2026-04-30')).toEqual([emea40]);
      expect(await list('owner=me')).toEqual([emea40]);
      expect(await list(`owner=${org.actor.memberId}`)).toEqual([emea40]);
      // With the other filters, and on pursuits.
      expect(
        await ids(c, 'list_candidates', { field: 'region=EMEA', state: 'new', priority: 'medium' }),
      ).toEqual([emea, emea40]);
      await ok(c, 'log_touch', { candidateId: emea40, kind: 'call', summary: 'Intro' });
      await ok(c, 'qualify_candidate', { candidateId: emea40 });
      const { pursuit } = await ok(c, 'promote_candidate', { candidateId: emea40 });
      await ok(c, 'update_pursuit', { pursuitId: pursuit.id, fields: { vehicle: 'SEWP' } });
      expect(await ids(c, 'list_pursuits', { field: 'vehicle=SEWP' })).toEqual([pursuit.id]);
      expect(await ids(c, 'list_pursuits', { field: 'vehicle=GSA' })).toEqual([]);
      await c.close();
    });

    it(`pages through the filtered rows by the id cursor, newest first, each once (SDK ${sdk})`, async () => {
      const { c, create } = await orgWithFields(sdk);
      const wanted: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        wanted.push(await create({ region: 'AMER', seats: i }));
        if (i % 2 === 0) await create({ region: 'EMEA' });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await ok(c, 'list_candidates', {
          field: 'region=AMER',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual([...wanted].reverse());
      await c.close();
    });

    it(`refuses a filter the definitions do not allow, naming field (SDK ${sdk})`, async () => {
      const { c, create } = await orgWithFields(sdk);
      await create({ region: 'EMEA' });
      const cases: [string, string, RegExp][] = [
        ['list_candidates', 'colour=red', /`colour` is not a candidate field .*region, seats/],
        ['list_pursuits', 'region=EMEA', /`region` is not a pursuit field .*\(vehicle\)/],
        ['list_candidates', 'region', /key=value/],
        ['list_candidates', 'region=', /value after region=/],
        ['list_candidates', 'region=APAC', /one of "EMEA", "AMER"/],
        ['list_candidates', 'seats=forty', /finite number/],
        ['list_candidates', 'seats=Infinity', /finite number/],
        ['list_candidates', 'rfp=yes', /true or false/],
        ['list_candidates', 'close_by=2026-02-30', /YYYY-MM-DD/],
        ['list_candidates', 'budget=100', /money field; lists filter on text, enum, number/],
        ['list_candidates', 'owner=stranger@elsewhere.test', /./],
      ];
      const rows = await snapshot(db.store());
      for (const [tool, field, message] of cases) {
        const failure = await refused(c, tool, { field });
        expect(failure, field).toMatchObject({ code: 'VALIDATION', field: 'field' });
        expect(failure.message, field).toMatch(message);
      }
      expect(await snapshot(db.store())).toEqual(rows);
      await c.close();
    });

    it(`refuses a huge, NUL or lone-surrogate value and binds SQL text as data, alike on every dialect (SDK ${sdk})`, async () => {
      const { c, create } = await orgWithFields(sdk);
      const kept = await create({ region: 'EMEA', note: 'plain' });
      const rows = await snapshot(db.store());
      const hostile: [string, RegExp][] = [
        [`note=${'x'.repeat(3000)}`, /2100/],
        [`note=${'x'.repeat(2001)}`, /text of at most 2,000 characters/],
        ['note=a\u0000b', /NUL/],
        ['note=\ud800', /surrogate/],
        ['no\u0000te=x', /NUL/],
        ["region=EMEA' OR '1'='1", /one of "EMEA", "AMER"/],
        ['seats=1 OR 1=1', /finite number/],
        ["close_by=2026-01-01'; --", /YYYY-MM-DD/],
        ['note); drop table candidates; --=x', /is not a candidate field/],
      ];
      for (const [field, message] of hostile) {
        const failure = await refused(c, 'list_candidates', { field });
        expect(failure, field.slice(0, 40)).toMatchObject({ code: 'VALIDATION', field: 'field' });
        expect(failure.message, field.slice(0, 40)).toMatch(message);
      }
      // In a text field SQL is a value like any other: bound, matching nothing, changing nothing.
      for (const text of ["x' OR '1'='1", "'); delete from candidates; --", '" or 1=1 --', '%', '$.note'])
        expect(await ids(c, 'list_candidates', { field: `note=${text}` })).toEqual([]);
      expect(await ids(c, 'list_candidates', { field: 'note=plain' })).toEqual([kept]);
      expect(await snapshot(db.store())).toEqual(rows);
      await c.close();
    });
  }
});
