/**
 * The two tiny languages of an enrichment configuration:
 * - a path into a provider's result: dot-separated keys with array indexes, `company.hq.city`,
 *   `entities[0].observations[1]`, `[0].name` (a key that is all digits also indexes an array:
 *   `items.0`);
 * - a template: text with `{{…}}` placeholders, each naming a candidate variable (in tool
 *   arguments) or a path (in result fields), `{{hq.city}}, {{hq.country}}`.
 *
 * Hand-written rather than a dependency: jsonpath-plus (a full JSONPath engine) needs Node 22;
 * dot-prop fits the syntax but reads `a..b` as a key named '' without complaint, and a
 * configuration mistake should stop the worker at start with the position, not map nothing.
 */

export type PathSegment = string | number;

export class PathSyntaxError extends Error {
  override readonly name = 'PathSyntaxError';
}

/** Parses `a.b[0].c`; throws PathSyntaxError naming the position of the first mistake. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let at = 0;
  // Annotated so that control flow knows a call never returns.
  const fail: (what: string) => never = (what) => {
    throw new PathSyntaxError(`${what} at position ${at + 1} of path '${path}'`);
  };
  if (path.length === 0) fail('empty path');
  while (at < path.length) {
    const char = path[at];
    if (char === '[') {
      const close = path.indexOf(']', at);
      const digits = close === -1 ? '' : path.slice(at + 1, close);
      if (!/^\d+$/.test(digits)) fail('expected an array index such as [0]');
      segments.push(Number(digits));
      at = close + 1;
      continue;
    }
    if (segments.length > 0) {
      if (char !== '.') fail(`expected '.' or '[' but found '${char}'`);
      at += 1;
    }
    const key = /^[^.[\]]+/.exec(path.slice(at))?.[0];
    if (!key) fail('expected a key');
    segments.push(key);
    at += key.length;
  }
  return segments;
}

export function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}

/** The value at a path, or undefined when any step is missing. Reads own properties only. */
export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (Array.isArray(value)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= value.length) return undefined;
      value = value[index];
    } else if (typeof value === 'object' && value !== null && typeof segment === 'string') {
      if (!Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return value;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The names inside a template's placeholders, in order (empty for plain text). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

export function isTemplate(text: string): boolean {
  return placeholders(text).length > 0;
}

/** When the whole text is one placeholder, its name: the value then keeps its type (and may be absent). */
export function soleVariable(template: string): string | undefined {
  const match = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(template);
  return match?.[1];
}

/** Fills each placeholder with `lookup(name)`; absent values (null/undefined) become ''. */
export function fillTemplate(template: string, lookup: (name: string) => unknown): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = lookup(name);
    return value === undefined || value === null ? '' : String(value);
  });
}
