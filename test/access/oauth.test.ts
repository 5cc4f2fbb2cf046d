/**
 * The OAuth 2.1 resource server against a real OpenID provider: tokens obtained through the MCP
 * SDK client's own OAuth support (authorization code with PKCE, driven headlessly; client
 * credentials), tools called over HTTP, and every bad token refused with the right challenge.
 */
import {
  Client,
  ClientCredentialsProvider,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toolLevel } from '../../src/access/levels.js';
import { ManualClock } from '../../src/domain/clock.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { selectTools } from '../../src/tools/index.js';

/** What a server with the default toolsets lists (analytics is named to be listed). */
const SERVED = selectTools();

import { createWorkstream } from '../../src/workstream/workstream.js';
import { call, MODERN, ok, orgIdentity, quiet } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';
import { bearer, INITIALIZE, raw, toolCall } from './http.js';
import {
  clientCredentialsToken,
  NATIVE_CLIENT,
  REDIRECT_URI,
  signInHeadless,
  startProvider,
  type TestProvider,
} from './oidc.js';

const REPORT_JOB = { id: 'report-job', secret: 'report-job-secret' };
const READER_JOB = { id: 'reader-job', secret: 'reader-job-secret' };
const OPAQUE_JOB = { id: 'opaque-job', secret: 'opaque-job-secret', opaque: true };

/** What a desktop app keeps between the redirect and the callback; the browser is signInHeadless. */
class DesktopApp implements OAuthClientProvider {
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  #discovery: OAuthDiscoveryState | undefined;
  authorizationUrl: URL | undefined;
  readonly redirectUrl = REDIRECT_URI;
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: 'Desktop app',
    redirect_uris: [REDIRECT_URI],
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };

  constructor(readonly scope?: string) {
    if (scope) Object.assign(this.clientMetadata, { scope });
  }

  clientInformation(): OAuthClientInformationMixed {
    return { client_id: NATIVE_CLIENT };
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.#discovery = state;
  }
  discoveryState() {
    return this.#discovery;
  }
}

