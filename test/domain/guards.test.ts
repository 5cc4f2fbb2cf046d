import { describe, expect, it } from 'vitest';
import {
  type Failure,
  guardDismiss,
  guardDisqualify,
  guardMerge,
  guardReopen,
  type Result,
  requireReason,
} from '../../src/domain/index.js';

function failureOf<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}

describe('requireReason', () => {
  it('returns the reason trimmed', () => {
    expect(requireReason('reason', '  duplicate notice ')).toEqual({ ok: true, value: 'duplicate notice' });
  });

  it.each([undefined, null, '', '\n\t '])('refuses %j on the named field', (value) => {
    expect(failureOf(requireReason('closeReason', value))).toMatchObject({
      code: 'VALIDATION',
      field: 'closeReason',
    });
  });

  it('names the tool to call again when told it', () => {
    expect(failureOf(requireReason('reason', '', 'dismiss_signal')).nextStep).toBe(
      'Call dismiss_signal again with a short reason saying why.',
    );
  });
});

describe('closing guards on signals and candidates', () => {
  it('dismisses a new signal with a reason', () => {
    expect(guardDismiss({ signal: { id: 'sig_1', state: 'new' }, reason: 'spam' })).toEqual({
      ok: true,
      value: { from: 'new', to: 'dismissed', reason: 'spam' },
    });
  });

  it('refuses to dismiss a signal without a reason', () => {
    expect(failureOf(guardDismiss({ signal: { id: 'sig_1', state: 'new' } }))).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
  });

  it('refuses to dismiss an accepted signal before asking for a reason', () => {
    expect(failureOf(guardDismiss({ signal: { id: 'sig_1', state: 'accepted' } })).code).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('disqualifies a qualified candidate with a reason', () => {
    expect(guardDisqualify({ candidate: { id: 'cand_1', state: 'qualified' }, reason: 'no budget' })).toEqual(
      {
        ok: true,
        value: { from: 'qualified', to: 'disqualified', reason: 'no budget' },
      },
    );
  });

  it('refuses to disqualify without a reason, naming disqualify_candidate', () => {
    const failure = failureOf(guardDisqualify({ candidate: { id: 'cand_1', state: 'new' }, reason: '' }));
    expect(failure.nextStep).toContain('disqualify_candidate');
  });

  it('reopens a disqualified candidate to contacted with a reason', () => {
    expect(
      guardReopen({ candidate: { id: 'cand_1', state: 'disqualified' }, reason: 'budget found' }),
    ).toEqual({
      ok: true,
      value: { from: 'disqualified', to: 'contacted', reason: 'budget found' },
    });
  });

  it('refuses to reopen without a reason', () => {
    expect(failureOf(guardReopen({ candidate: { id: 'cand_1', state: 'disqualified' } })).code).toBe(
      'VALIDATION',
    );
  });
});

describe('guardMerge', () => {
  it('merges a candidate into another open candidate', () => {
    expect(
      guardMerge({
        candidate: { id: 'cand_1', state: 'contacted' },
        into: { id: 'cand_2', state: 'qualified' },
      }),
    ).toEqual({ ok: true, value: { from: 'contacted', to: 'merged' } });
  });

  it('refuses to merge a candidate into itself', () => {
    const failure = failureOf(
      guardMerge({ candidate: { id: 'cand_1', state: 'new' }, into: { id: 'cand_1', state: 'new' } }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'intoId' });
  });

  it.each(['disqualified', 'merged'] as const)('refuses to merge into a %s candidate', (state) => {
    const failure = failureOf(
      guardMerge({ candidate: { id: 'cand_1', state: 'new' }, into: { id: 'cand_2', state } }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'intoId' });
    expect(failure.message).toContain(`cand_2 is \`${state}\``);
  });

  it('refuses to merge a promoted candidate', () => {
    const failure = failureOf(
      guardMerge({ candidate: { id: 'cand_1', state: 'promoted' }, into: { id: 'cand_2', state: 'new' } }),
    );
    expect(failure.code).toBe('INVALID_TRANSITION');
  });
});
