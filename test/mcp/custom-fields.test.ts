/** Custom fields through real MCP clients (SDK v2 and v1, in memory): the schema, a typed write, a refusal naming the field. */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryTransportV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { expect, it } from 'vitest';
import { createServer } from '../../src/server/mcp.js';
import { TOOLSETS } from '../../src/tools/toolsets.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { inMemoryClient, ok, quiet, refused, type ToolClient } from './support.js';

describeEachDialect('custom fields over MCP', ({ store }) => {
  async function clients() {
    const { ws, actor } = await testOrg(store());
    const v2 = await inMemoryClient(ws, actor, { toolsets: TOOLSETS });
    const server = createServer({ workstream: ws, actor, log: quiet, toolsets: TOOLSETS });
    const [clientSide, serverSide] = InMemoryTransportV1.createLinkedPair();
    // biome-ignore lint/suspicious/noExplicitAny: the v1 transport speaks the same JSON-RPC messages.
    await server.connect(serverSide as any);
    const v1 = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
    await v1.connect(clientSide);
    return { v2, v1: v1 as unknown as ToolClient };
  }

  it('defines a field, reads the schema, accepts a typed value and refuses a wrong one, on both SDKs', async () => {
    const { v2, v1 } = await clients();
    await ok(v2, 'set_custom_field', {
      entity: 'candidate',
      key: 'region',
      label: 'Region',
      type: 'enum',
      options: ['EMEA', 'AMER'],
    });
    for (const client of [v2, v1] as ToolClient[]) {
      const schema = await ok(client, 'get_field_schema', { entity: 'candidate' });
      expect(schema.fields).toEqual([
        { entity: 'candidate', key: 'region', label: 'Region', type: 'enum', options: ['EMEA', 'AMER'] },
      ]);
      const created = await ok(client, 'create_candidate', {
        title: 'Typed over MCP',
        accountName: `MCP ${Math.random()}`,
        fields: { region: 'AMER' },
      });
      const read = await ok(client, 'get_candidate', { candidateId: created.id ?? created.candidate?.id });
      expect(read.fields ?? read.candidate?.fields).toEqual({ region: 'AMER' });
      const failure = await refused(client, 'create_candidate', {
        title: 'Bad over MCP',
        accountName: `MCP ${Math.random()}`,
        fields: { region: 'APAC' },
      });
      expect(failure).toMatchObject({ code: 'VALIDATION', field: 'fields.region' });
    }
    await v2.close();
    await v1.close();
  });
});
