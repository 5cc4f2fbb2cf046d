/**
 * Smaller JSON Schemas, meaning the same: every tool's schemas are sent in every conversation, so
 * the bytes zod spends on what a model or a validator does not need are removed once, here, when
 * a schema is converted (src/tools/define.ts). Each rule keeps the set of accepted values as it
 * is, except where noted:
 * - no `$schema` (MCP tool schemas are JSON Schema 2020-12 by default);
 * - no ±2^53−1 bounds zod adds to every integer (JSON numbers beyond them lose precision anyway);
 * - no `pattern` beside `format: "date-time"`, so a date-time no longer carries zod's 300-character
 *   regular expression; the format says the same to a model, and the command's own schema still
 *   checks every argument it is given;
 * - no `minLength: 1` (no argument is meant to be empty; an empty one is refused by name), and
 *   no `maxLength` of 200 or more on a string: those limits stop hostile input (a megabyte
 *   title), no argument a model means to send comes near them, and a call beyond one is
 *   answered with VALIDATION naming the field and the limit. Shorter limits stay published;
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
 *   names cost a fifth of the output schemas and tell a model nothing more. Looser, still true.
 */
type Json = Record<string, unknown>;

const SAFE = Number.MAX_SAFE_INTEGER;
/** String limits at or above this are for hostile input only (see above). */
const GENEROUS = 200;
/** An id's whole pattern: its kind's prefix, then 26 characters of Crockford base 32 (src/domain/ids.ts). */
const ID_PATTERN = /^\^([a-z]+_)\[0-9A-HJKMNP-TV-Z\]\{26\}\$$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

export function compactSchema(schema: unknown, io: 'input' | 'output', root = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => compactSchema(item, io, false));
  if (!isObject(schema)) return schema;
  const nullable = nullableOf(schema);
  const source = nullable ?? schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (root && key === '$schema') continue;
    if ((key === 'minimum' && value === -SAFE) || (key === 'maximum' && value === SAFE)) continue;
    if (key === 'pattern' && source.format === 'date-time') continue;
    if (key === 'additionalProperties' && (isEmpty(value) || (io === 'output' && value === false))) continue;
    if (key === 'required' && io === 'output') continue;
    if (key === 'maxLength' && typeof value === 'number' && value >= GENEROUS) continue;
    if (key === 'minLength' && value === 1) continue;
    if (key === 'type' && Array.isArray(source.enum)) continue;
    if (key === 'maximum' && typeof value === 'number' && value >= 1e12) continue;
    if (key === 'pattern' && typeof value === 'string') {
      out[key] = value.replace(ID_PATTERN, '^$1');
      continue;
    }
    if (
      key === 'propertyNames' &&
      isObject(value) &&
      value.type === 'string' &&
      Object.keys(value).length === 1
    )
      continue;
    // Property names are data, not schemas: copy the map, compacting each property's schema.
    if ((key === 'properties' || key === '$defs') && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, compactSchema(property, io, false)]),
      );
      continue;
    }
    out[key] =
      key === 'enum' || key === 'required' || key === 'const' ? value : compactSchema(value, io, false);
  }
  return out;
}
