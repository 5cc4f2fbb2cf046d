/**
 * The demo organization served to a real MCP client in memory, with the bytes the server sends
 * counted as they leave it (the JSON-RPC messages as JSON text, UTF-8): what an assistant pays
 * for. Shared by the catalog budget tests and bench/catalog.ts.
 */
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { DEMO_ACTOR, DEMO_SLUG, loadDemo } from '../../src/demo/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/log.js';
import { createServer, type ServerOptions } from '../../src/server/mcp.js';
import type { Store } from '../../src/store/connect.js';
import { findMemberByEmail, findOrgBySlug } from '../../src/workstream/orgs.js';
import { type Actor, createWorkstream } from '../../src/workstream/workstream.js';

/** The demo's clock: fixed, so every measurement sees the same data. */
export const DEMO_NOW = new Date('2026-12-01T09:00:00.000Z');

export interface DemoWire {
  readonly client: Client;
  readonly actor: Actor;
  /** Runs a request and answers with the bytes of every message the server sent meanwhile. */
  bytes(request: (client: Client) => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

/** Loads the demo organization (once per store) and connects a client as its admin. */
export async function demoWire(store: Store, options: Partial<ServerOptions> = {}): Promise<DemoWire> {
  await loadDemo(store, DEMO_NOW);
  const clock = new ManualClock(DEMO_NOW);
  const deps = { store, clock };
  const org = await findOrgBySlug(deps, DEMO_SLUG);
  const member = org && (await findMemberByEmail(deps, org.id, DEMO_ACTOR));
  if (!org || !member) throw new Error('the demo organization did not load');
  const actor = { orgId: org.id, memberId: member.id };
  const server = createServer({
    workstream: createWorkstream(store, clock),
    actor,
    log: createLogger('silent'),
    ...options,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  let sent = 0;
  const send = serverSide.send.bind(serverSide);
  serverSide.send = (message, sendOptions) => {
    sent += Buffer.byteLength(JSON.stringify(message));
    return send(message, sendOptions);
  };
  await server.connect(serverSide);
  const client = new Client({ name: 'workstream-catalog', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    actor,
    bytes: async (request) => {
      const before = sent;
      await request(client);
      return sent - before;
    },
    close: () => client.close(),
  };
}
