/**
 * The fuzz run: a real MCP client over stdio to a `workstream serve` process, every tool the
 * server lists (tools/list, so it follows whatever tools exist), arguments generated from each
 * tool's published input schema and spoiled with hostile values. Counts what must never happen:
 * protocol errors, INTERNAL answers, server exits, a refused call that changed a table (row
 * snapshots before and after), and answers slower than 1 s.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import fc from 'fast-check';
import type { Store } from '../../src/store/connect.js';
import { orgIdentity } from '../mcp/support.js';
import { CLI } from '../support/cli.js';
import { snapshot, testOrg } from '../support/workstream.js';
import { argumentsFor, type JsonSchema, type KnownIds } from './arbitraries.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every answer must come within this; a behaviour bound (no call may stall the server), not a benchmark. */
export const ANSWER_BOUND_MS = 1_000;

export interface FuzzCounts {
  tools: number;
  calls: number;
  accepted: number;
  refused: number;
  protocolErrors: number;
  internal: number;
  serverExits: number;
  changedByRefusal: number;
  /** Calls holding a NUL or an unpaired surrogate anywhere that were not refused as VALIDATION. */
  unsafeTextNotRefused: number;
  slowerThanBound: number;
  slowestMs: number;
  /** The first few violations, each naming the tool and a short form of its arguments. */
  findings: string[];
}

/** Arguments shortened for a finding: long strings, long lists and deep values cut. */
function brief(args: unknown): string {
  const cut = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string')
      return value.length > 40 ? `${value.slice(0, 40)}…(${value.length})` : value;
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= 3) return Array.isArray(value) ? '[…]' : '{…}';
    if (Array.isArray(value)) {
      return [
        ...value.slice(0, 5).map((item) => cut(item, depth + 1)),
        ...(value.length > 5 ? [`…(${value.length})`] : []),
      ];
    }
    const entries = Object.entries(value);
    return Object.fromEntries([
      ...entries.slice(0, 8).map(([key, item]) => [key, cut(item, depth + 1)]),
      ...(entries.length > 8 ? [['…', entries.length]] : []),
    ]);
  };
  return JSON.stringify(cut(args, 0));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unsafe = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** True when a string or key anywhere in the value holds text no database stores alike (walked without recursion). */
function holdsUnsafeText(value: unknown): boolean {
  const stack = [value];
  for (let item = stack.pop(); item !== undefined || stack.length > 0; item = stack.pop()) {
    if (typeof item === 'string' && unsafe(item)) return true;
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, member] of Object.entries(item)) {
      if (!Array.isArray(item) && unsafe(key)) return true;
      stack.push(member);
    }
  }
  return false;
}

/** An org with a few records, so generated ids sometimes name real ones. */
async function seed(store: Store): Promise<{ env: Record<string, string>; known: KnownIds }> {
  const org = await testOrg(store);
  const { ws, actor } = org;
  const signal = await ws.createSignal(actor, {
    source: 'fuzz',
    externalRef: 'FUZZ-1',
    title: 'Fuzz signal',
  });
  const candidate = await ws.createCandidate(actor, { title: 'Fuzz candidate', accountName: 'Fuzz Co' });
  const qualified = await ws.createCandidate(actor, { title: 'Fuzz qualified', accountName: 'Fuzz Two' });
  await ws.logTouch(actor, { candidateId: qualified.id, kind: 'call', summary: 'first call' });
  await ws.qualifyCandidate(actor, { candidateId: qualified.id });
  const pursuit = await ws.promoteCandidate(actor, { candidateId: qualified.id });
  const { slug, email } = await orgIdentity(store, org.orgId, actor.memberId);
  return {
    env: { WORKSTREAM_ORG: slug, WORKSTREAM_ACTOR: email, WORKSTREAM_LOG_LEVEL: 'fatal' },
    known: {
      sig: [signal.signal.id],
      cand: [candidate.id, qualified.id],
      pur: [pursuit.pursuit.id],
      mem: [actor.memberId],
    },
  };
}

