import { describe, expect, it } from 'vitest';
import {
  type CHECKLIST_KINDS,
  type ChecklistItem,
  DEFAULT_CHECKLIST_TEMPLATES,
  DEFAULT_GATES,
  type Failure,
  guardCancel,
  guardLost,
  guardNoBid,
  guardSubmit,
  guardWon,
  type ProposalVersionRef,
  type PursuitState,
  type Result,
} from '../../src/domain/index.js';

type DefaultKind = (typeof CHECKLIST_KINDS)[number];

function failureOf<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}

function checklist(kind: DefaultKind, open: string[] = []): ChecklistItem[] {
  return DEFAULT_CHECKLIST_TEMPLATES[kind].map((t) => ({
    ...t,
    state: open.includes(t.key) ? 'open' : 'done',
  }));
}

const pursuit = (state: PursuitState) => ({ id: 'pur_1', state });
const complete = { pink: checklist('pink'), red: checklist('red') };
const draft = (number: number): ProposalVersionRef => ({ id: `prop_${number}`, number, state: 'draft' });

describe('guardSubmit', () => {
  const submit = (
    state: PursuitState,
    proposalVersions: ProposalVersionRef[],
    checklists: typeof complete = complete,
  ) => guardSubmit({ pursuit: pursuit(state), gates: DEFAULT_GATES, checklists, proposalVersions });

  it('submits a pursuit in proposal, sending its draft', () => {
    expect(submit('proposal', [draft(1)])).toEqual({
      ok: true,
      value: { from: 'proposal', to: 'submitted', versionId: 'prop_1' },
    });
  });

  it('refuses a pursuit still in capture as an invalid transition', () => {
    expect(failureOf(submit('capture', [draft(1)]))).toMatchObject({
      code: 'INVALID_TRANSITION',
      state: 'capture',
      action: 'submit_pursuit',
    });
  });

  it('reports the state before an incomplete checklist', () => {
    const pink = checklist('pink', ['compliance_matrix']);
    expect(failureOf(submit('capture', [], { ...complete, pink })).code).toBe('INVALID_TRANSITION');
  });

  it('reports an incomplete pink checklist before a missing proposal version', () => {
    const pink = checklist('pink', ['compliance_matrix', 'pricing_strategy']);
    const failure = failureOf(submit('proposal', [], { ...complete, pink }));
    expect(failure).toMatchObject({ code: 'GUARD_FAILED', gate: 'pink_checklist' });
    expect(failure.message).toContain('`compliance_matrix`, `pricing_strategy` are open');
    expect(failure.nextStep).toContain('set_checklist_item');
    expect(failure.nextStep).toContain('submit_pursuit');
  });

  it('refuses when there is no proposal version, pointing at add_proposal_version', () => {
    const failure = failureOf(submit('proposal', []));
    expect(failure).toMatchObject({ code: 'GUARD_FAILED', gate: 'proposal_version', id: 'pur_1' });
    expect(failure.message).toBe('pursuit pur_1 has no proposal version to send.');
    expect(failure.nextStep).toBe('Add one with add_proposal_version, then call submit_pursuit again.');
  });

  it('refuses when every version was withdrawn, saying so', () => {
    const failure = failureOf(submit('proposal', [{ ...draft(1), state: 'withdrawn' }]));
    expect(failure.message).toBe('pursuit pur_1 has no proposal version to send (1 withdrawn).');
  });

  it('refuses when the newest version was already sent', () => {
    const failure = failureOf(submit('proposal', [draft(1), { ...draft(2), state: 'sent' }]));
    expect(failure).toMatchObject({ code: 'GUARD_FAILED', gate: 'proposal_version' });
    expect(failure.message).toContain('prop_2 (v2) is `sent`');
    expect(failure.nextStep).toContain('add_proposal_version');
  });

  it('sends the newest draft whatever order the versions come in', () => {
    const result = submit('proposal', [draft(3), draft(1), draft(2)]);
    expect(result.ok && result.value.versionId).toBe('prop_3');
  });

  it('passes over a withdrawn newest version to the draft before it', () => {
    const result = submit('proposal', [draft(1), { ...draft(2), state: 'withdrawn' }]);
    expect(result.ok && result.value.versionId).toBe('prop_1');
  });
});

