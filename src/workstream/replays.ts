/**
 * Retries that find their work done. A tool that says `idempotentHint: true` promises that the
 * same call made twice has the effect of one: the second answers with the record as the first
 * left it, writes nothing and is not refused, even though the record's state no longer allows
 * the action and its version moved on (a retried call carries the expectedVersion it read
 * before the first try). A command states, from the record and its latest event, when a call is
 * such a retry; anything else goes through the guards as usual.
 */
import { limitRows } from '../store/dialect.js';
import type { JsonObject } from '../store/schema.js';
import type { Unit } from './unit-of-work.js';

export interface LastEvent {
  readonly type: string;
  readonly reason: string | null;
  readonly data: JsonObject;
}

/** The newest event on a record: what last happened to it. */
export async function lastEventOf(
  unit: Unit,
  entityType: 'signal' | 'candidate' | 'pursuit',
  entityId: string,
): Promise<LastEvent | undefined> {
  const query = unit.db
    .selectFrom('events')
    .select(['type', 'reason', 'data_json'])
    .where('org_id', '=', unit.orgId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('id', 'desc');
  const row = await limitRows(unit.dialect, query, 1).executeTakeFirst();
  return row && { type: row.type, reason: row.reason, data: row.data_json };
}
