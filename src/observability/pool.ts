/**
 * Database pool figures, per dialect, for every store a process opens. Kysely asks its driver
 * for a connection for each query outside a transaction and for the whole of a transaction; a
 * driver wrapped here counts those hand-outs, so "in use" and "waiting" mean the same on every
 * dialect: connections Kysely holds now, and callers waiting for one.
 *
 * - PostgreSQL (pg.Pool): open and idle connections come from the pool itself.
 * - SQL Server (tarn): open and idle from the tarn pool Kysely builds.
 * - SQLite has no pool: one connection, which Kysely lends to one caller at a time (a query, or
 *   a whole transaction). It reports 1 open connection, in use while lent, and the callers
 *   queued behind it as waiting; acquire time is the time spent in that queue.
 */
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from './metrics.js';

/** What a pool says about itself beyond the hand-outs (open and idle connections, its maximum). */
export interface PoolShape {
  readonly open: () => number;
  /** Without it, idle is the open connections not lent out. */
  readonly idle?: () => number;
  readonly max: number;
}

/** SQLite's one connection. */
export const SQLITE_SHAPE: PoolShape = { open: () => 1, max: 1 };

interface Probe {
  readonly dialect: string;
  readonly shape: PoolShape;
  inUse: number;
  waiting: number;
}

const probes = new Set<Probe>();
const registers = [registry];

function poolGauge(name: string, help: string, read: (probe: Probe) => number) {
  return new Gauge({
    name,
    help,
    labelNames: ['dialect'] as const,
    registers,
    collect() {
      this.reset();
      const sums = new Map<string, number>();
      for (const probe of probes) sums.set(probe.dialect, (sums.get(probe.dialect) ?? 0) + read(probe));
      for (const [dialect, value] of sums) this.set({ dialect }, value);
    },
  });
}

poolGauge(
  'workstream_db_pool_connections',
  'Open database connections (SQLite: its one connection), by dialect.',
  (p) => p.shape.open(),
);
poolGauge(
  'workstream_db_pool_connections_in_use',
  'Connections lent out now, to a query or a transaction, by dialect.',
  (p) => p.inUse,
);
poolGauge('workstream_db_pool_connections_idle', 'Open connections not lent out, by dialect.', (p) =>
  p.shape.idle ? p.shape.idle() : Math.max(0, p.shape.open() - p.inUse),
);
poolGauge(
  'workstream_db_pool_connections_max',
  'Most connections the pool opens (SQLite: 1), by dialect.',
  (p) => p.shape.max,
);
poolGauge(
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

/** A driver that counts what it lends; everything else is the wrapped driver's. */
class MeasuredDriver implements Driver {
  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];
  readonly #acquired: Histogram.Internal<'dialect'>;

  constructor(
    private readonly driver: Driver,
    private readonly probe: Probe,
  ) {
    this.#acquired = acquireDuration.labels(probe.dialect);
    if (driver.savepoint) this.savepoint = driver.savepoint.bind(driver);
    if (driver.rollbackToSavepoint) this.rollbackToSavepoint = driver.rollbackToSavepoint.bind(driver);
    if (driver.releaseSavepoint) this.releaseSavepoint = driver.releaseSavepoint.bind(driver);
  }

  async init(): Promise<void> {
    await this.driver.init();
    probes.add(this.probe);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const started = performance.now();
    this.probe.waiting += 1;
    let connection: DatabaseConnection;
    try {
      connection = await this.driver.acquireConnection();
    } catch (error) {
      acquireFailures.inc({ dialect: this.probe.dialect });
      throw error;
    } finally {
      this.probe.waiting -= 1;
    }
    this.probe.inUse += 1;
    this.#acquired.observe((performance.now() - started) / 1000);
    return connection;
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.probe.inUse -= 1;
    await this.driver.releaseConnection(connection);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.driver.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(connection);
  }

  async destroy(): Promise<void> {
    probes.delete(this.probe);
    await this.driver.destroy();
  }
}

/** Wraps a dialect so its driver reports to the pool series under `dialect`. */
export function measuredDialect(dialect: Dialect, name: string, shape: PoolShape): Dialect {
  const probe: Probe = { dialect: name, shape, inUse: 0, waiting: 0 };
  return {
    createDriver: () => new MeasuredDriver(dialect.createDriver(), probe),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    // Kysely's own type for this factory takes Kysely<any>.
    // biome-ignore lint/suspicious/noExplicitAny: matches Dialect['createIntrospector'].
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
}

const queryErrors = new Counter({
  name: 'workstream_db_query_errors_total',
  help: 'Failed database statements, by dialect and class (connection, deadlock, serialization, busy, timeout, unique_violation, constraint, other).',
  labelNames: ['dialect', 'class'] as const,
  registers,
});

/** Counts one failed statement under its class. */
export function queryFailed(dialect: string, errorClass: string): void {
  queryErrors.inc({ dialect, class: errorClass });
}
