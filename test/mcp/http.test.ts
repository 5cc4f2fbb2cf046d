/** MCP over Streamable HTTP on a loopback port, for 2025-era and 2026-07-28 clients alike. */
import { request } from 'node:http';
import { Client, type ClientOptions, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueToken, revokeToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { connect } from '../../src/store/connect.js';
import { selectTools } from '../../src/tools/index.js';

/** What a server with the default toolsets lists (analytics is named to be listed). */
const SERVED = selectTools();

import { createWorkstream } from '../../src/workstream/workstream.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { internal, lifecycle, malformedCalls, pagination, todayOrder } from './scenario.js';
import { LEGACY, LEGACY_2025_03, MODERN, ok, orgIdentity, quiet, type ToolClient } from './support.js';

/** A raw request, to see status codes and headers that SDK clients hide. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(options.body);
    },
  );
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describeEachDialect('MCP over Streamable HTTP', (db) => {
  let server: RunningHttpServer;
  let token: string;
  let tokenId: string;
  const metrics = new Metrics();

  async function httpClient(options: ClientOptions, bearer = token): Promise<Client> {
    const client = new Client({ name: 'workstream-test', version: '1.0.0' }, options);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      }),
    );
    return client;
  }

  let viewerToken: string;

  /** The SDK v1 client (`@modelcontextprotocol/sdk`), as most 2025-era hosts embed it. */
  async function httpClientV1(url = server.url, bearer = token): Promise<ToolClient> {
    const client = new ClientV1({ name: 'workstream-test-v1', version: '1.0.0' });
    await client.connect(
      new HttpTransportV1(new URL(url), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }),
    );
    return client;
  }

  beforeAll(async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    ({ token, id: tokenId } = await issueToken(db.store(), { orgSlug: slug, email, name: 'http test' }));
    const viewerEmail = `viewer@${slug}.test`;
    await org.ws.addMember({ orgId: org.orgId, email: viewerEmail, name: 'Vi', role: 'viewer' });
    ({ token: viewerToken } = await issueToken(db.store(), {
      orgSlug: slug,
      email: viewerEmail,
      name: 'viewer',
    }));
    server = await startHttpServer({
      store: db.store(),
      workstream: createWorkstream(db.store()),
      log: quiet,
      metrics,
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on the free port it was given 0 for', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
  });

  it.each([
    ['a 2025-era client (legacy handshake)', LEGACY, '2025-11-25', 'legacy'],
    ['a 2025-03-26 client', LEGACY_2025_03, '2025-03-26', 'legacy'],
    ['a 2026-07-28 client', MODERN, '2026-07-28', 'modern'],
  ] as const)('serves %s the whole lifecycle', async (_label, options, version, era) => {
    const client = await httpClient(options);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(version);
      expect(client.getProtocolEra()).toBe(era);
      expect((await client.listTools()).tools).toHaveLength(SERVED.length);
      await lifecycle(client);
      await pagination(client);
      await todayOrder(client);
      expect(await malformedCalls(client)).toBe(SERVED.length);
      const resource = await client.readResource({ uri: 'workstream://today?limit=1' });
      expect(JSON.parse(String((resource.contents[0] as { text: string }).text))).toMatchObject({
        items: [expect.any(Object)],
      });
    } finally {
      await client.close();
    }
  });

  it('serves an SDK v1 client the whole lifecycle, every refusal a result it can read', async () => {
    const client = await httpClientV1();
    const viewer = await httpClientV1(server.url, viewerToken);
    try {
      expect((await client.listTools()).tools).toHaveLength(SERVED.length);
      await lifecycle(client);
      await pagination(client);
      expect(await malformedCalls(client)).toBe(SERVED.length);
      // Over HTTP the role shapes each request's tool list: a viewer is not offered the tool.
      expect((await viewer.listTools()).tools.map((t) => t.name)).not.toContain('create_candidate');
    } finally {
      await client.close();
      await viewer.close();
    }
  });

  it('answers INTERNAL as a result to the SDK v1 and v2 clients alike', async () => {
    // A server whose commands run on a closed store fails every call; its tokens still check.
    const doomed = await connect(db.url());
    await doomed.close();
    const broken = await startHttpServer({
      store: db.store(),
      workstream: createWorkstream(doomed),
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
    });
    const v2 = async (url: string, bearer: string) => {
      const client = new Client({ name: 'workstream-test', version: '1.0.0' }, LEGACY);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        }),
      );
      return client;
    };
    const clients: ToolClient[] = [];
    try {
      for (const open of [httpClientV1, v2]) {
        const failing = await open(broken.url, token);
        clients.push(failing);
        await internal(failing);
      }
    } finally {
      for (const client of clients) await client.close();
      await broken.close();
    }
  });

  it('refuses a request without a valid bearer token: 401 with an RFC 6750 challenge', async () => {
    const none = await raw(server.url, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(JSON.parse(none.body)).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/Bearer/),
      nextStep: expect.stringMatching(/token create/),
    });
    const wrong = await raw(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: 'Bearer wst_nope' },
      body: INITIALIZE,
    });
    expect(wrong.status).toBe(401);
    await expect(httpClient(MODERN, 'wst_not-a-token')).rejects.toThrow();
  });

  it('stops honouring a token once it is revoked', async () => {
    const org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    const issued = await issueToken(db.store(), { orgSlug: slug, email, name: 'short-lived' });
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${issued.token}` };
    expect((await raw(server.url, { method: 'POST', headers, body: INITIALIZE })).status).toBe(200);
    expect(await revokeToken(db.store(), issued.id)).toBe(true);
    expect((await raw(server.url, { method: 'POST', headers, body: INITIALIZE })).status).toBe(401);
    await expect(httpClient(LEGACY, issued.token)).rejects.toThrow();
  });

  it('stores only the hash of a token', async () => {
    const row = await db
      .store()
      .db.selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', tokenId)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('refuses a Host or Origin that is not local (DNS rebinding)', async () => {
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
    const host = await raw(server.url, {
      method: 'POST',
      headers: { ...headers, host: 'evil.example' },
      body: INITIALIZE,
    });
    expect(host.status).toBe(403);
    const origin = await raw(server.url, {
      method: 'POST',
      headers: { ...headers, origin: 'http://evil.example' },
      body: INITIALIZE,
    });
    expect(origin.status).toBe(403);
    const local = await raw(server.url, {
      method: 'POST',
      headers: { ...headers, origin: 'http://localhost:5173' },
      body: INITIALIZE,
    });
    expect(local.status).toBe(200);
  });

  it('answers /healthz, /api/health with a database round trip, and 404 elsewhere', async () => {
    const base = server.url.replace(/\/mcp$/, '');
    expect(await raw(`${base}/healthz`)).toMatchObject({ status: 200 });
    const health = await raw(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'ok',
      database: { dialect: db.dialect, latencyMs: expect.any(Number) },
    });
    expect((await raw(`${base}/nothing`)).status).toBe(404);
  });

  it('answers /api/health with 503 when the database does not answer', async () => {
    const lost = await connect(db.url());
    const other = await startHttpServer({
      store: lost,
      workstream: createWorkstream(lost),
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      await lost.close();
      const health = await raw(other.url.replace(/\/mcp$/, '/api/health'));
      expect(health.status).toBe(503);
      expect(JSON.parse(health.body)).toMatchObject({
        status: 'unavailable',
        database: { error: expect.any(String) },
      });
      expect((await raw(other.url.replace(/\/mcp$/, '/healthz'))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('exports tool calls, errors and latency for Prometheus at /metrics', async () => {
    const client = await httpClient(LEGACY);
    await ok(client, 'list_signals', { limit: 1 });
    await client.close();
    const res = await raw(server.url.replace(/\/mcp$/, '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^workstream_tool_calls_total\{tool="list_signals",outcome="ok"\} \d+$/m);
    expect(res.body).toMatch(
      /^workstream_tool_calls_total\{tool="promote_candidate",outcome="refused"\} \d+$/m,
    );
    expect(res.body).toMatch(
      /^workstream_tool_errors_total\{tool="submit_pursuit",code="GUARD_FAILED"\} \d+$/m,
    );
    expect(res.body).toMatch(
      /^workstream_tool_duration_seconds_bucket\{le="0\.1",tool="list_signals"\} \d+$/m,
    );
  });
});
