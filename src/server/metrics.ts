/**
 * Prometheus metrics for `GET /metrics`: tool calls by outcome, failures by code, latency; with
 * `process`, also the process's series (pool, outbox, SLA, HTTP, Node: src/observability/metrics.ts).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics, metricsText } from '../observability/metrics.js';

/** ok: answered; refused: a business failure (isError with a code); error: a defect (INTERNAL). */
export type Outcome = 'ok' | 'refused' | 'error';

export class Metrics {
  readonly registry = new Registry();
  readonly #calls = new Counter({
    name: 'workstream_tool_calls_total',
    help: 'MCP tool calls, by tool and outcome (ok, refused, error).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #errors = new Counter({
    name: 'workstream_tool_errors_total',
    help: 'MCP tool calls answered with isError, by tool and error code (INTERNAL for defects).',
    labelNames: ['tool', 'code'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'workstream_tool_duration_seconds',
    help: 'Time spent in MCP tool handlers, by tool.',
    labelNames: ['tool'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly #rateLimited = new Counter({
    name: 'workstream_http_rate_limited_total',
    help: 'MCP requests refused with 429, by the budget that was spent (token or org).',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly #withProcess: boolean;

  /** @param options.process also export the process's series: pool, outbox, SLA, HTTP, CPU, memory, event loop. */
  constructor(options: { process?: boolean } = {}) {
    this.#withProcess = options.process === true;
    if (this.#withProcess) collectProcessMetrics();
  }

  toolCall(tool: string, seconds: number, failure?: { code: string }): void {
    const outcome: Outcome = failure === undefined ? 'ok' : failure.code === 'INTERNAL' ? 'error' : 'refused';
    this.#calls.inc({ tool, outcome });
    if (failure) this.#errors.inc({ tool, code: failure.code });
    this.#latency.observe({ tool }, seconds);
  }

  rateLimited(scope: 'token' | 'org'): void {
    this.#rateLimited.inc({ scope });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async text(): Promise<string> {
    const own = await this.registry.metrics();
    return this.#withProcess ? `${own}\n${await metricsText()}` : own;
  }
}
