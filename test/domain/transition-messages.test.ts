import { describe, expect, it } from 'vitest';
import {
  applyTransition,
  CANDIDATE_MACHINE,
  type Failure,
  type Machine,
  PROPOSAL_VERSION_MACHINE,
  PURSUIT_MACHINE,
  type Result,
  SIGNAL_MACHINE,
  touchTarget,
} from '../../src/domain/index.js';
import { KNOWN_TOOLS, toolsNamedIn } from './known-tools.js';

function failureOf<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}

function refusals<S extends string, A extends string>(machine: Machine<S, A>): Failure[] {
  return machine.states.flatMap((state) =>
    machine.actions.flatMap((action) => {
      const result = applyTransition(machine, state, action);
      return !result.ok && result.failure.code === 'INVALID_TRANSITION' ? [result.failure] : [];
    }),
  );
}

describe('refusal messages', () => {
  it('says which state the action needs, naming the entity and its id', () => {
    const failure = failureOf(
      applyTransition(CANDIDATE_MACHINE, 'new', 'promote_candidate', { id: 'cand_1' }),
    );
    expect(failure.message).toBe('candidate cand_1 is `new`; it can only be promoted from `qualified`.');
  });

  it('lists several required states as a readable list', () => {
    const failure = failureOf(
      applyTransition(CANDIDATE_MACHINE, 'disqualified', 'merge_candidate', { id: 'cand_1' }),
    );
    expect(failure.message).toBe(
      'candidate cand_1 is `disqualified`; it can only be merged from `new`, `contacted` or `qualified`.',
    );
  });

  it('says a state nothing leaves is final', () => {
    const failure = failureOf(applyTransition(PURSUIT_MACHINE, 'won', 'cancel_pursuit', { id: 'pur_1' }));
    expect(failure.message).toBe('pursuit pur_1 is `won`, which is final.');
    expect(failure.nextStep).toContain('promote_candidate');
  });

  it('calls the entity "this …" when no id is given', () => {
    const failure = failureOf(applyTransition(SIGNAL_MACHINE, 'dismissed', 'accept_signal'));
    expect(failure.message).toBe('this signal is `dismissed`, which is final.');
  });

  it('advises logging a touch and qualifying before promoting a new candidate', () => {
    const failure = failureOf(applyTransition(CANDIDATE_MACHINE, 'new', 'promote_candidate'));
    expect(failure.nextStep).toBe('Log a touch (log_touch) and qualify it (qualify_candidate) first.');
  });

  it('advises qualifying before promoting a contacted candidate', () => {
    const failure = failureOf(applyTransition(CANDIDATE_MACHINE, 'contacted', 'promote_candidate'));
    expect(failure.nextStep).toBe('Qualify it first with qualify_candidate.');
  });

  it('advises submitting before recording the outcome of a pursuit in proposal', () => {
    const failure = failureOf(applyTransition(PURSUIT_MACHINE, 'proposal', 'mark_won'));
    expect(failure.nextStep).toBe('Submit it first with submit_pursuit.');
  });

  it('advises resuming a pursuit on hold before anything else', () => {
    const failure = failureOf(applyTransition(PURSUIT_MACHINE, 'on_hold', 'submit_pursuit'));
    expect(failure.nextStep).toContain('resume_pursuit');
  });

  it.each([
    { name: 'signal', machine: SIGNAL_MACHINE },
    { name: 'candidate', machine: CANDIDATE_MACHINE },
    { name: 'pursuit', machine: PURSUIT_MACHINE },
    { name: 'proposal version', machine: PROPOSAL_VERSION_MACHINE },
  ])('names only known tools, and at least one, in every $name refusal', ({ machine }) => {
    const failures = refusals<string, string>(machine);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      const named = toolsNamedIn(failure.nextStep);
      expect(named, failure.nextStep).not.toHaveLength(0);
      for (const tool of named) expect(KNOWN_TOOLS, failure.nextStep).toContain(tool);
    }
  });
});

describe('resuming a pursuit on hold', () => {
  it('returns it to capture when it was held from capture', () => {
    expect(applyTransition(PURSUIT_MACHINE, 'on_hold', 'resume_pursuit', { heldFrom: 'capture' })).toEqual({
      ok: true,
      value: { from: 'on_hold', to: 'capture' },
    });
  });

  it('returns it to proposal when it was held from proposal', () => {
    expect(applyTransition(PURSUIT_MACHINE, 'on_hold', 'resume_pursuit', { heldFrom: 'proposal' })).toEqual({
      ok: true,
      value: { from: 'on_hold', to: 'proposal' },
    });
  });

  it('is refused as invalid data when where it was held from is unknown', () => {
    const failure = failureOf(applyTransition(PURSUIT_MACHINE, 'on_hold', 'resume_pursuit', { id: 'pur_1' }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'heldFrom' });
  });

  it('is refused when it claims to have been held from a state that cannot be held', () => {
    const failure = failureOf(
      applyTransition(PURSUIT_MACHINE, 'on_hold', 'resume_pursuit', { heldFrom: 'submitted' }),
    );
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'heldFrom' });
    expect(failure.message).toContain('`capture` or `proposal`');
  });

  it('lists the possible return states when a refusal does not know where it was held from', () => {
    const failure = failureOf(applyTransition(PURSUIT_MACHINE, 'on_hold', 'submit_pursuit'));
    if (failure.code !== 'INVALID_TRANSITION') throw new Error(failure.code);
    expect(failure.allowed).toContainEqual({ action: 'resume_pursuit', to: 'capture|proposal' });
  });
});

describe('touchTarget', () => {
  it('moves a new candidate to contacted', () => {
    expect(touchTarget('new')).toEqual({ ok: true, value: 'contacted' });
  });

  it.each(['contacted', 'qualified'] as const)('leaves a %s candidate where it is', (state) => {
    expect(touchTarget(state)).toEqual({ ok: true, value: state });
  });

  it.each(['promoted', 'disqualified', 'merged'] as const)('refuses a touch on a %s candidate', (state) => {
    const failure = failureOf(touchTarget(state, 'cand_1'));
    expect(failure).toMatchObject({ code: 'INVALID_TRANSITION', state, action: 'log_touch', id: 'cand_1' });
    expect(failure.message).toBe(
      `candidate cand_1 is \`${state}\`, which is closed; log_touch needs it to be \`new\`, \`contacted\` or \`qualified\`.`,
    );
  });

  it('sends touches on a promoted candidate to its pursuit', () => {
    expect(failureOf(touchTarget('promoted')).nextStep).toContain('list_pursuits');
  });

  it('suggests reopening a disqualified candidate that is being touched', () => {
    expect(failureOf(touchTarget('disqualified')).nextStep).toContain('reopen_candidate');
  });
});
