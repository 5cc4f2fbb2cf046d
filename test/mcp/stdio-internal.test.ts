/**
 * INTERNAL over stdio, to the SDK v1 and v2 clients: a server whose database lost a table it
 * reads answers with an error id as a result, and keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { internal } from './scenario.js';
import { LEGACY, ok, type ToolClient } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('MCP over stdio when the server fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workstream-internal-'));
  const file = join(dir, 'workstream.db');
  const env = {
    WORKSTREAM_DB_URL: `sqlite:${file}`,
    WORKSTREAM_ORG: 'acme',
    WORKSTREAM_ACTOR: 'ada@acme.test',
    WORKSTREAM_LOG_LEVEL: 'silent',
  };
  const transport = { command: process.execPath, args: ['--import', 'tsx', CLI, 'serve'], env, cwd: ROOT };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers INTERNAL as a result to the SDK v1 and v2 clients, and keeps serving', async () => {
    const created = await runCli([
      'org',
      'create',
      'acme',
      '--name',
      'Acme',
      '--admin',
      'ada@acme.test',
      '--db',
      env.WORKSTREAM_DB_URL,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const v1 = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
    await v1.connect(new StdioClientTransportV1({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
    const v2 = new Client({ name: 'workstream-test', version: '1.0.0' }, LEGACY);
    await v2.connect(new StdioClientTransport({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
    const clients: ToolClient[] = [v1, v2];
    try {
      for (const client of clients) expect((await ok(client, 'list_signals', {})).items).toEqual([]);
      // Another process drops a table the servers read: their next read is a defect, not a refusal.
      const sqlite = new Database(file);
      sqlite.exec('DROP TABLE signals');
      sqlite.close();
      for (const client of clients) {
        await internal(client);
        await internal(client);
      }
    } finally {
      for (const client of clients) await client.close();
    }
  });
});
