/**
 * Typed custom fields: an org's definitions per entity (candidate | pursuit), kept in the org's
 * settings (`customFields`, a short list read with the org, no join on the hot paths), changed by
 * admins, each change an `org` history event. Once an org defines a field for an entity, every
 * write of that entity's `fields` is checked against the definitions: unknown key, wrong type,
 * option not listed, member not in the org → VALIDATION naming `fields.<key>`. An entity with no
 * definitions keeps free-form fields.
 */
import { z } from 'zod';
import { validation } from '../domain/errors.js';
import type { JsonObject } from '../store/schema.js';
import { requireAdmin } from './admin-role.js';
import { change, execute, query } from './command.js';
import type { Db as Reader } from './deps.js';
import { resolveMember } from './load.js';
import { configEvent, orgSettings } from './org-settings.js';
import { text } from './params.js';
import { refuse } from './refusals.js';
import { run, type Unit } from './unit-of-work.js';

export const FIELD_TYPES = ['text', 'number', 'money', 'date', 'enum', 'boolean', 'member'] as const;
export const FIELD_ENTITIES = ['candidate', 'pursuit'] as const;
export type FieldEntity = (typeof FIELD_ENTITIES)[number];

const FieldKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower-case letters, digits or _, starting with a letter (≤ 40)');

export const FieldDefinition = z.object({
  entity: z.enum(FIELD_ENTITIES),
  key: FieldKey,
  label: z.string(),
  type: z.enum(FIELD_TYPES),
  options: z.array(z.string()).optional(),
  help: z.string().optional(),
  retired: z.boolean().optional(),
});
export type FieldDefinition = z.output<typeof FieldDefinition>;

export const SetCustomField = z.strictObject({
  entity: z.enum(FIELD_ENTITIES),
  key: FieldKey,
  label: text(100),
  type: z.enum(FIELD_TYPES).describe('money: {amount, currency?}; date: YYYY-MM-DD; member: id or e-mail.'),
  options: z.array(text(100)).min(1).max(50).optional().describe('enum only.'),
  help: text(500).optional(),
  retired: z.boolean().default(false).describe('true: no longer accepted on writes.'),
});

export const GetFieldSchema = z.strictObject({ entity: z.enum(FIELD_ENTITIES).optional() });

export const FieldSchemaView = z.object({ fields: z.array(FieldDefinition) });

const Settings = z.looseObject({ customFields: z.array(FieldDefinition).optional() });

/** The org's field definitions (retired ones included), in the order they were first defined. */
export async function fieldDefinitions(db: Reader, orgId: string): Promise<FieldDefinition[]> {
  const parsed = Settings.safeParse((await orgSettings(db, orgId)).settings);
  return parsed.success ? (parsed.data.customFields ?? []) : [];
}

const Money = z.strictObject({
  amount: z.number().finite().min(-1e15).max(1e15),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .optional(),
});

