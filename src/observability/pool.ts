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

/** What a pool says about itself beyond the hand-outs (open and idle connections, its maximum). */
export interface PoolShape {
  readonly open: () => number;
  /** Without it, idle is the open connections not lent out. */
  readonly idle?: () => number;
  readonly max: number;
}

/** SQLite's one connection. */
export const SQLITE_SHAPE: PoolShape = { open: () => 1, max: 1 };

export interface Probe {
  readonly dialect: string;
  readonly shape: PoolShape;
  inUse: number;
  waiting: number;
}

const probes = new Set<Probe>();

/** The pools open in this process, read by the pool series (src/observability/pool-metrics.ts). */
export function openPools(): ReadonlySet<Readonly<Probe>> {
  return probes;
}

/**
 * Where hand-outs and failures are reported once the series are loaded; until then (a stdio
 * server with no metrics port) nothing is recorded, and prom-client is never loaded.
 */
export const poolEvents: {
  acquired: ((dialect: string, seconds: number) => void) | null;
  acquireFailed: ((dialect: string) => void) | null;
  queryFailed: ((dialect: string, errorClass: string) => void) | null;
} = { acquired: null, acquireFailed: null, queryFailed: null };

/** Counts one failed statement under its class. */
export function queryFailed(dialect: string, errorClass: string): void {
  poolEvents.queryFailed?.(dialect, errorClass);
}

/** A driver that counts what it lends; everything else is the wrapped driver's. */
class MeasuredDriver implements Driver {
  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(
    private readonly driver: Driver,
    private readonly probe: Probe,
  ) {
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
      poolEvents.acquireFailed?.(this.probe.dialect);
      throw error;
    } finally {
      this.probe.waiting -= 1;
    }
    this.probe.inUse += 1;
    poolEvents.acquired?.(this.probe.dialect, (performance.now() - started) / 1000);
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
