/** MCP over stdio: the `workstream serve` process as a desktop client spawns it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, expect, it } from 'vitest';
import { selectTools } from '../../src/tools/index.js';

/** What a server with the default toolsets lists (analytics is named to be listed). */
const SERVED = selectTools();

import { CLI, runCli } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { forbidden, lifecycle, malformedCalls, pagination, todayOrder } from './scenario.js';
import { LEGACY, MODERN, orgIdentity, type ToolClient } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describeEachDialect('MCP over stdio', (db) => {
  let env: Record<string, string>;
  let viewerEmail: string;

  beforeAll(async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    env = {
      WORKSTREAM_DB_URL: db.url(),
      WORKSTREAM_ORG: slug,
      WORKSTREAM_ACTOR: email,
      WORKSTREAM_LOG_LEVEL: 'warn',
    };
    viewerEmail = `viewer@${slug}.test`;
    // A member while the session starts (so the write tools are listed), a viewer by the time they call.
    await org.ws.addMember({ orgId: org.orgId, email: viewerEmail, name: 'Vi', role: 'member' });
  });

  /**
   * The role shapes the tool list when a session starts, so a viewer never sees a write tool; one
   * demoted during the session still holds the list and meets FORBIDDEN from the command.
   */
  async function demoted(work: () => Promise<void>): Promise<void> {
    const setRole = (role: 'member' | 'viewer') =>
      db.store().db.updateTable('members').set({ role }).where('email', '=', viewerEmail).execute();
    await setRole('viewer');
    try {
      await work();
    } finally {
      await setRole('member');
    }
  }

  /** The SDK v1 client (`@modelcontextprotocol/sdk`), as most 2025-era hosts embed it. */
  async function stdioClientV1(actor = env.WORKSTREAM_ACTOR as string): Promise<ToolClient> {
    const client = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
    await client.connect(
      new StdioClientTransportV1({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: { ...env, WORKSTREAM_ACTOR: actor },
        cwd: ROOT,
        stderr: 'pipe',
      }),
      { timeout: 30_000 },
    );
    return client;
  }

  it('serves an SDK v1 client the whole lifecycle, every refusal a result it can read', async () => {
    const client = await stdioClientV1();
    const viewer = await stdioClientV1(viewerEmail);
    try {
      expect((await client.listTools()).tools).toHaveLength(SERVED.length);
      await lifecycle(client);
      await pagination(client);
      expect(await malformedCalls(client)).toBe(SERVED.length);
      await demoted(async () => forbidden(viewer));
    } finally {
      await client.close();
      await viewer.close();
    }
  });

  it('answers a change by a member demoted to viewer mid-session as FORBIDDEN, to the SDK v2 client too', async () => {
    const viewer = new Client({ name: 'workstream-test', version: '1.0.0' }, LEGACY);
    await viewer.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: { ...env, WORKSTREAM_ACTOR: viewerEmail },
        cwd: ROOT,
        stderr: 'pipe',
      }),
      { timeout: 30_000 },
    );
    try {
      await demoted(async () => forbidden(viewer));
    } finally {
      await viewer.close();
    }
  });

  async function stdioClient(options: ClientOptions): Promise<Client> {
    const client = new Client({ name: 'workstream-test', version: '1.0.0' }, options);
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env,
        cwd: ROOT,
        stderr: 'pipe',
      }),
      { timeout: 30_000 },
    );
    return client;
  }

  it.each([
    ['a 2025-era client (legacy handshake)', LEGACY, '2025-11-25'],
    ['a 2026-07-28 client', MODERN, '2026-07-28'],
  ] as const)('serves %s the whole lifecycle', async (_label, options, version) => {
    const client = await stdioClient(options);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(version);
      expect((await client.listTools()).tools).toHaveLength(SERVED.length);
      await lifecycle(client);
      await pagination(client);
      await todayOrder(client);
      expect(await malformedCalls(client)).toBe(SERVED.length);
    } finally {
      await client.close();
    }
  });

  it('writes nothing but protocol messages to stdout, and logs to stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, WORKSTREAM_LOG_LEVEL: 'debug' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const answered = (id: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (stdout.includes(`"id":${id}`)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    const send = (message: object) =>
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await answered(1);
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'get_pursuit', arguments: { pursuitId: 'nope' } } });
    send({ id: 3, method: 'tools/call', params: { name: 'list_signals', arguments: {} } });
    await answered(3);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toMatch(/"msg":"serving MCP on stdio"/);
  });

  it('stops at start with one line naming the setting when the organization or member is unknown', async () => {
    const unknownOrg = await runCli(['serve'], { ...env, WORKSTREAM_ORG: 'no-such-org' });
    expect(unknownOrg.code).toBe(2);
    expect(unknownOrg.stderr).toMatch(
      /^workstream: WORKSTREAM_ORG \/ WORKSTREAM_ACTOR: no organization with slug 'no-such-org'/,
    );
    expect(unknownOrg.stdout).toBe('');
    const unknownMember = await runCli(['serve'], { ...env, WORKSTREAM_ACTOR: 'nobody@example.com' });
    expect(unknownMember.code).toBe(2);
    expect(unknownMember.stderr).toMatch(/nobody@example.com is not a member/);
    const unset = await runCli(['serve'], { WORKSTREAM_DB_URL: db.url() });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/set WORKSTREAM_ORG .* and WORKSTREAM_ACTOR/);
  });
});
