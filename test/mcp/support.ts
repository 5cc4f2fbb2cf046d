/** Connecting real MCP clients to the server in tests, and reading their answers. */
import type { ChildProcess } from 'node:child_process';
import { Client, type ClientOptions } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createServer, type ServerOptions } from '../../src/server/mcp.js';
import { ERROR_META_KEY } from '../../src/server/results.js';
import type { Store } from '../../src/store/connect.js';
import type { Actor, Workstream } from '../../src/workstream/workstream.js';

export const quiet = createLogger('silent');

/** A 2025-era client connected in memory to a server for `actor`. */
export async function inMemoryClient(
  workstream: Workstream,
  actor: Actor,
  options: Partial<ServerOptions> = {},
): Promise<Client> {
  const server = createServer({ workstream, actor, log: quiet, ...options });
  // Both halves from one package: the client and server packages bundle separate copies.
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'workstream-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** Structured results, read field by field in tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests read structured results field by field.
export type Loose = any;

export interface Answer {
  readonly isError: boolean;
  readonly text: string;
  readonly data: Loose;
}

/**
 * What the tests need of an MCP client: the SDK v2 `Client` and the SDK v1 one
 * (`@modelcontextprotocol/sdk`, which most 2025-era hosts embed) both have it.
 */
export interface ToolClient {
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<object>;
  listTools(): Promise<{ tools: Array<{ name: string; inputSchema: object; annotations?: object }> }>;
  close(): Promise<void>;
}

/**
 * Calls a tool and returns its answer, whichever way it went. A refusal carries its failure in
 * `_meta["workstream/error"]` (no structuredContent: see src/server/results.ts); `data.error` is
 * that failure, so a test reads a refusal the way it reads a result.
 */
export async function call(
  client: ToolClient,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Answer> {
  const result: Loose = await client.callTool({ name, arguments: args });
  const content: unknown[] = Array.isArray(result.content) ? result.content : [];
  const text = content
    .map((block) =>
      typeof block === 'object' && block !== null && 'text' in block ? String(block.text) : '',
    )
    .join('\n');
  if (result.isError === true) {
    expect(result.structuredContent, `${name}: a refusal carries no structuredContent`).toBeUndefined();
    return { isError: true, text, data: { error: result._meta?.[ERROR_META_KEY] } };
  }
  return { isError: false, text, data: result.structuredContent };
}

/** Calls a tool that must succeed and returns its structured result. */
export async function ok(
  client: ToolClient,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Loose> {
  const answer = await call(client, name, args);
  if (answer.isError) throw new Error(`${name} was refused: ${answer.text}`);
  return answer.data;
}

/** Calls a tool that must be refused and returns the failure in its structuredContent. */
export async function refused(
  client: ToolClient,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Loose> {
  const answer = await call(client, name, args);
  expect(answer.isError, `${name} should have been refused but answered: ${answer.text}`).toBe(true);
  expect(answer.text).toMatch(/^[A-Z_]+: .+ Next: .+/s);
  // The text alone is enough to act on: it has the code, the message and the next step.
  const failure = answer.data.error;
  expect(answer.text).toBe(`${failure.code}: ${failure.message} Next: ${failure.nextStep}`);
  return failure;
}

/** The slug and admin e-mail of a test organization, as configuration and tokens name them. */
export async function orgIdentity(
  store: Store,
  orgId: string,
  memberId: string,
): Promise<{ slug: string; email: string }> {
  const org = await store.db
    .selectFrom('orgs')
    .select('slug')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const member = await store.db
    .selectFrom('members')
    .select('email')
    .where('id', '=', memberId)
    .executeTakeFirstOrThrow();
  return { slug: org.slug, email: member.email };
}

export const LEGACY = {} satisfies ClientOptions;
export const LEGACY_2025_03 = { supportedProtocolVersions: ['2025-03-26'] } satisfies ClientOptions;
export const MODERN = { versionNegotiation: { mode: { pin: '2026-07-28' } } } satisfies ClientOptions;

/** Resolves with the first match of `pattern` in what the process prints, or rejects when it exits first. */
export function printed(
  child: ChildProcess & { output: () => string },
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = child.output().match(pattern);
      if (!match) return false;
      cleanup();
      resolve(match);
      return true;
    };
    const onExit = () => {
      if (!check()) {
        cleanup();
        reject(new Error(`exited before printing ${pattern}:\n${child.output()}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${child.output()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}
