/** The things that have state machines; transition and gate failures name one of these. */
export const MACHINE_ENTITIES = ['signal', 'candidate', 'pursuit', 'proposal_version'] as const;
export type MachineEntity = (typeof MACHINE_ENTITIES)[number];

/** Every kind of record an assistant can name by id, so NOT_FOUND and DUPLICATE stay typed. */
export const ENTITIES = [
  ...MACHINE_ENTITIES,
  'organization',
  'member',
  'token',
  'checklist',
  'checklist_item',
  'checklist_template',
  'checklist_template_item',
  'activity',
  'event',
  'business_calendar',
  'sla_policy',
  'sla_clock',
  'outbox_row',
  'dead_letter',
  'enrichment',
  'webhook',
  'access_event',
  'sign_off',
] as const;
export type Entity = (typeof ENTITIES)[number];
