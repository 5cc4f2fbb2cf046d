/**
 * Who is calling. Over HTTP: a bearer token, stored only as its SHA-256 hash in api_tokens and
 * shown once when issued. Over stdio: the organization slug and member e-mail from the
 * configuration, resolved once at start.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
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
  return { orgId: org.id, memberId: member.id };
}

export interface IssuedToken {
  readonly id: string;
  /** The secret itself: shown once, never stored. */
  readonly token: string;
  readonly actor: Actor;
  readonly name: string;
}

export async function issueToken(
  store: Store,
  request: { orgSlug: string; email: string; name: string },
  clock: Clock = systemClock,
): Promise<IssuedToken> {
  const actor = await resolveActor(store, request.orgSlug, request.email);
  const now = clock.now();
  const id = newId('tok', now);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  await store.db
    .insertInto('api_tokens')
    .values({
      id,
      org_id: actor.orgId,
      member_id: actor.memberId,
      name: request.name,
      token_hash: hashToken(token),
      created_at: now,
    })
    .execute();
  return { id, token, actor, name: request.name };
}

/** Revokes a token by id; false when no live token has that id. */
/** The id of a token, found by its hash (the token itself is never stored). */
export async function tokenIdOf(store: Store, token: string): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row?.id;
}

export async function revokeToken(store: Store, id: string, clock: Clock = systemClock): Promise<boolean> {
  const result = await store.db
    .updateTable('api_tokens')
    .set({ revoked_at: clock.now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** last_used_at is refreshed at most this often, so reads do not turn every request into a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** The caller behind a bearer token, or null when the token is unknown or revoked. */
export async function authenticate(
  store: Store,
  token: string,
  clock: Clock = systemClock,
): Promise<AuthInfo | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await store.db
    .selectFrom('api_tokens')
    .select(['id', 'org_id', 'member_id', 'scopes_json', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const now = clock.now();
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
    await store.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  const actor: Actor = { orgId: row.org_id, memberId: row.member_id };
  return { token: row.id, clientId: row.id, scopes: row.scopes_json, extra: { ...actor } };
}

/** The actor an authenticated HTTP request carries (see authenticate). */
export function actorOf(auth: AuthInfo | undefined): Actor {
  const orgId = auth?.extra?.orgId;
  const memberId = auth?.extra?.memberId;
  if (typeof orgId !== 'string' || typeof memberId !== 'string')
    throw new Error('request reached the MCP handler unauthenticated');
  return { orgId, memberId };
}
