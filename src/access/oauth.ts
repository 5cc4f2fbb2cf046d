/**
 * The OAuth 2.1 resource server of the MCP authorization spec. An access token is accepted when
 * an issuer this server trusts issued it for this server: a JWT is checked with `jose` against
 * the issuer's JWKS (signature, `iss`, `aud`, `exp`/`nbf`; the key set is cached and fetched
 * again when a token names a key it does not hold, which is how key rotation arrives); an opaque
 * token is introspected (RFC 7662) when a client id and secret for that are configured. The
 * token's subject then maps to an active member of an organization (by e-mail or subject), and
 * its scopes cap what the member's role allows (src/access/levels.ts).
 */
import type { AuthInfo, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/server';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { type Clock, systemClock } from '../domain/clock.js';
import type { Store } from '../store/connect.js';
import { limitRows } from '../store/dialect.js';
import { LEVELS, scopeLevel, scopeNames } from './levels.js';

export interface OAuthOptions {
  /** Issuer identifiers (their `iss`), each serving RFC 8414 or OpenID discovery metadata. */
  readonly issuers: readonly string[];
  /** This server's MCP endpoint as clients reach it: the RFC 8707 resource and default audience. */
  readonly resource: URL;
  /** `aud` values accepted; default the resource URL. */
  readonly audience?: readonly string[] | undefined;
  /** The claim matched to a member's e-mail (or, for `sub`, to the member's subject). */
  readonly memberClaim: string;
  readonly scopePrefix: string;
  /** Only members of this organization (slug) are matched; default any organization. */
  readonly orgSlug?: string | undefined;
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string } | undefined;
  /** After fetching an issuer's key set, how long before an unknown key id may fetch it again (default 30 s). */
  readonly jwksCooldownMs?: number;
}

/** Why a token was refused, in words for the caller and the audit trail. */
export interface Refusal {
  readonly ok: false;
  /** 401 for a token that is not valid here; 403 for a valid token whose user may not use this server. */
  readonly status: 401 | 403;
  readonly description: string;
  /** What the audit trail can tie the refusal to. */
  readonly orgId?: string;
  readonly memberId?: string;
  readonly clientId?: string;
  readonly tokenId?: string;
}

export interface Accepted {
  readonly ok: true;
  readonly auth: AuthInfo;
}

interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly introspection_endpoint?: string;
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
/** Signature algorithms accepted: asymmetric only, so a token cannot be signed with a shared secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** RFC 8414 puts the well-known segment before the issuer's path; OpenID appends it. */
function discoveryUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : trimSlash(url.pathname);
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, url.origin),
    new URL(`${trimSlash(issuer)}/.well-known/openid-configuration`),
    new URL(`/.well-known/openid-configuration${path}`, url.origin),
  ];
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/**
 * Scopes as issuers put them: `scope` (RFC 9068, Keycloak), `scp` (Okta's array, Entra's
 * string), and Entra's app roles (`roles`), which is where client-credentials tokens carry them.
 */
function scopesOf(claims: Record<string, unknown>): string[] {
  return [...new Set([...strings(claims.scope), ...strings(claims.scp), ...strings(claims.roles)])];
}

function audiencesOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((item): item is string => typeof item === 'string');
  return [];
}

function sameUrl(a: string, b: string): boolean {
  return trimSlash(a.split('#')[0] ?? a) === trimSlash(b.split('#')[0] ?? b);
}

export class OAuthResourceServer {
  readonly #metadata = new Map<string, { at: number; value: Promise<IssuerMetadata> }>();
  readonly #keys = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  readonly issuers: readonly string[];
  readonly audience: readonly string[];
  readonly resourceMetadataUrl: string;

  constructor(
    readonly store: Store,
    readonly options: OAuthOptions,
    readonly clock: Clock = systemClock,
  ) {
    this.issuers = options.issuers.map(trimSlash);
    this.audience = options.audience?.length ? options.audience : [options.resource.href];
    this.resourceMetadataUrl = new URL(
      `/.well-known/oauth-protected-resource${trimSlash(options.resource.pathname)}`,
      options.resource.origin,
    ).href;
  }

  /** RFC 9728 protected resource metadata: this resource, its issuers and its scopes. */
  metadata(): OAuthProtectedResourceMetadata {
    const names = scopeNames(this.options.scopePrefix);
    return {
      resource: this.options.resource.href,
      authorization_servers: [...this.options.issuers],
      scopes_supported: LEVELS.map((level) => names[level]),
      bearer_methods_supported: ['header'],
      resource_name: 'Workstream',
    };
  }

