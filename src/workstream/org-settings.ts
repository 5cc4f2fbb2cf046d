/**
 * The org's settings (orgs.settings_json): one JSON object whose keys belong to different
 * features (`process`, `customFields`, the legacy `gates`). Read with its version; written one key
 * at a time through `unit.setOrgSetting`, which keeps the other keys and refuses a stale version,
 * so two admins changing different parts at once both keep their change. Every change is a
 * `config.*` event on the org.
 */
import type { JsonObject } from '../store/schema.js';
import type { EventInput } from './events.js';
import type { Reader } from './load.js';

export interface OrgSettings {
  readonly settings: JsonObject;
  readonly version: number;
}

export async function orgSettings(db: Reader, orgId: string): Promise<OrgSettings> {
  const org = await db
    .selectFrom('orgs')
    .select(['settings_json', 'version'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  const settings = org?.settings_json;
  return {
    settings: settings && typeof settings === 'object' ? (settings as JsonObject) : {},
    version: org?.version ?? 0,
  };
}

/** Records a configuration change as an event on the org (`config.<type>`). */
export async function configEvent(
  unit: { readonly orgId: string; event(input: EventInput): Promise<string> },
  type: string,
  data: JsonObject,
): Promise<void> {
  await unit.event({ entityType: 'org', entityId: unit.orgId, type: `config.${type}`, data });
}
