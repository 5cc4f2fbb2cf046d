/**
 * Smaller JSON Schemas, meaning the same: every tool's schemas are sent in every conversation, so
 * the bytes zod spends on what a model or a validator does not need are removed once, here, when
 * a schema is converted (src/tools/define.ts). Each rule keeps the set of accepted values as it
 * is, except where noted:
 * - no `$schema` (MCP tool schemas are JSON Schema 2020-12 by default);
 * - no ±2^53−1 bounds zod adds to every integer (JSON numbers beyond them lose precision anyway);
 * - no `pattern` or `format: "date-time"` on a date-time, so it no longer carries zod's
 *   300-character regular expression: the server's instructions say once that times are ISO-8601
 *   with an offset, and the command's own schema checks every argument it is given (a time it
 *   cannot read is refused by name);
 * - no `minLength: 1` (no argument is meant to be empty; an empty one is refused by name), and
 *   no `maxLength` of 60 or more on a string: those limits stop hostile input (a megabyte
 *   title, a 61-character tag), no argument a model means to send comes near them, and a call
 *   beyond one is answered with VALIDATION naming the field and the limit. Shorter limits
 *   (a checklist key's 40) stay published;
 * - no `pattern` of Unicode classes (a tag's `^[\p{L}\p{N}][\p{L}\p{N} _:./-]*$`): it refuses
 *   control characters and the like, which no model means to send, and a refused tag is
 *   answered with the characters a tag may hold;
 * - no `additionalProperties: false` on an argument object: every command's input is strict,
 *   and the server's instructions say once, for every tool, that an argument a tool does not
 *   list is refused as VALIDATION naming it (src/server/mcp.ts); stated on each of 58 tools it
 *   cost 1.7 KB of every conversation. Looser, still true: a call the schema would have refused
 *   is refused by the server, by name;
 * - no id pattern on `signalId`, `candidateId` or `pursuitId`: the name says the kind, and the
 *   server's instructions say each kind's prefix (other ids keep theirs: `id: ^(cand|pur)_`);
 * - no `default` of false, [] or {}: leaving the argument out says none already;
 * - a list's `limit` as an integer: the instructions say once that lists answer 25 by default,
 *   up to 100 (a limit beyond is refused by name and bound);
 * - no `maxItems` of 20 or more (a list of 30 tags, 400 holidays): hostile input again, refused by
 *   name and limit;
 * - `anyOf: [X, {type: "null"}]` becomes X with `"null"` added to its type (and to its enum);
 * - no `maximum` of 10^12 or more on a number (hostile input again), and an id's pattern
 *   published as its prefix (`^pur_`): the prefix says which kind of id a field takes, a model
 *   sends the ids it was given, and the command's schema checks the 26 characters. Looser, still
 *   true;
 * - no `type` beside an `enum`, which lists the values themselves;
 * - no `additionalProperties: {}` or `propertyNames: {type: "string"}` (both allow anything);
 * - in output schemas, no `additionalProperties: false` (an answer may gain a field without
 *   breaking a client that checks it) and no `required`: every answer carries every property its
 *   schema lists (null when empty), which the server checks before it answers; the lists of
 *   names cost a fifth of the output schemas and tell a model nothing more. Looser, still true;
 * - in output schemas, none of the checks an argument is held to (`format`, `pattern`, `default`,
 *   bounds, `propertyNames`: a view that reuses an argument's schema, such as the process rules,
 *   would otherwise repeat them): an answer's schema says its shape (properties, types, null),
 *   which is what a model reads it for and what a client checks. Looser, still true;
 * - in output schemas, an enum as its type (`"state": {"type": "string"}`): the values are listed
 *   where a model chooses one (the list tools' filters, the writes' arguments) and an answer shows
 *   its own; the states of a record repeated in every answer that names one cost a twentieth of
 *   the catalog. Looser, still true;
 * - no `exclusiveMinimum: 0` on an integer (a version): a model sends the version it was given,
 *   and the command refuses anything else by name;
 * - in output schemas, no `type: "object"` beside `properties` and no `type: "array"` beside
 *   `items` below the root (the root keeps its `type: "object"`, which MCP requires): the keyword
 *   says it already, and a nullable one keeps its `["object", "null"]`. Same shape, fewer bytes.
 */
type Json = Record<string, unknown>;

/** Argument checks: said in input schemas, left out of output schemas (see above). */
const CHECKS = new Set([
  'format',
  'pattern',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'propertyNames',
]);

const SAFE = Number.MAX_SAFE_INTEGER;
/** String limits at or above this are for hostile input only (see above). */
const GENEROUS = 60;
/** An id's whole pattern: its kind's prefix, then 26 characters of Crockford base 32 (src/domain/ids.ts). */
const ID_PATTERN = /^\^([a-z]+_|\([a-z|]+\)_)\[0-9A-HJKMNP-TV-Z\]\{26\}\$$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A default that is what leaving the argument out says anyway: false, [] or {}. */
function isNothing(value: unknown): boolean {
  return value === false || (Array.isArray(value) && value.length === 0) || isEmpty(value);
}

