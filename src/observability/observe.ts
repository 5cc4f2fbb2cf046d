/**
 * The hooks the working code calls: each wraps one piece of work in its span and records its
 * series, so the outbox worker, the SLA sweep and enrichment need one call each.
 */
import {
  type DeliveryOutcome,
  destinationKind,
  type EnrichmentOutcome,
  enrichmentMetrics,
  outboxMetrics,
  type SweepCounts,
  slaMetrics,
} from './metrics.js';
import {
  type DeliveredRow,
  SpanStatusCode,
  traceDelivery,
  traceEnrichmentCall,
  traceSweep,
} from './tracing.js';

type Result =
  | { readonly ok: true }
  | { readonly ok: false; readonly permanent: boolean; readonly error: string };

function deliveryOutcome(result: Result): DeliveryOutcome {
  return result.ok ? 'delivered' : result.permanent ? 'refused' : 'failed';
}

/** The span of one delivery attempt of an outbox row, with its outcome. */
export function traceDeliveryAttempt<R extends Result>(
  row: DeliveredRow,
  deliver: () => Promise<R>,
): Promise<R> {
  return traceDelivery(row, destinationKind(row.destination), deliver, (span, result) => {
    span.setAttribute('workstream.outcome', deliveryOutcome(result));
    if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.slice(0, 200) });
  });
}

/** One delivery attempt as the worker settled it: `abandoned` at shutdown, never finished. */
export interface SettledAttempt {
  readonly row: { readonly destination: string; readonly created_at?: Date };
  readonly result: Result | 'abandoned';
  readonly ms: number;
}

/**
 * The series of a batch's delivery attempts, recorded once the batch has settled: each
 * attempt's duration and a delivery's lag observed, the attempts counted once per run of rows
 * with the same destination and outcome. Abandoned attempts are not counted.
 */
export function observeDeliveries(attempts: readonly SettledAttempt[]): void {
  let destination = '';
  let kind = '';
  let outcome: DeliveryOutcome = 'delivered';
  let run = 0;
  const now = Date.now();
  for (const { row, result, ms } of attempts) {
    if (result === 'abandoned') continue;
    const next = deliveryOutcome(result);
    if (row.destination !== destination || next !== outcome) {
      if (run > 0) outboxMetrics.deliveries(kind, outcome, run);
      if (row.destination !== destination) kind = destinationKind(row.destination);
      destination = row.destination;
      outcome = next;
      run = 0;
    }
    run += 1;
    outboxMetrics.attempt(kind, ms / 1000, next === 'delivered' ? row.created_at : undefined, now);
  }
  if (run > 0) outboxMetrics.deliveries(kind, outcome, run);
}

/** One call of an enrichment provider: its span and the call series by provider and outcome. */
export async function observeEnrichmentCall<R extends { readonly isError?: boolean }>(
  provider: { readonly name: string; readonly tool: string },
  call: () => Promise<R>,
): Promise<R> {
  const started = performance.now();
  const record = (outcome: EnrichmentOutcome) =>
    enrichmentMetrics.call(provider.name, outcome, (performance.now() - started) / 1000);
  try {
    return await traceEnrichmentCall(provider, call, (span, result) => {
      const outcome: EnrichmentOutcome = result.isError === true ? 'tool_error' : 'ok';
      span.setAttribute('workstream.outcome', outcome);
      if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: 'isError' });
      record(outcome);
    });
  } catch (error) {
    record('failed');
    throw error;
  }
}

/** One SLA sweep: its span, duration, the clocks it marked, warnings and breaches by kind. */
export async function observeSweep<R extends SweepCounts>(sweep: () => Promise<R>): Promise<R> {
  const started = performance.now();
  try {
    const result = await traceSweep(sweep);
    slaMetrics.swept((performance.now() - started) / 1000, result);
    return result;
  } catch (error) {
    slaMetrics.sweepFailed();
    throw error;
  }
}
