/**
 * Turning a transaction's events into feed changes: one per entity, with the members whose Today
 * Panel may show it (its assignee after the change, and before it when the change reassigned it),
 * read inside the transaction, handed to the feed after commit. On PostgreSQL the same changes
 * also go out on a NOTIFY channel at commit, for other processes (./pg-relay.ts).
 */
import { sql } from 'kysely';
import type { DialectName } from '../store/dialect.js';
import type { Db } from '../workstream/deps.js';
import type { Change, ChangeFeed, ChangeSource } from './feed.js';

/** The PostgreSQL NOTIFY channel carrying changes between processes. */
export const CHANGES_CHANNEL = 'workstream_changes';

/** Identifies this process on the channel, so a relay skips the changes it published itself. */
export const PROCESS_ORIGIN = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** NOTIFY payloads are limited to 8000 bytes; a batch is split below that. */
const PAYLOAD_LIMIT = 7_000;

type EntityType = Change['entityType'];

/**
 * Whether anyone can hear a transaction's changes: a feed in this process, or, on PostgreSQL, the
 * relays of other processes. When nobody can (SQLite or SQL Server without a feed), the changes
 * are not resolved at all, so a write pays nothing for live views nobody has.
 */
export function changesHeard(feed: ChangeFeed | undefined, dialect: DialectName): boolean {
  return feed !== undefined || dialect === 'postgres';
}

/** What one transaction touched, collected as it writes. */
export class ChangeSet {
  readonly #entities = new Map<string, { entityType: EntityType; entityId: string; clocks: boolean }>();
  readonly #before = new Map<string, Set<string>>();

  constructor(
    readonly orgId: string,
    readonly source: ChangeSource,
  ) {}

  get size(): number {
    return this.#entities.size;
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
  async resolve(db: Db, dialect: DialectName): Promise<Change[]> {
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
export async function notifyChanges(db: Db, changes: readonly Change[]): Promise<void> {
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
