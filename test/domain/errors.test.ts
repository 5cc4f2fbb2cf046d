import { describe, expect, it } from 'vitest';
import {
  conflict,
  duplicate,
  fail,
  forbidden,
  must,
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
});
