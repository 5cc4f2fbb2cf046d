// The floor for bench/http-load.ts: an `echo` tool on the same SDK and the same HTTP entry
// (createMcpHandler + toNodeHandler on node:http, a fresh McpServer per request as the SDK
// documents) as `workstream serve --http`, doing no work at all. Prints its URL on stdout.
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Answers with its input.',
      inputSchema: z.object({ text: z.string() }),
      outputSchema: z.object({ text: z.string() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
});
const mcp = toNodeHandler(handler);
const http = createServer((req, res) => void mcp(req, res));
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${http.address().port}/mcp\n`);
});
process.on('SIGTERM', () => http.close(() => process.exit(0)));
