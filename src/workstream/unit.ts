/**
 * The unit of work every command runs in: one transaction that loads with version, guards,
 * writes the state, appends the history event and writes the outbox rows, or writes nothing.
 */
import { sql, type Transaction } from 'kysely';
import pRetry, { AbortError } from 'p-retry';
import type { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import type { Entity } from '../domain/entities.js';
import {
  conflict,
  type Failure,
  forbidden,
  notFound,
  type Result,
  validation,
  WorkstreamError,
} from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { currentTraceContext, traceTransaction } from '../observability/tracing.js';
import type { Store } from '../store/connect.js';
import {
  type DialectName,
  rowsPerInsert,
  toJson,
  type UniqueViolation,
  uniqueViolation,
} from '../store/dialect.js';
import type { Database, JsonObject, NewRow, RowUpdate } from '../store/schema.js';

/** The PostgreSQL NOTIFY channel that tells workers new outbox rows are committed. */
export const OUTBOX_CHANNEL = 'workstream_outbox';

type VersionedTable = 'signals' | 'candidates' | 'pursuits' | 'proposal_versions';

/** Who is calling: every command and query is scoped to the caller's organization. */
export interface Actor {
  readonly orgId: string;
  readonly memberId: string;
}

/** An enrichment provider as the lifecycle needs to know it: by name, and the tool it calls. */
export interface EnrichmentProviderRef {
  readonly name: string;
  readonly tool: string;
}

export interface Deps {
  readonly store: Store;
  readonly clock: Clock;
  /** Providers that enrich every new candidate (the worker calls them); none by default. */
  readonly enrichmentProviders?: readonly EnrichmentProviderRef[];
}

export type Db = Transaction<Database>;

/** A concurrent writer changed the row between our read and our write; the command runs again. */
class LostRace extends Error {}

/** Errors the database raises when two transactions collide; running again resolves them. */
function isTransient(error: unknown): boolean {
  if (error instanceof LostRace) return true;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const number = typeof error === 'object' && error !== null && 'number' in error ? error.number : undefined;
  return (
    code === '40001' || // PostgreSQL serialization failure
    code === '40P01' || // PostgreSQL deadlock
    code === 'SQLITE_BUSY' ||
    number === 1205 // SQL Server deadlock victim
  );
}

export function fail(failure: Failure): never {
  throw new WorkstreamError(failure);
}

export function must<T>(result: Result<T>): T {
  if (!result.ok) fail(result.failure);
  return result.value;
}

/** Parses a command's input, turning the first zod issue into a VALIDATION failure naming the field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '(input)', message: 'invalid input' };
  return fail(
    validation(first.field, `${first.field}: ${first.message}`, {
      issues,
      nextStep: `Correct ${issues.map((issue) => issue.field).join(', ')} and call again.`,
    }),
  );
}

export interface EventInput {
  readonly entityType: 'signal' | 'candidate' | 'pursuit';
  readonly entityId: string;
  readonly type: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly reason?: string | null;
  readonly data?: JsonObject;
  /** Destinations beyond the org's webhooks, e.g. `alerts` for SLA warnings and breaches. */
  readonly alsoTo?: readonly string[];
}

/** What a command sees: the transaction, the caller, and the moment the command happens. */
export class Unit {
  #webhookCache: Webhook[] | null = null;

  constructor(
    readonly db: Db,
    readonly dialect: DialectName,
    readonly actor: Actor,
    readonly now: Date,
    readonly enrichmentProviders: readonly EnrichmentProviderRef[] = [],
  ) {}

  get orgId(): string {
    return this.actor.orgId;
  }

  /**
   * Appends a history event and one outbox row per destination that wants it: every active
   * webhook endpoint of the org subscribed to the event type, and any named in `alsoTo`.
   */
  async event(input: EventInput): Promise<string> {
    const [id] = await appendEvents(
      this.db,
      this.dialect,
      [{ ...input, orgId: this.orgId, actorId: this.actor.memberId, occurredAt: this.now }],
      () => this.webhooks(),
    );
    return id ?? '';
  }

  private async webhooks() {
    this.#webhookCache ??= await this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'event_types_json'])
      .where('org_id', '=', this.orgId)
      .where('is_active', '=', true)
      .execute();
    return this.#webhookCache;
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
  }
}

export interface EventRecord extends EventInput {
  readonly orgId: string;
  readonly actorId: string;
  readonly occurredAt: Date;
}

export type Webhook = { id: string; event_types_json: string[] };

/**
 * Writes events and their outbox rows in as few statements as the dialect allows: the SLA sweep
 * appends thousands at once. `webhooksOf` answers an org's active endpoints (cached by callers).
 */
