/**
 * Every statement the worker runs against the outbox, in database time; the SQL of each
 * operation, per dialect, is in ./sql/. The outbox is a log that workers lease by range (one
 * lease row per batch), and a failed delivery leaves the log to be retried on its own. Every
 * settlement is fenced on the lease: a range or row taken back from a stalled worker can never be
 * completed or failed by it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import { newId } from '../domain/ids.js';
import type { Store } from '../store/connect.js';
import { limitRows, nowSql, toJson } from '../store/dialect.js';
import type { Database, Row } from '../store/schema.js';
import { claimRange, claimRetries, payloadText } from './sql/claim.js';
import { completeRange, completeRetries, deleteRangeSql, holdLeaseSql } from './sql/complete.js';
import { type AttemptError, deadLetter, release, retryLater } from './sql/fail.js';
import { type Held, held, holders } from './sql/held.js';
import { dissolveLease, reclaimLeases, reclaimRetries, type Stale } from './sql/reclaim.js';

export type { AttemptError };
export { payloadText };
export type OutboxRow = Row<'outbox'>;

/** A batch of the log leased to one loop: its rows, each carrying the lease's attempt number. */
export interface Range {
  readonly leaseId: string;
  readonly rows: OutboxRow[];
}

/** How a range's deliveries went, for its settlement. */
export interface RangeOutcome {
  readonly failed: readonly { row: OutboxRow; error: string; delayMs: number }[];
  readonly dead: readonly { row: OutboxRow; error: string }[];
  /** Deliveries still running at shutdown: handed back without counting the attempt. */
  readonly abandoned: readonly string[];
}

export class OutboxStore {
  readonly #db: Kysely<Database>;

  constructor(readonly store: Store) {
    this.#db = store.db;
  }