describeEachDialect('OAuth resource server', (db) => {
  let op: TestProvider;
  let stranger: TestProvider;
  let server: RunningHttpServer;
  let slug: string;
  let adminEmail: string;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    op = await startProvider([REPORT_JOB, READER_JOB, OPAQUE_JOB]);
    stranger = await startProvider([REPORT_JOB]);
    const org = await testOrg(db.store());
    ({ slug, email: adminEmail } = await orgIdentity(db.store(), org.orgId, org.actor.memberId));
    await org.ws.addMember({
      orgId: org.orgId,
      email: 'viewer@corp.test',
      name: 'Vera Viewer',
      role: 'viewer',
    });
    await org.ws.addMember({ orgId: org.orgId, email: 'rep@corp.test', name: 'Rex Rep', role: 'member' });
    for (const job of [REPORT_JOB, READER_JOB, OPAQUE_JOB])
      await org.ws.addMember({
        orgId: org.orgId,
        email: `${job.id}@service.test`,
        name: job.id,
        role: 'admin',
        subject: job.id,
      });
    server = await startHttpServer({
      store: db.store(),
      workstream: createWorkstream(db.store()),
      log: quiet,
      metrics: new Metrics(),
      host: '127.0.0.1',
      port: 0,
      clock,
      oauth: {
        issuers: [op.issuer],
        memberClaim: 'email',
        scopePrefix: 'workstream:',
        introspection: { clientId: 'workstream-server', clientSecret: 'introspection-secret' },
      },
      oauthOrg: slug,
    });
  });
  afterAll(async () => {
    await server?.close();
    await op?.close();
    await stranger?.close();
  });

  /** Signs `email` in through the SDK client: 401 → discovery → authorize (PKCE) → callback → token. */
  async function signIn(email: string, scope?: string): Promise<{ client: Client; app: DesktopApp }> {
    op.nextLogin = email;
    const app = new DesktopApp(scope);
    const url = new URL(server.url);
    const first = new StreamableHTTPClientTransport(url, { authProvider: app });
    const client = new Client({ name: 'desktop', version: '1.0.0' });
    await expect(client.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(app.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await signInHeadless(app.authorizationUrl ?? new URL('about:blank'));
    await first.finishAuth(callback);
    const connected = new Client({ name: 'desktop', version: '1.0.0' });
    await connected.connect(new StreamableHTTPClientTransport(url, { authProvider: app }));
    return { client: connected, app };
  }

  it('publishes protected resource metadata naming the issuer and the scopes', async () => {
    const base = server.url.replace(/\/mcp$/, '');
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const answer = await raw(`${base}${path}`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({
        resource: server.url,
        authorization_servers: [op.issuer],
        scopes_supported: ['workstream:read', 'workstream:write', 'workstream:admin'],
      });
    }
  });

  it('answers a request without a token with 401 and a challenge pointing at the metadata', async () => {
    const answer = await raw(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: INITIALIZE,
    });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(
      new RegExp(
        `^Bearer .*resource_metadata="${server.url.replace(/\/mcp$/, '')}/\\.well-known/oauth-protected-resource/mcp"`,
      ),
    );
  });

  it('signs an admin in with authorization code + PKCE and serves every tool', async () => {
    const { client, app } = await signIn(adminEmail);
    try {
      const claims = decodeJwt(app.tokens()?.access_token ?? '');
      expect(claims).toMatchObject({ iss: op.issuer, aud: server.url, email: adminEmail });
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toHaveLength(SERVED.length);
      const created = await ok(client, 'create_candidate', {
        title: 'Harbour crane',
        accountName: 'Port Co',
      });
      expect(created.state).toBe('new');
      const trail = await ok(client, 'list_access_events', { kind: 'sign_in' });
      expect(trail.items[0]).toMatchObject({ kind: 'sign_in', detail: { via: 'oauth', issuer: op.issuer } });
    } finally {
      await client.close();
    }
  });

  it('shows a viewer only the tools that change nothing; a member no admin tools', async () => {
    const viewer = await signIn('viewer@corp.test');
    const member = await signIn('rep@corp.test');
    try {
      const seen = (await viewer.client.listTools()).tools;
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
      expect(seen.map((tool) => tool.name)).toEqual(
        SERVED.filter((tool) => toolLevel(tool) === 'read').map((tool) => tool.name),
      );
      const memberTools = (await member.client.listTools()).tools.map((tool) => tool.name);
      expect(memberTools).toContain('create_candidate');
      expect(memberTools).not.toContain('set_sla_policy');
      expect(memberTools).not.toContain('list_access_events');
      const refused = await viewer.client
        .callTool({ name: 'create_candidate', arguments: {} })
        .catch((e) => e);
      expect(String(refused)).toMatch(/create_candidate/);
    } finally {
      await viewer.client.close();
      await member.client.close();
    }
  });

  it('signs a service in with client credentials, matched to its member by subject', async () => {
    const authProvider = new ClientCredentialsProvider({
      clientId: REPORT_JOB.id,
      clientSecret: REPORT_JOB.secret,
      scope: 'workstream:read workstream:write workstream:admin',
      expectedIssuer: op.issuer,
    });
    const client = new Client({ name: 'report-job', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider }));
    try {
      const created = await ok(client, 'create_signal', {
        source: 'rss',
        externalRef: 'n-1',
        title: 'Tender notice',
      });
      const page = await ok(client, 'list_signals', { limit: 5 });
      expect(page.items.map((signal: { id: string }) => signal.id)).toContain(created.signal.id);
      expect((await client.listTools()).tools).toHaveLength(SERVED.length);
    } finally {
      await client.close();
    }
  });

  it('narrows the tools to the token’s scopes and challenges a call beyond them with 403 insufficient_scope', async () => {
    const token = await clientCredentialsToken(op.issuer, READER_JOB, {
      scope: 'workstream:read',
      resource: server.url,
    });
    const client = new Client({ name: 'reader', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const tools = (await client.listTools()).tools;
      expect(tools.every((tool) => tool.annotations?.readOnlyHint)).toBe(true);
      expect(tools.map((tool) => tool.name)).not.toContain('list_access_events');
    } finally {
      await client.close();
    }
    // A 2026-07-28 client's request is challenged the same way.
    const modern = new Client({ name: 'reader', version: '1.0.0' }, MODERN);
    await modern.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      expect(modern.getProtocolEra()).toBe('modern');
      await expect(
        modern.callTool({
          name: 'create_signal',
          arguments: { source: 'web', externalRef: 'm-1', title: 'Lead' },
        }),
      ).rejects.toThrow(/Insufficient scope: required "[^"]*workstream:write/);
    } finally {
      await modern.close();
    }
    const write = await raw(server.url, {
      method: 'POST',
      headers: bearer(token),
      body: toolCall('create_signal', { source: 'web', externalRef: 'x-1', title: 'Lead' }),
    });
    expect(write.status).toBe(403);
    expect(write.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(write.headers['www-authenticate']).toMatch(/scope="[^"]*workstream:write[^"]*"/);
    expect(write.headers['www-authenticate']).toMatch(/resource_metadata="/);
    const admin = await raw(server.url, {
      method: 'POST',
      headers: bearer(token),
      body: toolCall('list_access_events'),
    });
    expect(admin.status).toBe(403);
    expect(admin.headers['www-authenticate']).toMatch(/scope="[^"]*workstream:admin[^"]*"/);
  });

  it('lets the SDK client step up: a 403 insufficient_scope gets a broader token and the call goes through', async () => {
    const authProvider = new ClientCredentialsProvider({
      clientId: READER_JOB.id,
      clientSecret: READER_JOB.secret,
      scope: 'workstream:read',
      expectedIssuer: op.issuer,
    });
    // The job holds a read-only token from an earlier run.
    const readOnly = await clientCredentialsToken(op.issuer, READER_JOB, {
      scope: 'workstream:read',
      resource: server.url,
    });
    authProvider.saveTokens({ access_token: readOnly, token_type: 'Bearer', scope: 'workstream:read' });
    const client = new Client({ name: 'reader', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider }));
    try {
      expect((await client.listTools()).tools.every((tool) => tool.annotations?.readOnlyHint)).toBe(true);
      const created = await ok(client, 'create_signal', {
        source: 'step-up',
        externalRef: 's-1',
        title: 'Lead',
      });
      expect(created.created).toBe(true);
      expect(String(decodeJwt(authProvider.tokens()?.access_token ?? '').scope).split(' ')).toContain(
        'workstream:write',
      );
    } finally {
      await client.close();
    }
  });

  it('refuses a token without any workstream scope with 403 naming workstream:read', async () => {
    const token = await clientCredentialsToken(op.issuer, READER_JOB, { resource: server.url });
    const answer = await raw(server.url, { method: 'POST', headers: bearer(token), body: INITIALIZE });
    expect(answer.status).toBe(403);
    expect(answer.headers['www-authenticate']).toMatch(/scope="workstream:read"/);
  });

  it('refuses expired, wrong-audience, wrong-issuer and tampered tokens with 401 invalid_token', async () => {
    const good = await clientCredentialsToken(op.issuer, REPORT_JOB, {
      scope: 'workstream:read',
      resource: server.url,
    });
    expect((await raw(server.url, { method: 'POST', headers: bearer(good), body: INITIALIZE })).status).toBe(
      200,
    );

    const wrongAudience = await clientCredentialsToken(op.issuer, REPORT_JOB, {
      scope: 'workstream:read',
      resource: 'https://another-server.example/mcp',
    });
    const foreign = await clientCredentialsToken(stranger.issuer, REPORT_JOB, {
      scope: 'workstream:read',
      resource: server.url,
    });
    const [header, payload, signature] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...decodeJwt(good), scope: 'workstream:read workstream:write workstream:admin' }),
    ).toString('base64url');
    const tampered = [header, forged, signature].join('.');
    expect(payload).not.toBe(forged);

    const cases: [string, string, RegExp][] = [
      ['wrong audience', wrongAudience, /issued for .*another-server\.example.*not for this server/],
      ['wrong issuer', foreign, /which this server does not trust/],
      ['tampered', tampered, /signature does not verify/],
    ];
    for (const [label, token, reason] of cases) {
      const answer = await raw(server.url, { method: 'POST', headers: bearer(token), body: INITIALIZE });
      expect(answer.status, label).toBe(401);
      expect(answer.headers['www-authenticate'], label).toMatch(
        /^Bearer error="invalid_token".*resource_metadata=/,
      );
      expect(JSON.parse(answer.body).error_description, label).toMatch(reason);
    }

    clock.advance({ hours: 2 });
    try {
      const expired = await raw(server.url, { method: 'POST', headers: bearer(good), body: INITIALIZE });
      expect(expired.status).toBe(401);
      expect(JSON.parse(expired.body).error_description).toMatch(/expired at .*get a new one/);
    } finally {
      clock.advance({ hours: -2 });
    }
  });

  it('refuses a signed-in user who is not a member, clearly and without a challenge to retry', async () => {
    op.nextLogin = 'stranger@elsewhere.test';
    const app = new DesktopApp();
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: app });
    await new Client({ name: 'desktop', version: '1' }).connect(transport).catch(() => undefined);
    await transport.finishAuth(await signInHeadless(app.authorizationUrl ?? new URL('about:blank')));
    const token = app.tokens()?.access_token ?? '';
    const answer = await raw(server.url, { method: 'POST', headers: bearer(token), body: INITIALIZE });
    expect(answer.status).toBe(403);
    expect(answer.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(answer.body)).toMatchObject({
      error: 'access_denied',
      error_description: expect.stringMatching(
        /stranger@elsewhere\.test signed in, but is not a member of organization/,
      ),
    });
  });

  it('accepts an opaque token through introspection', async () => {
    const token = await clientCredentialsToken(op.issuer, OPAQUE_JOB, {
      scope: 'workstream:read',
      resource: server.url,
    });
    expect(token.split('.')).toHaveLength(1);
    const answer = await raw(server.url, {
      method: 'POST',
      headers: bearer(token),
      body: toolCall('list_signals'),
    });
    expect(answer.status).toBe(200);
    const bogus = await raw(server.url, {
      method: 'POST',
      headers: bearer('not-a-real-token'),
      body: INITIALIZE,
    });
    expect(bogus.status).toBe(401);
  });

  it('keeps the refusals in the audit trail an admin lists', async () => {
    const authProvider = new ClientCredentialsProvider({
      clientId: REPORT_JOB.id,
      clientSecret: REPORT_JOB.secret,
      scope: 'workstream:read workstream:admin',
      expectedIssuer: op.issuer,
    });
    const client = new Client({ name: 'report-job', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider }));
    try {
      const scope = await call(client, 'list_access_events', { kind: 'scope_refused' });
      expect(scope.isError).toBe(false);
      expect(scope.data.items.map((event: { detail: { needed?: string } }) => event.detail.needed)).toEqual(
        expect.arrayContaining(['workstream:write', 'workstream:admin', 'workstream:read']),
      );
    } finally {
      await client.close();
    }
  });
});
