/**
 * The worker's side of enrichment: an outbox row `enrichment:<provider>` is delivered by calling
 * that provider's tool for the event's candidate and recording the outcome on the candidate's
 * enrichment row. It never writes the candidate: a failing provider leaves the candidate as it
 * was, its enrichment row says what went wrong, and the outbox retries (then dead-letters).
 */
import { z } from 'zod';
import { newId } from '../domain/ids.js';
import type { Logger } from '../log.js';
import { observeEnrichmentCall } from '../observability/observe.js';
import type { Store } from '../store/connect.js';
import { nowSql, toJson } from '../store/dialect.js';
import type { DeliveryResult, Destination } from '../worker/destinations.js';
import { delivered, permanent, retry } from '../worker/destinations.js';
import type { OutboxRow } from '../worker/outbox-store.js';
import { ENRICHMENT_DESTINATION } from '../workstream/enrichment.js';
import { ProviderClients, ProviderError } from './clients.js';
import type { EnrichmentConfig, EnrichmentProvider } from './config.js';
import { buildArguments, type CandidateFacts, type EnrichmentFields, mapResult } from './mapping.js';

export interface EnrichmentDestinationOptions {
  /** The worker's --max-attempts, when it overrides the rows' own: the last attempt marks the enrichment failed. */
  readonly maxAttempts?: number;
  /** Where stdio `passEnv` and HTTP `bearerTokenEnv` are read; the process's environment by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The part of the event payload a delivery needs (see appendEvents in src/workstream/unit.ts). */
const CandidateEvent = z.object({
  entityType: z.literal('candidate'),
  entityId: z.string().min(1),
  occurredAt: z.iso.datetime(),
});

/** The enrichment row a delivery writes: one candidate, one provider, one request. */
interface Target {
  readonly provider: string;
  readonly candidateId: string;
  /** When the enrichment was requested (the event's time): a newer request wins. */
  readonly requestedAt: Date;
  readonly tool?: string;
}

type Outcome =
  | { readonly ok: true; readonly fields: EnrichmentFields; readonly raw: unknown }
  | { readonly ok: false; readonly error: string; readonly raw?: unknown };

function textOf(result: { content?: readonly { type: string; text?: unknown }[] }): string {
  const text = (result.content ?? [])
    .flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : []))
    .join(' ')
    .trim();
  if (!text) return '(no message)';
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