describe('guardWon', () => {
  const won = (state: PursuitState, awardAmount: number | null, red = checklist('red')) =>
    guardWon({ pursuit: pursuit(state), gates: DEFAULT_GATES, checklists: { red }, awardAmount });

  it('marks a submitted pursuit won with its award amount', () => {
    expect(won('submitted', 120_000)).toEqual({
      ok: true,
      value: { from: 'submitted', to: 'won', awardAmount: 120_000 },
    });
  });

  it('refuses a pursuit that was not submitted', () => {
    expect(failureOf(won('proposal', 1)).code).toBe('INVALID_TRANSITION');
  });

  it('refuses while a required red item is open, naming it and mark_won', () => {
    const failure = failureOf(won('submitted', 1, checklist('red', ['final_price_approval'])));
    expect(failure).toMatchObject({
      code: 'GUARD_FAILED',
      gate: 'red_checklist',
      missing: [{ key: 'final_price_approval', label: 'Final price approved' }],
    });
    expect(failure.nextStep).toContain('mark_won');
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, null])('refuses an award amount of %s', (amount) => {
    const failure = failureOf(won('submitted', amount));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'awardAmount' });
    expect(failure.nextStep).toContain('mark_won');
  });
});

describe('guardLost', () => {
  const lost = (state: PursuitState, lossReason: string | undefined, red = checklist('red')) =>
    guardLost({ pursuit: pursuit(state), gates: DEFAULT_GATES, checklists: { red }, lossReason });

  it('marks a submitted pursuit lost with its trimmed loss reason', () => {
    expect(lost('submitted', ' price ')).toEqual({
      ok: true,
      value: { from: 'submitted', to: 'lost', lossReason: 'price' },
    });
  });

  it.each(['', '  ', undefined])('refuses a loss reason of %j', (reason) => {
    const failure = failureOf(lost('submitted', reason));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'lossReason' });
    expect(failure.nextStep).toBe('Call mark_lost again with a short lossReason saying why.');
  });

  it('reports the red checklist before the missing loss reason', () => {
    const failure = failureOf(lost('submitted', '', checklist('red', ['lessons_captured'])));
    expect(failure).toMatchObject({ code: 'GUARD_FAILED', gate: 'red_checklist' });
  });
});

describe('guardNoBid and guardCancel', () => {
  it('declines a pursuit in proposal with a reason', () => {
    expect(guardNoBid({ pursuit: pursuit('proposal'), reason: 'no capacity' })).toEqual({
      ok: true,
      value: { from: 'proposal', to: 'no_bid', reason: 'no capacity' },
    });
  });

  it('refuses a no-bid without a reason, naming decide_no_bid', () => {
    const failure = failureOf(guardNoBid({ pursuit: pursuit('capture'), reason: ' ' }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    expect(failure.nextStep).toContain('decide_no_bid');
  });

  it('refuses a no-bid on a submitted pursuit even with a reason', () => {
    expect(failureOf(guardNoBid({ pursuit: pursuit('submitted'), reason: 'x' })).code).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('cancels a pursuit on hold with a reason', () => {
    expect(guardCancel({ pursuit: pursuit('on_hold'), reason: 'customer dropped the RFP' })).toEqual({
      ok: true,
      value: { from: 'on_hold', to: 'cancelled', reason: 'customer dropped the RFP' },
    });
  });

  it('refuses a cancel without a reason, naming cancel_pursuit', () => {
    const failure = failureOf(guardCancel({ pursuit: pursuit('capture') }));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    expect(failure.nextStep).toContain('cancel_pursuit');
  });

  it('refuses to cancel a pursuit that is already won', () => {
    expect(failureOf(guardCancel({ pursuit: pursuit('won'), reason: 'x' })).message).toBe(
      'pursuit pur_1 is `won`, which is final.',
    );
  });
});
