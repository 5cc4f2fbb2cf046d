/**
 * The process's Prometheus series: what operators alert on. One registry per process, filled by
 * the parts that do the work (pool, outbox worker, SLA sweep, enrichment, HTTP) through the small
 * functions below, and exposed by `serve --http` at /metrics and by `--metrics-port` elsewhere.
 *
 * Names follow Prometheus conventions: `workstream_` prefix, base units in the name (`_seconds`,
 * `_total` for counters), and labels drawn from small fixed sets (dialect, destination kind,
 * provider, SLA kind, status code) — never ids, URLs or org names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { registerPoolMetrics } from './pool-metrics.js';

export const registry = new Registry();
registerPoolMetrics(registry);

const registers = [registry];

/** Latency buckets for work that takes milliseconds to seconds (deliveries, calls, sweeps). */
const WORK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processMetricsOn = false;

/**
 * Node's own figures (CPU, memory, GC, event-loop lag as `workstream_nodejs_eventloop_lag_*`),
 * for long-running processes only; once per process.
 */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'workstream_', eventLoopMonitoringPrecision: 10 });
}

/** The exposition text of this process's series. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;

// --- HTTP ---------------------------------------------------------------------------------------

const httpRequests = new Counter({
  name: 'workstream_http_requests_total',
  help: 'HTTP requests answered, by route (mcp, healthz, api_health, metrics, other) and status code.',
  labelNames: ['route', 'status'] as const,
  registers,
});

const ROUTES: Readonly<Record<string, string>> = {
  '/mcp': 'mcp',
  '/healthz': 'healthz',
  '/api/health': 'api_health',
  '/metrics': 'metrics',
};

/** Counts one answered HTTP request; the route is one of a fixed few, so any path is safe to pass. */
export function httpRequestAnswered(url: string, status: number): void {
  const path = url.split('?', 1)[0] ?? '';
  httpRequests.inc({ route: ROUTES[path] ?? 'other', status: String(status) });
}

// --- Outbox -------------------------------------------------------------------------------------

