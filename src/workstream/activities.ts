/** Activities: the calls, e-mails, meetings, notes and follow-ups logged against a candidate or pursuit. */
import { newId } from '../domain/ids.js';
import type { Unit } from './unit-of-work.js';

export type ActivityKind = 'call' | 'email' | 'meeting' | 'note' | 'follow_up';

export async function recordActivity(
  unit: Unit,
  entity: { type: 'candidate' | 'pursuit'; id: string },
  kind: ActivityKind,
  summary: string,
  occurredAt: Date,
): Promise<void> {
  await unit.db
    .insertInto('activities')
    .values({
      id: newId('act', unit.now),
      org_id: unit.orgId,
      entity_type: entity.type,
      entity_id: entity.id,
      kind,
      summary,
      occurred_at: occurredAt,
      actor_id: unit.actor.memberId,
      created_at: unit.now,
    })
    .execute();
}
