/**
 * An MCP server nobody here wrote, installed from the npm registry (@modelcontextprotocol/server-memory,
 * a dev dependency), used as an enrichment provider through configuration alone: its `open_nodes`
 * tool answers JSON as text, which the mapping reads with `from: 'json-text'`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EnrichmentConfig } from '../../src/enrichment/config.js';
import { describeEachDialect } from '../support/databases.js';
import { candidateRow, config, enrichingOrg, enrichmentRow, ROOT, until, worker } from './support.js';

const MEMORY_SERVER = join(ROOT, 'node_modules', '.bin', 'mcp-server-memory');

describeEachDialect(
  'enrichment from @modelcontextprotocol/server-memory, mapped by configuration alone',
  ({ store }) => {
    let dir: string;
    let memoryFile: string;
    let enrichment: EnrichmentConfig;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'enrichment-memory-'));
      memoryFile = join(dir, 'memory.jsonl');
      // Seeded through the server itself, as any MCP client would.
      const seeder = new Client({ name: 'seeder', version: '1.0.0' });
      await seeder.connect(
        new StdioClientTransport({
          command: MEMORY_SERVER,
          env: { MEMORY_FILE_PATH: memoryFile },
          stderr: 'pipe',
        }),
      );
      const seeded = await seeder.callTool({
        name: 'create_entities',
        arguments: {
          entities: [
            {
              name: 'Fjordline Energy',
              entityType: 'company',
              observations: ['Renewable energy', 'Offshore wind operator in the North Sea', 'Bergen, Norway'],
            },
            { name: 'Harbor City Health', entityType: 'company', observations: ['Healthcare'] },
          ],
        },
      });
      expect(seeded.isError).toBeFalsy();
      await seeder.close();

      enrichment = config({
        providers: [
          {
            name: 'memory',
            transport: { type: 'stdio', command: MEMORY_SERVER, env: { MEMORY_FILE_PATH: memoryFile } },
            tool: 'open_nodes',
            arguments: { names: ['{{accountName}}'] },
            result: {
              from: 'json-text',
              fields: {
                industry: 'entities[0].observations[0]',
                description: 'entities[0].observations[1]',
                location: 'entities[0].observations[2]',
                custom: { entityType: 'entities[0].entityType' },
              },
              required: ['industry'],
            },
            timeoutMs: 10_000,
          },
        ],
      });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('maps what the server knows about the account into enrichment fields', async () => {
      const { ws, actor } = await enrichingOrg(store(), enrichment);
      const known = await ws.createCandidate(actor, {
        title: 'Turbine monitoring',
        accountName: 'Fjordline Energy',
      });
      const sparse = await ws.createCandidate(actor, {
        title: 'Clinic scheduling',
        accountName: 'Harbor City Health',
      });
      const unknown = await ws.createCandidate(actor, { title: 'Mystery', accountName: 'Nobody Knows Inc' });
      const before = await candidateRow(store(), unknown.id);
      const running = worker(store(), enrichment);
      try {
        await until(async () => {
          expect((await enrichmentRow(store(), known.id, 'memory')).state).toBe('ok');
          expect((await enrichmentRow(store(), sparse.id, 'memory')).state).toBe('ok');
          expect((await enrichmentRow(store(), unknown.id, 'memory')).attempts).toBe(1);
        });
      } finally {
        await running.stop();
      }
      expect((await enrichmentRow(store(), known.id, 'memory')).fields_json).toEqual({
        industry: 'Renewable energy',
        description: 'Offshore wind operator in the North Sea',
        location: 'Bergen, Norway',
        custom: { entityType: 'company' },
      });
      expect((await enrichmentRow(store(), sparse.id, 'memory')).fields_json).toEqual({
        industry: 'Healthcare',
        custom: { entityType: 'company' },
      });
      // The server answers an empty graph for a name it does not know: no match, recorded, retried.
      expect(await enrichmentRow(store(), unknown.id, 'memory')).toMatchObject({
        state: 'pending',
        last_error:
          'result does not match the mapping: required field industry missing at path entities[0].observations[0]',
        raw_json: { content: [{ type: 'text', text: expect.stringContaining('"entities": []') }] },
      });
      expect(await candidateRow(store(), unknown.id)).toEqual(before);
    });
  },
);
