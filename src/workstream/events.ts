/**
 * The history and the change feed: every change appends an event, and the same statement batch
 * writes one outbox row per destination that wants it (the org's subscribed webhooks and any
 * destination the command names), then wakes PostgreSQL workers.
 */

import { sql } from 'kysely';
import { newId } from '../domain/ids.js';
import { currentTraceContext } from '../observability/tracing.js';
import { type DialectName, rowsPerInsert, toJson } from '../store/dialect.js';
import type { JsonObject, NewRow } from '../store/schema.js';
import type { Db } from './deps.js';
import { OUTBOX_CHANNEL } from './outbox-channel.js';

export interface EventInput {
  readonly entityType: 'signal' | 'candidate' | 'pursuit' | 'org';
  readonly entityId: string;
  readonly type: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly reason?: string | null;
  readonly data?: JsonObject;
  /** Destinations beyond the org's webhooks, e.g. `alerts` for SLA warnings and breaches. */
  readonly alsoTo?: readonly string[];
}

export interface EventRecord extends EventInput {
  readonly orgId: string;
  readonly actorId: string;
  readonly occurredAt: Date;
}

export type Webhook = { id: string; event_types_json: string[] };

/** An org's active webhook endpoints, as event fan-out needs them. */
export async function activeWebhooks(db: Db, orgId: string): Promise<Webhook[]> {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'event_types_json'])
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .execute();
}

/**
 * Writes events and their outbox rows in as few statements as the dialect allows: the SLA sweep
 * appends thousands at once. `webhooksOf` answers an org's active endpoints (cached by callers).
 */
export async function appendEvents(
  db: Db,
  dialect: DialectName,
  events: readonly EventRecord[],
  webhooksOf: (orgId: string) => Promise<Webhook[]>,
): Promise<string[]> {
  const rows = events.map((event) => ({ event, id: newId('evt', event.occurredAt) }));
  const outbox: NewRow<'outbox'>[] = [];
  const trace = currentTraceContext();
  for (const { event, id } of rows) {
    const hooks = (await webhooksOf(event.orgId)).filter((hook) =>
      subscribes(hook.event_types_json, event.type),
    );
    const destinations = [...(event.alsoTo ?? []), ...hooks.map((hook) => `webhook:${hook.id}`)];
    if (destinations.length === 0) continue;
    const payload = toJson({
      eventId: id,
      type: event.type,
      orgId: event.orgId,
      entityType: event.entityType,
      entityId: event.entityId,
      actorId: event.actorId,
      from: event.from ?? null,
      to: event.to ?? null,
      reason: event.reason ?? null,
      data: event.data ?? {},
      occurredAt: event.occurredAt.toISOString(),
      // The writing command's trace context, when tracing is on: the delivery continues its trace.
      ...(trace ? { trace } : {}),
    });
    for (const destination of destinations) {
      outbox.push({
        id: newId('obx', event.occurredAt),
        org_id: event.orgId,
        event_id: id,
        destination,
        payload_json: payload,
        run_at: event.occurredAt,
      });
    }
  }
  const eventRows: NewRow<'events'>[] = rows.map(({ event, id }) => ({
    id,
    org_id: event.orgId,
    entity_type: event.entityType,
    entity_id: event.entityId,
    type: event.type,
    actor_id: event.actorId,
    from_state: event.from ?? null,
    to_state: event.to ?? null,
    reason: event.reason ?? null,
    data_json: toJson(event.data ?? {}),
    occurred_at: event.occurredAt,
  }));
  for (const chunk of chunks(eventRows, rowsPerInsert(dialect, 11)))
    await db.insertInto('events').values(chunk).execute();
  for (const chunk of chunks(outbox, rowsPerInsert(dialect, 6)))
    await db.insertInto('outbox').values(chunk).execute();
  // Wakes idle PostgreSQL workers when this transaction commits (they poll on other databases).
  if (outbox.length > 0 && dialect === 'postgres')
    await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
  return rows.map(({ id }) => id);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A webhook's event types: exact (`pursuit.won`), a family (`pursuit.*`) or everything (`*`). */
function subscribes(eventTypes: readonly string[], type: string): boolean {
  const [family] = type.split('.');
  return eventTypes.some((pattern) => pattern === '*' || pattern === type || pattern === `${family}.*`);
}
