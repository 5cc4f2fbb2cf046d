/** CORS for browser clients and the per-token and per-organization rate limits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueToken } from '../../src/server/auth.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { createWorkstream } from '../../src/workstream/workstream.js';
import { inMemoryClient, ok, orgIdentity, quiet } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { bearer, INITIALIZE, MCP_HEADERS, raw } from './http.js';

const APP = 'https://app.example.com';

describeEachDialect('CORS and rate limits', (db) => {
  let server: RunningHttpServer;
  const metrics = new Metrics();
  let tokens: string[];
  let org: Awaited<ReturnType<typeof testOrg>>;

  beforeAll(async () => {
    org = await testOrg(db.store());
    const { slug, email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId);
    tokens = [];
    for (const name of ['browser', 'first', 'second'])
      tokens.push((await issueToken(db.store(), { orgSlug: slug, email, name })).token);
    server = await startHttpServer({
      store: db.store(),
      workstream: createWorkstream(db.store()),
      log: quiet,
      metrics,
      host: '127.0.0.1',
      port: 0,
      corsOrigins: [APP],
      limits: { tokenPerMinute: 3, orgPerMinute: 6 },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const preflight = (origin: string) =>
    raw(server.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
      },
    });

  it('answers a preflight from an allowed origin with 204 before asking for a token', async () => {
    for (const origin of [APP, 'http://localhost:5173']) {
      const answer = await preflight(origin);
      expect(answer.status, origin).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(origin);
      expect(answer.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(answer.headers['access-control-allow-headers']).toMatch(/authorization/);
      expect(answer.headers['access-control-allow-headers']).toMatch(/mcp-protocol-version/);
    }
  });

  it('refuses a preflight from an origin that is not allowed (the Origin check comes first)', async () => {
    const answer = await preflight('https://evil.example');
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets an allowed origin read answers and the MCP headers, refusals included', async () => {
    const [browser = ''] = tokens;
    const answer = await raw(server.url, {
      method: 'POST',
      headers: { ...bearer(browser), origin: APP },
      body: INITIALIZE,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers['access-control-expose-headers']).toMatch(/mcp-session-id/);
    expect(answer.headers['access-control-expose-headers']).toMatch(/mcp-protocol-version/);
    const refused = await raw(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: APP },
      body: INITIALIZE,
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(APP);
    expect(refused.headers['access-control-expose-headers']).toMatch(/www-authenticate/);
  });

  it('answers 429 with Retry-After past a token’s budget, then past the organization’s, and counts both', async () => {
    const [, first = '', second = ''] = tokens;
    const send = (token: string) =>
      raw(server.url, { method: 'POST', headers: bearer(token), body: INITIALIZE });
    for (let i = 0; i < 3; i++) expect((await send(first)).status).toBe(200);
    const limited = await send(first);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(limited.body)).toMatchObject({
      error: { code: 'RATE_LIMITED', message: /3 requests a minute for this token/ },
    });
    // The org has spent 4 of its 6 (the browser token 1, the first 3; a refused request spends nothing).
    for (let i = 0; i < 2; i++) expect((await send(second)).status).toBe(200);
    const orgLimited = await send(second);
    expect(orgLimited.status).toBe(429);
    expect(JSON.parse(orgLimited.body).error.message).toMatch(/for this organization/);

    const text = await (await fetch(server.url.replace(/\/mcp$/, '/metrics'))).text();
    expect(text).toMatch(/^workstream_http_rate_limited_total\{scope="token"\} 1$/m);
    expect(text).toMatch(/^workstream_http_rate_limited_total\{scope="org"\} 1$/m);

    const admin = await inMemoryClient(createWorkstream(db.store()), org.actor);
    try {
      const trail = await ok(admin, 'list_access_events', { kind: 'rate_limited' });
      expect(trail.items.map((event: { detail: { scope: string } }) => event.detail.scope).sort()).toEqual([
        'org',
        'token',
      ]);
    } finally {
      await admin.close();
    }
  });
});
