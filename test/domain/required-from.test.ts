/** "From a state on", as the machines define it, and the fields a state requires by it. */
import { describe, expect, it } from 'vitest';
import { CANDIDATE_MACHINE } from '../../src/domain/candidate.js';
import { statesFrom } from '../../src/domain/machine.js';
import { checkRequiredFields, fieldsRequiredIn } from '../../src/domain/process.js';
import { PURSUIT_MACHINE } from '../../src/domain/pursuit.js';

describe('statesFrom', () => {
  it('is the state and every state reached only through it, for pursuits', () => {
    const from = Object.fromEntries(PURSUIT_MACHINE.states.map((s) => [s, statesFrom(PURSUIT_MACHINE, s)]));
    expect(from).toEqual({
      capture: [...PURSUIT_MACHINE.states],
      proposal: ['proposal', 'submitted', 'won', 'lost'],
      submitted: ['submitted', 'won', 'lost'],
      won: ['won'],
      lost: ['lost'],
      no_bid: ['no_bid'],
      cancelled: ['cancelled'],
      on_hold: ['on_hold'],
    });
  });

  it('is the state and every state reached only through it, for candidates', () => {
    const from = Object.fromEntries(
      CANDIDATE_MACHINE.states.map((s) => [s, statesFrom(CANDIDATE_MACHINE, s)]),
    );
    expect(from).toEqual({
      new: [...CANDIDATE_MACHINE.states],
      contacted: ['contacted', 'qualified', 'promoted'],
      qualified: ['qualified', 'promoted'],
      promoted: ['promoted'],
      disqualified: ['disqualified'],
      merged: ['merged'],
    });
  });
});

describe('fieldsRequiredIn', () => {
  const defs = [
    { key: 'vehicle', requiredFrom: 'submitted' as const },
    { key: 'sponsor', requiredFrom: 'proposal' as const },
    { key: 'old', requiredFrom: 'proposal' as const, retired: true },
    { key: 'free' },
  ];

  it('requires a field in its state and the states reached only through it, never a retired one', () => {
    expect(fieldsRequiredIn(PURSUIT_MACHINE, defs, 'capture')).toEqual([]);
    expect(fieldsRequiredIn(PURSUIT_MACHINE, defs, 'proposal')).toEqual(['fields.sponsor']);
    expect(fieldsRequiredIn(PURSUIT_MACHINE, defs, 'won')).toEqual(['fields.vehicle', 'fields.sponsor']);
    expect(fieldsRequiredIn(PURSUIT_MACHINE, defs, 'cancelled')).toEqual([]);
    expect(fieldsRequiredIn(PURSUIT_MACHINE, defs, 'on_hold')).toEqual([]);
  });

  it('names every missing field of a candidate in one refusal, with update_candidate as the next step', () => {
    const result = checkRequiredFields(
      'qualify_candidate',
      ['fields.segment', 'fields.size', 'fields.segment'],
      { 'fields.size': '  ' },
      { entity: 'candidate', id: 'cand_1' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({
      code: 'GUARD_FAILED',
      entity: 'candidate',
      id: 'cand_1',
      gate: 'required_fields',
      missing: [
        { key: 'fields.segment', label: 'candidate field segment' },
        { key: 'fields.size', label: 'candidate field size' },
      ],
      nextStep: 'Set segment, size with update_candidate, then call qualify_candidate again.',
    });
  });
});