  /**
   * Leases the next range of the log to `workerId` (null when the log has nothing committed),
   * completing, in the same call, the range `complete` whose rows were all delivered.
   * `completed` says whether that lease was still held (false: taken back, nothing deleted).
   */
  async completeAndClaim(
    workerId: string,
    batchSize: number,
    complete?: string,
  ): Promise<{ completed: boolean; range: Range | null }> {
    await this.#releaseUnanswered(workerId);
    const leaseId = randomUUID();
    let claimed: Awaited<ReturnType<typeof claimRange>>;
    try {
      claimed = await claimRange(this.#db, this.store.dialect, { workerId, leaseId, batchSize, complete });
    } catch (error) {
      this.#unanswered.push({ workerId, leaseId });
      throw error;
    }
    if (claimed.rows.length === 0) return { completed: claimed.completed, range: null };
    const rows = claimed.rows;
    return { completed: claimed.completed, range: { leaseId, rows } };
  }

  /**
   * Claims that failed without an answer: the lease may have been committed all the same (on
   * PostgreSQL the claim commits the lease before it reads the range, and any commit's answer can
   * be lost with its connection), leaving rows no loop received. Each is dissolved, its rows due
   * again as retry rows counting the attempt, before the worker's next claim, instead of waiting
   * out the lease time; one that was never committed dissolves nothing.
   */
  readonly #unanswered: { readonly workerId: string; readonly leaseId: string }[] = [];

  async #releaseUnanswered(workerId: string): Promise<void> {
    for (const lost of this.#unanswered.filter((entry) => entry.workerId === workerId)) {
      await dissolveLease(this.#db, this.store.dialect, lost.leaseId, { heldBy: [workerId] });
      this.#unanswered.splice(this.#unanswered.indexOf(lost), 1);
    }
  }

  /** Leases the next range of the log to `workerId`; null when the log has nothing committed. */
  async claimRange(workerId: string, batchSize: number): Promise<Range | null> {
    return (await this.completeAndClaim(workerId, batchSize)).range;
  }

  /** Claims due retry rows, each locked to `workerId` with its attempt counted. */
  claimRetries(workerId: string, batchSize: number): Promise<OutboxRow[]> {
    return claimRetries(this.#db, this.store.dialect, { workerId, batchSize });
  }

  /**
   * Settles a range: failures become retry rows (or dead letters), abandoned rows go back
   * uncounted, the delivered rest is deleted with the lease. False when the lease was taken back:
   * then nothing is written, and the range's rows are delivered again by whoever took it.
   */
  async settleRange(workerId: string, leaseId: string, outcome: RangeOutcome): Promise<boolean> {
    const { dialect } = this.store;
    if (outcome.failed.length + outcome.dead.length + outcome.abandoned.length === 0)
      return completeRange(this.#db, dialect, workerId, leaseId);
    return this.#db.transaction().execute(async (tx) => {
      const held = await holdLeaseSql(dialect, workerId, leaseId).execute(tx);
      if (!held.numAffectedRows) return false;
      for (const { row, error, delayMs } of outcome.failed)
        await retryLater(tx, dialect, row, error, delayMs);
      for (const { row, error } of outcome.dead) await deadLetter(tx, dialect, row, error);
      await release(tx, dialect, outcome.abandoned);
      await deleteRangeSql(dialect, leaseId).execute(tx);
      await tx.deleteFrom('outbox_leases').where('id', '=', leaseId).execute();
      return true;
    });
  }

  /** Deletes delivered retry rows this worker still holds; returns how many it held. */
  complete(workerId: string, ids: readonly string[]): Promise<number> {
    return completeRetries(this.#db, workerId, ids);
  }

  /** Schedules another attempt of a retry row after `delayMs` of database time. */
  retryLater(workerId: string, row: OutboxRow, error: string, delayMs: number): Promise<boolean> {
    return retryLater(this.#db, this.store.dialect, row, error, delayMs, workerId);
  }

  /** Moves a retry row that will not succeed to the dead letters, with every attempt's error. */
  deadLetter(workerId: string, row: OutboxRow, error: string): Promise<boolean> {
    return this.#db.transaction().execute((tx) => deadLetter(tx, this.store.dialect, row, error, workerId));
  }

  /** Hands unfinished retry rows back without counting the attempt (graceful shutdown). */
  release(workerId: string, ids: readonly string[]): Promise<number> {
    return release(this.#db, this.store.dialect, ids, workerId);
  }

  /** Extends the lease of a range and of retry rows still being delivered. */
  async renew(workerId: string, leaseId: string | null, ids: readonly string[]): Promise<void> {
    const { dialect } = this.store;
    if (leaseId) await holdLeaseSql(dialect, workerId, leaseId).execute(this.#db);
    if (ids.length === 0) return;
    await this.#db
      .updateTable('outbox')
      .set({ locked_at: nowSql(dialect) })
      .where('id', 'in', ids)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Takes back up to `limit` leases and retry rows held longer than `leaseMs`; returns the row ids. */
  reclaim(leaseMs: number, limit: number): Promise<string[]> {
    return this.#reclaim({ olderThanMs: leaseMs }, limit);
  }

  /**
   * Takes back what processes of this host that are no longer running held (their worker ids
   * are `host:pid:…`). For the embedded database, whose processes all share one host: after a
   * SIGKILL, its rows need not wait out the lease. Returns the row ids.
   */
  async reclaimFromDeadProcesses(): Promise<string[]> {
    const host = hostname();
    const gone = (await holders(this.#db)).filter((holder) => {
      const [h, pid] = holder.split(':');
      return h === host && Number(pid) !== process.pid && !processAlive(Number(pid));
    });
    if (gone.length === 0) return [];
    return this.#reclaim({ heldBy: gone }, 100_000);
  }

  async #reclaim(stale: Stale, limit: number): Promise<string[]> {
    const { dialect } = this.store;
    const fromLeases = await reclaimLeases(this.#db, dialect, stale, limit);
    const fromRetries = await reclaimRetries(
      this.#db,
      dialect,
      stale,
      Math.max(0, limit - fromLeases.length),
    );
    return [...fromLeases, ...fromRetries];
  }

  /** Every row in flight, with its holder. */
  held(): Promise<Held[]> {
    return held(this.#db, this.store.dialect);
  }

  async stats(): Promise<OutboxStats> {
    const { dialect } = this.store;
    const row = await this.#db
      .selectFrom('outbox')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.min<Date | null>('run_at').as('oldest_pending_at'),
      ])
      .where((eb) => eb.or([eb('is_retry', '=', false), eb('locked_at', 'is', null)]))
      .executeTakeFirstOrThrow();
    const total = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const inFlight = (await this.held()).length;
    const dead = await this.#db
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const now =
      (await sql<{ now_at: Date }>`select ${nowSql(dialect)} as now_at`.execute(this.#db)).rows[0]?.now_at ??
      new Date();
    const oldest = row.oldest_pending_at ? new Date(row.oldest_pending_at) : null;
    return {
      pending: Number(total.n) - inFlight,
      inFlight,
      deadLetters: Number(dead.n),
      oldestPendingAgeSeconds: oldest
        ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000))
        : 0,
    };
  }

  listDeadLetters(limit = 100) {
    return limitRows(
      this.store.dialect,
      this.#db.selectFrom('dead_letters').selectAll().orderBy('dead_at', 'desc'),
      limit,
    ).execute();
  }

  /** Puts dead letters back in the outbox log as fresh rows, due now; returns the ids replayed. */
  async replay(ids: readonly string[] | 'all'): Promise<string[]> {
    return this.#db.transaction().execute(async (tx) => {
      let query = tx.selectFrom('dead_letters').selectAll();
      if (ids !== 'all') {
        if (ids.length === 0) return [];
        query = query.where('id', 'in', ids);
      }
      const letters = await query.execute();
      for (const letter of letters) {
        await tx
          .insertInto('outbox')
          .values({
            id: newId('obx'),
            org_id: letter.org_id,
            event_id: letter.event_id,
            destination: letter.destination,
            payload_json: toJson(letter.payload_json),
            errors_json: toJson(letter.errors_json),
            last_error: letter.last_error,
            run_at: nowSql(this.store.dialect),
          })
          .execute();
        await tx.deleteFrom('dead_letters').where('id', '=', letter.id).execute();
      }
      return letters.map((letter) => letter.id);
    });
  }
}

export interface OutboxStats {
  pending: number;
  inFlight: number;
  deadLetters: number;
  oldestPendingAgeSeconds: number;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
