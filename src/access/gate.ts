/**
 * The door of /mcp: who the bearer token names (a static token or an OAuth access token), the
 * challenge a refused request gets (RFC 6750 `WWW-Authenticate`, with `resource_metadata` when
 * an issuer is configured, built by the MCP SDK), the scope check of `tools/call` requests, and
 * the audit trail of each decision.
 */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { bearerAuthChallengeResponse, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import { type Clock, systemClock } from '../domain/clock.js';
import { type CallerInfo, checkStaticToken, TOKEN_PREFIX } from '../server/auth.js';
import type { Store } from '../store/connect.js';
import type { Tool } from '../tools/define.js';
import type { AccessAudit } from './audit.js';
import { type Access, type Level, missingScope, scopeNames } from './levels.js';
import type { OAuthResourceServer } from './oauth.js';

export interface Admitted {
  readonly ok: true;
  readonly auth: AuthInfo;
  readonly caller: CallerInfo;
  readonly access: Access;
  /** The key the token's rate budget and audit dedupe use (never the token itself). */
  readonly tokenKey: string;
}

export interface Refused {
  readonly ok: false;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface GateOptions {
  readonly store: Store;
  readonly audit: AccessAudit;
  readonly oauth?: OAuthResourceServer | undefined;
  readonly scopePrefix?: string;
  readonly clock?: Clock;
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 32);
}

const NEXT_STEP_STATIC = 'Issue a token with `workstream token create --org SLUG --member EMAIL`.';

export class AccessGate {
  readonly #clock: Clock;
  readonly #prefix: string;

  constructor(readonly options: GateOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#prefix = options.scopePrefix ?? 'workstream:';
  }

  /** The RFC 6750 challenge, with the resource metadata URL when OAuth is configured. */
  challenge(
    code: 'invalid_token' | 'insufficient_scope',
    description: string,
    scopes: string[] = [],
  ): Refused {
    const error = new OAuthError(
      code === 'invalid_token' ? OAuthErrorCode.InvalidToken : OAuthErrorCode.InsufficientScope,
      description,
    );
    const response = bearerAuthChallengeResponse(error, {
      requiredScopes: scopes,
      ...(this.options.oauth ? { resourceMetadataUrl: this.options.oauth.resourceMetadataUrl } : {}),
    });
    const headers: Record<string, string> = {};
    const challenge = response.headers.get('www-authenticate');
    if (challenge) headers['www-authenticate'] = challenge;
    return {
      ok: false,
      status: response.status,
      headers,
      body: {
        error: code,
        error_description: description,
        ...(this.options.oauth || code !== 'invalid_token' ? {} : { nextStep: NEXT_STEP_STATIC }),
      },
    };
  }

  /** Decides on a request's Authorization header. */
  async admit(authorization: string | undefined): Promise<Admitted | Refused> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1];
    if (!token)
      return this.challenge(
        'invalid_token',
        authorization
          ? 'Send the token as Authorization: Bearer <token>.'
          : 'Send Authorization: Bearer <token>.',
      );
    const { audit, store, oauth } = this.options;
    if (token.startsWith(TOKEN_PREFIX) || !oauth) {
      const outcome = await checkStaticToken(store, token, this.#clock);
      if (!outcome.ok) {
        if (outcome.known)
          await audit.once(`refused:${outcome.known.tokenId}`, {
            kind: 'token_refused',
            ...outcome.known,
            detail: { reason: outcome.reason, via: 'static' },
          });
        else audit.log.info({ access: { kind: 'token_refused', via: 'static' } }, 'access: token refused');
        return this.challenge('invalid_token', outcome.reason);
      }
      const tokenKey = outcome.caller.tokenId ?? digest(token);
      await audit.once(`sign_in:${tokenKey}`, {
        kind: 'sign_in',
        orgId: outcome.caller.orgId,
        memberId: outcome.caller.memberId,
        tokenId: outcome.caller.tokenId,
        detail: { via: 'static' },
      });
      return {
        ok: true,
        auth: outcome.auth,
        caller: outcome.caller,
        access: { role: outcome.caller.role },
        tokenKey,
      };
    }
    const tokenKey = digest(token);
    const verdict = await oauth.verify(token);
    if (!verdict.ok) {
      const event = {
        kind: 'token_refused' as const,
        orgId: verdict.orgId,
        memberId: verdict.memberId,
        tokenId: verdict.tokenId,
        clientId: verdict.clientId,
        detail: { reason: verdict.description, via: 'oauth' },
      };
      await audit.once(`refused:${tokenKey}`, event);
      if (verdict.status === 403)
        return {
          ok: false,
          status: 403,
          headers: {},
          body: { error: 'access_denied', error_description: verdict.description },
        };
      return this.challenge('invalid_token', verdict.description);
    }
    const extra = verdict.auth.extra ?? {};
    const caller: CallerInfo = {
      orgId: String(extra.orgId),
      memberId: String(extra.memberId),
      role: extra.role === 'admin' || extra.role === 'viewer' ? extra.role : 'member',
      via: 'oauth',
      tokenId: typeof extra.tokenId === 'string' ? extra.tokenId : null,
    };
    const level = extra.scopeLevel;
    const access: Access = {
      role: caller.role,
      scopeLevel: level === 'read' || level === 'write' || level === 'admin' ? level : null,
    };
    await audit.once(`sign_in:${tokenKey}`, {
      kind: 'sign_in',
      orgId: caller.orgId,
      memberId: caller.memberId,
      tokenId: caller.tokenId,
      clientId: verdict.auth.clientId,
      detail: {
        via: 'oauth',
        issuer: typeof extra.issuer === 'string' ? extra.issuer : null,
        scopes: verdict.auth.scopes,
      },
    });
    if (access.scopeLevel === null) {
      const read = scopeNames(this.#prefix).read;
      await audit.once(`scope:${tokenKey}:*`, {
        kind: 'scope_refused',
        orgId: caller.orgId,
        memberId: caller.memberId,
        tokenId: caller.tokenId,
        clientId: verdict.auth.clientId,
        detail: { needed: read, held: verdict.auth.scopes },
      });
      return this.challenge('insufficient_scope', `This server needs at least the ${read} scope.`, [read]);
    }
    return { ok: true, auth: verdict.auth, caller, access, tokenKey };
  }

  /**
   * A `tools/call` for a tool the caller's scopes do not reach, when a broader token would: the
   * `403 insufficient_scope` challenge naming the scope, so the client can step up. A tool the
   * role does not reach is left to the MCP server, which does not list or know it.
   */
  async scopeRefusal(admitted: Admitted, body: unknown, catalogue: readonly Tool[]): Promise<Refused | null> {
    const messages = Array.isArray(body) ? body : [body];
    const names = scopeNames(this.#prefix);
    for (const message of messages) {
      if (typeof message !== 'object' || message === null) continue;
      const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
      if (method !== 'tools/call' || typeof params?.name !== 'string') continue;
      const tool = catalogue.find((candidate) => candidate.name === params.name);
      if (!tool) continue;
      const missing: Level | null = missingScope(admitted.access, tool);
      if (!missing) continue;
      const scope = names[missing];
      await this.options.audit.once(`scope:${admitted.tokenKey}:${tool.name}`, {
        kind: 'scope_refused',
        orgId: admitted.caller.orgId,
        memberId: admitted.caller.memberId,
        tokenId: admitted.caller.tokenId,
        clientId: admitted.auth.clientId,
        detail: { tool: tool.name, needed: scope, held: admitted.auth.scopes },
      });
      return this.challenge('insufficient_scope', `${tool.name} needs the ${scope} scope.`, [
        ...new Set([...admitted.auth.scopes.filter((held) => Object.values(names).includes(held)), scope]),
      ]);
    }
    return null;
  }
}
