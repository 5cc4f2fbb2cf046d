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

/** One delivery attempt of an outbox row: its span, its outcome and latency series. */
export async function observeDelivery<R extends Result>(
  row: DeliveredRow & { readonly created_at?: Date },
  deliver: () => Promise<R>,
): Promise<R> {
  const kind = destinationKind(row.destination);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    return await traceDelivery(row, kind, deliver, (span, result) => {
      const outcome = deliveryOutcome(result);
      span.setAttribute('workstream.outcome', outcome);
      if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.slice(0, 200) });
      outboxMetrics.delivery(row.destination, outcome, seconds(), row.created_at);
    });
  } catch (error) {
    // The worker counts a throw as worth another try.
    outboxMetrics.delivery(row.destination, 'failed', seconds());
    throw error;
  }
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
