/**
 * The whole path as an operator runs it: `workstream serve --http --worker` on the embedded
 * database with the sample provider configured; a candidate created through MCP is enriched by
 * the in-process worker and shows it on get_candidate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, expect, it, vi } from 'vitest';
import { MODERN, ok, printed } from '../mcp/support.js';
import { exited, runCli, spawnCli } from '../support/cli.js';

const SAMPLE_CONFIG = fileURLToPath(
  new URL('../../examples/company-directory/enrichment.json', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'workstream-enrich-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('enriches a candidate created over MCP, in the server process, with the sample provider', async () => {
  const db = `sqlite:${join(dir, 'ws.db')}`;
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
  const org = await runCli([
    'org',
    'create',
    'enrich-co',
    '--name',
    'Enrich Co',
    '--admin',
    'ops@enrich.example',
    '--db',
    db,
  ]);
  expect(org.code, org.stderr).toBe(0);
  const token = (
    await runCli(['token', 'create', '--org', 'enrich-co', '--member', 'ops@enrich.example', '--db', db])
  ).stdout.trim();

  const server = spawnCli(['serve', '--http', '--worker', '--port', '0', '--db', db], {
    WORKSTREAM_ENRICHMENT_CONFIG: SAMPLE_CONFIG,
    WORKSTREAM_LOG_LEVEL: 'warn',
  });
  try {
    const [, url = ''] = await printed(server, /MCP over Streamable HTTP at (\S+)/);
    const client = new Client({ name: 'enrichment-e2e', version: '1.0.0' }, MODERN);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const created = await ok(client, 'create_candidate', {
        title: 'Fleet telematics',
        accountName: 'Northwind Freight',
        accountDomain: 'northwind-freight.example',
      });
      // A change answers the candidate's id and state; what enrichment found is get_enrichment's.
      await vi.waitFor(
        async () => {
          const { enrichment } = await ok(client, 'get_enrichment', { candidateId: created.id });
          expect(enrichment[0]).toMatchObject({
            provider: 'company-directory',
            state: 'ok',
            fields: { industry: expect.any(String) },
          });
        },
        { timeout: 30_000, interval: 200 },
      );
      const provenance = await ok(client, 'get_enrichment', { candidateId: created.id });
      expect(JSON.stringify(provenance)).toContain('lookup_company');
    } finally {
      await client.close();
    }
  } finally {
    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
  }
}, 90_000);
