/**
 * A real OpenID provider (oidc-provider) in this process on a loopback port, issuing JWT access
 * tokens for the resource it is asked for (RFC 8707). Sign-in is headless: the interaction step
 * signs in whoever `nextLogin` names and grants what was asked, so a test drives the whole
 * authorization-code flow with fetch and a cookie jar.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export const SCOPES = 'workstream:read workstream:write workstream:admin';
export const NATIVE_CLIENT = 'desktop-app';
export const REDIRECT_URI = 'http://127.0.0.1/callback';

export interface TestProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /** The e-mail the next headless sign-in signs in as. */
  nextLogin: string;
  close(): Promise<void>;
}

export interface Service {
  readonly id: string;
  readonly secret: string;
  /** Issue opaque access tokens (checked by introspection) instead of JWTs. */
  readonly opaque?: boolean;
}

/** Starts the provider with its native (PKCE) client and the given client-credentials services. */
export async function startProvider(services: readonly Service[] = []): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `key-${Date.now()}`, alg: 'RS256', use: 'sig' };
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const opaque = new Set(services.filter((service) => service.opaque).map((service) => service.id));
  const state = { nextLogin: 'nobody@example.test' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: NATIVE_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'workstream-server',
        client_secret: 'introspection-secret',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      ...services.map((service) => ({
        client_id: service.id,
        client_secret: service.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: SCOPES,
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: opaque.has(client.clientId) ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub }),
    }),
    extraTokenClaims: async (_ctx, token) =>
      'accountId' in token && typeof token.accountId === 'string' ? { email: token.accountId } : undefined,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
  };
  const provider = new Provider(issuer, configuration);
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name === 'login') {
      const url = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId: state.nextLogin },
      });
      ctx.redirect(url);
      return;
    }
    const accountId = details.session?.accountId ?? state.nextLogin;
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    // Grant what the authorization server found missing, as a consenting user would.
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const url = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    ctx.redirect(url);
  });
  http.on('request', provider.callback());

  return {
    issuer,
    provider,
    get nextLogin() {
      return state.nextLogin;
    },
    set nextLogin(email: string) {
      state.nextLogin = email;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

/** Follows redirects with a cookie jar until the authorization server sends the browser back to REDIRECT_URI. */
export async function signInHeadless(authorizationUrl: URL): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  let url = authorizationUrl.href;
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const cut = pair.indexOf('=');
      jar.set(pair.slice(0, cut), pair.slice(cut + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`sign-in stopped at ${response.status}: ${(await response.text()).slice(0, 500)}`);
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT_URI)) return next.searchParams;
    url = next.href;
  }
  throw new Error('sign-in did not come back to the redirect URI');
}

/** A token straight from the token endpoint (client credentials), for tokens the SDK would not ask for. */
export async function clientCredentialsToken(
  issuer: string,
  client: { id: string; secret: string },
  options: { scope?: string; resource?: string } = {},
): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scope) body.set('scope', options.scope);
  if (options.resource) body.set('resource', options.resource);
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body,
  });
  const json = (await response.json()) as { access_token?: string };
  if (!response.ok || !json.access_token)
    throw new Error(`token endpoint said ${response.status}: ${JSON.stringify(json)}`);
  return json.access_token;
}
