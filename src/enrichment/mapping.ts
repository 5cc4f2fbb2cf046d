/**
 * From a candidate to a tool's arguments, and from the tool's result to enrichment fields, as
 * the provider's configuration says. Pure functions: no I/O, no MCP connection.
 */
import {
  type CandidateVariable,
  FIELD_NAMES,
  type FieldName,
  isFieldName,
  isVariable,
  type ResultMappingConfig,
} from './config.js';
import { fillTemplate, isTemplate, parsePath, placeholders, soleVariable, valueAt } from './paths.js';

/** The candidate as arguments see it; null where the candidate has no such value. */
export type CandidateFacts = Readonly<Record<CandidateVariable, string | null>>;

/** What a provider found, normalised: text fields are trimmed text, lists are arrays. */
export interface EnrichmentFields {
  industry?: string;
  size?: string | number;
  location?: string;
  description?: string;
  links?: unknown[];
  contacts?: unknown[];
  custom?: Record<string, unknown>;
}

/** The parts of a CallToolResult the mapping reads. */
export interface ToolAnswer {
  readonly content?: readonly { readonly type: string; readonly text?: unknown }[];
  readonly structuredContent?: unknown;
}

export type Mapped =
  | { readonly ok: true; readonly fields: EnrichmentFields }
  | { readonly ok: false; readonly error: string };

const OMIT = Symbol('omit');

const factOf = (facts: CandidateFacts, name: string) => (isVariable(name) ? facts[name] : undefined);

function fill(value: unknown, facts: CandidateFacts): unknown {
  if (typeof value === 'string') {
    const sole = soleVariable(value);
    // A whole-string variable keeps its absence: the argument is left out, not sent as "".
    if (sole !== undefined && isVariable(sole)) return facts[sole] ?? OMIT;
    return isTemplate(value) ? fillTemplate(value, (name) => factOf(facts, name)) : value;
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, facts)).filter((item) => item !== OMIT);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const filled = fill(item, facts);
      if (filled !== OMIT) out[key] = filled;
    }
    return out;
  }
  return value;
}

/**
 * The tool's arguments: the configured JSON with each `{{variable}}` filled in. An argument that
 * is exactly one variable the candidate lacks is left out (so `{{accountDomain}}` for a
 * candidate without a domain sends no `domain`).
 */
export function buildArguments(
  template: Readonly<Record<string, unknown>>,
  facts: CandidateFacts,
): Record<string, unknown> {
  const filled = fill(template, facts);
  return typeof filled === 'object' && filled !== null && !Array.isArray(filled) ? { ...filled } : {};
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The answer the fields are read from, or why there is none. */
function answerOf(
  from: ResultMappingConfig['from'],
  result: ToolAnswer,
): { root: unknown } | { error: string } {
  if (from === 'structuredContent') {
    if (result.structuredContent === undefined || result.structuredContent === null)
      return {
        error:
          "the result has no structuredContent (if the tool answers JSON as text, use from: 'json-text')",
      };
    return { root: result.structuredContent };
  }
  const text = result.content?.find((block) => block.type === 'text' && typeof block.text === 'string')?.text;
  if (typeof text !== 'string') return { error: 'the result has no text content to read JSON from' };
  try {
    return { root: JSON.parse(text) };
  } catch {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return { error: `its text is not JSON: ${JSON.stringify(preview)}` };
  }
}

/** The raw value a field's source points at; undefined when absent. */
function read(root: unknown, source: string): unknown {
  if (!isTemplate(source)) {
    const value = valueAt(root, parsePath(source));
    return value === null ? undefined : value;
  }
  const values = placeholders(source).map((path) => valueAt(root, parsePath(path)));
  if (values.every((value) => value === undefined || value === null || value === '')) return undefined;
  // Parts that are missing leave no dangling separator: "{{city}}, {{country}}" → "Germany".
  return fillTemplate(source, (path) => valueAt(root, parsePath(path)))
    .replace(/^[\s,;/|-]+|[\s,;/|-]+$/g, '')
    .replace(/([,;/|])(\s*[,;/|])+/g, '$1');
}

type Shaped = { value: unknown } | { error: string } | undefined;

/** Shapes one field's raw value; undefined when absent. */
function shape(name: FieldName, raw: unknown): Shaped {
  if (raw === undefined) return undefined;
  switch (name) {
    case 'industry':
    case 'location':
    case 'description':
    case 'size': {
      if (name === 'size' && typeof raw === 'number') return { value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
      if (typeof raw !== 'string') return { error: `is ${kindOf(raw)}, expected text` };
      const text = raw.trim();
      return text ? { value: text } : undefined;
    }
    case 'links': {
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list)) return { error: `is ${kindOf(raw)}, expected a URL or a list` };
      const bad = list.find(
        (item) => typeof item !== 'string' && (typeof item !== 'object' || item === null),
      );
      if (bad !== undefined) return { error: `holds ${kindOf(bad)}, expected URLs or objects` };
      return list.length > 0 ? { value: list } : undefined;
    }
    case 'contacts': {
      const list = Array.isArray(raw)
        ? raw
        : typeof raw === 'object' || typeof raw === 'string'
          ? [raw]
          : null;
      if (!list) return { error: `is ${kindOf(raw)}, expected a contact or a list of contacts` };
      return list.length > 0 ? { value: list } : undefined;
    }
  }
}

/** Maps a tool's (non-error) result into enrichment fields, or says why it does not match. */
export function mapResult(mapping: ResultMappingConfig, result: ToolAnswer): Mapped {
  const answer = answerOf(mapping.from, result);
  if ('error' in answer) return { ok: false, error: answer.error };
  const fields: EnrichmentFields = {};
  const present = new Set<string>();
  const { custom } = mapping.fields;
  for (const name of FIELD_NAMES) {
    const source = mapping.fields[name];
    if (source === undefined) continue;
    const shaped = shape(name, read(answer.root, source));
    if (shaped === undefined) continue;
    if ('error' in shaped) return { ok: false, error: `field ${name} at path ${source} ${shaped.error}` };
    Object.assign(fields, { [name]: shaped.value });
    present.add(name);
  }
  for (const [name, source] of Object.entries(custom)) {
    const value = read(answer.root, source);
    if (value === undefined) continue;
    fields.custom = { ...fields.custom, [name]: value };
    present.add(`custom.${name}`);
  }
  for (const name of mapping.required) {
    if (present.has(name)) continue;
    const source = isFieldName(name) ? mapping.fields[name] : custom[name.slice('custom.'.length)];
    return { ok: false, error: `required field ${name} missing at path ${source ?? '?'}` };
  }
  return { ok: true, fields };
}
