/**
 * What the catalog costs an assistant: the bytes of `tools/list` and of each tool in it (its
 * description, input schema and output schema), and the bytes of every read, prompt and resource
 * on the demo data, as the server sends them (JSON-RPC messages, UTF-8). Budgets: tools/list ≤
 * 48,000; a page of 25 of any view ≤ 8,000; the daily_triage prompt ≤ 8,000.
 *
 *   npx tsx bench/catalog.ts            # Markdown tables on stdout
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrator.js';
import { TOOLSETS } from '../src/tools/index.js';
import { demoWire } from '../test/support/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'workstream-catalog-'));
const store = await connect(`sqlite:${join(dir, 'catalog.db')}`);
try {
  await migrate(store);
  const wire = await demoWire(store);
  const { client } = wire;
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));

  // Every toolset, analytics included (the default leaves analytics out; src/tools/toolsets.ts).
  const everyStore = await connect(`sqlite:${join(dir, 'every.db')}`);
  await migrate(everyStore);
  const every = await demoWire(everyStore, { toolsets: [...TOOLSETS] });
  const everyListed = await every.bytes((c) => c.listTools());
  const everyTools = (await every.client.listTools()).tools;
  const definitions = await every.bytes((c) => c.readResource({ uri: 'workstream://analytics/definitions' }));
  await every.close();
  // With a public URL every tool carries its toolset's icon (src/tools/icons.ts): what that costs.
  const publicUrl = 'https://workstream.example.com/mcp';
  const iconed = await demoWire(everyStore, { publicUrl });
  const iconedDefault = await iconed.bytes((c) => c.listTools());
  await iconed.close();
  const iconedAll = await demoWire(everyStore, { publicUrl, toolsets: [...TOOLSETS] });
  const iconedEvery = await iconedAll.bytes((c) => c.listTools());
  await iconedAll.close();
  await everyStore.close();
  const listed = await wire.bytes((c) => c.listTools());
  const defaultNames = new Set((await client.listTools()).tools.map((tool) => tool.name));
  const tools = everyTools;
  const rows = tools
    .map((tool) => ({
      name: tool.name,
      all: bytes(tool),
      description: bytes(tool.description),
      input: bytes(tool.inputSchema),
      output: bytes(tool.outputSchema),
    }))
    .sort((a, b) => b.all - a.all);
  const sum = (key: 'all' | 'description' | 'input' | 'output') => rows.reduce((n, row) => n + row[key], 0);
  const out: string[] = [];
  out.push(
    `## tools/list: default ${defaultNames.size} tools, ${listed.toLocaleString('en')} bytes; every toolset ${tools.length} tools, ${everyListed.toLocaleString('en')} bytes (on the wire)`,
    '',
    `With tool icons (a public URL, ${publicUrl}): default ${iconedDefault.toLocaleString('en')} bytes; every toolset ${iconedEvery.toLocaleString('en')} bytes.`,
    '',
  );
  out.push('| tool | bytes | description | input schema | output schema |', '|---|---:|---:|---:|---:|');
  for (const row of rows)
    out.push(
      `| \`${row.name}\`${defaultNames.has(row.name) ? '' : ' (opt-in)'} | ${row.all} | ${row.description} | ${row.input} | ${row.output} |`,
    );
  out.push(`| **all** | ${sum('all')} | ${sum('description')} | ${sum('input')} | ${sum('output')} |`, '');

  const first = async (tool: string, key: string) => {
    const result = await client.callTool({ name: tool, arguments: { limit: 1 } });
    const items = (result.structuredContent as { items?: Record<string, string>[] } | undefined)?.items ?? [];
    return items[0]?.[key] ?? '';
  };
  const pursuitId = await first('list_pursuits', 'id');
  const candidateId = await first('list_candidates', 'id');
  const signalId = await first('list_signals', 'id');

  const calls: [string, Record<string, unknown>][] = [
    ['get_today_panel', { limit: 25 }],
    ['list_signals', { limit: 25 }],
    ['list_candidates', { limit: 25 }],
    ['list_pursuits', { limit: 25 }],
    ['list_members', { limit: 25 }],
    ['search', { query: 'county', limit: 25 }],
    ['get_history', { id: pursuitId, limit: 25 }],
    ['list_sla_breaches', { limit: 25 }],
    ['get_signal', { signalId }],
    ['get_candidate', { candidateId }],
    ['get_pursuit', { pursuitId }],
    ['get_sla_clocks', { id: pursuitId }],
    ['get_enrichment', { candidateId }],
    ['get_sla_policies', {}],
    ['get_sla_compliance', {}],
  ];
  out.push('## Answers on the demo data', '');
  out.push('| call | items | bytes | text | structuredContent |', '|---|---:|---:|---:|---:|');
  const names = defaultNames;
  for (const [name, args] of calls) {
    if (!names.has(name)) continue;
    let result: Awaited<ReturnType<Client['callTool']>> | undefined;
    const size = await wire.bytes(async (c) => {
      result = await c.callTool({ name, arguments: args });
    });
    const content = Array.isArray(result?.content) ? result.content : [];
    const text = content.map((block) => ('text' in block ? String(block.text) : '')).join('');
    const items = (result?.structuredContent as { items?: unknown[] } | undefined)?.items;
    const shown = `${name}${'limit' in args ? ` (limit ${args.limit})` : ''}`;
    out.push(
      `| ${shown} | ${items?.length ?? ''} | ${size} | ${Buffer.byteLength(text)} | ${bytes(result?.structuredContent)} |`,
    );
  }
  const prompts: [string, Record<string, string>][] = [
    ['daily_triage', {}],
    ['pursuit_review', { pursuitId }],
  ];
  for (const [name, args] of prompts)
    out.push(`| prompt ${name} | | ${await wire.bytes((c) => c.getPrompt({ name, arguments: args }))} | | |`);
  const resources = [
    'workstream://today',
    'workstream://sla/breaches',
    `workstream://pursuits/${pursuitId}`,
    `workstream://candidates/${candidateId}`,
    `workstream://signals/${signalId}`,
  ];
  for (const uri of resources)
    out.push(
      `| resource ${uri.replace(/[A-Z0-9]{26}$/, '…')} | | ${await wire.bytes((c) => c.readResource({ uri }))} | | |`,
    );
  out.push(`| resource workstream://analytics/definitions (every toolset) | | ${definitions} | | |`);
  for (const [what, request] of [
    ['prompts/list', (c: Client) => c.listPrompts()],
    ['resources/list', (c: Client) => c.listResources()],
    ['resources/templates/list', (c: Client) => c.listResourceTemplates()],
  ] as const)
    out.push(`| ${what} | | ${await wire.bytes(request)} | | |`);
  process.stdout.write(`${out.join('\n')}\n`);
  await wire.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