export async function appendEvents(
  db: Db,
  dialect: DialectName,
  events: readonly EventRecord[],
  webhooksOf: (orgId: string) => Promise<Webhook[]>,
): Promise<string[]> {
  const rows = events.map((event) => ({ event, id: newId('evt', event.occurredAt) }));
  const outbox: NewRow<'outbox'>[] = [];
  const trace = currentTraceContext();
  for (const { event, id } of rows) {
    const hooks = (await webhooksOf(event.orgId)).filter((hook) =>
      subscribes(hook.event_types_json, event.type),
    );
    const destinations = [...(event.alsoTo ?? []), ...hooks.map((hook) => `webhook:${hook.id}`)];
    if (destinations.length === 0) continue;
    const payload = toJson({
      eventId: id,
      type: event.type,
      orgId: event.orgId,
      entityType: event.entityType,
      entityId: event.entityId,
      actorId: event.actorId,
      from: event.from ?? null,
      to: event.to ?? null,
      reason: event.reason ?? null,
      data: event.data ?? {},
      occurredAt: event.occurredAt.toISOString(),
      // The writing command's trace context, when tracing is on: the delivery continues its trace.
      ...(trace ? { trace } : {}),
    });
    for (const destination of destinations) {
      outbox.push({
        id: newId('obx', event.occurredAt),
        org_id: event.orgId,
        event_id: id,
        destination,
        payload_json: payload,
        run_at: event.occurredAt,
      });
    }
  }
  const eventRows: NewRow<'events'>[] = rows.map(({ event, id }) => ({
    id,
    org_id: event.orgId,
    entity_type: event.entityType,
    entity_id: event.entityId,
    type: event.type,
    actor_id: event.actorId,
    from_state: event.from ?? null,
    to_state: event.to ?? null,
    reason: event.reason ?? null,
    data_json: toJson(event.data ?? {}),
    occurred_at: event.occurredAt,
  }));
  for (const chunk of chunks(eventRows, rowsPerInsert(dialect, 11)))
    await db.insertInto('events').values(chunk).execute();
  for (const chunk of chunks(outbox, rowsPerInsert(dialect, 6)))
    await db.insertInto('outbox').values(chunk).execute();
  // Wakes idle PostgreSQL workers when this transaction commits (they poll on other databases).
  if (outbox.length > 0 && dialect === 'postgres')
    await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
  return rows.map(({ id }) => id);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function subscribes(eventTypes: readonly string[], type: string): boolean {
  const [family] = type.split('.');
  return eventTypes.some((pattern) => pattern === '*' || pattern === type || pattern === `${family}.*`);
}

/** Refuses a stale expectedVersion before anything is written. */
export function checkVersion(
  entity: Entity,
  row: { id: string; version: number },
  expected: number | undefined,
): void {
  if (expected !== undefined && expected !== row.version)
    fail(conflict(entity, row.id, expected, row.version));
}

export function required<T>(row: T | undefined, entity: Entity, id: string): T {
  if (row === undefined) fail(notFound(entity, id));
  return row;
}

export interface RunOptions {
  /** Maps a unique violation to the failure or value the caller should see (after rollback). */
  readonly onUniqueViolation?: (violation: UniqueViolation) => Promise<unknown> | unknown;
  /** True for commands that only read. */
  readonly readOnly?: boolean;
}

/**
 * Runs `work` in one transaction as `actor`. A lost race or a database collision runs it again
 * (the state it guards may have changed); any other failure rolls everything back.
 */
export function run<T>(
  deps: Deps,
  actor: Actor,
  work: (unit: Unit) => Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  return traceTransaction(deps.store.dialect, options.readOnly === true, () =>
    runUnit(deps, actor, work, options),
  );
}

async function runUnit<T>(
  deps: Deps,
  actor: Actor,
  work: (unit: Unit) => Promise<T>,
  options: RunOptions,
): Promise<T> {
  const { db, dialect } = deps.store;
  return pRetry(
    async () => {
      try {
        return await db.transaction().execute(async (tx) => {
          const unit = new Unit(tx, dialect, actor, deps.clock.now(), deps.enrichmentProviders);
          await authorise(unit, options.readOnly === true);
          return work(unit);
        });
      } catch (error) {
        if (isTransient(error)) throw error;
        const violation = uniqueViolation(error);
        if (violation && options.onUniqueViolation) {
          // The transaction rolled back; the handler reads the row that won, or throws a failure.
          throw new AbortError(await settle(() => options.onUniqueViolation?.(violation)));
        }
        throw new AbortError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    { retries: 8, minTimeout: 5, maxTimeout: 100, randomize: true },
  ).catch((error: unknown) => {
    if (error instanceof Resolved) return error.value as T;
    throw error;
  });
}

/** Carries a value out of an AbortError: a unique violation that resolved to the existing row. */
class Resolved extends Error {
  constructor(readonly value: unknown) {
    super('resolved');
  }
}

async function settle(handler: () => unknown): Promise<Error> {
  try {
    return new Resolved(await handler());
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function authorise(unit: Unit, readOnly: boolean): Promise<void> {
  const member = await unit.db
    .selectFrom('members')
    .select(['role'])
    .where('id', '=', unit.actor.memberId)
    .where('org_id', '=', unit.orgId)
    .executeTakeFirst();
  if (!member) fail(forbidden(`${unit.actor.memberId} is not a member of organization ${unit.orgId}`));
  if (!readOnly && member.role === 'viewer')
    fail(forbidden(`${unit.actor.memberId} has the viewer role and cannot make changes`));
}