function isEmpty(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

/** `anyOf: [X, {type: null}]` as X accepting null too, when X has one plain type. */
function nullableOf(schema: Json): Json | null {
  const options = schema.anyOf;
  if (!Array.isArray(options) || options.length !== 2) return null;
  const [value, nothing] = options as unknown[];
  if (!isObject(value) || !isObject(nothing) || nothing.type !== 'null' || Object.keys(nothing).length !== 1)
    return null;
  if (typeof value.type !== 'string' || 'anyOf' in value || 'const' in value) return null;
  const { anyOf: _, ...outer } = schema;
  const merged: Json = { ...value, ...outer, type: [value.type, 'null'] };
  if (Array.isArray(value.enum)) merged.enum = [...value.enum, null];
  return merged;
}

/** An output enum as the JSON type of its values (with "null" when null is one). */
function enumType(schema: Json): Json {
  const values = schema.enum as unknown[];
  const types = [
    ...new Set(values.map((v) => (v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v))),
  ];
  const { enum: _, ...rest } = schema;
  return { ...rest, type: types.length === 1 ? types[0] : types };
}

/** The id prefix a property's name says: signalId takes sig_…, candidateId cand_…, pursuitId pur_…. */
const NAMED_IDS: Record<string, string> = { signalId: 'sig_', candidateId: 'cand_', pursuitId: 'pur_' };

/** What the server's instructions say of every list's `limit` ("25 by default, up to 100"). */
const LIMIT = { default: 25, type: 'integer', minimum: 1, maximum: 100 };

/**
 * A property whose name and the server's instructions already say what its schema adds: an id
 * whose name says its kind, without the pattern; a list's `limit` as an integer.
 */
function namedId(name: string, property: unknown): unknown {
  if (
    name === 'limit' &&
    isObject(property) &&
    Object.keys(property).length === Object.keys(LIMIT).length &&
    Object.entries(LIMIT).every(([key, value]) => property[key] === value)
  )
    return { type: 'integer' };
  const prefix = NAMED_IDS[name];
  if (!prefix || !isObject(property) || typeof property.pattern !== 'string') return property;
  if (property.pattern.replace(ID_PATTERN, '^$1') !== `^${prefix}`) return property;
  const { pattern: _, ...rest } = property;
  return rest;
}

export function compactSchema(schema: unknown, io: 'input' | 'output', root = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => compactSchema(item, io, false));
  if (!isObject(schema)) return schema;
  const nullable = nullableOf(schema);
  const unlisted = nullable ?? schema;
  const source = io === 'output' && Array.isArray(unlisted.enum) ? enumType(unlisted) : unlisted;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (root && key === '$schema') continue;
    if (io === 'output' && CHECKS.has(key)) continue;
    if ((key === 'minimum' && value === -SAFE) || (key === 'maximum' && value === SAFE)) continue;
    if (key === 'pattern' && source.format === 'date-time') continue;
    if (key === 'format' && value === 'date-time') continue;
    if (key === 'additionalProperties' && (isEmpty(value) || value === false)) continue;
    if (key === 'pattern' && typeof value === 'string' && value.includes('\\p{')) continue;
    if (key === 'required' && io === 'output') continue;
    if (key === 'maxLength' && typeof value === 'number' && value >= GENEROUS) continue;
    if (key === 'maxItems' && typeof value === 'number' && value >= 20) continue;
    if (key === 'default' && isNothing(value)) continue;
    if (key === 'minLength' && value === 1) continue;
    if (key === 'type' && Array.isArray(source.enum)) continue;
    if (
      io === 'output' &&
      !root &&
      key === 'type' &&
      ((value === 'object' && isObject(source.properties)) ||
        (value === 'array' && source.items !== undefined))
    )
      continue;
    if (key === 'maximum' && typeof value === 'number' && value >= 1e12) continue;
    if (key === 'exclusiveMinimum' && value === 0 && source.type === 'integer') continue;
    if (key === 'pattern' && typeof value === 'string') {
      out[key] = value.replace(ID_PATTERN, '^$1');
      continue;
    }
    if (key === 'propertyNames' && isObject(value)) {
      const names = compactSchema(value, io, false);
      if (isObject(names) && names.type === 'string' && Object.keys(names).length === 1) continue;
    }
    // Property names are data, not schemas: copy the map, compacting each property's schema.
    if ((key === 'properties' || key === '$defs') && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [
          name,
          compactSchema(namedId(name, property), io, false),
        ]),
      );
      continue;
    }
    out[key] =
      key === 'enum' || key === 'required' || key === 'const' ? value : compactSchema(value, io, false);
  }
  return out;
}
