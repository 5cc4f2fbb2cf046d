/**
 * fast-check arbitraries built from a tool's published input JSON Schema (as tools/list gives it),
 * and hostile values to put in their place: wrong types, huge, deep, NUL, lone surrogates, SQL
 * text, URLs pointing inside. Reads only the JSON Schema, so it follows whatever tools the server
 * publishes.
 */
import fc from 'fast-check';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
};

/** Ids the seeded org holds, by prefix (`cand`, `pur`, …), so generated ids sometimes exist. */
export type KnownIds = Readonly<Record<string, readonly string[]>>;

function nested(levels: number, leaf: unknown, array: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i += 1) value = array ? [value] : { a: value };
  return value;
}

/** Values any field may receive from a careless or hostile caller. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -1e308,
    1e308,
    2 ** 53 + 2,
    '',
    ' ',
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udc00y',
    '\udfff\ud800',
    "'; drop table candidates; --",
    "' OR '1'='1",
    'Robert"); DELETE FROM signals; --',
    '%00%27',
    '\u202e\u0000',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the hostile text itself.
    '${jndi:ldap://127.0.0.1/a}',
    'http://127.0.0.1:1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/x',
    'file:///etc/passwd',
    '../../../../etc/passwd',
    'cand_00000000000000000000000000',
    '9999-12-31T23:59:59.999Z',
    '0000-01-01T00:00:00Z',
    [],
    {},
    [null],
    { $where: '1' },
  ),
  fc.constant('x'.repeat(100_000)),
  fc.constant('€'.repeat(50_000)),
  // Deeper than 3,000 levels JSON.stringify overflows in the client before anything is sent.
  fc.constant(nested(3_000, 1, false)),
  fc.constant(nested(3_000, 'deep', true)),
  fc.constant(nested(40, '\u0000', false)),
  fc.constant(Array.from({ length: 50_000 }, (_, i) => i)),
  fc.constant(Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`k${i}`, i]))),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref?.startsWith('#/$defs/')) return root.$defs?.[schema.$ref.slice('#/$defs/'.length)] ?? {};
  return schema;
}

/** A value shaped by the schema (usually valid, sometimes at its edges). */
export function fromSchema(
  schema: JsonSchema,
  known: KnownIds,
  root: JsonSchema = schema,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((branch) => fromSchema(branch, known, root)));
  if (s.allOf?.[0]) return fromSchema(s.allOf[0], known, root);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => fromSchema({ ...s, type }, known, root)));
  switch (types[0]) {
    case 'string':
      return stringFor(s, known);
    case 'integer':
      return fc.integer({
        min: Math.ceil(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000)),
        max: Math.floor(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000)),
      });
    case 'number':
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
        max: s.maximum ?? s.exclusiveMaximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? fromSchema(s.items, known, root) : fc.jsonValue(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, Math.max(4, s.minItems ?? 0)),
      });
    case 'object':
      return objectFor(s, known, root);
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function stringFor(s: JsonSchema, known: KnownIds): fc.Arbitrary<string> {
  if (s.format === 'date-time') {
    return fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  }
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'uri') return fc.webUrl();
  const prefix = s.pattern ? /^\^([a-z]+)_/.exec(s.pattern)?.[1] : undefined;
  if (prefix) {
    const ids = known[prefix] ?? [];
    const fresh = fc.stringMatching(new RegExp(s.pattern ?? '')).map((id) => id.slice(0, 100));
    return ids.length > 0 ? fc.oneof(fc.constantFrom(...ids), fresh) : fresh;
  }
  if (s.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(s.pattern, 'u'))
        .filter((text) => text.length <= (s.maxLength ?? 200) && text.length >= (s.minLength ?? 0));
    } catch {
      // A pattern fast-check cannot invert: plain strings, mostly refused, which is fine.
    }
  }
  const maxLength = Math.min(s.maxLength ?? 40, 40);
  return fc.string({ minLength: Math.min(s.minLength ?? 0, maxLength), maxLength });
}

function objectFor(s: JsonSchema, known: KnownIds, root: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = s.properties ?? {};
  if (Object.keys(properties).length === 0) {
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 5,
    });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = fromSchema(property, known, root);
  return fc.record(model, { requiredKeys: (s.required ?? []).filter((name) => name in properties) });
}

/**
 * Arguments for one tool: a schema-shaped value, or one with a field replaced by (or added as) a
 * hostile value, or a whole argument of hostile fields.
 */
export function argumentsFor(schema: JsonSchema, known: KnownIds): fc.Arbitrary<Record<string, unknown>> {
  const shaped = objectFor(schema, known, schema);
  const names = Object.keys(schema.properties ?? {});
  const field =
    names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.constant('unexpected')) : fc.constant('x');
  const spoiled = fc.tuple(shaped, field, hostile).map(([args, name, value]) => ({ ...args, [name]: value }));
  const allHostile = fc.dictionary(field, hostile, { minKeys: 1, maxKeys: 3 });
  // Text no database stores alike, slipped into an otherwise well-formed string field.
  const stringFields = names.filter((name) => accepts(schema.properties?.[name], 'string'));
  const poisoned =
    stringFields.length === 0
      ? spoiled
      : fc
          .tuple(shaped, fc.constantFrom(...stringFields), fc.constantFrom('\u0000', '\ud800', '\udc00'))
          .map(([args, name, poison]) => ({
            ...args,
            [name]: `${String(args[name] ?? 'x').slice(0, 20)}${poison}`,
          }));
  return fc.oneof(
    { arbitrary: shaped, weight: 2 },
    { arbitrary: spoiled, weight: 3 },
    { arbitrary: poisoned, weight: 2 },
    { arbitrary: allHostile, weight: 1 },
  );
}

/** True when the (possibly anyOf) schema takes values of this JSON type. */
function accepts(schema: JsonSchema | undefined, type: string): boolean {
  if (schema === undefined) return false;
  if (schema.anyOf || schema.oneOf)
    return (schema.anyOf ?? schema.oneOf ?? []).some((branch) => accepts(branch, type));
  return Array.isArray(schema.type) ? schema.type.includes(type) : schema.type === type;
}
