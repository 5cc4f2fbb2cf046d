/** Tags: free-form labels per entity, stored as rows so lists can filter on them through an index. */
import type { TaggedEntity } from './load.js';
import type { Unit } from './unit-of-work.js';

export interface TagChanges {
  readonly add?: readonly string[] | undefined;
  readonly remove?: readonly string[] | undefined;
}

/** Applies tag changes; returns whether anything changed. */
export async function changeTags(
  unit: Unit,
  entityType: TaggedEntity,
  entityId: string,
  changes: TagChanges,
): Promise<boolean> {
  const base = unit.db
    .selectFrom('tags')
    .select('tag')
    .where('org_id', '=', unit.orgId)
    .where('entity_type', '=', entityType);
  const current = new Set((await base.where('entity_id', '=', entityId).execute()).map((row) => row.tag));
  const add = [...new Set(changes.add ?? [])].filter((tag) => !current.has(tag));
  const remove = [...new Set(changes.remove ?? [])].filter((tag) => current.has(tag));
  if (add.length > 0) {
    await unit.db
      .insertInto('tags')
      .values(
        add.map((tag) => ({
          org_id: unit.orgId,
          entity_type: entityType,
          entity_id: entityId,
          tag,
          created_at: unit.now,
        })),
      )
      .execute();
  }
  if (remove.length > 0) {
    await unit.db
      .deleteFrom('tags')
      .where('org_id', '=', unit.orgId)
      .where('entity_type', '=', entityType)
      .where('entity_id', '=', entityId)
      .where('tag', 'in', remove)
      .execute();
  }
  return add.length > 0 || remove.length > 0;
}

/** Moves every tag of one entity onto another (a merge), skipping ones the target has. */
export async function moveTags(
  unit: Unit,
  entityType: TaggedEntity,
  fromId: string,
  toId: string,
): Promise<void> {
  const tags = await unit.db
    .selectFrom('tags')
    .select('tag')
    .where('org_id', '=', unit.orgId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', fromId)
    .execute();
  await changeTags(unit, entityType, toId, { add: tags.map((row) => row.tag) });
}
