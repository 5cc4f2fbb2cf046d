/**
 * What the server advertises, as each client generation sees it, on each transport and in each
 * protocol era: no list is advertised as changing (the tools follow the role at connection or
 * request time; resources and prompts are fixed), and `resources.subscribe` exactly where a
 * subscription is served — stdio and in-memory connections in both eras, and 2026-era HTTP
 * (subscriptions/listen); not 2025-era HTTP, where resources/subscribe is refused.
 */
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inProcessFeed } from '../../src/live/feed.js';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { serveConnection } from '../../src/server/stdio.js';
import { CLI } from '../support/cli.js';
import { describeEachDialect } from '../support/databases.js';
import { type TestOrg, testOrg } from '../support/workstream.js';
import { LEGACY, MODERN, orgIdentity, quiet } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Connected {
  getServerCapabilities(): unknown;
  getServerVersion?(): unknown;
  subscribeResource(params: { uri: string }): Promise<unknown>;
  close(): Promise<void>;
}

type Generation = 'SDK v2' | 'SDK v1';
type Era = '2025' | '2026-07-28';

describeEachDialect('advertised capabilities', (db) => {
  const feed = inProcessFeed();
  let org: TestOrg;
  let http: RunningHttpServer;
  let token: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    org = await testOrg(db.store(), undefined, { feed });
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    ({ token } = await issueToken(db.store(), { orgSlug: slug, email, name: 'capabilities' }));
    env = {
      WORKSTREAM_DB_URL: db.url(),
      WORKSTREAM_ORG: slug,
      WORKSTREAM_ACTOR: email,
      WORKSTREAM_LOG_LEVEL: 'warn',
    };
    http = await startHttpServer({
      store: db.store(),
      workstream: org.ws,
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      changeFeed: feed,
    });
  });
  afterAll(async () => {
    await http?.close();
    await feed.close();
  });

  const v2 = (era: Era): ClientOptions => (era === '2026-07-28' ? MODERN : LEGACY);

  const transports: Record<string, (generation: Generation, era: Era) => Promise<Connected>> = {
    'in memory': async (generation, era) => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const connection = serveConnection(
        { workstream: org.ws, actor: org.actor, log: quiet, live: { feed } },
        serverSide,
      );
      const client =
        generation === 'SDK v2'
          ? new Client({ name: 'caps', version: '1' }, v2(era))
          : new ClientV1({ name: 'caps', version: '1' });
      await client.connect(clientSide as never);
      const closeClient = client.close.bind(client);
      return Object.assign(client, {
        close: async () => {
          await closeClient();
          await connection.close();
        },
      });
    },
    stdio: async (generation, era) => {
      const spawn = { command: process.execPath, args: ['--import', 'tsx', CLI, 'serve'], env, cwd: ROOT };
      if (generation === 'SDK v1') {
        const client = new ClientV1({ name: 'caps', version: '1' });
        await client.connect(new StdioClientTransportV1({ ...spawn, stderr: 'pipe' }), { timeout: 30_000 });
        return client;
      }
      const client = new Client({ name: 'caps', version: '1' }, v2(era));
      await client.connect(new StdioClientTransport({ ...spawn, stderr: 'pipe' }), { timeout: 30_000 });
      return client;
    },
    HTTP: async (generation, era) => {
      const requestInit = { headers: { authorization: `Bearer ${token}` } };
      if (generation === 'SDK v1') {
        const client = new ClientV1({ name: 'caps', version: '1' });
        await client.connect(new HttpTransportV1(new URL(http.url), { requestInit }));
        return client;
      }
      const client = new Client({ name: 'caps', version: '1' }, v2(era));
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit }));
      return client;
    },
  };

  const cases: Array<[Generation, Era]> = [
    ['SDK v2', '2025'],
    ['SDK v2', '2026-07-28'],
    ['SDK v1', '2025'],
  ];

  for (const [transport, connect] of Object.entries(transports))
    for (const [generation, era] of cases) {
      const subscribes = !(transport === 'HTTP' && era === '2025');
      it(`${transport}, ${era} era, ${generation}: no list changes; resources.subscribe ${subscribes ? 'advertised' : 'not advertised'}`, async () => {
        const client = await connect(generation, era);
        try {
          const capabilities = client.getServerCapabilities() as Record<string, Record<string, unknown>>;
          // False, not absent: the SDK advertises a missing bit as true.
          expect(capabilities.tools).toEqual({ listChanged: false });
          expect(capabilities.prompts).toEqual({ listChanged: false });
          expect(capabilities.resources).toEqual({
            listChanged: false,
            ...(subscribes ? { subscribe: true } : {}),
          });
          expect(capabilities.completions).toBeDefined();
          if (era === '2025' && !subscribes)
            // Not advertised and not served: a stateless exchange has no session to send on later.
            await expect(client.subscribeResource({ uri: 'workstream://today' })).rejects.toThrow(
              /Method not found/,
            );
        } finally {
          await client.close();
        }
      }, 60_000);
    }
});
