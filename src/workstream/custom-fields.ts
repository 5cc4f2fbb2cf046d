/**
 * Typed custom fields: an org's definitions per entity (candidate | pursuit), kept in the org's
 * settings (`customFields`, a short list read with the org, no join on the hot paths), changed by
 * admins, each change an `org` history event. Once an org defines a field for an entity, every
 * write of that entity's `fields` is checked against the definitions: unknown key, wrong type,
 * option not listed, member not in the org → VALIDATION naming `fields.<key>`. An entity with no
 * definitions keeps free-form fields. A field may be required from a state on (`requiredFrom`):
 * moves into that state or a later one need it (the `required_fields` gate) and updates may not
 * clear it. Lists filter by one field (`key=value`, typed by its definition). docs/fields.md.
 */
import { z } from 'zod';
import {
  type ActionTable,
  CANDIDATE_ACTIONS_TABLE,
  isClosed,
  PURSUIT_ACTIONS_TABLE,
} from '../domain/actions.js';
import { must, validation } from '../domain/errors.js';
import { listStates, statesFrom } from '../domain/machine.js';
import { checkRequiredFields, fieldsRequiredIn, isBlank } from '../domain/process.js';
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

/** Each entity's action table (and through it its machine), which says what "from a state on" is. */
const TABLES: Readonly<Record<FieldEntity, ActionTable<string>>> = {
  candidate: CANDIDATE_ACTIONS_TABLE,
  pursuit: PURSUIT_ACTIONS_TABLE,
};

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
  requiredFrom: z.string().optional(),
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
  // A state of the entity's machine, checked by the command (its refusal lists them).
  requiredFrom: text(40).optional().describe('A state of the entity: moves into it or later need the field.'),
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
      if (input.requiredFrom !== undefined) requirableState(input.entity, input.requiredFrom);
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
        ...(input.requiredFrom ? { requiredFrom: input.requiredFrom } : {}),
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

/** ok when `state` is a state of `entity` later than where its records start; else VALIDATION naming requiredFrom. */
function requirableState(entity: FieldEntity, state: string): void {
  const machine = TABLES[entity].machine;
  const later = machine.states.filter((s) => s !== machine.initial);
  if (!(machine.states as readonly string[]).includes(state))
    refuse(
      validation(
        'requiredFrom',
        `requiredFrom: \`${state}\` is not a ${entity} state (${listStates(later)})`,
        {
          nextStep: `Call set_custom_field again with requiredFrom one of the ${entity} states, or without it.`,
        },
      ),
    );
  if (state === machine.initial)
    refuse(
      validation(
        'requiredFrom',
        `requiredFrom: every ${entity} starts \`${state}\`, so the field would be required on create; choose a later state (${listStates(later)})`,
        { nextStep: 'Call set_custom_field again with a later state, or without requiredFrom.' },
      ),
    );
}

/** The fields (`fields.<key>`) a record of `entity` in `state` must have, by the definitions' requiredFrom. */
export async function requiredFieldsIn(
  db: Reader,
  orgId: string,
  entity: FieldEntity,
  state: string,
): Promise<string[]> {
  const machine = TABLES[entity].machine;
  if (!(machine.states as readonly string[]).includes(state)) return [];
  const defs = (await fieldDefinitions(db, orgId)).filter(
    (d) => d.entity === entity && d.requiredFrom !== undefined && machine.states.includes(d.requiredFrom),
  );
  return fieldsRequiredIn(machine, defs, state);
}

/** A record as the requiredFrom checks read it. */
interface FieldsRow {
  readonly id: string;
  readonly state: string;
  readonly fields_json: JsonObject;
}

/**
 * The fields a move of `row` into `to` needs by requiredFrom. A move out of a closed state (a
 * disqualified candidate reopened) needs none: a closed record takes no field changes, so it
 * could not have been given them; its next move asks for them.
 */
export async function fieldsForMove(
  unit: Unit,
  entity: FieldEntity,
  row: FieldsRow,
  to: string,
): Promise<string[]> {
  if (to === row.state || isClosed(TABLES[entity], row.state)) return [];
  return requiredFieldsIn(unit.db, unit.orgId, entity, to);
}

/** The arguments of a call and, as `fields.<key>`, the record's fields: what required fields are looked up in. */
export function givenFields(
  row: FieldsRow,
  args: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const given: Record<string, unknown> = { ...args };
  for (const [key, value] of Object.entries(row.fields_json ?? {})) given[`fields.${key}`] = value;
  return given;
}