const claimedRows = new Counter({
  name: 'workstream_outbox_claimed_rows_total',
  help: 'Outbox rows claimed by this process for delivery.',
  registers,
});
const deliveries = new Counter({
  name: 'workstream_outbox_deliveries_total',
  help: 'Delivery attempts, by destination kind (webhook, alerts, enrichment) and outcome (delivered, failed: worth a retry, refused: permanent).',
  labelNames: ['destination', 'outcome'] as const,
  registers,
});
const deliveryDuration = new Histogram({
  name: 'workstream_outbox_delivery_duration_seconds',
  help: 'Time one delivery attempt took, by destination kind.',
  labelNames: ['destination'] as const,
  buckets: WORK_BUCKETS,
  registers,
});
const deliveryLag = new Histogram({
  name: 'workstream_outbox_delivery_lag_seconds',
  help: 'Time from the outbox row being written to its successful delivery, by destination kind.',
  labelNames: ['destination'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers,
});
const reclaimed = new Counter({
  name: 'workstream_outbox_reclaimed_leases_total',
  help: 'Claims taken back from workers whose lease expired (crashed or stalled).',
  registers,
});
const retries = new Counter({
  name: 'workstream_outbox_retries_scheduled_total',
  help: 'Failed deliveries scheduled for another attempt, by destination kind.',
  labelNames: ['destination'] as const,
  registers,
});
const deadLettered = new Counter({
  name: 'workstream_outbox_dead_lettered_total',
  help: 'Rows moved to the dead letters by this process, by destination kind.',
  labelNames: ['destination'] as const,
  registers,
});
const released = new Counter({
  name: 'workstream_outbox_released_rows_total',
  help: 'Claimed rows handed back unfinished on shutdown (their attempt is not counted).',
  registers,
});

/** `webhook:wh_…` → `webhook`: the label is the kind of destination, never an id. */
export function destinationKind(destination: string): string {
  const kind = destination.split(':', 1)[0] ?? '';
  return kind === 'webhook' || kind === 'alerts' || kind === 'enrichment' ? kind : 'other';
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'refused';

export const outboxMetrics = {
  claimed(rows: number): void {
    if (rows > 0) claimedRows.inc(rows);
  },
  /** `n` delivery attempts to one kind of destination (see destinationKind) with one outcome. */
  deliveries(kind: string, outcome: DeliveryOutcome, n: number): void {
    deliveries.inc({ destination: kind, outcome }, n);
  },
  /** One attempt's duration and, for a delivery of a row written at `writtenAt`, its lag at `now`. */
  attempt(kind: string, seconds: number, writtenAt?: Date, now = Date.now()): void {
    deliveryDuration.observe({ destination: kind }, seconds);
    if (writtenAt)
      deliveryLag.observe({ destination: kind }, Math.max(0, (now - writtenAt.getTime()) / 1000));
  },
  reclaimed(rows: number): void {
    if (rows > 0) reclaimed.inc(rows);
  },
  retryScheduled(destination: string): void {
    retries.inc({ destination: destinationKind(destination) });
  },
  deadLettered(destination: string): void {
    deadLettered.inc({ destination: destinationKind(destination) });
  },
  released(rows: number): void {
    if (rows > 0) released.inc(rows);
  },
};

// --- SLA sweep ----------------------------------------------------------------------------------

const sweepDuration = new Histogram({
  name: 'workstream_sla_sweep_duration_seconds',
  help: 'Time one SLA sweep took.',
  buckets: WORK_BUCKETS,
  registers,
});
const sweepMarked = new Histogram({
  name: 'workstream_sla_sweep_marked_clocks',
  help: 'Clocks one SLA sweep marked warned or breached.',
  buckets: [0, 1, 5, 10, 50, 100, 500, 1000, 5000],
  registers,
});
const sweepFailures = new Counter({
  name: 'workstream_sla_sweep_failures_total',
  help: 'SLA sweeps that failed (logged; the next one retries).',
  registers,
});
const warnings = new Counter({
  name: 'workstream_sla_warnings_total',
  help: 'SLA clocks this process marked warned, by kind (triage, proposal, response).',
  labelNames: ['kind'] as const,
  registers,
});
const breaches = new Counter({
  name: 'workstream_sla_breaches_total',
  help: 'SLA clocks this process marked breached, by kind (triage, proposal, response).',
  labelNames: ['kind'] as const,
  registers,
});

export interface SweepCounts {
  readonly warned: number;
  readonly breached: number;
  readonly byKind?: Readonly<Record<string, { readonly warned: number; readonly breached: number }>>;
}

export const slaMetrics = {
  swept(seconds: number, result: SweepCounts): void {
    sweepDuration.observe(seconds);
    sweepMarked.observe(result.warned + result.breached);
    for (const [kind, counts] of Object.entries(result.byKind ?? {})) {
      if (counts.warned > 0) warnings.inc({ kind }, counts.warned);
      if (counts.breached > 0) breaches.inc({ kind }, counts.breached);
    }
  },
  sweepFailed(): void {
    sweepFailures.inc();
  },
};

// --- Enrichment ---------------------------------------------------------------------------------

const enrichmentCalls = new Counter({
  name: 'workstream_enrichment_calls_total',
  help: 'Calls of enrichment providers, by provider and outcome (ok, tool_error: isError answer, failed: no answer).',
  labelNames: ['provider', 'outcome'] as const,
  registers,
});
const enrichmentDuration = new Histogram({
  name: 'workstream_enrichment_call_duration_seconds',
  help: 'Time one enrichment provider call took, by provider.',
  labelNames: ['provider'] as const,
  buckets: WORK_BUCKETS,
  registers,
});

export type EnrichmentOutcome = 'ok' | 'tool_error' | 'failed';

export const enrichmentMetrics = {
  /** `provider` is a name from the providers file: a fixed, configured set. */
  call(provider: string, outcome: EnrichmentOutcome, seconds: number): void {
    enrichmentCalls.inc({ provider, outcome });
    enrichmentDuration.observe({ provider }, seconds);
  },
};

// --- Database-wide figures, read at scrape time -------------------------------------------------

/** What a database-wide gauge reads; registered by processes that run the worker. */
export interface DatabaseFigures {
  readonly outbox: {
    readonly pending: number;
    readonly inFlight: number;
    readonly deadLetters: number;
    readonly oldestPendingAgeSeconds: number;
  };
  /** Open clocks by kind: running, running past the warning, running past due. */
  readonly slaClocks: readonly {
    readonly kind: string;
    readonly running: number;
    readonly warned: number;
    readonly breached: number;
  }[];
}

let figuresSource: (() => Promise<DatabaseFigures>) | null = null;
let cached: { at: number; figures: Promise<DatabaseFigures | null> } | null = null;
/** A scrape reads the database at most this often; several gauges share one read. */
const FIGURES_TTL_MS = 5_000;

/** Makes the database-wide gauges read `source` (one per process); returns how to stop. */
export function watchDatabase(source: () => Promise<DatabaseFigures>): () => void {
  figuresSource = source;
  cached = null;
  return () => {
    if (figuresSource === source) {
      figuresSource = null;
      cached = null;
    }
  };
}

function figures(): Promise<DatabaseFigures | null> {
  const source = figuresSource;
  if (!source) return Promise.resolve(null);
  if (cached && Date.now() - cached.at < FIGURES_TTL_MS) return cached.figures;
  // A failed read leaves the gauges unset for this scrape rather than failing the scrape.
  const read = source().catch(() => {
    figuresReadFailures.inc();
    return null;
  });
  cached = { at: Date.now(), figures: read };
  return read;
}

const figuresReadFailures = new Counter({
  name: 'workstream_metrics_database_read_failures_total',
  help: 'Scrapes whose outbox and SLA figures could not be read from the database.',
  registers,
});

function databaseGauge(
  name: string,
  help: string,
  read: (figures: DatabaseFigures) => number,
): Gauge<string> {
  return new Gauge({
    name,
    help,
    registers,
    async collect() {
      this.reset();
      const read_ = await figures();
      if (read_) this.set(read(read_));
    },
  });
}

databaseGauge(
  'workstream_outbox_pending_rows',
  'Outbox rows waiting for delivery (due or scheduled for a retry), database-wide.',
  (f) => f.outbox.pending,
);
databaseGauge(
  'workstream_outbox_in_flight_rows',
  'Outbox rows claimed by a worker right now, database-wide.',
  (f) => f.outbox.inFlight,
);
databaseGauge(
  'workstream_outbox_dead_letters',
  'Rows in the dead letters, database-wide (replay with `workstream outbox replay`).',
  (f) => f.outbox.deadLetters,
);
databaseGauge(
  'workstream_outbox_oldest_pending_age_seconds',
  'Age of the oldest unclaimed outbox row past its due time, database-wide; 0 when none waits.',
  (f) => f.outbox.oldestPendingAgeSeconds,
);

function slaGauge(name: string, help: string, read: (row: DatabaseFigures['slaClocks'][number]) => number) {
  return new Gauge({
    name,
    help,
    labelNames: ['kind'] as const,
    registers,
    async collect() {
      this.reset();
      const read_ = await figures();
      for (const row of read_?.slaClocks ?? []) this.set({ kind: row.kind }, read(row));
    },
  });
}

slaGauge(
  'workstream_sla_clocks_running',
  'SLA clocks running now, by kind, database-wide.',
  (row) => row.running,
);
slaGauge(
  'workstream_sla_clocks_warned',
  'Running SLA clocks past their warning but not yet due, by kind, database-wide.',
  (row) => row.warned,
);
slaGauge(
  'workstream_sla_clocks_breached',
  'Running SLA clocks past due (breached, not yet met), by kind, database-wide.',
  (row) => row.breached,
);
