import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';
import {
  conflict,
  duplicate,
  fail,
  forbidden,
  must,
  notConfirmed,
  notFound,
  ok,
  validation,
  WorkstreamError,
} from '../../src/domain/index.js';

describe('WorkstreamError', () => {
  it('carries the failure and uses its message', () => {
    const failure = notFound('pursuit', 'pur_1');
    const error = new WorkstreamError(failure);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(failure.message);
    expect(error.failure).toBe(failure);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.name).toBe('WorkstreamError');
  });
});

describe('must', () => {
  it('returns the value of an ok result', () => {
    expect(must(ok(42))).toBe(42);
  });

  it('throws a WorkstreamError carrying the failure of a failed result', () => {
    const failure = forbidden('this token is read-only.');
    expect(() => must(fail(failure))).toThrowError(expect.objectContaining({ failure }));
  });
});

describe('failure constructors', () => {
  it('says which record was not found and where to find ids', () => {
    expect(notFound('candidate', 'cand_9')).toEqual({
      code: 'NOT_FOUND',
      entity: 'candidate',
      id: 'cand_9',
      message: 'candidate cand_9 does not exist in this organization.',
      nextStep: 'Check the id; find candidate ids with list_candidates.',
    });
  });

  it('gives generic advice for records without a list tool', () => {
    expect(notFound('checklist_item', 'item_1').nextStep).toBe('Check the checklist item id and call again.');
  });

  it('names both versions in a conflict and the version to retry with', () => {
    const failure = conflict('pursuit', 'pur_1', 3, 5);
    expect(failure).toMatchObject({ code: 'CONFLICT', expectedVersion: 3, actualVersion: 5 });
    expect(failure.message).toBe(
      'pursuit pur_1 is at version 5, not 3: someone changed it since you read it.',
    );
    expect(failure.nextStep).toContain('expectedVersion 5');
  });

  it('points a duplicate at the existing record', () => {
    const failure = duplicate('candidate', 'cand_7');
    expect(failure).toMatchObject({ code: 'DUPLICATE', existingId: 'cand_7' });
    expect(failure.message).toContain('cand_7');
    expect(failure.nextStep).toContain('cand_7');
  });

  it('lets a duplicate carry its own message', () => {
    expect(duplicate('signal', 'sig_1', 'That signal was recorded already.').message).toBe(
      'That signal was recorded already.',
    );
  });

  it('defaults a validation next step to correcting the field', () => {
    expect(validation('dueAt', 'dueAt is not a date.')).toEqual({
      code: 'VALIDATION',
      field: 'dueAt',
      message: 'dueAt is not a date.',
      nextStep: 'Correct dueAt and call again.',
    });
  });

  it('keeps the field issues a validation was given', () => {
    const issues = [{ field: 'tags.0', message: 'too long' }];
    expect(validation('tags', 'tags are invalid.', { issues }).issues).toEqual(issues);
  });

  it('puts the reason of a forbidden failure in its fields and message', () => {
    const failure = forbidden('this token is read-only.');
    expect(failure).toMatchObject({ code: 'FORBIDDEN', reason: 'this token is read-only.' });
    expect(failure.message).toContain('this token is read-only.');
  });

  it('says of an unconfirmed call what the user answered, that nothing changed, and not to retry unasked', () => {
    const failure = notConfirmed('pursuit', 'pur_1', 'mark_lost', 'cancel');
    expect(failure).toMatchObject({
      code: 'NOT_CONFIRMED',
      entity: 'pursuit',
      id: 'pur_1',
      action: 'mark_lost',
      answer: 'cancel',
    });
    expect(failure.message).toContain('dismissed');
    expect(failure.message).toContain('nothing changed');
    expect(failure.nextStep).toContain('call mark_lost again only if they say so');
  });
});

describe('the refusal codes', () => {
  it('are the ones the README lists', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const listed = readme.match(/with the code one of (.+?)\. The same failure/)?.[1] ?? '';
    expect([...listed.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]).sort()).toEqual([...ERROR_CODES].sort());
  });
});
