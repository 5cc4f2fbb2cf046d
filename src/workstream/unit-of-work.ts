/**
 * The unit of work every command runs in: one transaction that loads with version, guards,
 * writes the state, appends the history event and writes the outbox rows, or writes nothing.
 * A lost optimistic race or a database collision runs the whole command again.
 */
import pRetry, { AbortError } from 'p-retry';
import { ChangeSet, changesHeard, TODAY_COLUMNS } from '../live/changes.js';
import { traceTransaction } from '../observability/tracing.js';
import type { DialectName, UniqueViolation } from '../store/dialect.js';
import { toJson, uniqueViolation } from '../store/dialect.js';
import type { RowUpdate } from '../store/schema.js';
import { authorise, type Caller } from './authorise.js';
import type { Actor, Db, Deps, EnrichmentProviderRef } from './deps.js';
import { activeWebhooks, appendEvents, type EventInput, type Webhook } from './events.js';
import type { OrgSettings } from './org-settings.js';
import { syncTodayOrder, type WorkEntity } from './today-order.js';

type VersionedTable = 'signals' | 'candidates' | 'pursuits' | 'proposal_versions';

/** A concurrent writer changed the row between our read and our write; the command runs again. */
class LostRace extends Error {}

/** Ends a rehearsal (Deps.rehearse): thrown out of the transaction to roll it back, carrying the answer. */
class Rehearsed {
  constructor(readonly value: unknown) {}
}

/** Errors the database raises when two transactions collide; running again resolves them. */
function isTransient(error: unknown): boolean {
  if (error instanceof LostRace) return true;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const number = typeof error === 'object' && error !== null && 'number' in error ? error.number : undefined;
  return (
    code === '40001' || // PostgreSQL serialization failure
    code === '40P01' || // PostgreSQL deadlock
    (code === '0A000' && /cached plan/.test(String((error as Error).message))) || // PostgreSQL: a prepared statement's table changed shape (src/store/connect.ts)
    code === 'SQLITE_BUSY' ||
    number === 1205 // SQL Server deadlock victim
  );
}

/** What a command sees: the transaction, the caller, and the moment the command happens. */
export class Unit {
  #webhooks: Webhook[] | null = null;
  /** Candidates and pursuits whose Today Panel place may have moved (./today-order.ts). */
  readonly touched = new Map<WorkEntity, Set<string>>();
  /** What the change feed hears of this unit after it commits (src/live/changes.ts). */
  readonly changes: ChangeSet;

  constructor(
    readonly db: Db,
    readonly dialect: DialectName,
    readonly actor: Actor,
    /** The caller's role, name and e-mail, as authorised in this transaction. */
    readonly caller: Caller,
    readonly now: Date,
    readonly enrichmentProviders: readonly EnrichmentProviderRef[] = [],
  ) {
    this.changes = new ChangeSet(actor.orgId, 'command');
  }

  get orgId(): string {
    return this.actor.orgId;
  }

  /** Appends a history event and its outbox rows (src/workstream/events.ts). */
  async event(input: EventInput): Promise<string> {
    const [id] = await appendEvents(
      this.db,
      this.dialect,
      [{ ...input, orgId: this.orgId, actorId: this.actor.memberId, occurredAt: this.now }],
      async () => {
        this.#webhooks ??= await activeWebhooks(this.db, this.orgId);
        return this.#webhooks;
      },
    );
    // What the change feed hears of it: the one event → change rule (src/live/changes.ts).
    this.changes.record(id, input);
    return id ?? '';
  }

  /** Notes that a candidate's or pursuit's row or clocks changed: its panel place is recomputed before commit. */
  touch(kind: WorkEntity, id: string): void {
    const ids = this.touched.get(kind) ?? new Set<string>();
    ids.add(id);
    this.touched.set(kind, ids);
    // What the change feed hears of it comes from the event the command appends (its clocks or
    // what they show moved): changeOfEvent in src/live/changes.ts, the rule polling relays share.
  }

