/**
 * Turning history events into feed changes: one per entity, with the members whose Today Panel
 * may show it (its assignee after the change, and before it when the change reassigned it).
 * `changeOfEvent` is the one rule from an event to what the feed hears of it: the unit of work
 * and the SLA sweep apply it to the events they append (resolved inside the transaction, handed
 * to the feed after commit), and the polling relay (./poll-relay.ts) to the events it reads back
 * from the table. On PostgreSQL the changes also go out on a NOTIFY channel at commit, for other
 * processes (./pg-relay.ts).
 */
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import type { Change, ChangeFeed, ChangeSource } from './feed.js';

/** The PostgreSQL NOTIFY channel carrying changes between processes. */
export const CHANGES_CHANNEL = 'workstream_changes';

/** Identifies this process on the channel, so a relay skips the changes it published itself. */
export const PROCESS_ORIGIN = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** NOTIFY payloads are limited to 8000 bytes; a batch is split below that. */
const PAYLOAD_LIMIT = 7_000;

type EntityType = Change['entityType'];

/**
 * The columns of a candidate or pursuit that place it on a Today Panel and that the SLA breaches
 * show of it: a change of any of them changes what both show.
 */
export const TODAY_COLUMNS = ['state', 'priority', 'assignee_id', 'due_at'] as const;

/**
 * Work that keeps a pursuit's state but moves its SLA clocks: sending a proposal version restarts
 * the response clock, withdrawing one may cancel it, a follow-up meets it.
 */
const CLOCK_WORK: ReadonlySet<string> = new Set([
  'pursuit.proposal_sent',
  'pursuit.proposal_version_withdrawn',
  'pursuit.followed_up',
]);

/** What the feed reads of a history event: as a command appends it, or a row of `events`. */
export interface EventFacts {
  readonly entityType: string;
  readonly entityId: string;
  readonly type: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly data?: unknown;
}

/** What one event changes: the entity, whether its SLA clocks moved, its assignee before a reassignment. */
export interface EventChange {
  readonly entityType: EntityType;
  readonly entityId: string;
  readonly clocks: boolean;
  /** Set when the event reassigned the entity: the assignee it had (null: it had none). */
  readonly before?: string | null;
}

/**
 * The one rule from a history event to a change: an org's configuration event changes no resource
 * by itself (the records a change of configuration moves have events of their own); an event on
 * a candidate or pursuit moved its clocks (or what the breaches show of it) when it is an SLA
 * event, a transition, a change of one of TODAY_COLUMNS (`data.changed`) or work that moves a
 * clock (CLOCK_WORK); a reassignment names the assignee before it (`data.previousAssigneeId`).
 */
export function changeOfEvent(event: EventFacts): EventChange | null {
  const entityType = event.entityType;
  if (entityType !== 'signal' && entityType !== 'candidate' && entityType !== 'pursuit') return null;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as {
    readonly changed?: unknown;
    readonly previousAssigneeId?: unknown;
  };
  const changed = Array.isArray(data.changed) ? (data.changed as unknown[]) : [];
  const work = entityType !== 'signal';
  const clocks =
    event.type.startsWith('sla.') ||
    (work &&
      ((event.from ?? null) !== null ||
        (event.to ?? null) !== null ||
        TODAY_COLUMNS.some((column) => changed.includes(column)) ||
        CLOCK_WORK.has(event.type)));
  const reassigned = changed.includes('assignee_id') && 'previousAssigneeId' in data;
  const before = typeof data.previousAssigneeId === 'string' ? data.previousAssigneeId : null;
  return { entityType, entityId: event.entityId, clocks, ...(reassigned ? { before } : {}) };
}

/**
 * Whether anyone can hear a transaction's changes from the writer: a feed in this process, or, on
 * PostgreSQL, the relays of other processes (NOTIFY). When nobody can (SQLite or SQL Server
 * without a feed), the changes are not resolved at all, so a write pays nothing for live views
 * nobody has; other processes' polling relays read the events themselves (./poll-relay.ts).
 */
export function changesHeard(feed: ChangeFeed | undefined, dialect: DialectName): boolean {
  return feed !== undefined || dialect === 'postgres';
}

/** What one transaction touched, collected as it writes. */
export class ChangeSet {
  readonly #entities = new Map<string, { entityType: EntityType; entityId: string; clocks: boolean }>();
  readonly #before = new Map<string, Set<string>>();
  readonly #events: string[] = [];

  constructor(
    readonly orgId: string,
    readonly source: ChangeSource,
  ) {}

  get size(): number {
    return this.#entities.size;
  }

  /** The ids of the events recorded, for this process's polling relay to skip (ChangeFeed.ownEvents). */
  get events(): readonly string[] {
    return this.#events;
  }

  /** An event appended (or read back), through the one rule `changeOfEvent`. */
  record(eventId: string | undefined, event: EventFacts): void {
    if (eventId !== undefined) this.#events.push(eventId);
    const change = changeOfEvent(event);
    if (!change) return;
    this.add(change.entityType, change.entityId, change.clocks);
    if (change.before !== undefined) this.before(change.entityType, change.entityId, change.before);
  }

  /** An event on an entity; `clocks` when it changed what the SLA breaches show. */
  add(entityType: EntityType, entityId: string, clocks: boolean): void {
    const key = `${entityType}:${entityId}`;
    const found = this.#entities.get(key);
    if (found) found.clocks ||= clocks;
    else this.#entities.set(key, { entityType, entityId, clocks });
  }

  /** The assignee an entity had before this transaction reassigned it. */
  before(entityType: EntityType, entityId: string, assigneeId: string | null): void {
    if (assigneeId === null) return;
    const key = `${entityType}:${entityId}`;
    const set = this.#before.get(key) ?? new Set();
    set.add(assigneeId);
    this.#before.set(key, set);
  }

  /** The changes, with each entity's current assignee read in the transaction; NOTIFY on PostgreSQL. */
  async resolve(db: Kysely<Database>, dialect: DialectName): Promise<Change[]> {
    const after = new Map<string, string | null>();
    for (const table of ['candidates', 'pursuits'] as const) {
      const entityType = table === 'candidates' ? 'candidate' : 'pursuit';
      const ids = [...this.#entities.values()]
        .filter((e) => e.entityType === entityType)
        .map((e) => e.entityId);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom(table)
          .select(['id', 'assignee_id'])
          .where('org_id', '=', this.orgId)
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const row of rows) after.set(`${entityType}:${row.id}`, row.assignee_id);
      }
    }
    const changes: Change[] = [...this.#entities].map(([key, entity]) => {
      const members = new Set(this.#before.get(key) ?? []);
      const now = after.get(key);
      if (now) members.add(now);
      return { orgId: this.orgId, ...entity, members: [...members], source: this.source };
    });
    if (dialect === 'postgres') await notifyChanges(db, changes);
    return changes;
  }
}

/** Sends changes on the channel; PostgreSQL delivers them when the transaction commits. */
export async function notifyChanges(db: Kysely<Database>, changes: readonly Change[]): Promise<void> {
  let batch: Change[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const payload = JSON.stringify({ origin: PROCESS_ORIGIN, changes: batch });
    await sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`.execute(db);
    batch = [];
    bytes = 0;
  };
  for (const change of changes) {
    const size = JSON.stringify(change).length + 1;
    if (bytes + size > PAYLOAD_LIMIT) await flush();
    batch.push(change);
    bytes += size;
  }
  await flush();
}
