/**
 * The HTTP server pool (src/server/pool.ts): instances are built once and reused across
 * requests, never serve two requests at once, and never serve another caller than their own.
 * Real SDK handler, real client, real McpServer instances; no database (the tool answers who
 * it was built for).
 */
import { Client, type ClientOptions, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serverPool } from '../../src/server/pool.js';
import type { Actor } from '../../src/workstream/deps.js';
import { LEGACY, MODERN } from './support.js';

function pooledHandler() {
  const built: Actor[] = [];
  const pool = serverPool();
  const build = (actor: Actor) => {
    built.push(actor);
    const server = new McpServer({ name: 'pool-test', version: '1.0.0' });
    server.registerTool(
      'whoami',
      {
        inputSchema: z.object({ delayMs: z.number().default(0) }),
        outputSchema: z.object({ member: z.string() }),
      },
      async ({ delayMs }) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return {
          content: [{ type: 'text', text: actor.memberId }],
          structuredContent: { member: actor.memberId },
        };
      },
    );
    return server;
  };
  // The member rides in a header here; the real server takes it from the bearer token.
  const handler = createMcpHandler((context) => {
    const member = context.requestInfo?.headers.get('x-member') ?? 'nobody';
    return pool.take(member, context.era, () => build({ orgId: 'org', memberId: member }));
  });
  return { built, pool, handler };
}

async function client(
  handler: ReturnType<typeof pooledHandler>['handler'],
  member: string,
  options: ClientOptions,
) {
  const c = new Client({ name: 'pool-test', version: '1.0.0' }, options);
  await c.connect(
    new StreamableHTTPClientTransport(new URL('http://pool.test/mcp'), {
      requestInit: { headers: { 'x-member': member } },
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );
  return c;
}

async function whoami(c: Client, delayMs = 0): Promise<string> {
  const result = await c.callTool({ name: 'whoami', arguments: { delayMs } });
  return (result.structuredContent as { member: string }).member;
}

describe('the server pool', () => {
  for (const [era, options] of [
    ['2025-era', LEGACY],
    ['2026-07-28', MODERN],
  ] as const) {
    it(`reuses one instance for sequential ${era} requests`, async () => {
      const { built, handler } = pooledHandler();
      const ada = await client(handler, 'ada', options);
      const before = built.length;
      for (let i = 0; i < 20; i++) expect(await whoami(ada)).toBe('ada');
      // Connecting may have built one; twenty calls after it build at most one more.
      expect(built.length - before).toBeLessThanOrEqual(1);
      await ada.close();
    });

    it(`gives concurrent ${era} requests instances of their own, each serving only its caller`, async () => {
      const { built, handler } = pooledHandler();
      const ada = await client(handler, 'ada', options);
      const bob = await client(handler, 'bob', options);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? whoami(bob, 20) : whoami(ada, 20))),
      );
      expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? 'bob' : 'ada')));
      expect(built.filter((a) => a.memberId === 'ada').length).toBeGreaterThanOrEqual(2);
      // The next round reuses what the first built, once the SDK has closed those exchanges
      // (an instance goes back to the pool on the turn of the event loop after its close).
      await new Promise((resolve) => setTimeout(resolve, 10));
      const count = built.length;
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? whoami(bob) : whoami(ada))));
      expect(built.length).toBe(count);
      await ada.close();
      await bob.close();
    });
  }
});