  /**
   * Sets one key of the org's settings as `read` them (./org-settings.ts), keeping the others, if
   * the org row is still at the version read; otherwise a concurrent change won the race and the
   * command runs again against it.
   */
  async setOrgSetting(read: OrgSettings, key: string, value: unknown): Promise<void> {
    const result = await this.db
      .updateTable('orgs')
      .set({
        settings_json: toJson({ ...read.settings, [key]: value }),
        version: read.version + 1,
        updated_at: this.now,
      })
      .where('id', '=', this.orgId)
      .where('version', '=', read.version)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n)
      throw new LostRace(`the settings of ${this.orgId} changed concurrently`);
  }

  /**
   * Writes `set` to a versioned row if it is still at `version`, bumping the version. A caller's
   * stale expectedVersion was refused at load; a miss here means a concurrent writer won the
   * race, and the whole command runs again against the new state.
   */
  async bump<T extends VersionedTable>(
    table: T,
    id: string,
    version: number,
    set: RowUpdate<T>,
  ): Promise<void> {
    const result = await this.db
      .updateTable(table as VersionedTable)
      // Kysely cannot type a column set for a table chosen by a generic; RowUpdate<T> is that set.
      .set({ ...(set as RowUpdate<'candidates'>), version: version + 1, updated_at: this.now })
      .where('id', '=', id)
      .where('org_id', '=', this.orgId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new LostRace(`${table} ${id} changed concurrently`);
    if (!TODAY_COLUMNS.some((column) => column in set)) return;
    if (table === 'candidates') this.touch('candidate', id);
    else if (table === 'pursuits') this.touch('pursuit', id);
  }
}

export interface RunOptions<T> {
  /**
   * After a unique violation rolled the transaction back: the answer the caller should see (the
   * row that won the race), or a thrown failure.
   */
  readonly onUniqueViolation?: (violation: UniqueViolation) => Promise<T> | T;
  /**
   * True for work that only reads: viewers may run it. Commands need not say it: a command's
   * access (`query` or `change`) reaches here through `execute` (Deps.access).
   */
  readonly readOnly?: boolean;
}

/** One attempt's outcome: the command's value, or the unique violation that rolled it back. */
type Attempt<T> =
  | { readonly value: T; readonly changes?: Awaited<ReturnType<ChangeSet['resolve']>> }
  | { readonly violation: UniqueViolation };

/**
 * Runs `work` in one transaction as `actor`. A lost race or a database collision runs it again
 * (the state it guards may have changed); any other failure rolls everything back.
 */
export function run<T>(
  deps: Deps,
  actor: Actor,
  work: (unit: Unit) => Promise<T>,
  options: RunOptions<T> = {},
): Promise<T> {
  const readOnly = options.readOnly ?? deps.access === 'read';
  return traceTransaction(deps.store.dialect, readOnly, () =>
    runUnit(deps, actor, work, { ...options, readOnly }),
  );
}

async function runUnit<T>(
  deps: Deps,
  actor: Actor,
  work: (unit: Unit) => Promise<T>,
  options: RunOptions<T>,
): Promise<T> {
  const { db, dialect } = deps.store;
  const { onUniqueViolation } = options;
  const attempt = await pRetry(
    async (): Promise<Attempt<T>> => {
      try {
        const readOnly = options.readOnly === true;
        // Reads start a deferred transaction on SQLite (and READ ONLY on PostgreSQL), so they
        // never wait for the write lock; writes take it up front (src/store/connect.ts).
        const transaction = readOnly ? db.transaction().setAccessMode('read only') : db.transaction();
        const done = await transaction.execute(async (tx) => {
          const caller = await authorise(tx, actor, readOnly);
          const unit = new Unit(tx, dialect, actor, caller, deps.clock.now(), deps.enrichmentProviders);
          const result = await work(unit);
          if (unit.touched.size > 0) await syncTodayOrder(tx, dialect, unit.orgId, unit.touched);
          if (deps.rehearse === true && !readOnly) throw new Rehearsed(result);
          const heard = unit.changes.size > 0 && changesHeard(deps.feed, dialect);
          const changes = heard ? await unit.changes.resolve(tx, dialect) : [];
          // Before the commit, so this process's polling relay never takes them for another's.
          if (heard) deps.feed?.ownEvents?.(unit.changes.events);
          return { value: result, changes };
        });
        return done;
      } catch (error) {
        // The rehearsal rolled back everything it wrote; its answer is what the call would answer.
        if (error instanceof Rehearsed) return { value: error.value as T };
        if (isTransient(error)) throw error;
        const violation = uniqueViolation(error);
        if (violation && onUniqueViolation) return { violation };
        throw new AbortError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    // Enough rounds for a burst of writers on one row to each win once, even on a busy machine.
    { retries: 20, minTimeout: 5, maxTimeout: 200, randomize: true },
  );
  if ('value' in attempt) {
    // Committed: the feed hears of it now (never of a rolled-back attempt).
    if (attempt.changes && attempt.changes.length > 0) deps.feed?.publish(attempt.changes);
    return attempt.value;
  }
  // Only reached with a handler: a violation without one was aborted above.
  if (!onUniqueViolation) throw new Error('unique violation without a handler');
  return onUniqueViolation(attempt.violation);
}