function expectation(def: FieldDefinition): string {
  switch (def.type) {
    case 'text':
      return 'text of at most 2,000 characters';
    case 'number':
      return 'a finite number';
    case 'money':
      return 'money as {amount: number, currency?: "USD"}';
    case 'date':
      return 'an ISO date YYYY-MM-DD';
    case 'enum':
      return `one of ${(def.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'member':
      return "a member's id or e-mail";
  }
}

function validDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Checks `fields` for a write on `entity` against the org's definitions and answers them as
 * stored (members resolved to ids). `null` clears a field. Refuses with VALIDATION naming
 * `fields.<key>` and what it expects.
 */
export async function checkFields(
  unit: Unit,
  entity: FieldEntity,
  fields: JsonObject | undefined,
): Promise<JsonObject | undefined> {
  if (fields === undefined) return undefined;
  const defs = (await fieldDefinitions(unit.db, unit.orgId)).filter((def) => def.entity === entity);
  if (defs.length === 0) return fields;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const field = `fields.${key}`;
    const def = defs.find((d) => d.key === key && !d.retired);
    if (!def) {
      const known = defs.filter((d) => !d.retired).map((d) => d.key);
      refuse(
        validation(field, `${field}: is not a ${entity} field of this organization (${known.join(', ')})`, {
          nextStep: 'Read get_field_schema and use one of its keys.',
        }),
      );
    }
    if (value === null) {
      out[key] = null;
      continue;
    }
    const wrong = () =>
      refuse(
        validation(field, `${field}: expected ${expectation(def)}`, {
          nextStep: `Correct ${field} and call again.`,
        }),
      );
    switch (def.type) {
      case 'text':
        if (typeof value !== 'string' || value.length > 2000) wrong();
        out[key] = value;
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) wrong();
        out[key] = value;
        break;
      case 'money':
        if (!Money.safeParse(value).success) wrong();
        out[key] = value;
        break;
      case 'date':
        if (typeof value !== 'string' || !validDate(value)) wrong();
        out[key] = value;
        break;
      case 'enum':
        if (typeof value !== 'string' || !(def.options ?? []).includes(value)) wrong();
        out[key] = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') wrong();
        out[key] = value;
        break;
      case 'member':
        if (typeof value !== 'string' || value.length > 320) wrong();
        out[key] = await resolveMember(unit.db, unit.actor, value as string, field);
        break;
    }
  }
  return out as JsonObject;
}

/**
 * A promoted candidate's fields as the new pursuit keeps them: all of them while pursuits have no
 * definitions, else those defined for pursuits with the same key and type.
 */
export async function carryFields(unit: Unit, fields: JsonObject): Promise<JsonObject> {
  const defs = await fieldDefinitions(unit.db, unit.orgId);
  const pursuitDefs = defs.filter((d) => d.entity === 'pursuit' && !d.retired);
  if (pursuitDefs.length === 0) return fields;
  const typeOf = (entity: FieldEntity, key: string) =>
    defs.find((d) => d.entity === entity && d.key === key)?.type;
  return Object.fromEntries(
    Object.entries(fields).filter(([key]) => {
      const type = typeOf('pursuit', key);
      return (
        type !== undefined && pursuitDefs.some((d) => d.key === key) && typeOf('candidate', key) === type
      );
    }),
  ) as JsonObject;
}

export const getFieldSchema = query({
  input: GetFieldSchema,
  output: FieldSchemaView,
  run: async (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      const defs = await fieldDefinitions(unit.db, unit.orgId);
      return { fields: defs.filter((d) => input.entity === undefined || d.entity === input.entity) };
    }),
});

export const setCustomField = change({
  input: SetCustomField,
  output: FieldSchemaView,
  run: async (deps, actor, input) => {
    await run(deps, actor, async (unit) => {
      await requireAdmin(unit, 'changing custom fields');
      if (input.type === 'enum' && !input.options)
        refuse(validation('options', 'options: an enum field needs its options'));
      if (input.type !== 'enum' && input.options)
        refuse(validation('options', 'options: only an enum field has options; remove them'));
      const read = await orgSettings(unit.db, unit.orgId);
      const defs = await fieldDefinitions(unit.db, unit.orgId);
      const before = defs.find((d) => d.entity === input.entity && d.key === input.key);
      if (before && before.type !== input.type)
        refuse(
          validation(
            'type',
            `type: ${input.entity} field ${input.key} is ${before.type}; a type cannot change`,
            {
              nextStep: 'Retire this field and define one with a new key.',
            },
          ),
        );
      const next: FieldDefinition = {
        entity: input.entity,
        key: input.key,
        label: input.label,
        type: input.type,
        ...(input.options ? { options: input.options } : {}),
        ...(input.help ? { help: input.help } : {}),
        ...(input.retired ? { retired: true } : {}),
      };
      if (before && JSON.stringify(before) === JSON.stringify(next)) return;
      const customFields = before ? defs.map((d) => (d === before ? next : d)) : [...defs, next];
      await unit.setOrgSetting(read, 'customFields', customFields);
      await configEvent(unit, input.retired ? 'custom_field_retired' : 'custom_field_set', {
        before: (before ?? null) as JsonObject | null,
        after: next,
      } as JsonObject);
    });
    return execute(getFieldSchema, deps, actor, { entity: input.entity });
  },
});
