/**
 * What the catalog costs an assistant, measured in the bytes the server sends to a real MCP
 * client on the demo data, against the budgets; each tool's published JSON pinned in
 * test/mcp/__toolsnaps__ (UPDATE_SNAPSHOTS=1 rewrites them, on purpose); and the tools that find
 * things by what people call them: list_members, search and assignees by name.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { DummyDriver, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { newId } from '../../src/domain/ids.js';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { createServer } from '../../src/server/mcp.js';
import { Metrics } from '../../src/server/metrics.js';
import type { Database } from '../../src/store/schema.js';
import { containsPattern, exactStatement, ftsQuery, restStatement } from '../../src/store/search-sql.js';
import { ANALYTICS_DEFINITIONS, ANALYTICS_TOOLS } from '../../src/tools/analytics.js';
import { SERVER_ICON, TOOLSET_ICONS } from '../../src/tools/icons.js';
import { ALL_TOOLS, DEFAULT_TOOLSETS, TOOLSETS } from '../../src/tools/index.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { DEMO_NOW, type DemoWire, demoWire } from '../support/wire.js';
import { testOrg } from '../support/workstream.js';
import { call, type Loose, ok, orgIdentity, quiet, refused } from './support.js';

const BUDGET = { toolsList: 48_000, page: 8_000, prompt: 8_000 } as const;
const SNAPSHOTS = fileURLToPath(new URL('./__toolsnaps__', import.meta.url));

describeEachDialect('the catalog on the demo data', (db) => {
  let wire: DemoWire;
  beforeAll(async () => {
    wire = await demoWire(db.store());
  });
  afterAll(async () => {
    await wire.close();
  });
  const first = async (tool: string, args: Record<string, unknown> = {}) =>
    (await ok(wire.client, tool, { limit: 1, ...args })).items[0];

  it(`sends tools/list, every tool, in at most ${BUDGET.toolsList} bytes`, async () => {
    const bytes = await wire.bytes((client) => client.listTools());
    expect(bytes).toBeLessThanOrEqual(BUDGET.toolsList);
  });

  it(`answers a page of 25 of every list and of the Today Panel in at most ${BUDGET.page} bytes`, async () => {
    const pursuit = await first('list_pursuits');
    const calls: [string, Record<string, unknown>][] = [
      ['get_today_panel', {}],
      ['list_signals', {}],
      ['list_candidates', {}],
      ['list_pursuits', {}],
      ['list_members', {}],
      ['list_sla_breaches', {}],
      ['search', { query: 'county' }],
      ['get_history', { id: pursuit.id }],
    ];
    for (const [name, args] of calls) {
      const bytes = await wire.bytes((client) =>
        client.callTool({ name, arguments: { ...args, limit: 25 } }),
      );
      expect(bytes, name).toBeLessThanOrEqual(BUDGET.page);
    }
  });

  it(`sends the daily_triage prompt in at most ${BUDGET.prompt} bytes, and resources as compact JSON`, async () => {
    const bytes = await wire.bytes((client) => client.getPrompt({ name: 'daily_triage', arguments: {} }));
    expect(bytes).toBeLessThanOrEqual(BUDGET.prompt);
    const { contents } = await wire.client.readResource({ uri: 'workstream://today' });
    const text = String((contents[0] as { text: string }).text);
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUDGET.page);
  });

  it('answers a text digest beside structuredContent, not a second copy', async () => {
    const answer = await call(wire.client, 'list_candidates', { limit: 25 });
    expect(answer.data.items).toHaveLength(25);
    expect(answer.text.split('\n').length).toBeLessThanOrEqual(7);
    expect(answer.text).toContain(answer.data.items[0].id);
    expect(Buffer.byteLength(answer.text)).toBeLessThan(Buffer.byteLength(JSON.stringify(answer.data)) / 5);
  });

  it('publishes each tool as its snapshot in test/mcp/__toolsnaps__', async () => {
    const { tools } = await wire.client.listTools();
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      mkdirSync(SNAPSHOTS, { recursive: true });
      for (const tool of tools)
        writeFileSync(join(SNAPSHOTS, `${tool.name}.snap`), `${JSON.stringify(tool, null, 2)}\n`);
    }
    const names = tools.map((tool) => tool.name).sort();
    const files = existsSync(SNAPSHOTS) ? readdirSync(SNAPSHOTS).filter((f) => f.endsWith('.snap')) : [];
    expect(files.map((f) => f.replace(/\.snap$/, '')).sort(), 'one snapshot per tool').toEqual(names);
    for (const tool of tools) {
      const pinned = JSON.parse(readFileSync(join(SNAPSHOTS, `${tool.name}.snap`), 'utf8'));
      expect(tool, `${tool.name} differs from its snapshot; if that is meant, UPDATE_SNAPSHOTS=1`).toEqual(
        pinned,
      );
    }
  });

  it('names people beside member ids: list pages, a record’s assignee, the Today Panel owner and history actors', async () => {
    const page = await ok(wire.client, 'list_candidates', { limit: 25 });
    const ids = new Set(
      page.items.map((item: { assigneeId: string | null }) => item.assigneeId).filter(Boolean),
    );
    expect(new Set(page.members.map((m: { id: string }) => m.id))).toEqual(ids);
    const panel = await ok(wire.client, 'get_today_panel', {});
    expect(panel.owner).toEqual({ name: 'Dana Demo', email: 'dana@demo.example' });
    const pursuit = await first('list_pursuits');
    const read = await ok(wire.client, 'get_pursuit', { pursuitId: pursuit.id });
    const owner =
      page.members.find((m: { id: string }) => m.id === read.assigneeId) ??
      (await ok(wire.client, 'list_members', {})).items.find((m: { id: string }) => m.id === read.assigneeId);
    expect(read.assignee).toEqual({ name: owner.name, email: owner.email });
    const history = await ok(wire.client, 'get_history', { id: pursuit.id });
    expect(history.members.map((m: { email: string }) => m.email)).toContain('dana@demo.example');
  });

  it('lists the members, by name, filtered by part of a name or e-mail', async () => {
    const all = await ok(wire.client, 'list_members', {});
    expect(all.items.map((m: { name: string }) => m.name)).toEqual(['Dana Demo', 'Priya Shah', 'Sam Rivera']);
    const sam = await ok(wire.client, 'list_members', { query: 'SAM@' });
    expect(sam.items).toMatchObject([{ name: 'Sam Rivera', email: 'sam@demo.example', role: 'member' }]);
    const paged = await ok(wire.client, 'list_members', { limit: 2 });
    const rest = await ok(wire.client, 'list_members', { limit: 2, cursor: paged.nextCursor });
    expect([...paged.items, ...rest.items]).toEqual(all.items);
    expect(rest.nextCursor).toBeNull();
  });

  it('resolves an assignee given as an id, an e-mail or a name, and refuses an ambiguous name listing the matches', async () => {
    const { items } = await ok(wire.client, 'list_members', { query: 'priya' });
    const priya = items[0];
    const candidate = await first('list_candidates', { state: 'new' });
    for (const assignee of [priya.id, 'PRIYA@demo.example', 'Priya Shah', 'priya']) {
      const changed = await ok(wire.client, 'update_candidate', { candidateId: candidate.id, assignee });
      expect(changed.id).toBe(candidate.id);
      const page = await ok(wire.client, 'list_candidates', { assignee, limit: 100 });
      expect(page.items.map((item: { id: string }) => item.id)).toContain(candidate.id);
    }
    // "a" is in every demo name: each is listed so the caller can pick one.
    const ambiguous = await refused(wire.client, 'update_candidate', {
      candidateId: candidate.id,
      assignee: 'a',
    });
    expect(ambiguous).toMatchObject({ code: 'VALIDATION', field: 'assignee' });
    expect(ambiguous.message).toMatch(/names 3 members: .*Dana Demo <dana@demo.example>/);
    const nobody = await refused(wire.client, 'update_candidate', {
      candidateId: candidate.id,
      assignee: 'Zed',
    });
    expect(nobody).toMatchObject({ code: 'VALIDATION', field: 'assignee' });
  });

  it('searches titles, accounts, domains, references and tags, an exact account name first', async () => {
    const candidate = await ok(wire.client, 'create_candidate', {
      title: 'Harbor Freight County fleet',
      accountName: 'Fleet County Works',
      accountDomain: 'fleetcounty.example',
      opportunityRef: 'FCW-2026-17',
      tags: ['harbour-ops'],
    });
    const named = await ok(wire.client, 'create_candidate', {
      title: 'Depot telematics',
      accountName: 'Harbor Freight County',
    });
    const hits = await ok(wire.client, 'search', { query: 'harbor freight county', limit: 100 });
    expect(hits.items[0]).toMatchObject({ id: named.id, accountName: 'Harbor Freight County' });
    expect(hits.items.map((hit: { id: string }) => hit.id)).toContain(candidate.id);
    for (const query of ['fleetcounty.example', 'fcw-2026', 'HARBOUR-OPS', 'County Works'])
      expect(
        (await ok(wire.client, 'search', { query })).items.map((hit: { id: string }) => hit.id),
      ).toContain(candidate.id);
    // A tag added later is found; one removed is not.
    await ok(wire.client, 'update_candidate', { candidateId: named.id, tags: { add: ['quayside'] } });
    expect((await ok(wire.client, 'search', { query: 'quayside' })).items).toMatchObject([{ id: named.id }]);
    await ok(wire.client, 'update_candidate', { candidateId: named.id, tags: { remove: ['quayside'] } });
    expect((await ok(wire.client, 'search', { query: 'quayside' })).items).toEqual([]);
  });

  it('searches an exact account name first, then an exact title, then the other matches newest first, across pages', async () => {
    const other = await ok(wire.client, 'create_candidate', {
      title: 'Quayside Ferries refit',
      accountName: 'Quayside Ferries Holdings',
    });
    const titled = await ok(wire.client, 'create_candidate', {
      title: 'QUAYSIDE FERRIES',
      accountName: 'Harbour Co',
    });
    const named = await ok(wire.client, 'create_candidate', {
      title: 'Ferry leases',
      accountName: 'Quayside Ferries',
    });
    const newest = await ok(wire.client, 'create_candidate', {
      title: 'Berths for quayside ferries',
      accountName: 'Port Board',
    });
    const all = await ok(wire.client, 'search', { query: 'Quayside Ferries', limit: 100 });
    expect(all.items.map((hit: { id: string }) => hit.id)).toEqual([
      named.id,
      titled.id,
      newest.id,
      other.id,
    ]);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(wire.client, 'search', {
        query: 'quayside ferries',
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      paged.push(...page.items.map((hit: { id: string }) => hit.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual([named.id, titled.id, newest.id, other.id]);
  });

  it('pages search results with nextCursor, nothing repeated or dropped, and only in the caller’s org', async () => {
    const all = await ok(wire.client, 'search', { query: 'the', limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(wire.client, 'search', { query: 'the', limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((hit: { id: string }) => hit.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((hit: { id: string }) => hit.id));
    expect(new Set(seen).size).toBe(seen.length);
    const kinds = await ok(wire.client, 'search', { query: 'the', kind: 'pursuit', limit: 100 });
    expect(kinds.items.every((hit: { id: string }) => hit.id.startsWith('pur_'))).toBe(true);
  });

  it('answers hostile search text with matches or VALIDATION, never INTERNAL', async () => {
    for (const query of ['%%%', "'; drop table tags; --", '"quoted" AND NOT', '[a-z]_%', 'ab', '\u0000nul']) {
      const answer = await call(wire.client, 'search', { query });
      if (answer.isError) expect(answer.data.error.code, query).toBe('VALIDATION');
      else expect(Array.isArray(answer.data.items), query).toBe(true);
    }
    expect((await ok(wire.client, 'search', { query: '%%%' })).items).toEqual([]);
  });
});

describeEachDialect('the analytics catalog', (db) => {
  let wire: DemoWire;
  beforeAll(async () => {
    wire = await demoWire(db.store(), { toolsets: [...TOOLSETS] });
  });
  afterAll(async () => {
    await wire.close();
  });

  it('publishes the analytics tools without field definitions, each defined in workstream://analytics/definitions', async () => {
    const { tools } = await wire.client.listTools();
    const analytics = tools.filter((tool) => ANALYTICS_TOOLS.some((a) => a.name === tool.name));
    expect(analytics.map((tool) => tool.name).sort()).toEqual(ANALYTICS_TOOLS.map((a) => a.name).sort());
    const { contents } = await wire.client.readResource({ uri: ANALYTICS_DEFINITIONS });
    const text = String((contents[0] as { text: string }).text);
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    const defined: Loose = JSON.parse(text);
    const paths = (schema: unknown, path = ''): string[] => {
      const node = schema as { properties?: Record<string, unknown>; items?: unknown };
      const here = Object.entries(node.properties ?? {}).flatMap(([name, property]) => {
        const inner = path ? `${path}.${name}` : name;
        return [inner, ...paths(property, inner)];
      });
      return node.items ? [...here, ...paths(node.items, `${path}[]`)] : here;
    };
    for (const tool of analytics) {
      expect(JSON.stringify(tool.inputSchema), tool.name).not.toContain('"description"');
      expect(JSON.stringify(tool.outputSchema), tool.name).not.toContain('"description"');
      expect(tool.description, tool.name).toContain(ANALYTICS_DEFINITIONS);
      // Every argument and every figure the published schemas list is defined (ids of groups and
      // containers aside: `groupBy` echoes the argument, `rows` and the like are described as lists).
      const answer = Object.keys(defined[tool.name].answer);
      const figures = paths(tool.outputSchema).filter((p) => !answer.includes(p));
      const leaves = figures.filter(
        (p) => !paths(tool.outputSchema).some((q) => q.startsWith(`${p}.`) || q.startsWith(`${p}[]`)),
      );
      expect(
        leaves.filter(
          (p) =>
            !/(^|\.)(groupBy|group|period|state|kind|entityType|cycle|month|id|title|assigneeId|reason|count)$/.test(
              p,
            ),
        ),
        tool.name,
      ).toEqual([]);
      expect(Object.keys(defined[tool.name].arguments).sort(), tool.name).toEqual(
        Object.keys((tool.inputSchema as { properties: object }).properties).sort(),
      );
    }
    const listed = await wire.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(ANALYTICS_DEFINITIONS);
  });
});

describeEachDialect('members, search and completions through the SDK v1 client', (db) => {
  let wire: DemoWire;
  let v1: ClientV1;
  beforeAll(async () => {
    wire = await demoWire(db.store());
    const server = createServer({
      workstream: createWorkstream(db.store(), new ManualClock(DEMO_NOW)),
      actor: wire.actor,
      log: quiet,
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    v1 = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
    await v1.connect(clientSide);
  });
  afterAll(async () => {
    await v1.close();
    await wire.close();
  });

  it('lists the members by name and resolves an assignee given as an id, an e-mail or a name', async () => {
    const all = await ok(v1, 'list_members', {});
    expect(all.items.map((m: { name: string }) => m.name)).toEqual(['Dana Demo', 'Priya Shah', 'Sam Rivera']);
    const priya = (await ok(v1, 'list_members', { query: 'PRIYA@' })).items[0];
    expect(priya).toMatchObject({ name: 'Priya Shah', email: 'priya@demo.example' });
    const candidate = (await ok(v1, 'list_candidates', { state: 'new', limit: 1 })).items[0];
    for (const assignee of [priya.id, 'priya@demo.example', 'Priya Shah']) {
      await ok(v1, 'update_candidate', { candidateId: candidate.id, assignee: null });
      await ok(v1, 'update_candidate', { candidateId: candidate.id, assignee });
      const read = await ok(v1, 'get_candidate', { candidateId: candidate.id });
      expect(read.assigneeId, assignee).toBe(priya.id);
    }
    const ambiguous = await refused(v1, 'update_candidate', { candidateId: candidate.id, assignee: 'a' });
    expect(ambiguous).toMatchObject({ code: 'VALIDATION', field: 'assignee' });
  });

  it('searches with an exact account name first', async () => {
    const other = await ok(v1, 'create_candidate', {
      title: 'Quarry Lane Transit depot',
      accountName: 'Lane Transit Group',
    });
    const named = await ok(v1, 'create_candidate', { title: 'Buses', accountName: 'Quarry Lane Transit' });
    const hits = await ok(v1, 'search', { query: 'quarry lane transit', limit: 100 });
    expect(hits.items[0]).toMatchObject({ id: named.id, accountName: 'Quarry Lane Transit' });
    expect(hits.items.map((hit: { id: string }) => hit.id)).toContain(other.id);
  });

  it('answers completion/complete for a prompt argument and a resource-template variable', async () => {
    expect(v1.getServerCapabilities()?.completions).toBeDefined();
    const assignee = await v1.complete({
      ref: { type: 'ref/prompt', name: 'daily_triage' },
      argument: { name: 'assignee', value: 'sam' },
    });
    expect(assignee.completion.values).toEqual(['sam@demo.example']);
    const pursuit = (await ok(v1, 'list_pursuits', { limit: 1 })).items[0];
    const ids = await v1.complete({
      ref: { type: 'ref/resource', uri: 'workstream://pursuits/{id}' },
      argument: { name: 'id', value: 'pur_' },
    });
    expect(ids.completion.values).toContain(pursuit.id);
  });
});

describe('the search statement', () => {
  it('escapes LIKE wildcards and quotes FTS5 terms', () => {
    expect(containsPattern('50%_[x]\\')).toBe('%50\\%\\_\\[x]\\\\%');
    expect(ftsQuery(['acme', 'say "hi"'])).toBe('"acme" AND "say ""hi"""');
  });

  it('is TOP (n), the key indexes and LIKE … ESCAPE on SQL Server, newest first with no ranking of every match', () => {
    const db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new MssqlAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new MssqlIntrospector(k),
        createQueryCompiler: () => new MssqlQueryCompiler(),
      },
    });
    const q = { orgId: 'org_1', terms: ['acme'], phrase: 'acme', limit: 26 };
    const exact = exactStatement('mssql', { ...q, after: { tier: 0, id: 'cand_X' } }).compile(db);
    expect(exact.sql).toMatch(/^select top \(26\) x\.entity_id/);
    expect(exact.sql).toContain(
      '0 as tier from search_documents d\n      where d.org_id = @1 and d.account_key = @2',
    );
    expect(exact.sql).toContain(
      '1 as tier from search_documents d\n      where d.org_id = @3 and d.title_key = @4 and d.account_key <> @5) x',
    );
    expect(exact.sql).toContain('where x.tier > @6 or (x.tier = @7 and x.entity_id < @8)');
    expect(exact.sql).toMatch(/order by x\.tier, x\.entity_id desc$/);
    expect(exact.sql).not.toMatch(/limit|like/);
    const rest = restStatement('mssql', { ...q, after: { tier: 2, id: 'cand_X' } }).compile(db);
    expect(rest.sql).toMatch(/^select top \(26\) d\.entity_id, .*, 2 as tier/s);
    expect(rest.sql).toContain(
      "where d.org_id = @1 and d.doc like @2 escape '\\' and d.account_key <> @3 and d.title_key <> @4 and d.entity_id < @5",
    );
    expect(rest.sql).toMatch(/order by d\.entity_id desc$/);
    expect(rest.sql).not.toMatch(/limit|case when/);
    expect(rest.parameters).toEqual(['org_1', '%acme%', 'acme', 'acme', 'cand_X']);
  });
});

describeEachDialect('completions and icons', (db) => {
  let wire: DemoWire;
  beforeAll(async () => {
    wire = await demoWire(db.store());
  });
  afterAll(async () => {
    await wire.close();
  });
  const prompt = (name: string, argument: string, value: string, args: Record<string, string> = {}) =>
    wire.client.complete({
      ref: { type: 'ref/prompt', name },
      argument: { name: argument, value },
      context: { arguments: args },
    });
  const template = (uri: string, argument: string, value: string) =>
    wire.client.complete({ ref: { type: 'ref/resource', uri }, argument: { name: argument, value } });

  it('advertises completions and shows the server icon', () => {
    expect(wire.client.getServerCapabilities()?.completions).toBeDefined();
    expect(wire.client.getServerVersion()?.icons?.[0]?.src).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('completes every prompt argument from the organization', async () => {
    const pursuits = await ok(wire.client, 'list_pursuits', { limit: 100 });
    const pursuit = pursuits.items[0];
    const byId = await prompt('pursuit_review', 'pursuitId', pursuit.id.slice(0, 8));
    expect(byId.completion.values).toContain(pursuit.id);
    const byTitle = await prompt('pursuit_review', 'pursuitId', pursuit.title.split(' ')[0].toLowerCase());
    expect(byTitle.completion.values).toContain(pursuit.id);
    expect((await prompt('pursuit_review', 'gate', 'r')).completion.values).toEqual(['red']);
    expect((await prompt('daily_triage', 'assignee', 'sam')).completion.values).toEqual(['sam@demo.example']);
    const tags = (await prompt('daily_triage', 'tags', 'q')).completion.values;
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toMatch(/^q/);
    const second = (await prompt('daily_triage', 'tags', `${tags[0]},`)).completion.values;
    for (const value of second) expect(value.startsWith(`${tags[0]},`)).toBe(true);
  });

  it('completes every resource-template variable from the organization', async () => {
    const candidate = (await ok(wire.client, 'list_candidates', { limit: 1 })).items[0];
    const signal = (await ok(wire.client, 'list_signals', { limit: 1 })).items[0];
    const pursuit = (await ok(wire.client, 'list_pursuits', { limit: 1 })).items[0];
    expect((await template('workstream://candidates/{id}', 'id', 'cand_')).completion.values).toContain(
      candidate.id,
    );
    expect((await template('workstream://signals/{id}', 'id', 'sig_')).completion.values).toContain(
      signal.id,
    );
    expect((await template('workstream://pursuits/{id}', 'id', 'pur_')).completion.values).toContain(
      pursuit.id,
    );
    expect(
      (await template('workstream://today{?assignee,tags}', 'assignee', 'pri')).completion.values,
    ).toEqual(['priya@demo.example']);
    expect(
      (await template('workstream://today{?assignee,tags}', 'tags', 'q')).completion.values.length,
    ).toBeGreaterThan(0);
    const breaches = 'workstream://sla/breaches{?status,kind,assignee}';
    expect((await template(breaches, 'status', 'b')).completion.values).toEqual(['breached']);
    expect((await template(breaches, 'kind', 'tr')).completion.values).toEqual(['triage']);
    expect((await template(breaches, 'assignee', 'dana')).completion.values).toEqual(['dana@demo.example']);
    // Hostile text completes to nothing, never an error.
    expect((await template('workstream://pursuits/{id}', 'id', "%_'[")).completion.values).toEqual([]);
  });
});

const TOOLSET_OF = new Map(ALL_TOOLS.map((tool) => [tool.name, tool.toolset]));
const PUBLIC_URL = 'https://workstream.example.com/mcp';

describeEachDialect('every toolset together, on both SDK generations', (db) => {
  let wire: DemoWire;
  let server: RunningHttpServer;
  let iconServer: RunningHttpServer;
  let token: string;
  beforeAll(async () => {
    wire = await demoWire(db.store(), { toolsets: [...TOOLSETS] });
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    ({ token } = await issueToken(db.store(), { orgSlug: slug, email, name: 'catalog test' }));
    const http = {
      store: db.store(),
      workstream: createWorkstream(db.store()),
      log: quiet,
      host: '127.0.0.1',
      port: 0,
    };
    server = await startHttpServer({ ...http, metrics: new Metrics(), toolsets: [...TOOLSETS] });
    iconServer = await startHttpServer({
      ...http,
      metrics: new Metrics(),
      publicUrl: PUBLIC_URL,
      toolsets: [...TOOLSETS],
    });
  });
  afterAll(async () => {
    await wire.close();
    await server.close();
    await iconServer.close();
  });
  const headers = () => ({ requestInit: { headers: { authorization: `Bearer ${token}` } } });
  async function v1Over(url: string): Promise<ClientV1> {
    const client = new ClientV1({ name: 'workstream-catalog-v1', version: '1.0.0' });
    await client.connect(new HttpTransportV1(new URL(url), headers()));
    return client;
  }
  async function v2Over(url: string): Promise<Client> {
    const client = new Client({ name: 'workstream-catalog-v2', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), headers()));
    return client;
  }

  it(`sends tools/list with every toolset's tools in at most ${BUDGET.toolsList} bytes (SDK v2, in memory)`, async () => {
    const { tools } = await wire.client.listTools();
    expect(tools).toHaveLength(ALL_TOOLS.length);
    expect(await wire.bytes((client) => client.listTools())).toBeLessThanOrEqual(BUDGET.toolsList);
  });

  it(`lists every toolset's tools to an SDK v1 client over HTTP in at most ${BUDGET.toolsList} bytes`, async () => {
    const v1 = await v1Over(server.url);
    try {
      const listed = await v1.listTools();
      expect(listed.tools.map((tool) => tool.name).sort()).toEqual(ALL_TOOLS.map((tool) => tool.name).sort());
      expect(Buffer.byteLength(JSON.stringify(listed))).toBeLessThanOrEqual(BUDGET.toolsList);
      // The v1 client checks each answer against the compacted output schema it was given.
      const page = await v1.callTool({ name: 'list_pursuits', arguments: { limit: 2 } });
      expect(page.isError).toBeFalsy();
      expect(page.structuredContent).toMatchObject({ items: expect.any(Array) });
      // A change tool publishes no output schema (the instructions state its shape once); the
      // v1 client takes its structuredContent as it is.
      expect(listed.tools.find((tool) => tool.name === 'create_candidate')?.outputSchema).toBeUndefined();
      const created = await v1.callTool({
        name: 'create_candidate',
        arguments: { title: 'Shape', accountName: 'Shape Co' },
      });
      expect(created.isError).toBeFalsy();
      expect(Object.keys(created.structuredContent ?? {}).sort()).toEqual([
        'allowedActions',
        'id',
        'state',
        'version',
      ]);
      expect(v1.getInstructions()).toContain(
        'A change answers {id, version, allowedActions, state} of the record',
      );
    } finally {
      await v1.close();
    }
  });

  it('carries each toolset’s icon on every one of its tools where the server has a public URL, and the server icon in serverInfo', async () => {
    const v1 = await v1Over(iconServer.url);
    const v2 = await v2Over(iconServer.url);
    try {
      for (const client of [v1, v2]) {
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThan(0);
        for (const tool of tools) {
          const toolset = TOOLSET_OF.get(tool.name);
          expect(tool.icons, tool.name).toEqual([
            { src: `https://workstream.example.com/icons/${toolset}.svg` },
          ]);
        }
        expect(client.getServerVersion()?.icons).toEqual([SERVER_ICON]);
        // Every toolset, each tool with its icon, within the budget.
        expect(tools).toHaveLength(ALL_TOOLS.length);
        expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(BUDGET.toolsList);
      }
      expect(
        Buffer.from(SERVER_ICON.src.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString(),
      ).toMatch(/^<svg xmlns=.*<\/svg>$/);
      // What each icon names is served, as an image, from the server's own origin.
      const origin = new URL(iconServer.url).origin;
      for (const toolset of DEFAULT_TOOLSETS) {
        const response = await fetch(`${origin}/icons/${toolset}.svg`);
        expect(response.status, toolset).toBe(200);
        expect(response.headers.get('content-type')).toBe('image/svg+xml');
        expect(await response.text()).toBe(TOOLSET_ICONS[toolset]);
      }
      expect((await fetch(`${origin}/icons/nothing.svg`)).status).toBe(404);
    } finally {
      await v1.close();
      await v2.close();
    }
  });

  it('carries no tool icons where there is no public URL to serve them from (stdio, in memory)', async () => {
    const { tools } = await wire.client.listTools();
    for (const tool of tools) expect(tool.icons, tool.name).toBeUndefined();
    expect(wire.client.getServerVersion()?.icons).toEqual([SERVER_ICON]);
  });
});

describeEachDialect('search over more matches than a page, newest first after the exact hits', (db) => {
  it('pages 600 matches (past the SQLite FTS probe of 500) in order, an exact title first, nothing repeated or dropped', async () => {
    const org = await testOrg(db.store());
    const ids: string[] = [];
    const rows = [];
    for (let i = 0; i < 600; i++) {
      const id = newId('cand', new Date(Date.UTC(2026, 0, 1) + i * 1000));
      ids.push(id);
      rows.push({
        id,
        org_id: org.orgId,
        title: `Ferryman refit ${i}`,
        account_name: `Ferry Account ${i}`,
        natural_key: `ferry-${i}`,
        created_by: org.actor.memberId,
      });
    }
    for (let start = 0; start < rows.length; start += 100)
      await db
        .store()
        .db.insertInto('candidates')
        .values(rows.slice(start, start + 100))
        .execute();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await org.ws.search(org.actor, {
        query: 'ferryman refit 7',
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((hit) => hit.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // 'refit 7' matches the titles holding a 7 after "refit " … and the exact title first.
    const matching = rows.filter((row) =>
      `${row.title} ${row.account_name}`.toLowerCase().includes('ferryman'),
    );
    const rest = matching
      .filter((row) => row.title.toLowerCase() !== 'ferryman refit 7')
      .map((row) => row.id)
      .sort()
      .reverse();
    expect(seen).toEqual([ids[7], ...rest]);
    const page = await org.ws.search(org.actor, { query: 'ferryman', limit: 25 });
    expect(page.items.map((hit) => hit.id)).toEqual([...ids].reverse().slice(0, 25));
  });
});
