/**
 * The access audit trail: sign-ins, refused tokens, scope refusals, rate-limit refusals, tokens
 * issued and revoked, members removed. Each is a structured log line (`access` on the line) and,
 * when the caller can be tied to an organization, a row in access_events that the org's admins
 * list with `list_access_events` (src/workstream/access-events.ts). A refusal nobody can be tied to (an unknown token) is only
 * logged: no admin could read it, and a stranger must not be able to fill the table.
 */
import { type Clock, systemClock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/connect.js';
import { toJson } from '../store/dialect.js';
import type { JsonObject } from '../store/schema.js';
import type { AccessEventKind } from '../workstream/access-events.js';

export interface AccessEvent {
  readonly kind: AccessEventKind;
  readonly orgId?: string | null | undefined;
  readonly memberId?: string | null | undefined;
  /** A static token's id (tok_…), or an OAuth token's `jti`. */
  readonly tokenId?: string | null | undefined;
  /** The OAuth client (`client_id` / `azp`), when the token names one. */
  readonly clientId?: string | null | undefined;
  readonly detail?: JsonObject;
}

/** How often the same token is recorded again for the same kind of event (sign-in, refusal). */
const REPEAT_AFTER_MS = 60 * 60_000;
const REMEMBERED = 10_000;

/**
 * Records access events. A token signs in once per hour per process, and a refused token is
 * recorded once per hour too: a client retrying with a revoked token gets one row, not thousands.
 */
export class AccessAudit {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly store: Store,
    readonly log: Logger,
    readonly clock: Clock = systemClock,
  ) {}

  /** Writes the log line and (with an org) the row; a failed write is logged, never thrown. */
  async record(event: AccessEvent): Promise<void> {
    const now = this.clock.now();
    this.log.info(
      {
        access: {
          kind: event.kind,
          orgId: event.orgId ?? null,
          memberId: event.memberId ?? null,
          tokenId: event.tokenId ?? null,
          clientId: event.clientId ?? null,
          ...event.detail,
        },
      },
      `access: ${event.kind.replace('_', ' ')}`,
    );
    if (!event.orgId) return;
    try {
      await this.store.db
        .insertInto('access_events')
        .values({
          id: newId('axs', now),
          org_id: event.orgId,
          member_id: event.memberId ?? null,
          kind: event.kind,
          token_id: event.tokenId?.slice(0, 200) ?? null,
          client_id: event.clientId?.slice(0, 400) ?? null,
          detail_json: toJson(event.detail ?? {}),
          occurred_at: now,
        })
        .execute();
    } catch (error) {
      this.log.error({ err: error, access: event }, 'access event could not be stored');
    }
  }

  /** Records the event unless the same key was recorded within the last hour. */
  async once(key: string, event: AccessEvent): Promise<void> {
    const now = this.clock.now().getTime();
    const last = this.#seen.get(key);
    if (last !== undefined && now - last < REPEAT_AFTER_MS) return;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    if (this.#seen.size > REMEMBERED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    await this.record(event);
  }
}
