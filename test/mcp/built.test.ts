/**
 * The command as `npm run build` ships it (dist/src/cli.js: bundled, with every tool's JSON
 * Schemas converted at build time, scripts/bundle-cli.mjs) serves what the sources serve: the same
 * tools/list and the same answer, to the SDK v1 and v2 clients over stdio. Needs `npm run build`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { LEGACY } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = join(ROOT, 'dist', 'src', 'cli.js');

describe('the built command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workstream-built-'));
  const env = {
    WORKSTREAM_DB_URL: `sqlite:${join(dir, 'workstream.db')}`,
    WORKSTREAM_ORG: 'acme',
    WORKSTREAM_ACTOR: 'ada@acme.test',
    WORKSTREAM_LOG_LEVEL: 'silent',
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the same tools and answers the same as the sources, to the SDK v1 and v2 clients', async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run npm run build`).toBe(true);
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
    const source = { command: process.execPath, args: ['--import', 'tsx', CLI, 'serve'], env, cwd: ROOT };
    const built = { command: process.execPath, args: [BUILT, 'serve'], env, cwd: ROOT };
    const seen: unknown[] = [];
    for (const transport of [source, built]) {
      const v1 = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
      await v1.connect(new StdioClientTransportV1({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
      const v2 = new Client({ name: 'workstream-test', version: '1.0.0' }, LEGACY);
      await v2.connect(new StdioClientTransport({ ...transport, stderr: 'pipe' }), { timeout: 30_000 });
      try {
        // The first call, before any tools/list: its output schema is the one the build converted.
        const answers = [
          await v1.callTool({ name: 'get_today_panel', arguments: {} }),
          await v2.callTool({ name: 'get_today_panel', arguments: {} }),
        ];
        for (const answer of answers) expect(answer.isError).toBeFalsy();
        seen.push({
          v1: (await v1.listTools()).tools,
          v2: (await v2.listTools()).tools,
          // Less the moment of the answer.
          answers: answers.map((answer) => ({ ...(answer.structuredContent as object), asOf: undefined })),
        });
      } finally {
        await v1.close();
        await v2.close();
      }
    }
    const [fromSource, fromBuild] = seen as { v1: unknown[]; v2: unknown[] }[];
    expect(fromSource?.v1.length).toBeGreaterThan(40);
    expect(fromBuild, 'the build differs from the sources (built before a change? npm run build)').toEqual(
      fromSource,
    );
  });
});
