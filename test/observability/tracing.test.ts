/**
 * One trace from a caller through a tool call, its transaction and the outbox delivery of the
 * event it wrote, seen by the OpenTelemetry SDK's in-memory exporter (the SDK is a test-only
 * dependency: the product speaks only `@opentelemetry/api`).
 */

import { join } from 'node:path';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { loadEnrichmentConfig } from '../../src/enrichment/config.js';
import { registry } from '../../src/observability/metrics.js';
import { startWorker } from '../../src/worker/run.js';
import { enrichingOrg, enrichmentRow, SAMPLE_DIR, until, worker } from '../enrichment/support.js';
import { inMemoryClient, quiet } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { readMetrics } from '../support/metrics.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { testOrg } from '../support/workstream.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// Sets the tracer provider, the W3C trace-context propagator and the async-hooks context manager.
provider.register();

/** The caller's span, as an assistant's host would send it in `_meta.traceparent`. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describeEachDialect('traces', ({ dialect, store }) => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('follow one trace from the MCP request through the tool call, its transaction and the outbox delivery', async () => {
    exporter.reset();
    const org = await testOrg(store());
    const path = `/traced-${dialect}`;
    const hook = await org.ws.registerWebhook(org.actor, {
      url: `${receiver.url}${path}`,
      eventTypes: ['candidate.created'],
    });
    receiver.secrets.set(path, hook.secret);
    const client = await inMemoryClient(org.ws, org.actor);
    const result = await client.callTool({
      name: 'create_candidate',
      arguments: { title: 'Traced', accountName: `Traced ${dialect}` },
      _meta: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    });
    expect(result.isError).not.toBe(true);
    await client.close();

    const worker = startWorker(store(), quiet, { slaSweepMs: 0 });
    try {
      await vi.waitFor(() => expect(receiver.deliveries.some((d) => d.path === path)).toBe(true), {
        timeout: 20_000,
      });
    } finally {
      await worker.stop();
    }
    const delivered = receiver.deliveries.find((d) => d.path === path);
    // The payload carries the writing command's context, for receivers that trace too.
    expect(String((delivered?.body.trace as { traceparent?: string })?.traceparent)).toMatch(
      new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`),
    );

    const spans = exporter.getFinishedSpans();
    const tool = spans.find((s) => s.name === 'tools/call create_candidate');
    const transaction = spans.find(
      (s) =>
        s.name === 'workstream.transaction' && s.parentSpanContext?.spanId === tool?.spanContext().spanId,
    );
    const delivery = spans.find(
      (s) =>
        s.name === 'outbox deliver webhook' && s.attributes['messaging.message.id'] === delivered?.eventId,
    );
    expect(tool?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(tool?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(tool?.attributes).toMatchObject({
      'gen_ai.tool.name': 'create_candidate',
      'workstream.org_id': org.orgId,
      'workstream.outcome': 'ok',
    });
    expect(transaction?.attributes['db.system.name']).toBe(dialect === 'postgres' ? 'postgresql' : dialect);
    // The delivery continues the same trace and links to the span of the command that wrote the event.
    expect(delivery?.spanContext().traceId).toBe(CALLER_TRACE);
    expect(delivery?.links.map((link) => link.context.spanId)).toEqual([transaction?.spanContext().spanId]);
    expect(delivery?.attributes).toMatchObject({
      'workstream.outcome': 'delivered',
      'messaging.destination.name': 'webhook',
    });
  });

  it('marks a refused tool call with its code, and starts a trace of its own without a caller', async () => {
    exporter.reset();
    const org = await testOrg(store());
    const client = await inMemoryClient(org.ws, org.actor);
    const result = await client.callTool({
      name: 'qualify_candidate',
      arguments: { candidateId: 'cand_missing' },
    });
    expect(result.isError).toBe(true);
    await client.close();
    const tool = exporter.getFinishedSpans().find((s) => s.name === 'tools/call qualify_candidate');
    expect(tool?.parentSpanContext).toBeUndefined();
    expect(tool?.attributes).toMatchObject({ 'workstream.outcome': 'refused', 'error.type': 'VALIDATION' });
  });

  it('traces an enrichment call inside its delivery, and counts it by provider and outcome', async () => {
    exporter.reset();
    const enrichment = loadEnrichmentConfig(join(SAMPLE_DIR, 'enrichment.json'));
    const calls = async () =>
      readMetrics(await registry.metrics()).value('workstream_enrichment_calls_total', {
        provider: 'company-directory',
        outcome: 'ok',
      }) ?? 0;
    const before = await calls();
    const { ws, actor } = await enrichingOrg(store(), enrichment);
    const candidate = await ws.createCandidate(actor, {
      title: 'Traced enrichment',
      accountName: 'Northwind Freight',
      accountDomain: 'northwind-freight.example',
    });
    const running = worker(store(), enrichment);
    try {
      await until(async () =>
        expect((await enrichmentRow(store(), candidate.id, 'company-directory')).state).toBe('ok'),
      );
    } finally {
      await running.stop();
    }
    expect(await calls()).toBe(before + 1);

    const spans = exporter.getFinishedSpans();
    const delivery = spans.find((s) => s.name === 'outbox deliver enrichment');
    const call = spans.find((s) => s.name === 'tools/call lookup_company');
    const transaction = spans.find((s) => s.name === 'workstream.transaction');
    expect(call?.parentSpanContext?.spanId).toBe(delivery?.spanContext().spanId);
    expect(call?.attributes).toMatchObject({
      'workstream.enrichment.provider': 'company-directory',
      'workstream.outcome': 'ok',
    });
    // The candidate was created outside any caller's trace: its transaction began the trace.
    expect(delivery?.spanContext().traceId).toBe(transaction?.spanContext().traceId);
  });
});
