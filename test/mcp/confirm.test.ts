/**
 * Confirmation of destructive moves (mark_lost, decide_no_bid, cancel_pursuit): a client that
 * declared form elicitation is asked, with a preview, before the pursuit closes; a decline
 * changes nothing; a record the call may not close is never put to the user; a change made
 * between the preview and the answer is refused as CONFLICT. Real clients over real transports:
 * the SDK v2 client on a 2025-era connection and on a 2026-07-28 one (input_required rounds),
 * the SDK v1 client, in memory and over HTTP on loopback, on each dialect.
 */
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { createServer } from '../../src/server/mcp.js';
import { Metrics } from '../../src/server/metrics.js';
import type { Store } from '../../src/store/connect.js';
import { type Actor, createWorkstream, type Workstream } from '../../src/workstream/workstream.js';
import { CLI } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { snapshot, type TestOrg, testOrg } from '../support/workstream.js';
import { LEGACY, type Loose, MODERN, ok, orgIdentity, quiet, refused, type ToolClient } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const PINK = ['compliance_matrix', 'win_themes', 'pricing_strategy', 'solution_review', 'executive_summary'];
const RED = ['evaluator_scoring', 'final_price_approval', 'lessons_captured'];

/** How the user answers one question: yes, no, a decline, a dismissal, or a client that fails to ask. */
type Reply = 'yes' | 'no' | 'decline' | 'cancel' | 'fail';

/** The person behind the client: answers the questions in order and remembers what was asked. */
class User {
  readonly asked: Loose[] = [];
  #replies: Reply[] = [];
  /** Runs just before the next answer (e.g. someone else changes the record meanwhile). */
  meanwhile: (() => Promise<void>) | undefined;

  will(...replies: Reply[]): this {
    this.#replies.push(...replies);
    return this;
  }

  async answer(params: Loose): Promise<Loose> {
    this.asked.push(params);
    const reply = this.#replies.shift() ?? 'fail';
    const meanwhile = this.meanwhile;
    this.meanwhile = undefined;
    await meanwhile?.();
    switch (reply) {
      case 'yes':
        return { action: 'accept', content: { confirm: true } };
      case 'no':
        return { action: 'accept', content: { confirm: false } };
      case 'decline':
        return { action: 'decline' };
      case 'cancel':
        return { action: 'cancel' };
      case 'fail':
        throw new Error('this client cannot show the question');
    }
  }
}

type Kind = 'v2 2025-era' | 'v2 2026-07-28' | 'v1';
const KINDS: readonly Kind[] = ['v2 2025-era', 'v2 2026-07-28', 'v1'];

const ASKING = { capabilities: { elicitation: { form: {} } } } satisfies ClientOptions;

function v2Client(options: ClientOptions, user: User | undefined): Client {
  const client = new Client(
    { name: 'confirm-v2', version: '1.0.0' },
    user ? { ...options, ...ASKING } : options,
  );
  if (user) client.setRequestHandler('elicitation/create', (request) => user.answer(request.params));
  return client;
}

function v1Client(user: User | undefined): ClientV1 {
  const client = new ClientV1(
    { name: 'confirm-v1', version: '1.0.0' },
    user ? { capabilities: { elicitation: {} } } : {},
  );
  if (user) client.setRequestHandler(ElicitRequestSchema, (request) => user.answer(request.params));
  return client;
}

