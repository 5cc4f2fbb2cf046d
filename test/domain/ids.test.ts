import { describe, expect, it } from 'vitest';
import { idPrefix, idTime, isIdOf, newId } from '../../src/domain/index.js';

const CROCKFORD_ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('newId', () => {
  it('is the prefix, an underscore and a 26-character Crockford ULID', () => {
    const id = newId('cand');
    expect(id.startsWith('cand_')).toBe(true);
    expect(id).toHaveLength('cand_'.length + 26);
    expect(id.slice('cand_'.length)).toMatch(CROCKFORD_ULID);
  });

  it('sorts 1,000 ids made in one millisecond in the order they were made', () => {
    const at = new Date('2026-01-05T09:00:00.000Z');
    const ids = Array.from({ length: 1000 }, () => newId('evt', at));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('sorts ids from later milliseconds after earlier ones', () => {
    const first = newId('evt', new Date('2030-01-01T00:00:00.000Z'));
    const second = newId('evt', new Date('2030-01-01T00:00:00.001Z'));
    expect(first < second).toBe(true);
  });

  it('records its time in the id', () => {
    const at = new Date('2031-06-01T12:00:00.123Z');
    expect(idTime(newId('pur', at))).toEqual(at);
  });
});

describe('newId when the clock steps back', () => {
  it('stays in order', () => {
    const a = newId('evt', new Date('2032-01-01T00:00:00.000Z'));
    const b = newId('evt', new Date('2020-01-01T00:00:00.000Z'));
    expect(a < b).toBe(true);
  });
});

describe('idPrefix and isIdOf', () => {
  it('reads the prefix of a well-formed id', () => {
    expect(idPrefix(newId('prop'))).toBe('prop');
  });

  it.each(['cand_123', 'nope_01ARYZ6S410000000000000000', 'cand01ARYZ6S410000000000000000', ''])(
    'finds no prefix in %j',
    (id) => {
      expect(idPrefix(id)).toBeNull();
    },
  );

  it('tells a candidate id from a pursuit id', () => {
    const id = newId('cand');
    expect(isIdOf('cand', id)).toBe(true);
    expect(isIdOf('pur', id)).toBe(false);
  });
});
