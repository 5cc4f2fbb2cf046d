/** Tool behaviour through a real MCP client, in memory, on every database. */
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, ProtocolError } from '@modelcontextprotocol/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/mcp.js';
import { Metrics } from '../../src/server/metrics.js';
import { connect } from '../../src/store/connect.js';
import { Changed } from '../../src/tools/answers.js';
import { selectTools } from '../../src/tools/index.js';

/** What a server with the default toolsets lists (analytics is named to be listed). */
const SERVED = selectTools();

import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { lifecycle, malformedCalls, pagination, todayOrder } from './scenario.js';
import { call, inMemoryClient, ok, refused } from './support.js';

describeEachDialect('MCP tools', (db) => {
  let org: TestOrg;
  let client: Client;
  beforeAll(async () => {
    // The system clock: these tests drive the server the way a client does, at real time.
    org = await testOrg(db.store());
    client = await inMemoryClient(createWorkstream(db.store()), org.actor);
  });
  afterAll(async () => {
    await client.close();
  });

  it('lists every tool with input and output schemas, the titles that say more than the name, and annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(SERVED.map((tool) => tool.name).sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      // Every answer but the one change shape is published (test below).
      if (tool.outputSchema) expect(tool.outputSchema.type, tool.name).toBe('object');
      // A title is published only where it names the tool otherwise than its name does.
      const declared = SERVED.find((t) => t.name === tool.name);
      const nameWords = tool.name.split('_');
      const titleWords = (declared?.title ?? '').toLowerCase().split(/[^a-z0-9]+/);
      expect(tool.title, tool.name).toBe(
        nameWords.every((word) => titleWords.includes(word)) ? undefined : declared?.title,
      );
      // Hints that differ from MCP's defaults are stated; a read says it is read-only.
      expect(tool.annotations?.openWorldHint, tool.name).toBe(
        tool.name === 'enrich_candidate' ? undefined : false,
      );
    }
  });

  it('publishes every answer but the one change shape, which the instructions state once and each such tool answers', async () => {
    const { tools } = await client.listTools();
    const unpublished = tools.filter((tool) => tool.outputSchema === undefined).map((tool) => tool.name);
    expect(unpublished.sort()).toEqual(
      SERVED.filter((tool) => tool.answer === Changed)
        .map((tool) => tool.name)
        .sort(),
    );
    expect(unpublished).toContain('update_candidate');
    expect(client.getInstructions()).toContain(
      'A change answers {id, version, allowedActions, state} of the record it changed as structuredContent',
    );
    const created = await ok(client, 'create_candidate', { title: 'Shape', accountName: 'Shape Co' });
    expect(Object.keys(created).sort()).toEqual(['allowedActions', 'id', 'state', 'version']);
    const updated = await ok(client, 'update_candidate', { candidateId: created.id, priority: 'high' });
    expect(updated).toMatchObject({ id: created.id, state: 'new', version: created.version + 1 });
    expect(Object.keys(updated).sort()).toEqual(['allowedActions', 'id', 'state', 'version']);
  });

  it('drives a signal to a won pursuit, answering each refusal with its code and next step', async () => {
    await lifecycle(client);
  });

  it('pages lists with nextCursor until null, nothing repeated or dropped', async () => {
    await pagination(client);
  });

  it('orders the Today Panel urgent → low, then by due time, then by age', async () => {
    await todayOrder(client);
  });

  it('answers a malformed call to every tool with a VALIDATION refusal naming the field', async () => {
    expect(await malformedCalls(client)).toBe(SERVED.length);
  });

  it('answers with structuredContent and a short text naming the record', async () => {
    const answer = await call(client, 'create_candidate', {
      title: 'Text check',
      accountName: `Text ${Date.now()}`,
    });
    expect(answer.isError).toBe(false);
    expect(answer.text).toContain(answer.data.id);
    expect(answer.text).toMatch(/Next: log_touch/);
  });

  it('turns decide_no_bid into the no-bid outcome and requires its reason', async () => {
    const candidate = await ok(client, 'create_candidate', {
      title: 'No bid',
      accountName: `NB ${Date.now()}`,
    });
    await ok(client, 'log_touch', { candidateId: candidate.id, kind: 'email', summary: 'Hello' });
    await ok(client, 'qualify_candidate', { candidateId: candidate.id });
    const { pursuit } = await ok(client, 'promote_candidate', { candidateId: candidate.id });
    expect(await refused(client, 'decide_no_bid', { pursuitId: pursuit.id })).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
    expect(
      await ok(client, 'decide_no_bid', { pursuitId: pursuit.id, reason: 'Incumbent locked in' }),
    ).toMatchObject({ state: 'no_bid' });
  });

  it('queues enrichment with the configured providers, and says so when there are none', async () => {
    const candidate = await ok(client, 'create_candidate', {
      title: 'Enrich me',
      accountName: `Enrich ${Date.now()}`,
    });
    expect(await refused(client, 'enrich_candidate', { candidateId: candidate.id })).toMatchObject({
      code: 'VALIDATION',
      field: 'providers',
    });
    expect(await ok(client, 'get_enrichment', { candidateId: candidate.id })).toEqual({
      candidateId: candidate.id,
      enrichment: [],
    });
    const providers = [{ name: 'companies', tool: 'lookup_company' }];
    const enriching = await inMemoryClient(
      createWorkstream(db.store(), undefined, { enrichmentProviders: providers }),
      org.actor,
    );
    try {
      const queued = await ok(enriching, 'enrich_candidate', { candidateId: candidate.id });
      expect(queued).toMatchObject({
        candidateId: candidate.id,
        enrichment: [{ provider: 'companies', state: 'pending' }],
      });
      const provenance = await ok(enriching, 'get_enrichment', { candidateId: candidate.id });
      expect(provenance.enrichment).toEqual([
        expect.objectContaining({ provider: 'companies', tool: 'lookup_company', state: 'pending' }),
      ]);
    } finally {
      await enriching.close();
    }
  });

  it('refuses a viewer’s change as FORBIDDEN and still lets them read', async () => {
    const { memberId } = await org.ws.addMember({
      orgId: org.orgId,
      email: `viewer${Date.now()}@example.com`,
      name: 'Vi',
      role: 'viewer',
    });
    const viewer = await inMemoryClient(createWorkstream(db.store()), { orgId: org.orgId, memberId });
    try {
      expect(await refused(viewer, 'create_candidate', { title: 'x', accountName: 'y' })).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect((await ok(viewer, 'list_candidates', { limit: 1 })).items).toHaveLength(1);
    } finally {
      await viewer.close();
    }
  });

  it('exposes only the chosen toolsets, and only reads when read-only', async () => {
    const narrow = await inMemoryClient(createWorkstream(db.store()), org.actor, {
      toolsets: ['signals', 'views'],
      readOnly: true,
    });
    try {
      const names = (await narrow.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('get_today_panel');
      expect(names).not.toContain('create_signal');
      expect(names).not.toContain('submit_pursuit');
      await expect(narrow.callTool({ name: 'create_signal', arguments: {} })).rejects.toBeInstanceOf(
        ProtocolError,
      );
    } finally {
      await narrow.close();
    }
  });

  it('answers an unexpected failure with an error id it logged, and keeps serving', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'error' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const doomed = await connect(db.url());
    const metrics = new Metrics();
    const server = createServer({ workstream: createWorkstream(doomed), actor: org.actor, log, metrics });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const broken = new Client({ name: 'test', version: '1.0.0' });
    await broken.connect(clientSide);
    await doomed.close();
    try {
      const answer = await call(broken, 'list_signals', {});
      expect(answer.isError).toBe(true);
      const errorId: string = answer.data.error.errorId;
      expect(answer.data.error.code).toBe('INTERNAL');
      expect(errorId).toMatch(/^err_/);
      expect(answer.text).toContain(errorId);
      expect(answer.text).not.toMatch(/\n\s+at /);
      expect(lines.some((line) => line.includes(errorId) && line.includes('list_signals'))).toBe(true);
      expect(await metrics.text()).toMatch(
        /workstream_tool_errors_total\{tool="list_signals",code="INTERNAL"\} 1/,
      );
      // The server is still there for the next call.
      expect((await call(broken, 'list_signals', {})).data.error.code).toBe('INTERNAL');
    } finally {
      await broken.close();
    }
  });
});

describe('MCP tool refusals', () => {
  it('reach the client even though their structuredContent is not the output schema', async () => {
    // The client validates structuredContent against the advertised outputSchema, except on isError.
    const store = await connect('sqlite::memory:');
    try {
      const { migrate } = await import('../../src/store/migrator.js');
      await migrate(store);
      const org = await testOrg(store);
      const client = await inMemoryClient(createWorkstream(store), org.actor);
      const answer = await call(client, 'get_pursuit', { pursuitId: 'pur_01JAAAAAAAAAAAAAAAAAAAAAAA' });
      expect(answer).toMatchObject({ isError: true, data: { error: { code: 'NOT_FOUND' } } });
      await client.close();
    } finally {
      await store.close();
    }
  });
});