/** A client of `kind` connected in memory; with a user, it declares form elicitation and asks them. */
async function inMemory(kind: Kind, workstream: Workstream, actor: Actor, user?: User): Promise<ToolClient> {
  const serve = () => createServer({ workstream, actor, log: quiet });
  if (kind === 'v1') {
    const [clientSide, serverSide] = InMemoryV1.createLinkedPair();
    await serve().connect(serverSide as never);
    const client = v1Client(user);
    await client.connect(clientSide);
    return client;
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  if (kind === 'v2 2025-era') {
    await serve().connect(serverSide);
    const client = v2Client(LEGACY, user);
    await client.connect(clientSide);
    return client;
  }
  // The stdio entry over an in-memory pair: it serves both eras, as `workstream serve` does.
  const handle = serveStdio(serve, { transport: serverSide });
  const client = v2Client(MODERN, user);
  await client.connect(clientSide);
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return {
    callTool: (params) => client.callTool(params),
    listTools: () => client.listTools(),
    close: async () => {
      await client.close();
      await handle.close();
    },
  };
}

let refs = 0;
const ref = () => `RFP-${process.pid}-${++refs}`;

/** A pursuit in `state`, made through the workstream (the tests are about the closing call). */
async function pursuitIn(org: TestOrg, state: 'capture' | 'submitted', red = true): Promise<Loose> {
  const { ws, actor } = org;
  const account = `Confirm ${ref()} Ltd`;
  const candidate = await ws.createCandidate(actor, {
    title: `${account} framework`,
    accountName: account,
    opportunityRef: ref(),
  });
  await ws.logTouch(actor, { candidateId: candidate.id, kind: 'call', summary: 'Intro call' });
  await ws.qualifyCandidate(actor, { candidateId: candidate.id });
  const { pursuit } = await ws.promoteCandidate(actor, { candidateId: candidate.id });
  if (state === 'capture') return pursuit;
  await ws.decideBid(actor, { pursuitId: pursuit.id });
  await ws.addProposalVersion(actor, { pursuitId: pursuit.id, title: 'v1' });
  for (const itemKey of PINK)
    await ws.setChecklistItem(actor, { pursuitId: pursuit.id, checklist: 'pink', itemKey, state: 'done' });
  await ws.submitPursuit(actor, { pursuitId: pursuit.id });
  if (red)
    for (const itemKey of RED)
      await ws.setChecklistItem(actor, { pursuitId: pursuit.id, checklist: 'red', itemKey, state: 'done' });
  return ws.getPursuit(actor, { pursuitId: pursuit.id });
}

async function eventsOf(store: Store, id: string): Promise<number> {
  const rows = await store.db.selectFrom('events').select('id').where('entity_id', '=', id).execute();
  return rows.length;
}

/** The three closing calls, each on a pursuit in a state that allows it. */
const CLOSES = [
  { tool: 'decide_no_bid', from: 'capture', to: 'no_bid', args: { reason: 'No capacity this quarter' } },
  { tool: 'mark_lost', from: 'submitted', to: 'lost', args: { lossReason: 'Price: 9% above the winner' } },
  { tool: 'cancel_pursuit', from: 'capture', to: 'cancelled', args: { reason: 'Customer withdrew the RFP' } },
] as const;

/** The preview names the pursuit, the move, the reason and what closing means. */
function expectPreview(
  question: Loose,
  pursuit: Loose,
  close: { from: string; to: string; args: Record<string, string> },
) {
  expect(question.mode ?? 'form').toBe('form');
  const message: string = question.message;
  expect(message).toContain(pursuit.id);
  expect(message).toContain(pursuit.title);
  expect(message).toContain(pursuit.accountName);
  expect(message).toContain(`version ${pursuit.version}`);
  expect(message).toContain(`${close.from} → ${close.to}`);
  expect(message).toContain(Object.values(close.args)[0] ?? '');
  expect(message).toContain('only tag changes');
  expect(message).toContain('SLA clocks stop');
  expect(question.requestedSchema).toEqual({
    type: 'object',
    properties: {
      confirm: { type: 'boolean', title: expect.any(String), description: expect.any(String) },
    },
    required: ['confirm'],
  });
}

describeEachDialect('confirmation of destructive moves', (db) => {
  let org: TestOrg;

  beforeAll(async () => {
    org = await testOrg(db.store());
  });

  for (const kind of KINDS) {
    describe(`SDK ${kind}`, () => {
      it('asks with a preview, and closes the pursuit once the user confirms', async () => {
        const user = new User();
        const client = await inMemory(kind, org.ws, org.actor, user);
        try {
          for (const close of CLOSES) {
            const pursuit = await pursuitIn(org, close.from);
            user.will('yes');
            const closed = await ok(client, close.tool, { pursuitId: pursuit.id, ...close.args });
            expect(closed).toMatchObject({ id: pursuit.id, state: close.to, version: pursuit.version + 1 });
            expect(user.asked).toHaveLength(1);
            expectPreview(user.asked[0], pursuit, close);
            user.asked.length = 0;
          }
        } finally {
          await client.close();
        }
      });

      it('changes nothing when the user declines, dismisses the question or answers no', async () => {
        const user = new User();
        const client = await inMemory(kind, org.ws, org.actor, user);
        try {
          for (const [reply, answer] of [
            ['decline', 'decline'],
            ['cancel', 'cancel'],
            ['no', 'decline'],
          ] as const) {
            for (const close of CLOSES) {
              const pursuit = await pursuitIn(org, close.from);
              const before = await snapshot(db.store());
              const events = await eventsOf(db.store(), pursuit.id);
              user.will(reply);
              const failure = await refused(client, close.tool, { pursuitId: pursuit.id, ...close.args });
              expect(failure).toMatchObject({
                code: 'NOT_CONFIRMED',
                entity: 'pursuit',
                id: pursuit.id,
                action: close.tool,
                answer,
              });
              expect(failure.message).toContain('nothing changed');
              expect(failure.nextStep).toContain(close.tool);
              expect(await snapshot(db.store())).toEqual(before);
              expect(await eventsOf(db.store(), pursuit.id)).toBe(events);
              const still = await org.ws.getPursuit(org.actor, { pursuitId: pursuit.id });
              expect(still).toMatchObject({ state: close.from, version: pursuit.version });
            }
          }
          expect(user.asked).toHaveLength(9);
        } finally {
          await client.close();
        }
      });

      it('never asks about a call the pursuit refuses, nor about a retry of a close already made', async () => {
        const user = new User();
        const client = await inMemory(kind, org.ws, org.actor, user);
        try {
          // A pursuit in capture cannot be lost: the usual INVALID_TRANSITION, nobody asked.
          const open = await pursuitIn(org, 'capture');
          const unreviewed = await pursuitIn(org, 'submitted', false);
          const before = await snapshot(db.store());
          const transition = await refused(client, 'mark_lost', { pursuitId: open.id, lossReason: 'Price' });
          expect(transition).toMatchObject({
            code: 'INVALID_TRANSITION',
            state: 'capture',
            action: 'mark_lost',
          });
          // A submitted pursuit without its red checklist: the gate refuses, nobody asked.
          const gate = await refused(client, 'mark_lost', { pursuitId: unreviewed.id, lossReason: 'Price' });
          expect(gate).toMatchObject({ code: 'GUARD_FAILED', id: unreviewed.id });
          // A stale version of the caller's own: CONFLICT, nobody asked.
          const stale = await refused(client, 'cancel_pursuit', {
            pursuitId: open.id,
            reason: 'Customer withdrew',
            expectedVersion: open.version + 5,
          });
          expect(stale).toMatchObject({ code: 'CONFLICT', actualVersion: open.version });
          // An unknown pursuit: NOT_FOUND, nobody asked.
          const missing = await refused(client, 'decide_no_bid', {
            pursuitId: 'pur_01JAAAAAAAAAAAAAAAAAAAAAAA',
            reason: 'No fit',
          });
          expect(missing.code).toBe('NOT_FOUND');
          expect(await snapshot(db.store())).toEqual(before);
          expect(user.asked).toHaveLength(0);

          // The retry of a no-bid already made answers the pursuit as it is, without asking.
          user.will('yes');
          const closed = await ok(client, 'decide_no_bid', { pursuitId: open.id, reason: 'No fit' });
          expect(user.asked).toHaveLength(1);
          const again = await ok(client, 'decide_no_bid', { pursuitId: open.id, reason: 'No fit' });
          expect(again).toMatchObject({ state: 'no_bid', version: closed.version });
          // Closed: a cancel is refused as a transition, again without asking.
          expect((await refused(client, 'cancel_pursuit', { pursuitId: open.id, reason: 'x y' })).code).toBe(
            'INVALID_TRANSITION',
          );
          expect(user.asked).toHaveLength(1);
        } finally {
          await client.close();
        }
      });

      it('refuses with CONFLICT when the pursuit changed between the preview and the answer', async () => {
        const user = new User();
        const client = await inMemory(kind, org.ws, org.actor, user);
        try {
          const pursuit = await pursuitIn(org, 'capture');
          user.will('yes');
          user.meanwhile = async () => {
            await org.ws.updatePursuit(org.actor, {
              pursuitId: pursuit.id,
              title: `${pursuit.title} (renamed)`,
            });
          };
          const failure = await refused(client, 'decide_no_bid', { pursuitId: pursuit.id, reason: 'No fit' });
          expect(failure).toMatchObject({
            code: 'CONFLICT',
            id: pursuit.id,
            expectedVersion: pursuit.version,
            actualVersion: pursuit.version + 1,
          });
          expect(user.asked).toHaveLength(1);
          const still = await org.ws.getPursuit(org.actor, { pursuitId: pursuit.id });
          expect(still).toMatchObject({ state: 'capture', title: `${pursuit.title} (renamed)` });
        } finally {
          await client.close();
        }
      });

      it('treats a client that fails to ask as not confirmed, never as an internal error', async () => {
        const user = new User();
        const client = await inMemory(kind, org.ws, org.actor, user);
        try {
          const pursuit = await pursuitIn(org, 'capture');
          const before = await snapshot(db.store());
          user.will('fail');
          if (kind === 'v2 2026-07-28') {
            // The client fulfils the question itself: its failure stays on its side, and the
            // call is never made again, so nothing runs.
            await expect(
              client.callTool({
                name: 'cancel_pursuit',
                arguments: { pursuitId: pursuit.id, reason: 'Gone' },
              }),
            ).rejects.toThrow(/cannot show the question/);
          } else {
            const failure = await refused(client, 'cancel_pursuit', {
              pursuitId: pursuit.id,
              reason: 'Gone',
            });
            expect(failure).toMatchObject({ code: 'NOT_CONFIRMED', answer: 'no_answer', id: pursuit.id });
          }
          expect(user.asked).toHaveLength(1);
          expect(await snapshot(db.store())).toEqual(before);
        } finally {
          await client.close();
        }
      });

      it('runs without asking for a client that did not declare elicitation', async () => {
        const client = await inMemory(kind, org.ws, org.actor);
        try {
          for (const close of CLOSES) {
            const pursuit = await pursuitIn(org, close.from);
            const closed = await ok(client, close.tool, { pursuitId: pursuit.id, ...close.args });
            expect(closed).toMatchObject({ state: close.to });
          }
        } finally {
          await client.close();
        }
      });
    });
  }

  describe('over HTTP on loopback', () => {
    let server: RunningHttpServer;
    let token: string;

    beforeAll(async () => {
      const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
      ({ token } = await issueToken(db.store(), { orgSlug: slug, email, name: 'confirm test' }));
      server = await startHttpServer({
        store: db.store(),
        workstream: createWorkstream(db.store()),
        log: quiet,
        metrics: new Metrics(),
        host: '127.0.0.1',
        port: 0,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    const headers = () => ({ requestInit: { headers: { authorization: `Bearer ${token}` } } });

    async function httpClient(kind: Kind, user: User): Promise<ToolClient> {
      if (kind === 'v1') {
        const client = v1Client(user);
        await client.connect(new HttpTransportV1(new URL(server.url), headers()));
        return client;
      }
      const client = v2Client(kind === 'v2 2026-07-28' ? MODERN : LEGACY, user);
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), headers()));
      return client;
    }

    it('asks a 2026-07-28 client across stateless requests: yes closes, no changes nothing, a change between is CONFLICT', async () => {
      const user = new User();
      const client = await httpClient('v2 2026-07-28', user);
      try {
        const lost = await pursuitIn(org, 'submitted');
        user.will('yes');
        const closed = await ok(client, 'mark_lost', { pursuitId: lost.id, lossReason: 'Price' });
        expect(closed).toMatchObject({ state: 'lost', version: lost.version + 1 });
        expectPreview(user.asked[0], lost, { ...CLOSES[1], args: { lossReason: 'Price' } });

        const kept = await pursuitIn(org, 'capture');
        const before = await snapshot(db.store());
        user.will('decline');
        const failure = await refused(client, 'decide_no_bid', { pursuitId: kept.id, reason: 'No fit' });
        expect(failure).toMatchObject({ code: 'NOT_CONFIRMED', answer: 'decline', id: kept.id });
        expect(await snapshot(db.store())).toEqual(before);

        user.will('yes');
        user.meanwhile = async () => {
          await org.ws.updatePursuit(org.actor, { pursuitId: kept.id, priority: 'high' });
        };
        const conflict = await refused(client, 'cancel_pursuit', { pursuitId: kept.id, reason: 'Gone' });
        expect(conflict).toMatchObject({ code: 'CONFLICT', expectedVersion: kept.version });
        expect(await org.ws.getPursuit(org.actor, { pursuitId: kept.id })).toMatchObject({
          state: 'capture',
        });
        expect(user.asked).toHaveLength(3);
      } finally {
        await client.close();
      }
    });

    for (const kind of ['v2 2025-era', 'v1'] as const) {
      it(`runs without asking a 2025-era client (SDK ${kind}): stateless HTTP cannot wait for an answer`, async () => {
        const user = new User();
        const client = await httpClient(kind, user);
        try {
          const pursuit = await pursuitIn(org, 'capture');
          const closed = await ok(client, 'cancel_pursuit', { pursuitId: pursuit.id, reason: 'Gone' });
          expect(closed).toMatchObject({ state: 'cancelled' });
          expect(user.asked).toHaveLength(0);
        } finally {
          await client.close();
        }
      });
    }
  });

  describe('over stdio (the `workstream serve` process)', () => {
    let env: Record<string, string>;

    beforeAll(async () => {
      const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
      env = {
        WORKSTREAM_DB_URL: db.url(),
        WORKSTREAM_ORG: slug,
        WORKSTREAM_ACTOR: email,
        WORKSTREAM_LOG_LEVEL: 'warn',
      };
    });

    async function stdioClient(kind: Kind, user: User): Promise<ToolClient> {
      const spawnWith = {
        command: process.execPath,
        args: ['--import', 'tsx', CLI, 'serve'],
        env,
        cwd: ROOT,
      };
      if (kind === 'v1') {
        const client = v1Client(user);
        await client.connect(new StdioClientTransportV1({ ...spawnWith, stderr: 'pipe' }), {
          timeout: 30_000,
        });
        return client;
      }
      const client = v2Client(kind === 'v2 2026-07-28' ? MODERN : LEGACY, user);
      await client.connect(new StdioClientTransport({ ...spawnWith, stderr: 'pipe' }), { timeout: 30_000 });
      return client;
    }

    for (const kind of KINDS) {
      it(`asks the SDK ${kind} client: yes closes, a decline changes nothing`, async () => {
        const user = new User();
        const client = await stdioClient(kind, user);
        try {
          const pursuit = await pursuitIn(org, 'capture');
          user.will('decline');
          const before = await snapshot(db.store());
          const failure = await refused(client, 'decide_no_bid', { pursuitId: pursuit.id, reason: 'No fit' });
          expect(failure).toMatchObject({ code: 'NOT_CONFIRMED', answer: 'decline', id: pursuit.id });
          expect(await snapshot(db.store())).toEqual(before);
          user.will('yes');
          const closed = await ok(client, 'decide_no_bid', { pursuitId: pursuit.id, reason: 'No fit' });
          expect(closed).toMatchObject({ state: 'no_bid', version: pursuit.version + 1 });
          expect(user.asked).toHaveLength(2);
          expectPreview(user.asked[1], pursuit, {
            from: 'capture',
            to: 'no_bid',
            args: { reason: 'No fit' },
          });
        } finally {
          await client.close();
        }
      });
    }
  });
});
