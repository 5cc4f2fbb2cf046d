/**
 * The database pool series, read from the pools open in this process (src/observability/pool.ts).
 * They load with the rest of the series, so a process that exports nothing (a stdio server with
 * no metrics port) never loads prom-client.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { openPools, type Probe, poolEvents } from './pool.js';

export function registerPoolMetrics(registry: Registry): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (probe: Readonly<Probe>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['dialect'] as const,
      registers,
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const probe of openPools())
          sums.set(probe.dialect, (sums.get(probe.dialect) ?? 0) + read(probe));
        for (const [dialect, value] of sums) this.set({ dialect }, value);
      },
    });

  gauge(
    'workstream_db_pool_connections',
    'Open database connections (SQLite: its one connection), by dialect.',
    (p) => p.shape.open(),
  );
  gauge(
    'workstream_db_pool_connections_in_use',
    'Connections lent out now, to a query or a transaction, by dialect.',
    (p) => p.inUse,
  );
  gauge('workstream_db_pool_connections_idle', 'Open connections not lent out, by dialect.', (p) =>
    p.shape.idle ? p.shape.idle() : Math.max(0, p.shape.open() - p.inUse),
  );
  gauge(
    'workstream_db_pool_connections_max',
    'Most connections the pool opens (SQLite: 1), by dialect.',
    (p) => p.shape.max,
  );
  gauge(
    'workstream_db_pool_waiting_requests',
    'Callers waiting for a connection now, by dialect.',
    (p) => p.waiting,
  );

  const acquireDuration = new Histogram({
    name: 'workstream_db_pool_acquire_duration_seconds',
    help: 'Time to get a connection from the pool (SQLite: to get its one connection), by dialect.',
    labelNames: ['dialect'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers,
  });
  const acquireFailures = new Counter({
    name: 'workstream_db_pool_acquire_failures_total',
    help: 'Requests for a connection that failed (could not connect, timed out), by dialect.',
    labelNames: ['dialect'] as const,
    registers,
  });
  const queryErrors = new Counter({
    name: 'workstream_db_query_errors_total',
    help: 'Failed database statements, by dialect and class (connection, deadlock, serialization, busy, timeout, unique_violation, constraint, other).',
    labelNames: ['dialect', 'class'] as const,
    registers,
  });

  // One child per dialect: an acquire observes without hashing labels.
  const byDialect = new Map<string, Histogram.Internal<'dialect'>>();
  poolEvents.acquired = (dialect, seconds) => {
    let child = byDialect.get(dialect);
    if (!child) {
      child = acquireDuration.labels(dialect);
      byDialect.set(dialect, child);
    }
    child.observe(seconds);
  };
  poolEvents.acquireFailed = (dialect) => acquireFailures.inc({ dialect });
  poolEvents.queryFailed = (dialect, errorClass) => queryErrors.inc({ dialect, class: errorClass });
}
