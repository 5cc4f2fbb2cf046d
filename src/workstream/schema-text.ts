/**
 * Building blocks for input schemas: text every database stores alike, and free-form JSON with
 * bounded depth, size and bytes. PostgreSQL refuses a NUL byte in text and in JSON, and a lone
 * UTF-16 surrogate cannot be encoded as UTF-8 at all; SQLite would store both. So such text is
 * refused before it reaches any database, as VALIDATION naming the field, on every dialect alike.
 *
 * `inspectArgument` applies the text rule and an outer bound to a whole tool argument before the
 * schema parses it (so no string field, filter or key can slip past, and a hostile argument costs
 * a bounded walk rather than a deep recursion); `SafeText` and `boundedJson` carry the same rules
 * into the schemas of individual fields.
 */
import { z } from 'zod';

/** Free-form JSON arguments (a signal's payload, custom fields): nesting, members and bytes. */
export const JSON_LIMITS = {
  /** Levels of objects and arrays, the outer object being level 1. */
  depth: 10,
  /** Object members and array elements, counted over every level. */
  members: 1_000,
  /** The argument written as JSON (UTF-8). */
  bytes: 32_768,
} as const;

/** Bounds of a whole tool argument, whatever its schema: far above any valid call, far below harm. */
export const ARGUMENT_LIMITS = { depth: 32, values: 20_000 } as const;

export interface TextIssue {
  /** Dotted path of the offending value, as VALIDATION names fields (`payload.notes.2`). */
  readonly field: string;
  readonly message: string;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored alike on every database, or undefined when it can. */
export function unsafeText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates (such as \\ud800 alone)';
  return undefined;
}

/** A string any dialect stores as given. Compose: `SafeText.max(200)` keeps the check. */
export const SafeText = z.string().check((ctx) => {
  const reason = unsafeText(ctx.value);
  if (reason !== undefined) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
});

const pathOf = (path: readonly (string | number)[]) => path.map(String).join('.') || '(input)';

/**
 * The first reason a whole tool argument is refused before parsing: a string or key that is not
 * safe text, nesting deeper than ARGUMENT_LIMITS.depth, or more than ARGUMENT_LIMITS.values values.
 * Walks iteratively, so a 5,000-deep argument costs 32 steps, and stops at the first finding.
 */
export function inspectArgument(argument: unknown): TextIssue | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: argument, path: [] }];
  let values = 1;
  const tooMany = (path: readonly (string | number)[]): TextIssue => ({
    field: pathOf(path.slice(0, 1)),
    message: `holds more than ${ARGUMENT_LIMITS.values.toLocaleString('en-US')} values in all`,
  });
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      const reason = unsafeText(value);
      if (reason !== undefined) return { field: pathOf(path), message: reason };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= ARGUMENT_LIMITS.depth) {
      return {
        field: pathOf(path.slice(0, 1)),
        message: `nests deeper than ${ARGUMENT_LIMITS.depth} levels`,
      };
    }
    if (Array.isArray(value)) {
      values += value.length;
      if (values > ARGUMENT_LIMITS.values) return tooMany(path);
      for (let index = value.length - 1; index >= 0; index -= 1) {
        stack.push({ value: value[index], path: [...path, index] });
      }
      continue;
    }
    const keys = Object.keys(value);
    values += keys.length;
    // Counted before any child is visited, so a 300,000-key object costs one pass over its keys.
    if (values > ARGUMENT_LIMITS.values) return tooMany(path.length === 0 ? keys.slice(0, 1) : path);
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index] ?? '';
      const reason = unsafeText(key);
      if (reason !== undefined) return { field: pathOf([...path, key]), message: `key ${reason}` };
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}

/** How a JSON value exceeds `limits`, or undefined; iterative, and stops at the first excess. */
export function jsonExcess(value: unknown, limits: typeof JSON_LIMITS = JSON_LIMITS): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let members = -1;
  let textLength = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    members += 1;
    if (members > limits.members)
      return `must hold at most ${limits.members.toLocaleString('en-US')} members and elements in all`;
    if (typeof item.value === 'string') {
      textLength += item.value.length;
      // Every UTF-16 unit takes at least one byte: stop before writing a huge text out.
      if (textLength > limits.bytes)
        return `must be at most ${limits.bytes.toLocaleString('en-US')} bytes as JSON`;
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth + 1 > limits.depth) return `must nest at most ${limits.depth} levels deep`;
    if (Array.isArray(item.value)) {
      for (const element of item.value) stack.push({ value: element, depth: item.depth + 1 });
      continue;
    }
    for (const [key, member] of Object.entries(item.value)) {
      textLength += key.length;
      stack.push({ value: member, depth: item.depth + 1 });
    }
  }
  // Within these bounds writing it out is cheap and gives the exact size.
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > limits.bytes) return `must be at most ${limits.bytes.toLocaleString('en-US')} bytes as JSON`;
  return undefined;
}

/**
 * A free-form JSON object within JSON_LIMITS (or tighter ones): keys up to 100 characters,
 * values any JSON. Refused with a message naming the limit it passed.
 */
export function boundedJson(limits: typeof JSON_LIMITS = JSON_LIMITS) {
  return z.record(z.string().max(100), z.unknown()).check((ctx) => {
    const excess = jsonExcess(ctx.value, limits);
    if (excess !== undefined) ctx.issues.push({ code: 'custom', message: excess, input: ctx.value });
  });
}
