/**
 * Every statement the worker runs against the outbox, in database time. Completion, failure
 * and release are fenced on the lease (locked_by): a row reclaimed from a stalled worker and
 * claimed by another can never be completed or failed twice.
 */
import { type Kysely, sql } from 'kysely';
import { newId } from '../domain/ids.js';
import type { Store } from '../store/connect.js';
import { claimOutbox, limitRows, nowPlusSql, nowSql, toJson } from '../store/dialect.js';
import type { Database, Row } from '../store/schema.js';

export type OutboxRow = Row<'outbox'>;

export interface AttemptError {
  readonly attempt: number;
  readonly at: string;
  readonly error: string;
}

export class OutboxStore {
  readonly #db: Kysely<Database>;

  constructor(readonly store: Store) {
    this.#db = store.db;
  }

  claim(workerId: string, batchSize: number): Promise<OutboxRow[]> {
    return claimOutbox(this.#db, this.store.dialect, { workerId, batchSize });
  }

  /** Deletes delivered rows this worker still holds; returns how many it held. */
  async complete(workerId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.#db
      .deleteFrom('outbox')
      .where('id', 'in', ids)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Schedules another attempt after `delayMs` of database time, keeping every attempt's error. */
  async retryLater(workerId: string, row: OutboxRow, error: string, delayMs: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('outbox')
      .set({
        locked_by: null,
        locked_at: null,
        run_at: nowPlusSql(this.store.dialect, delayMs),
        last_error: error,
        errors_json: toJson([...row.errors_json, attemptError(row, error)]),
        updated_at: nowSql(this.store.dialect),
      })
      .where('id', '=', row.id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Moves a row that will not succeed to the dead letters, with every attempt's error. */
  async deadLetter(workerId: string, row: OutboxRow, error: string): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const removed = await tx
        .deleteFrom('outbox')
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      if (removed.numDeletedRows === 0n) return false;
      await tx
        .insertInto('dead_letters')
        .values({
          id: row.id,
          org_id: row.org_id,
          event_id: row.event_id,
          destination: row.destination,
          payload_json: toJson(row.payload_json),
          attempts: row.attempts,
          errors_json: toJson([...row.errors_json, attemptError(row, error)]),
          last_error: error,
          created_at: row.created_at,
          dead_at: nowSql(this.store.dialect),
        })
        .execute();
      return true;
    });
  }

  /** Hands unfinished rows back without counting the attempt (graceful shutdown). */
  async release(workerId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.#db
      .updateTable('outbox')
      .set((eb) => ({ locked_by: null, locked_at: null, attempts: eb('attempts', '-', 1) }))
      .where('id', 'in', ids)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Extends the lease of rows still being delivered. */
  async renew(workerId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .updateTable('outbox')
      .set({ locked_at: nowSql(this.store.dialect) })
      .where('id', 'in', ids)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Unlocks up to `limit` rows whose lease is older than `leaseMs`; returns their ids. */
  async reclaim(leaseMs: number, limit: number): Promise<string[]> {
    const { dialect } = this.store;
    return this.#db.transaction().execute(async (tx) => {
      const stale = await limitRows(
        dialect,
        tx
          .selectFrom('outbox')
          .select('id')
          .where('locked_at', '<', nowPlusSql(dialect, -leaseMs))
          .orderBy('locked_at'),
        limit,
      ).execute();
      const ids = stale.map((row) => row.id);
      if (ids.length === 0) return [];
      // The age is checked again in the update: a lease renewed since the select keeps its row.
      await tx
        .updateTable('outbox')
        .set({ locked_by: null, locked_at: null })
        .where('id', 'in', ids)
        .where('locked_at', '<', nowPlusSql(dialect, -leaseMs))
        .execute();
      return ids;
    });
  }

  async stats(): Promise<OutboxStats> {
    const { dialect } = this.store;
    const row = await this.#db
      .selectFrom('outbox')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('locked_at').as('in_flight'),
        eb.fn
          .min<Date | null>(eb.case().when('locked_at', 'is', null).then(eb.ref('run_at')).end())
          .as('oldest_pending_at'),
      ])
      .executeTakeFirstOrThrow();
    const dead = await this.#db
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const now =
      (await sql<{ now_at: Date }>`select ${nowSql(dialect)} as now_at`.execute(this.#db)).rows[0]?.now_at ??
      new Date();
    const oldest = row.oldest_pending_at ? new Date(row.oldest_pending_at) : null;
    return {
      pending: Number(row.total) - Number(row.in_flight),
      inFlight: Number(row.in_flight),
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

  /** Puts dead letters back in the outbox as fresh rows, due now; returns the ids replayed. */
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

function attemptError(row: OutboxRow, error: string): AttemptError {
  return { attempt: row.attempts, at: new Date().toISOString(), error };
}
