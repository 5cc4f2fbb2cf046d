/**
 * Spans through `@opentelemetry/api` only: with no SDK installed every call here is a no-op
 * costing next to nothing; with one (see docs/operations.md) a tool call, its transaction, each
 * outbox delivery and each enrichment call become spans that any exporter sends on.
 *
 * The trace runs across processes: the MCP request's `_meta.traceparent` is the parent of the
 * tool call; the command stores its trace context with the event's outbox payload (`trace`),
 * and the worker's delivery span continues that trace and links to the command's span.
 */
import {
  type Attributes,
  type Context,
  context,
  type Link,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { ERROR_META_KEY } from '../server/results.js';
import { VERSION } from '../version.js';

const tracer = trace.getTracer('workstream-mcp', VERSION);
/** What a tracer provider stands for while no SDK has registered one. */
const NO_SDK = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK has registered a tracer provider: without one every span is a no-op, and work
 * done many times a second (a batch of deliveries) may skip building spans at all.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_SDK;
}

/** The W3C trace context of the active span (`traceparent`, maybe `tracestate`), or undefined. */
export function currentTraceContext(): Record<string, string> | undefined {
  if (!trace.getSpan(context.active())?.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** `{ _meta: { traceparent } }` for an outgoing MCP request when tracing is on, else nothing. */
export function traceMeta(): { _meta?: Record<string, string> } {
  const carrier = currentTraceContext();
  return carrier ? { _meta: carrier } : {};
}

/** The context a carrier (an MCP `_meta`, an outbox payload's `trace`) names, on top of `base`. */
function contextFrom(carrier: unknown, base: Context): Context {
  if (typeof carrier !== 'object' || carrier === null) return base;
  return propagation.extract(base, carrier);
}

/**
 * Runs `work` as the active span `name`, ended when it settles. `settle` reads the outcome from
 * the value (a refused tool call is a value, not a throw); a throw marks the span failed.
 */
async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes: Attributes; links?: Link[]; parent?: Context },
  work: (span: Span) => Promise<T>,
  settle?: (span: Span, value: T) => void,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    {
      kind: options.kind,
      attributes: options.attributes,
      ...(options.links ? { links: options.links } : {}),
    },
    parent,
    async (span) => {
      try {
        const value = await work(span);
        settle?.(span, value);
        return value;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : '' });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export type ToolOutcome = 'ok' | 'refused' | 'error';

/** A tool result's outcome: answered, refused with a business code, or a defect (INTERNAL). */
export function toolOutcome(result: unknown): { outcome: ToolOutcome; code?: string } {
  if (typeof result !== 'object' || result === null || !('isError' in result) || result.isError !== true)
    return { outcome: 'ok' };
  // A refusal carries its failure in _meta (src/server/results.ts), not in structuredContent.
  const meta = '_meta' in result ? result._meta : undefined;
  const error =
    typeof meta === 'object' && meta !== null && ERROR_META_KEY in meta
      ? (meta as Record<string, unknown>)[ERROR_META_KEY]
      : undefined;
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'INTERNAL';
  return { outcome: code === 'INTERNAL' ? 'error' : 'refused', code };
}

/** The span of one MCP tool call, continuing the caller's trace from the request's `_meta`. */
export function traceToolCall<T>(
  call: { readonly tool: string; readonly orgId: string; readonly meta?: unknown },
  work: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `tools/call ${call.tool}`,
    {
      kind: SpanKind.SERVER,
      parent: contextFrom(call.meta, context.active()),
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.tool,
        'workstream.org_id': call.orgId,
      },
    },
    () => work(),
    (span, result) => {
      const { outcome, code } = toolOutcome(result);
      span.setAttribute('workstream.outcome', outcome);
      if (code) span.setAttribute('error.type', code);
      if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? '' });
    },
  );
}

const DB_SYSTEM: Readonly<Record<string, string>> = {
  sqlite: 'sqlite',
  postgres: 'postgresql',
  mssql: 'microsoft.sql_server',
};

/** The span of one unit of work: its transaction, with any reruns after a lost race inside. */
export function traceTransaction<T>(dialect: string, readOnly: boolean, work: () => Promise<T>): Promise<T> {
  return inSpan(
    'workstream.transaction',
    {
      kind: SpanKind.INTERNAL,
      attributes: { 'db.system.name': DB_SYSTEM[dialect] ?? dialect, 'workstream.read_only': readOnly },
    },
    () => work(),
  );
}

export interface DeliveredRow {
  readonly event_id: string;
  readonly org_id: string;
  readonly destination: string;
  readonly attempts: number;
  readonly payload_json: { readonly [key: string]: unknown };
}

/**
 * The span of one delivery attempt. It continues the trace of the command that wrote the event
 * (from the payload's `trace`) and links to that command's span; without one it starts a trace.
 */
export function traceDelivery<T>(
  row: DeliveredRow,
  kind: string,
  work: () => Promise<T>,
  settle: (span: Span, value: T) => void,
): Promise<T> {
  const producer = contextFrom(row.payload_json.trace, ROOT_CONTEXT);
  const producerSpan = trace.getSpanContext(producer);
  const linked = producerSpan && trace.isSpanContextValid(producerSpan);
  return inSpan(
    `outbox deliver ${kind}`,
    {
      kind: SpanKind.CONSUMER,
      parent: producer,
      ...(linked ? { links: [{ context: producerSpan, attributes: { 'workstream.link': 'event' } }] } : {}),
      attributes: {
        'messaging.system': 'workstream_outbox',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'deliver',
        'messaging.message.id': row.event_id,
        'messaging.destination.name': kind,
        'workstream.org_id': row.org_id,
        'workstream.attempt': row.attempts,
      },
    },
    () => work(),
    settle,
  );
}

/** The span of one call of an enrichment provider's tool. */
export function traceEnrichmentCall<T>(
  provider: { readonly name: string; readonly tool: string },
  work: () => Promise<T>,
  settle: (span: Span, value: T) => void,
): Promise<T> {
  return inSpan(
    `tools/call ${provider.tool}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': provider.tool,
        'workstream.enrichment.provider': provider.name,
      },
    },
    () => work(),
    settle,
  );
}

/** The span of one SLA sweep; the warning and breach events it writes carry its context. */
export function traceSweep<T>(work: () => Promise<T>): Promise<T> {
  return inSpan('sla sweep', { kind: SpanKind.INTERNAL, attributes: {} }, () => work());
}

export { SpanStatusCode };
