/** The input building blocks: safe text, bounded JSON, and the pre-parse check of a whole argument. */
import { describe, expect, it } from 'vitest';
import {
  ARGUMENT_LIMITS,
  boundedJson,
  inspectArgument,
  JSON_LIMITS,
  jsonExcess,
  SafeText,
  unsafeText,
} from '../../src/workstream/schema-text.js';

/** `{ a: { a: … { a: 1 } } }`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
}

describe('safe text', () => {
  it('refuses NUL and unpaired surrogates, and accepts paired ones and other control characters', () => {
    expect(unsafeText('a\u0000b')).toMatch(/NUL/);
    expect(unsafeText('\ud800')).toMatch(/surrogate/);
    expect(unsafeText('x\udc00y')).toMatch(/surrogate/);
    expect(unsafeText('\udc00\ud800')).toMatch(/surrogate/);
    expect(unsafeText('😀 emoji \ud83d\ude00')).toBeUndefined();
    expect(unsafeText('tab\tand\u0001bell')).toBeUndefined();
    expect(unsafeText("'; drop table candidates; --")).toBeUndefined();
  });

  it('keeps its check when composed with other string rules', () => {
    const Title = SafeText.max(10);
    expect(Title.safeParse('fine').success).toBe(true);
    expect(Title.safeParse('a\u0000').success).toBe(false);
    expect(Title.safeParse('far too long a title').success).toBe(false);
  });
});

describe('inspectArgument', () => {
  it('names the path of an unsafe string or key, filters included', () => {
    expect(inspectArgument({ source: '\u0000' })).toEqual({
      field: 'source',
      message: expect.stringMatching(/NUL/),
    });
    expect(inspectArgument({ payload: { notes: ['ok', 'bad\ud800'] } })?.field).toBe('payload.notes.1');
    expect(inspectArgument({ payload: { 'k\u0000': 1 } })).toMatchObject({ field: 'payload.k\u0000' });
    expect(inspectArgument({ title: 'fine', tags: ['a', 'b'] })).toBeUndefined();
  });

  it('refuses an argument 5,000 levels deep after a bounded walk, naming the top-level field', () => {
    expect(inspectArgument({ payload: nested(5_000) })).toEqual({
      field: 'payload',
      message: `nests deeper than ${ARGUMENT_LIMITS.depth} levels`,
    });
  });

  it('refuses an argument with 300,000 keys, naming the field and the limit', () => {
    const huge = Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`k${i}`, i]));
    expect(inspectArgument({ fields: huge })).toEqual({
      field: 'fields',
      message: 'holds more than 20,000 values in all',
    });
  });
});

describe('bounded JSON', () => {
  const Fields = boundedJson();

  it(`accepts ${JSON_LIMITS.depth} levels, ${JSON_LIMITS.members} members and ${JSON_LIMITS.bytes} bytes, and refuses one more of each`, () => {
    expect(Fields.safeParse(nested(JSON_LIMITS.depth)).success).toBe(true);
    expect(jsonExcess(nested(JSON_LIMITS.depth + 1))).toBe(
      `must nest at most ${JSON_LIMITS.depth} levels deep`,
    );

    const members = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(Fields.safeParse(members(JSON_LIMITS.members)).success).toBe(true);
    expect(jsonExcess(members(JSON_LIMITS.members + 1))).toBe(
      'must hold at most 1,000 members and elements in all',
    );
    expect(jsonExcess({ list: Array(JSON_LIMITS.members).fill(0) })).toMatch(/1,000 members/);

    // {"t":"…"} is 8 bytes around the text.
    const text = (bytes: number) => ({ t: 'x'.repeat(bytes - 8) });
    expect(Fields.safeParse(text(JSON_LIMITS.bytes)).success).toBe(true);
    expect(jsonExcess(text(JSON_LIMITS.bytes + 1))).toBe('must be at most 32,768 bytes as JSON');
    // Bytes, not characters: 11,000 three-byte characters are 33,000 bytes.
    expect(jsonExcess({ t: '€'.repeat(11_000) })).toMatch(/32,768 bytes/);
  });

  it('refuses a 3.5 MB payload without writing it out', () => {
    const result = Fields.safeParse({ blob: 'x'.repeat(3_500_000) });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be at most 32,768 bytes as JSON');
  });
});