/**
 * Refuses the move of `row` into `to` by `tool` while a field required from `to` (or a state
 * before it) is missing: GUARD_FAILED, gate `required_fields`, naming every missing field.
 */
export async function requireFieldsForMove(
  unit: Unit,
  entity: FieldEntity,
  row: FieldsRow,
  to: string,
  tool: string,
): Promise<void> {
  const required = await fieldsForMove(unit, entity, row, to);
  if (required.length === 0) return;
  must(checkRequiredFields(tool, required, givenFields(row), { entity, id: row.id }));
}

/**
 * Refuses an update that would clear a field the record's state requires (it is in or after the
 * field's requiredFrom state): VALIDATION naming `fields.<key>`.
 */
export async function keepRequiredFields(
  unit: Unit,
  entity: FieldEntity,
  row: FieldsRow,
  fields: JsonObject | undefined,
): Promise<void> {
  if (fields === undefined) return;
  const cleared = Object.entries(fields).filter(([, value]) => isBlank(value));
  if (cleared.length === 0) return;
  const required = await requiredFieldsIn(unit.db, unit.orgId, entity, row.state);
  const [key] = cleared.find(([k]) => required.includes(`fields.${k}`)) ?? [];
  if (key === undefined) return;
  const field = `fields.${key}`;
  const def = (await fieldDefinitions(unit.db, unit.orgId)).find((d) => d.entity === entity && d.key === key);
  const from = def?.requiredFrom ?? row.state;
  const later = statesFrom(TABLES[entity].machine, from);
  refuse(
    validation(
      field,
      `${field}: required from \`${from}\` on (${listStates(later)}), and ${entity} ${row.id} is \`${row.state}\`; it cannot be cleared`,
      { nextStep: `Give ${field} a new value instead of clearing it, or leave it out.` },
    ),
  );
}

/** A list filter's custom field and the value it must equal, typed by the field's definition. */
export interface FieldFilter {
  readonly key: string;
  readonly value: string | number | boolean;
}

/** Types a list can filter on by equality (money is an object: not one value to compare). */
const FILTERABLE = ['text', 'enum', 'number', 'boolean', 'member', 'date'] as const;

/**
 * `key=value` for list_candidates / list_pursuits, checked against the org's definitions of
 * `entity` (retired fields too: their values stay and can be found) and typed by them. Anything
 * else is VALIDATION naming `field` and what it expects.
 */
export async function parseFieldFilter(unit: Unit, entity: FieldEntity, raw: string): Promise<FieldFilter> {
  const wrong = (message: string, nextStep = 'Correct field and call again, or leave it out.'): never =>
    refuse(validation('field', `field: ${message}`, { nextStep }));
  const at = raw.indexOf('=');
  if (at < 0) wrong('must be key=value, e.g. region=EMEA');
  const key = raw.slice(0, at).trim();
  const text = raw.slice(at + 1);
  const defs = (await fieldDefinitions(unit.db, unit.orgId)).filter((d) => d.entity === entity);
  const def = defs.find((d) => d.key === key);
  if (!def)
    wrong(
      `\`${key.slice(0, 40)}\` is not a ${entity} field of this organization (${defs.map((d) => d.key).join(', ') || 'none defined'})`,
      'Read get_field_schema and use one of its keys.',
    );
  const found = def as FieldDefinition;
  const notFiltered = () =>
    wrong(`${key} is a ${found.type} field; lists filter on ${FILTERABLE.join(', ')} fields`);
  if (!(FILTERABLE as readonly string[]).includes(found.type)) notFiltered();
  if (text.trim() === '') wrong(`give the value after ${key}=`);
  const expected = () => wrong(`${key} expects ${expectation(found)}`);
  switch (found.type) {
    case 'text':
      if (text.length > 2000) expected();
      return { key, value: text };
    case 'enum':
      if (!(found.options ?? []).includes(text)) expected();
      return { key, value: text };
    case 'date':
      if (!validDate(text)) expected();
      return { key, value: text };
    case 'number': {
      const value = Number(text);
      if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim()) || !Number.isFinite(value)) expected();
      return { key, value };
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') expected();
      return { key, value: text === 'true' };
    case 'member':
      if (text.length > 320) expected();
      return { key, value: await resolveMember(unit.db, unit.actor, text, 'field') };
    case 'money':
      return notFiltered();
  }
}
