/**
 * Where outbox rows go. A destination delivers one row and says how it went: delivered, worth
 * retrying, or permanently refused (straight to the dead letters). Receivers dedupe on the
 * event id, which every delivery carries.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import {
  PUBLIC_WEBHOOKS_ONLY,
  refusedAtDelivery,
  type WebhookAddressPolicy,
} from '../workstream/webhook-addresses.js';
import { type OutboxRow, payloadText } from './outbox-store.js';

export type DeliveryResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly permanent: boolean; readonly error: string };

export interface Destination {
  /** True when this destination handles rows with this destination name. */
  handles(destination: string): boolean;
  deliver(row: OutboxRow, signal: AbortSignal): Promise<DeliveryResult>;
}

export const delivered: DeliveryResult = { ok: true };
export const retry = (error: string): DeliveryResult => ({ ok: false, permanent: false, error });
export const permanent = (error: string): DeliveryResult => ({ ok: false, permanent: true, error });

/** The signature a receiver checks: HMAC-SHA256 over `${timestamp}.${body}` with the endpoint's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Statuses worth another try: the receiver may be back later. Any other 4xx will not change. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** POSTs the event as JSON to a registered endpoint (`webhook:<endpoint id>`). */
export class WebhookDestination implements Destination {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly timeoutMs = 10_000,
    private readonly addresses: WebhookAddressPolicy = PUBLIC_WEBHOOKS_ONLY,
  ) {}

  handles(destination: string): boolean {
    return destination.startsWith('webhook:');
  }

  async deliver(row: OutboxRow, signal: AbortSignal): Promise<DeliveryResult> {
    const endpointId = row.destination.slice('webhook:'.length);
    const endpoint = await this.db
      .selectFrom('webhook_endpoints')
      .select(['url', 'secret', 'is_active'])
      .where('id', '=', endpointId)
      .where('org_id', '=', row.org_id)
      .executeTakeFirst();
    if (!endpoint) return permanent(`webhook endpoint ${endpointId} no longer exists`);
    if (!endpoint.is_active) return permanent(`webhook endpoint ${endpointId} is disabled`);
    const refused = await refusedAtDelivery(endpoint.url, this.addresses);
    if (refused !== undefined) return permanent(`webhook endpoint ${endpointId} refused: ${refused}`);
    const body = payloadText(row);
    const timestamp = Math.floor(Date.now() / 1000).toString();
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'workstream-mcp-webhook/1',
          'idempotency-key': row.event_id,
          'x-workstream-event-id': row.event_id,
          'x-workstream-timestamp': timestamp,
          'x-workstream-signature': signWebhook(endpoint.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
        redirect: 'manual',
      });
      await response.body?.cancel();
      if (response.ok) return delivered;
      const error = `${endpoint.url} answered HTTP ${response.status}`;
      return retryable(response.status) ? retry(error) : permanent(error);
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.name === 'TimeoutError'
            ? `no answer within ${this.timeoutMs} ms`
            : error.message
          : String(error);
      return retry(`${endpoint.url}: ${reason}`);
    }
  }
}

/** SLA warnings and breaches: a structured log line operators alert on (webhooks subscribed to sla.* get them too). */
export class AlertsDestination implements Destination {
  constructor(private readonly log: Logger) {}

  handles(destination: string): boolean {
    return destination === 'alerts';
  }

  async deliver(row: OutboxRow): Promise<DeliveryResult> {
    this.log.warn({ alert: row.payload_json, eventId: row.event_id, orgId: row.org_id }, 'workstream alert');
    return delivered;
  }
}
