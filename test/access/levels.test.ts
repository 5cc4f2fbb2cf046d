/** Roles and scopes decide the tool list: the same rule over stdio as over HTTP. */
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOOLS, levelOf, missingScope, reaches, toolLevel, toolsFor } from '../../src/access/levels.js';
import { ALL_TOOLS, selectTools } from '../../src/tools/index.js';
import { orgIdentity } from '../mcp/support.js';
import { CLI } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

describe('access levels', () => {
  it('names only tools that exist as admin tools', () => {
    const names = new Set(ALL_TOOLS.map((tool) => tool.name));
    expect([...ADMIN_TOOLS].filter((name) => !names.has(name))).toEqual([]);
  });

  it('lets a role reach its level and no further, and scopes cap the role', () => {
    const read = ALL_TOOLS.filter((tool) => toolLevel(tool) === 'read');
    const write = ALL_TOOLS.filter((tool) => toolLevel(tool) !== 'admin');
    expect(toolsFor({ role: 'viewer' }, ALL_TOOLS)).toEqual(read);
    expect(toolsFor({ role: 'member' }, ALL_TOOLS)).toEqual(write);
    expect(toolsFor({ role: 'admin' }, ALL_TOOLS)).toEqual(ALL_TOOLS);
    expect(toolsFor({ role: 'admin', scopeLevel: 'read' }, ALL_TOOLS)).toEqual(read);
    expect(toolsFor({ role: 'viewer', scopeLevel: 'admin' }, ALL_TOOLS)).toEqual(read);
    expect(toolsFor({ role: 'admin', scopeLevel: null }, ALL_TOOLS)).toEqual([]);
    expect(levelOf({ role: 'member', scopeLevel: 'admin' })).toBe('write');
  });

  it('asks for a broader scope only where the role would allow the call', () => {
    const create = ALL_TOOLS.find((tool) => tool.name === 'create_signal');
    const policy = ALL_TOOLS.find((tool) => tool.name === 'set_sla_policy');
    if (!create || !policy) throw new Error('tools missing');
    expect(missingScope({ role: 'member', scopeLevel: 'read' }, create)).toBe('write');
    expect(missingScope({ role: 'viewer', scopeLevel: 'read' }, create)).toBeNull();
    expect(missingScope({ role: 'member', scopeLevel: 'write' }, policy)).toBeNull();
    expect(missingScope({ role: 'admin', scopeLevel: 'write' }, policy)).toBe('admin');
    expect(reaches({ role: 'admin', scopeLevel: 'admin' }, policy)).toBe(true);
  });
});

describeEachDialect('tool list over stdio', (db) => {
  it('shows a viewer only the tools that change nothing', async () => {
    const org = await testOrg(db.store());
    const { slug } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    await org.ws.addMember({
      orgId: org.orgId,
      email: 'viewer@stdio.test',
      name: 'Vic Viewer',
      role: 'viewer',
    });
    const client = new Client({ name: 'viewer', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: {
          ...process.env,
          WORKSTREAM_DB_URL: db.url(),
          WORKSTREAM_ORG: slug,
          WORKSTREAM_ACTOR: 'viewer@stdio.test',
          WORKSTREAM_LOG_LEVEL: 'warn',
        } as Record<string, string>,
        stderr: 'pipe',
      }),
      { timeout: 30_000 },
    );
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(
        selectTools()
          .filter((tool) => toolLevel(tool) === 'read')
          .map((tool) => tool.name),
      );
    } finally {
      await client.close();
    }
  });
});