export async function fuzz(options: {
  store: Store;
  url: string;
  casesPerTool: number;
  seed: number;
  onTool?: (name: string, counts: FuzzCounts) => void;
}): Promise<FuzzCounts> {
  const { store, url, casesPerTool } = options;
  const { env, known } = await seed(store);
  const counts: FuzzCounts = {
    tools: 0,
    calls: 0,
    accepted: 0,
    refused: 0,
    protocolErrors: 0,
    internal: 0,
    serverExits: 0,
    changedByRefusal: 0,
    unsafeTextNotRefused: 0,
    slowerThanBound: 0,
    slowestMs: 0,
    findings: [],
  };
  const finding = (text: string) => {
    if (counts.findings.length < 20) counts.findings.push(text);
  };

  let closing = false;
  const connect = async () => {
    const client = new Client({ name: 'workstream-fuzz', version: '1.0.0' });
    client.onclose = () => {
      if (!closing) counts.serverExits += 1;
    };
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env: { PATH: process.env.PATH ?? '', ...env, WORKSTREAM_DB_URL: url },
        cwd: ROOT,
        stderr: 'ignore',
      }),
      { timeout: 30_000 },
    );
    return client;
  };

  let client = await connect();
  let last: string | undefined;
  try {
    const { tools } = await client.listTools();
    counts.tools = tools.length;
    // One untimed call per tool first: a fresh process loads and compiles code on first use.
    for (const tool of tools) await client.callTool({ name: tool.name, arguments: {} }, { timeout: 30_000 });
    for (const [index, tool] of tools.entries()) {
      const cases = fc.sample(argumentsFor(tool.inputSchema as JsonSchema, known), {
        seed: options.seed + index,
        numRuns: casesPerTool,
      });
      for (const args of cases) {
        // A refused call leaves the rows as they were, so its after-snapshot is the next call's before.
        const before = last ?? JSON.stringify(await snapshot(store));
        last = undefined;
        const started = performance.now();
        let refusedWith: string | undefined;
        try {
          const result = await client.callTool({ name: tool.name, arguments: args }, { timeout: 10_000 });
          const text = Array.isArray(result.content)
            ? result.content.map((block) => ('text' in block ? String(block.text) : '')).join('\n')
            : '';
          if (result.isError === true) refusedWith = /^([A-Z_]+):/.exec(text)?.[1] ?? 'UNKNOWN';
          else counts.accepted += 1;
        } catch (error) {
          counts.protocolErrors += 1;
          finding(`${tool.name} protocol error ${(error as Error).message.slice(0, 200)}: ${brief(args)}`);
          if (counts.serverExits > 0 || !client.transport) {
            client = await connect();
          }
        }
        const ms = performance.now() - started;
        counts.calls += 1;
        counts.slowestMs = Math.max(counts.slowestMs, ms);
        if (ms > ANSWER_BOUND_MS) {
          counts.slowerThanBound += 1;
          finding(`${tool.name} took ${ms.toFixed(0)} ms: ${brief(args)}`);
        }
        if (holdsUnsafeText(args) && refusedWith !== 'VALIDATION') {
          counts.unsafeTextNotRefused += 1;
          finding(`${tool.name} answered ${refusedWith ?? 'OK'} to unsafe text: ${brief(args)}`);
        }
        if (refusedWith !== undefined) {
          counts.refused += 1;
          if (refusedWith === 'INTERNAL') {
            counts.internal += 1;
            finding(`${tool.name} INTERNAL: ${brief(args)}`);
          }
          const after = JSON.stringify(await snapshot(store));
          last = after;
          if (after !== before) {
            counts.changedByRefusal += 1;
            finding(`${tool.name} refused (${refusedWith}) but changed a table: ${brief(args)}`);
          }
        }
      }
      options.onTool?.(tool.name, counts);
    }
  } finally {
    closing = true;
    await client.close();
  }
  return counts;
}
