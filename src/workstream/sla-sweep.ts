/**
 * The SLA sweep, a worker duty: marks every running clock whose warning or due time has passed,
 * and in the same transaction appends the `sla.warning` / `sla.breached` event and its `alerts`
 * (and webhook) outbox rows. Safe with several sweeps at once: each clock is marked once.
 */

import { ChangeSet, changesHeard } from '../live/changes.js';
import type { Change } from '../live/feed.js';
import type { Deps } from './deps.js';
import { appendEvents, type EventRecord, type Webhook } from './events.js';
import { type ClockMark, type MarkedClock, markDueClocksSql } from './sql/mark-due-clocks.js';

/** The actor named on events the sweep writes. */
export const SWEEPER = 'system:sla-sweeper';

export interface SweepResult {
  warned: number;
  breached: number;
  /** The same counts by clock kind (triage, proposal, response), for the SLA series. */
  byKind: Record<string, { warned: number; breached: number }>;
}

const EVENT_OF: Record<ClockMark, string> = { warned_at: 'sla.warning', breached_at: 'sla.breached' };

export async function sweepSlas(deps: Deps, batchSize = 2_000): Promise<SweepResult> {
  const result: SweepResult = { warned: 0, breached: 0, byKind: {} };
  const now = deps.clock.now();
  for (const mark of ['warned_at', 'breached_at'] as const) {
    for (;;) {
      const kinds = await markBatch(deps, mark, now, batchSize);
      for (const kind of kinds) {
        const counts = result.byKind[kind] ?? { warned: 0, breached: 0 };
        result.byKind[kind] = counts;
        if (mark === 'warned_at') counts.warned += 1;
        else counts.breached += 1;
      }
      if (mark === 'warned_at') result.warned += kinds.length;
      else result.breached += kinds.length;
      if (kinds.length < batchSize) break;
    }
  }
  return result;
}

/** Marks up to `limit` clocks and writes their events; returns the kind of each clock marked. */
async function markBatch(deps: Deps, mark: ClockMark, now: Date, limit: number): Promise<string[]> {
  const { db, dialect } = deps.store;
  const changes: Change[] = [];
  const kinds = await db.transaction().execute(async (tx) => {
    const clocks = (await markDueClocksSql(dialect, mark, now, limit).execute(tx)).rows;
    if (clocks.length === 0) return [];
    const hooks = new Map<string, Promise<Webhook[]>>();
    const webhooksOf = (orgId: string) => {
      let found = hooks.get(orgId);
      if (!found) {
        found = tx
          .selectFrom('webhook_endpoints')
          .select(['id', 'event_types_json'])
          .where('org_id', '=', orgId)
          .where('is_active', '=', true)
          .execute();
        hooks.set(orgId, found);
      }
      return found;
    };
    const events = clocks.map((clock) => eventFor(clock, mark, now));
    const ids = await appendEvents(tx, dialect, events, webhooksOf);
    if (!changesHeard(deps.feed, dialect)) return clocks.map((clock) => clock.kind);
    const sets = new Map<string, ChangeSet>();
    events.forEach((event, i) => {
      const set = sets.get(event.orgId) ?? new ChangeSet(event.orgId, 'sweep');
      sets.set(event.orgId, set);
      set.record(ids[i], event);
    });
    for (const set of sets.values()) {
      changes.push(...(await set.resolve(tx, dialect)));
      deps.feed?.ownEvents?.(set.events);
    }
    return clocks.map((clock) => clock.kind);
  });
  if (changes.length > 0) deps.feed?.publish(changes);
  return kinds;
}

function eventFor(clock: MarkedClock, mark: ClockMark, now: Date): EventRecord {
  return {
    orgId: clock.org_id,
    actorId: SWEEPER,
    occurredAt: now,
    entityType: clock.entity_type,
    entityId: clock.entity_id,
    type: EVENT_OF[mark],
    alsoTo: ['alerts'],
    data: {
      clockId: clock.id,
      kind: clock.kind,
      startedAt: clock.started_at.toISOString(),
      warnAt: clock.warn_at.toISOString(),
      dueAt: clock.due_at.toISOString(),
    },
  };
}
