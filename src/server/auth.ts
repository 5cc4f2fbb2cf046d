/**
 * Who is calling. Over HTTP: a static bearer token, stored only as its SHA-256 hash in api_tokens
 * and shown once when issued, or an OAuth access token (src/access/oauth.ts). Over stdio: the
 * organization slug and member e-mail from the configuration, resolved once at start. A token
 * works while it is not revoked, not past its expiry and its member is not removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { AccessAudit } from '../access/audit.js';
import type { Role } from '../access/levels.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Store } from '../store/connect.js';
import { findMemberByEmail, findOrgBySlug } from '../workstream/orgs.js';
import type { Actor } from '../workstream/workstream.js';

export const TOKEN_PREFIX = 'wst_';

/** A member named by the configuration or a command line does not exist. */
export class ActorError extends Error {
  override readonly name = 'ActorError';
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The org and member behind a slug and an e-mail, or an ActorError saying which one is unknown. */
export async function resolveActor(store: Store, orgSlug: string, email: string): Promise<Actor> {
  const deps = { store, clock: systemClock };
  const org = await findOrgBySlug(deps, orgSlug);
  if (!org)
    throw new ActorError(
      `no organization with slug '${orgSlug}' (load the demo with \`workstream demo\`, or create one with \`workstream org create\`)`,
    );
  const member = await findMemberByEmail(deps, org.id, email);
  if (!member)
    throw new ActorError(
      `${email} is not a member of organization '${orgSlug}' (add one with \`workstream member add\`)`,
    );
  if (member.deactivated_at !== null)
    throw new ActorError(`${email} was removed from organization '${orgSlug}' and can no longer act`);
  return { orgId: org.id, memberId: member.id };
}

/** The role of an active member, or null when the member is unknown or removed. */
export async function activeRole(store: Store, actor: Actor): Promise<Role | null> {
  const row = await store.db
    .selectFrom('members')
    .select(['role', 'deactivated_at'])
    .where('id', '=', actor.memberId)
    .where('org_id', '=', actor.orgId)
    .executeTakeFirst();
  return row && row.deactivated_at === null ? row.role : null;
}

export interface IssuedToken {
  readonly id: string;
  /** The secret itself: shown once, never stored. */
  readonly token: string;
  readonly actor: Actor;
  readonly name: string;
  readonly expiresAt: Date | null;
}

/** `90d`, `12h`, `30m`: how long a new token lives. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return amount > 0 ? amount * unit : null;
}

export async function issueToken(
  store: Store,
  request: { orgSlug: string; email: string; name: string; expiresInMs?: number; audit?: AccessAudit },
  clock: Clock = systemClock,
): Promise<IssuedToken> {
  const actor = await resolveActor(store, request.orgSlug, request.email);
  const now = clock.now();
  const id = newId('tok', now);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = request.expiresInMs === undefined ? null : new Date(now.getTime() + request.expiresInMs);
  await store.db
    .insertInto('api_tokens')
    .values({
      id,
      org_id: actor.orgId,
      member_id: actor.memberId,
      name: request.name,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  await request.audit?.record({
    kind: 'token_issued',
    ...actor,
    tokenId: id,
    detail: { name: request.name, expiresAt: expiresAt?.toISOString() ?? null },
  });
  return { id, token, actor, name: request.name, expiresAt };
}

/** The id of a token, found by its hash (the token itself is never stored). */
export async function tokenIdOf(store: Store, token: string): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row?.id;
}

