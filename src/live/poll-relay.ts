/**
 * Changes from other processes where the database has no LISTEN/NOTIFY (several processes on one
 * SQLite file, SQL Server): every `everyMs` the relay reads the events committed since its
 * high-water mark, turns them into changes by the same rule the writers use (`changeOfEvent`,
 * through `ChangeSet`, resolving each entity's assignee now) and publishes them into this
 * process's feed. The events this process committed itself are already in its feed (the unit of
 * work and the sweep tell it their ids before they commit, `ownEvents`) and are skipped.
 *
 * The mark is the order of commit, not the event id (a ULID ordered within one process only):
 * - SQLite: the table's rowid. One writer holds the file's write lock from its first write to its
 *   commit, so rowids are handed out in commit order and a reader sees a prefix of them.
 * - SQL Server: the `seq rowversion` column (migration 0012). Rowversions are handed out at
 *   insert, before commit, so the relay reads only below MIN_ACTIVE_ROWVERSION(): every
 *   transaction that took a lower one has ended, and none is skipped while another is open.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Logger } from '../log.js';
import type { Store } from '../store/connect.js';
import type { DialectName } from '../store/dialect.js';
import { SWEEPER } from '../workstream/sla-sweep.js';
import { ChangeSet } from './changes.js';
import type { Change, ChangeFeed, ChangeSource } from './feed.js';

/** Events read per statement; a burst larger than this is read in several. */
export const POLL_BATCH = 500;

/** How long an own event id is kept when its transaction never committed (rolled back). */
const OWN_KEPT_MS = 10 * 60_000;

export interface EventRow {
  readonly seq: number | string;
  readonly id: string;
  readonly org_id: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly type: string;
  readonly actor_id: string;
  readonly from_state: string | null;
  readonly to_state: string | null;
  readonly data_json: unknown;
}

type PolledDialect = Exclude<DialectName, 'postgres'>;

/**
 * Where reading starts: everything committed before it is not relayed. On SQL Server, just below
 * the oldest rowversion an open transaction holds (or the next one), so nothing open is passed.
 */
export function highWaterSql(dialect: PolledDialect): RawBuilder<{ seq: number | string | null }> {
  return dialect === 'mssql'
    ? sql`select cast(min_active_rowversion() as bigint) - 1 as seq`
    : sql`select max(rowid) as seq from events`;
}

/** SQL Server: the bound below which every transaction that wrote events has ended. */
export function settledSql(): RawBuilder<{ upto: number | string }> {
  return sql`select cast(min_active_rowversion() as bigint) as upto`;
}

/**
 * The events after `mark`, in commit order, at most `limit`; on SQL Server below `upto` (settledSql).
 * Marks are bound as text and cast to bigint: a rowversion compared as binary(8) orders as its
 * bigint does, and text keeps the number exact.
 */
export function eventsSinceSql(
  dialect: PolledDialect,
  mark: string,
  limit: number,
  upto?: string,
): RawBuilder<EventRow> {
  const columns = sql`id, org_id, entity_type, entity_id, type, actor_id, from_state, to_state, data_json`;
  if (dialect === 'mssql')
    return sql`select top (${limit}) cast(seq as bigint) as seq, ${columns} from events
      where seq > cast(cast(${mark} as bigint) as binary(8))
        and seq < cast(cast(${upto ?? mark} as bigint) as binary(8))
      order by seq`;
  return sql`select rowid as seq, ${columns} from events
    where rowid > cast(${mark} as integer) order by rowid limit ${limit}`;
}

/** The source a change read back is credited to: the SLA sweep writes as SWEEPER. */
function sourceOf(actorId: string): ChangeSource {
  return actorId === SWEEPER ? 'sweep' : 'command';
}

/** The changes of events read back: one ChangeSet per org and source, resolved now. */
export async function changesOfEvents(store: Store, rows: readonly EventRow[]): Promise<Change[]> {
  const sets = new Map<string, ChangeSet>();
  for (const row of rows) {
    const source = sourceOf(row.actor_id);
    const key = `${row.org_id} ${source}`;
    const set = sets.get(key) ?? new ChangeSet(row.org_id, source);
    sets.set(key, set);
    set.record(undefined, {
      entityType: row.entity_type,
      entityId: row.entity_id,
      type: row.type,
      from: row.from_state,
      to: row.to_state,
      data: row.data_json,
    });
  }
  const changes: Change[] = [];
  for (const set of sets.values())
    if (set.size > 0) changes.push(...(await set.resolve(store.db, store.dialect)));
  return changes;
}

export interface PollRelay {
  /** Event ids this process is committing: skipped when read back. */
  ownEvents(eventIds: readonly string[]): void;
  /** Stops polling, after the read under way. */
  close(): Promise<void>;
}

export function relayPolledChanges(store: Store, feed: ChangeFeed, everyMs: number, log: Logger): PollRelay {
  if (store.dialect === 'postgres') throw new Error('PostgreSQL relays changes with LISTEN (./pg-relay.ts)');
  const dialect: PolledDialect = store.dialect;
  const own = new Map<string, number>();
  let mark: string | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const readOnce = async (from: string): Promise<EventRow[]> => {
    if (dialect === 'mssql') {
      const { rows } = await settledSql().execute(store.db);
      const upto = String(rows[0]?.upto ?? from);
      return (await eventsSinceSql(dialect, from, POLL_BATCH, upto).execute(store.db)).rows;
    }
    return (await eventsSinceSql(dialect, from, POLL_BATCH).execute(store.db)).rows;
  };

  const poll = async () => {
    if (mark === null) {
      const { rows } = await highWaterSql(dialect).execute(store.db);
      mark = String(rows[0]?.seq ?? 0);
      return;
    }
    for (;;) {
      const rows = await readOnce(mark);
      const last = rows.at(-1);
      if (!last) break;
      const foreign = rows.filter((row) => !own.delete(row.id));
      if (foreign.length > 0) feed.publish(await changesOfEvents(store, foreign));
      mark = String(last.seq);
      if (rows.length < POLL_BATCH || closed) break;
    }
    const stale = Date.now() - OWN_KEPT_MS;
    for (const [id, told] of own) {
      if (told >= stale) break;
      own.delete(id);
    }
  };

  const tick = () => {
    timer = undefined;
    running = poll()
      .catch((error: unknown) => log.warn({ err: error }, 'change relay could not read the events'))
      .finally(() => {
        if (closed) return;
        timer = setTimeout(tick, everyMs);
        timer.unref();
      });
  };
  tick();

  return {
    ownEvents(eventIds) {
      const now = Date.now();
      for (const id of eventIds) own.set(id, now);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
