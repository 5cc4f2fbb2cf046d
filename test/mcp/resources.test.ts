/** Resources by URI template, and the prompts that start from them. */
import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError } from '@modelcontextprotocol/client';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { inMemoryClient, type Loose, ok } from './support.js';

/** The text of a prompt message (the test fails if it is not text). */
function textOf(message: { content: unknown } | undefined): string {
  const content = message?.content;
  if (typeof content !== 'object' || content === null || !('text' in content))
    throw new Error('not a text message');
  return String(content.text);
}

describeEachDialect('MCP resources and prompts', (db) => {
  let org: TestOrg;
  let client: Client;
  let candidateId: string;
  let pursuitId: string;

  async function read(uri: string): Promise<Loose> {
    const result = await client.readResource({ uri });
    const [content] = result.contents;
    expect(content).toMatchObject({ uri, mimeType: 'application/json' });
    return JSON.parse(String((content as { text: string }).text));
  }

  beforeAll(async () => {
    org = await testOrg(db.store());
    client = await inMemoryClient(org.ws, org.actor);
    const make = async (title: string, priority: string, tags: string[]) =>
      (
        await ok(client, 'create_candidate', {
          title,
          accountName: `${title} Ltd`,
          priority,
          assignee: 'me',
          tags,
        })
      ).id as string;
    candidateId = await make('Harbour cranes', 'high', ['ports', 'east']);
    const toPromote = await make('Rail yards', 'urgent', ['rail', 'east']);
    await ok(client, 'log_touch', { candidateId: toPromote, kind: 'call', summary: 'Hi' });
    await ok(client, 'qualify_candidate', { candidateId: toPromote });
    pursuitId = (await ok(client, 'promote_candidate', { candidateId: toPromote })).pursuit.id;
  });

  it('advertises the Today Panel and the entity templates', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining([
        'workstream://today{?assignee,tags}',
        'workstream://candidates/{id}',
        'workstream://pursuits/{id}',
        'workstream://signals/{id}',
      ]),
    );
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('workstream://today');
  });

  it('reads a candidate, and a pursuit with its checklists, proposal versions and open clocks', async () => {
    const candidate = await read(`workstream://candidates/${candidateId}`);
    expect(candidate).toMatchObject({
      candidate: { id: candidateId, state: 'new' },
      slaClocks: expect.any(Array),
    });
    const pursuit = await read(`workstream://pursuits/${pursuitId}`);
    expect(pursuit.pursuit).toMatchObject({ id: pursuitId, state: 'capture', proposalVersions: [] });
    expect(pursuit.pursuit.checklists.map((c: { kind: string }) => c.kind)).toEqual(['pink', 'red']);
    expect(pursuit.slaClocks).toEqual(expect.any(Array));
  });

  it('answers an unknown record with resource-not-found and a malformed id with invalid params', async () => {
    const missing = await client
      .readResource({ uri: 'workstream://pursuits/pur_01JAAAAAAAAAAAAAAAAAAAAAAA' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ProtocolError);
    expect(String((missing as Error).message)).toMatch(/does not exist/);
    const malformed = await client
      .readResource({ uri: 'workstream://candidates/bogus' })
      .catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(ProtocolError);
    expect((malformed as ProtocolError).code).toBe(-32602);
    expect((malformed as Error).message).toMatch(/^VALIDATION: candidateId/);
  });

  it('reads the Today Panel with no query, part of it, or all of it in any order', async () => {
    expect((await read('workstream://today')).items.map((i: { id: string }) => i.id)).toEqual([
      pursuitId,
      candidateId,
    ]);
    expect((await read('workstream://today?tags=rail')).items.map((i: { id: string }) => i.id)).toEqual([
      pursuitId,
    ]);
    const email = encodeURIComponent(
      `admin@${(await org.ws.deps.store.db.selectFrom('orgs').select('slug').where('id', '=', org.orgId).executeTakeFirstOrThrow()).slug}.test`,
    );
    const both = await read(`workstream://today?assignee=${email}&tags=east,ports`);
    expect(both.items.map((i: { id: string }) => i.id)).toEqual([candidateId]);
    const any = await read(`workstream://today?tags=ports,rail&tagMatch=any&kind=pursuit`);
    expect(any.items.map((i: { id: string }) => i.id)).toEqual([pursuitId]);
    const page = await read('workstream://today?limit=1');
    expect(page).toMatchObject({ total: 2, items: [{ id: pursuitId }], nextCursor: expect.any(String) });
    await expect(client.readResource({ uri: 'workstream://todayish' })).rejects.toThrow(/not found/i);
  });

  it('prompts a daily triage that walks the Today Panel', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['daily_triage', 'pursuit_review']);
    const triage = await client.getPrompt({ name: 'daily_triage', arguments: {} });
    const [instructions, panel] = triage.messages;
    expect(instructions?.content).toMatchObject({
      type: 'text',
      text: expect.stringContaining('Today Panel'),
    });
    expect(panel?.content).toMatchObject({
      type: 'resource',
      resource: { uri: 'workstream://today', mimeType: 'application/json' },
    });
    expect(JSON.stringify(panel?.content)).toContain(pursuitId);
  });

  it('prompts a pursuit review against its pink gate, or the red one once submitted', async () => {
    const review = await client.getPrompt({ name: 'pursuit_review', arguments: { pursuitId } });
    const text = textOf(review.messages[0]);
    expect(text).toContain('against its pink gate');
    expect(text).toContain('compliance_matrix (required): open');
    expect(text).toContain('submit_pursuit');
    expect(review.messages[1]?.content).toMatchObject({
      type: 'resource',
      resource: { uri: `workstream://pursuits/${pursuitId}` },
    });
    const red = await client.getPrompt({ name: 'pursuit_review', arguments: { pursuitId, gate: 'red' } });
    expect(textOf(red.messages[0])).toContain('mark_won');
    await expect(
      client.getPrompt({
        name: 'pursuit_review',
        arguments: { pursuitId: 'pur_01JAAAAAAAAAAAAAAAAAAAAAAA' },
      }),
    ).rejects.toThrow(/does not exist/);
  });
});
