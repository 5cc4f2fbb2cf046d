/** Minimal rows that tests of the store need before the lifecycle layer exists to make them. */
import { newId } from '../../src/domain/ids.js';
import type { Store } from '../../src/store/connect.js';

export async function seedOrg(store: Store, name = 'Test Org'): Promise<string> {
  const id = newId('org');
  await store.db.insertInto('orgs').values({ id, name, slug: id.toLowerCase() }).execute();
  return id;
}

export async function seedEvent(store: Store, orgId: string): Promise<string> {
  const id = newId('evt');
  await store.db
    .insertInto('events')
    .values({
      id,
      org_id: orgId,
      entity_type: 'candidate',
      entity_id: 'cand_x',
      type: 'test',
      actor_id: 'test',
      occurred_at: new Date(),
    })
    .execute();
  return id;
}
