#!/usr/bin/env node
/**
 * company-directory: a small MCP server that answers `lookup_company` from a local JSON file.
 * The sample enrichment provider of workstream-mcp (docs/enrichment.md). Plain ESM JavaScript:
 * runs with `node server.mjs` wherever @modelcontextprotocol/server, @modelcontextprotocol/node
 * and zod are installed.
 *
 *   node server.mjs                              # MCP over stdio (what a worker spawns)
 *   node server.mjs --http --port 8788           # MCP over Streamable HTTP at http://127.0.0.1:8788/mcp
 *   node server.mjs --directory my-companies.json
 *
 * Over HTTP, set COMPANY_DIRECTORY_TOKEN to require `Authorization: Bearer <token>`.
 * Logs go to stderr: on stdio, stdout is the protocol channel.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  localhostHostValidation,
  localhostOriginValidation,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const { values } = parseArgs({
  options: {
    directory: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), 'companies.json') },
    http: { type: 'boolean', default: false },
    port: { type: 'string', default: '8788' },
    host: { type: 'string', default: '127.0.0.1' },
  },
  strict: true,
});

const Contact = z.object({ name: z.string(), title: z.string().optional(), email: z.string().optional() });
const Company = z.object({
  name: z.string(),
  domain: z.string(),
  aliases: z.array(z.string()).optional(),
  industry: z.string().optional(),
  employees: z.number().int().optional(),
  hq: z.object({ city: z.string(), country: z.string() }).optional(),
  founded: z.number().int().optional(),
  description: z.string().optional(),
  website: z.string().optional(),
  links: z.array(z.string()).optional(),
  contacts: z.array(Contact).optional(),
});

const directoryFile = resolve(values.directory);
const companies = z
  .object({ companies: z.array(Company) })
  .parse(JSON.parse(readFileSync(directoryFile, 'utf8'))).companies;

/** `https://www.Acme.example/about` → `acme.example` */
function normalDomain(value) {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/:?#].*$/, '');
}

/** `Maple & Finch Bank, Inc.` → `mapleandfinchbank` */
function normalName(value) {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b(inc|llc|ltd|gmbh|s\.?a\.?s?|a\.?s|k\.?k|plc|corp|co)\b\.?/g, ' ')
    .replace(/[^a-z0-9]/g, '');
}

const byDomain = new Map(companies.map((company) => [normalDomain(company.domain), company]));
const byName = new Map(
  companies.flatMap((company) =>
    [company.name, ...(company.aliases ?? [])].map((name) => [normalName(name), company]),
  ),
);

function buildServer() {
  const server = new McpServer({ name: 'company-directory', version: '1.0.0' });
  server.registerTool(
    'lookup_company',
    {
      title: 'Look up a company',
      description:
        'Find a company in the directory by its web domain (preferred) or its name. Answers the industry, ' +
        'head count, headquarters, a description, links and contacts.',
      inputSchema: z.object({
        domain: z.string().optional().describe('Web domain, e.g. acme-analytics.example (a URL also works)'),
        name: z.string().optional().describe('Company name, e.g. Acme Analytics'),
      }),
      outputSchema: z.object({ company: Company }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ domain, name }) => {
      if (!domain && !name)
        return { isError: true, content: [{ type: 'text', text: 'give a domain or a name to look up' }] };
      const company =
        (domain ? byDomain.get(normalDomain(domain)) : undefined) ??
        (name ? byName.get(normalName(name)) : undefined);
      if (!company) {
        const asked = [domain && `domain ${domain}`, name && `name ${name}`].filter(Boolean).join(', ');
        return { isError: true, content: [{ type: 'text', text: `no such company: ${asked}` }] };
      }
      return {
        content: [{ type: 'text', text: JSON.stringify({ company }) }],
        structuredContent: { company },
      };
    },
  );
  return server;
}

if (!values.http) {
  const handle = serveStdio(() => buildServer());
  process.on('SIGTERM', () => void handle.close());
  console.error(`company-directory: ${companies.length} companies from ${directoryFile}, MCP on stdio`);
} else {
  const token = process.env.COMPANY_DIRECTORY_TOKEN;
  const handler = createMcpHandler(() => buildServer(), {
    onerror: (error) => console.error('[mcp]', error.message),
  });
  const mcp = toNodeHandler(handler);
  const validateHost = localhostHostValidation();
  const validateOrigin = localhostOriginValidation();
  const http = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/healthz')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (pathname !== '/mcp') return void res.writeHead(404).end();
    if (!validateHost(req, res) || !validateOrigin(req, res)) return;
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    void mcp(req, res);
  });
  http.listen(Number(values.port), values.host, () => {
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : values.port;
    // The one line on stdout, so a script (or a test) can read the port chosen for --port 0.
    process.stdout.write(
      `company-directory: MCP over Streamable HTTP at http://${values.host}:${port}/mcp\n`,
    );
    console.error(
      `company-directory: ${companies.length} companies from ${directoryFile}${token ? ', bearer token required' : ''}`,
    );
  });
  const stop = () => {
    http.close();
    http.closeAllConnections();
    void handler.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