export class EnrichmentDestination implements Destination {
  readonly #providers: ReadonlyMap<string, EnrichmentProvider>;
  readonly #clients: ProviderClients;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    config: EnrichmentConfig,
    private readonly options: EnrichmentDestinationOptions = {},
  ) {
    this.#providers = new Map(config.providers.map((provider) => [provider.name, provider]));
    this.#clients = new ProviderClients(log, options.env);
  }

  handles(destination: string): boolean {
    return destination.startsWith(ENRICHMENT_DESTINATION);
  }

  async deliver(row: OutboxRow, signal: AbortSignal): Promise<DeliveryResult> {
    const name = row.destination.slice(ENRICHMENT_DESTINATION.length);
    const event = CandidateEvent.safeParse(row.payload_json);
    if (!event.success) return permanent(`event ${row.event_id} does not name a candidate to enrich`);
    const candidateId = event.data.entityId;
    const target: Target = { provider: name, candidateId, requestedAt: new Date(event.data.occurredAt) };
    const provider = this.#providers.get(name);
    if (!provider) {
      // The server knows this provider but this worker's configuration does not: no retry helps.
      const known = [...this.#providers.keys()].join(', ') || 'none';
      const error = `no enrichment provider named '${name}' is configured in this worker (configured: ${known})`;
      await this.#record(row, target, { ok: false, error }, true);
      return permanent(error);
    }

    const facts = await this.#facts(row.org_id, candidateId);
    if (!facts) return permanent(`candidate ${candidateId} no longer exists`);
    const current = await this.store.db
      .selectFrom('enrichments')
      .select('requested_at')
      .where('org_id', '=', row.org_id)
      .where('candidate_id', '=', candidateId)
      .where('provider', '=', name)
      .executeTakeFirst();
    if (current && current.requested_at > target.requestedAt) {
      // enrich_candidate asked again since this event: that request's own row does the work.
      this.log.info(
        { row: row.id, provider: name, candidate: candidateId },
        'enrichment superseded by a newer request',
      );
      return delivered;
    }

    const outcome = await this.#enrich(provider, buildArguments(provider.arguments, facts), signal);
    // An abandoned delivery is released by the worker and tried again: it did not really happen.
    if (signal.aborted) return retry('the delivery was abandoned: the worker is shutting down');
    const last = row.attempts >= (this.options.maxAttempts ?? row.max_attempts);
    await this.#record(row, { ...target, tool: provider.tool }, outcome, last);
    return outcome.ok ? delivered : retry(outcome.error);
  }

  /** Stops every provider connection (and stdio process); the worker calls this on shutdown. */
  close(): Promise<void> {
    return this.#clients.closeAll();
  }

  async #facts(orgId: string, candidateId: string): Promise<CandidateFacts | null> {
    const candidate = await this.store.db
      .selectFrom('candidates')
      .select(['id', 'title', 'account_name', 'account_domain', 'opportunity_ref'])
      .where('org_id', '=', orgId)
      .where('id', '=', candidateId)
      .executeTakeFirst();
    if (!candidate) return null;
    // The most recent signal that brought this candidate and has a link (few per candidate).
    const signals = await this.store.db
      .selectFrom('signals')
      .select(['url', 'received_at'])
      .where('org_id', '=', orgId)
      .where('candidate_id', '=', candidateId)
      .where('url', 'is not', null)
      .execute();
    const latest = signals.reduce<(typeof signals)[number] | undefined>(
      (best, s) => (!best || s.received_at > best.received_at ? s : best),
      undefined,
    );
    return {
      candidateId: candidate.id,
      title: candidate.title,
      accountName: candidate.account_name,
      accountDomain: candidate.account_domain,
      opportunityRef: candidate.opportunity_ref,
      signalUrl: latest?.url ?? null,
    };
  }

  async #enrich(
    provider: EnrichmentProvider,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Outcome> {
    let result: Awaited<ReturnType<ProviderClients['call']>>;
    try {
      result = await observeEnrichmentCall(provider, () => this.#clients.call(provider, args, signal));
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, error: error.message };
      throw error;
    }
    if (result.isError)
      return { ok: false, error: `tool ${provider.tool} answered isError: ${textOf(result)}`, raw: result };
    const mapped = mapResult(provider.result, result);
    if (!mapped.ok)
      return { ok: false, error: `result does not match the mapping: ${mapped.error}`, raw: result };
    return { ok: true, fields: mapped.fields, raw: result };
  }

  /**
   * Writes the outcome on the candidate's enrichment row for this provider, unless a newer
   * request reset it meanwhile. Fields change only on success; `raw` is the latest answer.
   */
  async #record(row: OutboxRow, target: Target, outcome: Outcome, last: boolean): Promise<void> {
    const { db, dialect } = this.store;
    const { provider, candidateId, requestedAt } = target;
    const now = nowSql(dialect);
    const changes = {
      ...(target.tool !== undefined ? { tool: target.tool } : {}),
      attempts: row.attempts,
      updated_at: now,
      ...(outcome.raw !== undefined ? { raw_json: toJson(outcome.raw) } : {}),
      ...(outcome.ok
        ? { state: 'ok' as const, fields_json: toJson(outcome.fields), last_error: null, completed_at: now }
        : last
          ? { state: 'failed' as const, last_error: outcome.error, completed_at: now }
          : { state: 'pending' as const, last_error: outcome.error }),
    };
    const updated = await db
      .updateTable('enrichments')
      .set(changes)
      .where('org_id', '=', row.org_id)
      .where('candidate_id', '=', candidateId)
      .where('provider', '=', provider)
      .where('requested_at', '<=', requestedAt)
      .executeTakeFirst();
    // Only a delivery that found its provider and candidate may create a missing row.
    if (updated.numUpdatedRows > 0n || target.tool === undefined) return;
    const exists = await db
      .selectFrom('enrichments')
      .select('id')
      .where('org_id', '=', row.org_id)
      .where('candidate_id', '=', candidateId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    // Newer request: its own delivery records. No row at all (written before this provider was
    // configured on the server side): keep the outcome anyway.
    if (!exists)
      await db
        .insertInto('enrichments')
        .values({
          id: newId('enr', requestedAt),
          org_id: row.org_id,
          candidate_id: candidateId,
          provider,
          tool: target.tool,
          requested_at: requestedAt,
          ...changes,
        })
        .execute();
  }
}

export function enrichmentDestination(
  store: Store,
  log: Logger,
  config: EnrichmentConfig,
  options: EnrichmentDestinationOptions = {},
): EnrichmentDestination {
  return new EnrichmentDestination(store, log, config, options);
}