/** Revokes a token by id; false when no live token has that id. */
export async function revokeToken(
  store: Store,
  id: string,
  clock: Clock = systemClock,
  audit?: AccessAudit,
): Promise<boolean> {
  const result = await store.db
    .updateTable('api_tokens')
    .set({ revoked_at: clock.now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  const revoked = result.numUpdatedRows > 0n;
  if (revoked && audit) {
    const row = await store.db
      .selectFrom('api_tokens')
      .select(['org_id', 'member_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    await audit.record({ kind: 'token_revoked', orgId: row?.org_id, memberId: row?.member_id, tokenId: id });
  }
  return revoked;
}

/**
 * Deactivates a member: the row stays (history and views keep the name), every token of theirs
 * stops working at the next request, and the Workstream refuses them. False when no active
 * member has that e-mail in the org.
 */
export async function removeMember(
  store: Store,
  request: { orgSlug: string; email: string },
  clock: Clock = systemClock,
  audit?: AccessAudit,
): Promise<boolean> {
  const org = await findOrgBySlug({ store, clock }, request.orgSlug);
  if (!org) throw new ActorError(`no organization with slug '${request.orgSlug}'`);
  const member = await findMemberByEmail({ store, clock }, org.id, request.email);
  if (!member || member.deactivated_at !== null) return false;
  const result = await store.db
    .updateTable('members')
    .set({ deactivated_at: clock.now() })
    .where('id', '=', member.id)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  await audit?.record({
    kind: 'member_removed',
    orgId: org.id,
    memberId: member.id,
    detail: { email: member.email },
  });
  return true;
}

/** last_used_at is refreshed at most this often, so reads do not turn every request into a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** What the HTTP layer knows about a caller; it travels in AuthInfo.extra. */
export interface CallerInfo extends Actor {
  readonly role: Role;
  /** `static` for api_tokens, `oauth` for an identity provider's access token. */
  readonly via: 'static' | 'oauth';
  /** A static token's id, or an OAuth token's jti. */
  readonly tokenId: string | null;
}

export type StaticOutcome =
  | { readonly ok: true; readonly auth: AuthInfo; readonly caller: CallerInfo }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Set when the token exists: its org and member, for the audit trail. */
      readonly known?: { tokenId: string; orgId: string; memberId: string };
    };

/**
 * Why a known static token no longer admits its holder (revoked, expired, member removed), or
 * null while it does: the one rule for /mcp and for the /today sessions signed in with it.
 */
export function tokenRefusal(
  row: {
    readonly id: string;
    readonly revoked_at: Date | null;
    readonly expires_at: Date | null;
    readonly deactivated_at: Date | null;
  },
  now: Date,
): string | null {
  if (row.revoked_at !== null) return `Token ${row.id} was revoked.`;
  if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime())
    return `Token ${row.id} expired at ${row.expires_at.toISOString()}.`;
  if (row.deactivated_at !== null) return `The member of token ${row.id} was removed from the organization.`;
  return null;
}

/** Checks a static token: known, not revoked, not expired, member still active. */
export async function checkStaticToken(
  store: Store,
  token: string,
  clock: Clock = systemClock,
): Promise<StaticOutcome> {
  if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'The bearer token is unknown.' };
  const row = await store.db
    .selectFrom('api_tokens as t')
    .innerJoin('members as m', 'm.id', 't.member_id')
    .select([
      't.id',
      't.org_id',
      't.member_id',
      't.scopes_json',
      't.last_used_at',
      't.revoked_at',
      't.expires_at',
      'm.role',
      'm.deactivated_at',
    ])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'The bearer token is unknown.' };
  const known = { tokenId: row.id, orgId: row.org_id, memberId: row.member_id };
  const now = clock.now();
  const refused = tokenRefusal(row, now);
  if (refused !== null) return { ok: false, reason: refused, known };
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
    await store.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  const caller: CallerInfo = {
    orgId: row.org_id,
    memberId: row.member_id,
    role: row.role,
    via: 'static',
    tokenId: row.id,
  };
  const auth: AuthInfo = {
    token: row.id,
    clientId: row.id,
    scopes: row.scopes_json,
    ...(row.expires_at ? { expiresAt: Math.floor(row.expires_at.getTime() / 1000) } : {}),
    extra: { ...caller },
  };
  return { ok: true, auth, caller };
}

/** The caller behind a static bearer token, or null when it is unknown, revoked, expired or its member removed. */
export async function authenticate(
  store: Store,
  token: string,
  clock: Clock = systemClock,
): Promise<AuthInfo | null> {
  const outcome = await checkStaticToken(store, token, clock);
  return outcome.ok ? outcome.auth : null;
}

/** The caller an authenticated HTTP request carries (see checkStaticToken and src/access/oauth.ts). */
export function callerOf(auth: AuthInfo | undefined): CallerInfo {
  const extra = auth?.extra ?? {};
  const { orgId, memberId, role, via, tokenId } = extra;
  if (typeof orgId !== 'string' || typeof memberId !== 'string')
    throw new Error('request reached the MCP handler unauthenticated');
  return {
    orgId,
    memberId,
    role: role === 'admin' || role === 'viewer' ? role : 'member',
    via: via === 'oauth' ? 'oauth' : 'static',
    tokenId: typeof tokenId === 'string' ? tokenId : null,
  };
}

/** The actor an authenticated HTTP request carries. */
export function actorOf(auth: AuthInfo | undefined): Actor {
  const { orgId, memberId } = callerOf(auth);
  return { orgId, memberId };
}