  #trusted(issuer: unknown): string | null {
    if (typeof issuer !== 'string') return null;
    const wanted = trimSlash(issuer);
    return this.issuers.find((known) => known === wanted) ? issuer : null;
  }

  async #discover(issuer: string): Promise<IssuerMetadata> {
    const key = trimSlash(issuer);
    const cached = this.#metadata.get(key);
    const now = Date.now();
    if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.value;
    const value = (async () => {
      for (const url of discoveryUrls(issuer)) {
        const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }).catch(
          () => null,
        );
        if (!response?.ok) continue;
        const body = (await response.json().catch(() => null)) as IssuerMetadata | null;
        if (body && typeof body.issuer === 'string' && trimSlash(body.issuer) === key) return body;
      }
      throw new Error(`no discovery metadata for issuer ${issuer}`);
    })();
    this.#metadata.set(key, { at: now, value });
    // A failed discovery is not cached: the next token tries again.
    value.catch(() => this.#metadata.delete(key));
    return value;
  }

  async #jwks(issuer: string) {
    const known = this.#keys.get(issuer);
    if (known) return known;
    const metadata = await this.#discover(issuer);
    if (!metadata.jwks_uri) throw new Error(`issuer ${issuer} publishes no jwks_uri`);
    // jose caches the set for cacheMaxAge and fetches it again (at most once per cooldown)
    // when a token names a key id the cached set lacks: rotation without a restart.
    const keys = createRemoteJWKSet(new URL(metadata.jwks_uri), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      timeoutDuration: FETCH_TIMEOUT_MS,
    });
    this.#keys.set(issuer, keys);
    return keys;
  }

  /** Checks a bearer token; never throws for a bad token, only for a server-side defect. */
  async verify(token: string): Promise<Accepted | Refusal> {
    const refuse = (description: string, extra: Partial<Refusal> = {}): Refusal => ({
      ok: false,
      status: 401,
      description,
      ...extra,
    });
    let claims: JWTPayload;
    if (token.split('.').length === 3) {
      let unverified: JWTPayload;
      try {
        decodeProtectedHeader(token);
        unverified = decodeJwt(token);
      } catch {
        return refuse('The bearer token is not a well-formed JWT.');
      }
      const issuer = this.#trusted(unverified.iss);
      if (!issuer)
        return refuse(
          `The token was issued by ${JSON.stringify(unverified.iss ?? null)}, which this server does not trust; it accepts tokens from ${this.issuers.join(', ')}.`,
        );
      try {
        const keys = await this.#jwks(issuer);
        const verified = await jwtVerify(token, keys, {
          issuer,
          audience: [...this.audience],
          algorithms: ALGORITHMS,
          currentDate: this.clock.now(),
          clockTolerance: 30,
          requiredClaims: ['exp'],
        });
        claims = verified.payload;
      } catch (error) {
        return refuse(this.#why(error, unverified));
      }
    } else {
      const introspected = await this.#introspect(token);
      if (!introspected.ok) return introspected;
      claims = introspected.claims;
    }
    return this.#member(token, claims);
  }

  #why(error: unknown, claims: JWTPayload): string {
    if (error instanceof errors.JWTExpired)
      return `The token expired at ${new Date((claims.exp ?? 0) * 1000).toISOString()}; get a new one.`;
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'aud')
        return `The token was issued for ${JSON.stringify(claims.aud ?? null)}, not for this server (${this.audience.join(', ')}); request it with resource=${this.options.resource.href}.`;
      return `The token's ${error.claim} claim is not acceptable: ${error.message}.`;
    }
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return 'The token’s signature does not verify: it was altered or not signed by its issuer.';
    if (error instanceof errors.JWKSNoMatchingKey)
      return 'The token is signed with a key its issuer does not publish.';
    if (error instanceof errors.JOSEError) return `The token is not acceptable: ${error.message}.`;
    return `The token could not be checked against its issuer: ${error instanceof Error ? error.message : String(error)}.`;
  }

  async #introspect(token: string): Promise<{ ok: true; claims: JWTPayload } | Refusal> {
    const credentials = this.options.introspection;
    const refuse = (description: string): Refusal => ({ ok: false, status: 401, description });
    if (!credentials)
      return refuse('The bearer token is neither a known static token nor a JWT from a trusted issuer.');
    for (const issuer of this.options.issuers) {
      let metadata: IssuerMetadata;
      try {
        metadata = await this.#discover(issuer);
      } catch {
        continue;
      }
      if (!metadata.introspection_endpoint) continue;
      const response = await fetch(metadata.introspection_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(
            `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
          ).toString('base64')}`,
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      }).catch(() => null);
      if (!response?.ok) continue;
      const claims = (await response.json().catch(() => null)) as (JWTPayload & { active?: boolean }) | null;
      if (!claims?.active) continue;
      const now = this.clock.now().getTime() / 1000;
      if (typeof claims.exp !== 'number' || claims.exp < now)
        return refuse('The token has expired (introspection).');
      const audiences = audiencesOf(claims);
      if (!audiences.some((aud) => this.audience.some((want) => sameUrl(aud, want))))
        return refuse(
          `The token was issued for ${JSON.stringify(claims.aud ?? null)}, not for this server (${this.audience.join(', ')}).`,
        );
      return { ok: true, claims: { ...claims, iss: claims.iss ?? issuer } };
    }
    return refuse('No trusted issuer recognises the bearer token as active.');
  }

  async #member(token: string, claims: JWTPayload): Promise<Accepted | Refusal> {
    // RFC 9068 says client_id; Keycloak and Entra v2 say azp; Okta says cid.
    const clientId =
      [claims.client_id, claims.azp, claims.cid].find(
        (value): value is string => typeof value === 'string',
      ) ?? undefined;
    const tokenId = typeof claims.jti === 'string' ? claims.jti : undefined;
    const named = claims[this.options.memberClaim];
    const bySubject = this.options.memberClaim === 'sub' || typeof named !== 'string';
    // Client-credentials tokens name the client as their subject; introspection may give only client_id.
    const subject = typeof claims.sub === 'string' ? claims.sub : clientId;
    const value = bySubject ? subject : String(named).toLowerCase();
    const who = bySubject ? `subject ${JSON.stringify(value ?? null)}` : String(value);
    const tags = { ...(clientId ? { clientId } : {}), ...(tokenId ? { tokenId } : {}) };
    if (typeof value !== 'string' || value.length === 0)
      return {
        ok: false,
        status: 401,
        description: `The token has neither a ${this.options.memberClaim} nor a sub claim to find the member by.`,
        ...tags,
      };
    let query = this.store.db
      .selectFrom('members as m')
      .innerJoin('orgs as o', 'o.id', 'm.org_id')
      .select(['m.id', 'm.org_id', 'm.role', 'm.deactivated_at', 'o.slug'])
      .where(bySubject ? 'm.subject' : 'm.email', '=', value);
    if (this.options.orgSlug) query = query.where('o.slug', '=', this.options.orgSlug);
    const rows = await limitRows(this.store.dialect, query, 3).execute();
    const active = rows.filter((row) => row.deactivated_at === null);
    const where = this.options.orgSlug ? `organization '${this.options.orgSlug}'` : 'any organization here';
    if (active.length === 0) {
      const removed = rows[0];
      return {
        ok: false,
        status: 403,
        description: removed
          ? `${who} was removed from organization '${removed.slug}' and can no longer sign in.`
          : `${who} signed in, but is not a member of ${where}; an admin adds them with \`workstream member add --email …\`${bySubject ? ' --subject …' : ''}.`,
        ...(removed ? { orgId: removed.org_id, memberId: removed.id } : {}),
        ...tags,
      };
    }
    if (active.length > 1)
      return {
        ok: false,
        status: 403,
        description: `${who} is a member of several organizations (${active.map((row) => row.slug).join(', ')}); the server must be started with WORKSTREAM_ORG naming the one its OAuth users belong to.`,
        ...tags,
      };
    const [member] = active;
    if (!member) throw new Error('unreachable: one active member');
    const scopes = scopesOf(claims);
    const auth: AuthInfo = {
      token,
      clientId: clientId ?? subject ?? 'unknown',
      scopes,
      ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp } : {}),
      resource: this.options.resource,
      resourceMetadataUrl: this.resourceMetadataUrl,
      extra: {
        orgId: member.org_id,
        memberId: member.id,
        role: member.role,
        via: 'oauth',
        tokenId: tokenId ?? null,
        scopeLevel: scopeLevel(scopes, this.options.scopePrefix),
        issuer: typeof claims.iss === 'string' ? claims.iss : null,
      },
    };
    return { ok: true, auth };
  }
}
