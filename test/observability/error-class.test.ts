/**
 * Query-error classes from each driver's own codes. PostgreSQL and SQLite errors here are real
 * (test/observability/pool.test.ts makes them); SQL Server cannot run here, so its error numbers
 * and tedious codes are checked as the driver documents them.
 */
import { describe, expect, it } from 'vitest';
import { queryErrorClass } from '../../src/store/error-class.js';

const error = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'x')), fields);

describe('query error classes', () => {
  it.each([
    [{ code: '40P01' }, 'deadlock'],
    [{ code: '40001' }, 'serialization'],
    [{ code: '23505', constraint: 'orgs_slug_key' }, 'unique_violation'],
    [{ code: '23503' }, 'constraint'],
    [{ code: '57014' }, 'timeout'],
    [{ code: '08006' }, 'connection'],
    [{ code: '57P01' }, 'connection'],
    [{ code: 'ECONNREFUSED' }, 'connection'],
    [{ message: 'Connection terminated unexpectedly' }, 'connection'],
  ])('PostgreSQL %o is %s', (fields, expected) => expect(queryErrorClass(error(fields))).toBe(expected));

  it.each([
    [{ code: 'SQLITE_BUSY' }, 'busy'],
    [
      { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: orgs.slug' },
      'unique_violation',
    ],
    [{ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }, 'constraint'],
    [{ code: 'SQLITE_IOERR_WRITE' }, 'connection'],
  ])('SQLite %o is %s', (fields, expected) => expect(queryErrorClass(error(fields))).toBe(expected));

  it.each([
    [{ number: 1205 }, 'deadlock'],
    [{ number: 2627, message: "Violation of UNIQUE KEY constraint 'orgs_slug_key'." }, 'unique_violation'],
    [
      {
        originalError: { number: 2601 },
        message: "Cannot insert duplicate key row in object 'x' with unique index 'y'.",
      },
      'unique_violation',
    ],
    [{ number: 547 }, 'constraint'],
    [{ code: 'ETIMEOUT' }, 'timeout'],
    [{ code: 'ESOCKET' }, 'connection'],
  ])('SQL Server %o is %s', (fields, expected) => expect(queryErrorClass(error(fields))).toBe(expected));

  it('anything else is other', () => {
    expect(queryErrorClass(new Error('syntax error at or near "selec"'))).toBe('other');
    expect(queryErrorClass('not an error')).toBe('other');
  });
});
