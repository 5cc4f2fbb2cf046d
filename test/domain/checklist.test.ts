import { describe, expect, it } from 'vitest';
import {
  type CHECKLIST_KINDS,
  type ChecklistItem,
  type ChecklistsByKind,
  checkGate,
  completion,
  DEFAULT_CHECKLIST_TEMPLATES,
  DEFAULT_GATES,
  type Failure,
  gateActionOf,
  gatedToolsOf,
  type ItemState,
  type Result,
  setItemState,
} from '../../src/domain/index.js';

type DefaultKind = (typeof CHECKLIST_KINDS)[number];

function failureOf<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error('expected a failure');
  return result.failure;
}

/** A checklist from the default template, every item in `state` unless overridden by key. */
function checklist(
  kind: DefaultKind,
  state: ItemState,
  overrides: Record<string, ItemState> = {},
): ChecklistItem[] {
  return DEFAULT_CHECKLIST_TEMPLATES[kind].map((t, position) => ({
    ...t,
    position,
    state: overrides[t.key] ?? state,
    note: (overrides[t.key] ?? state) === 'n_a' ? 'does not apply' : null,
  }));
}

const items = (...states: ItemState[]) => states.map((state) => ({ state }));

describe('completion', () => {
  it('counts done items over all items', () => {
    expect(completion(items('done', 'done', 'done', 'open', 'open'))).toEqual({
      done: 3,
      total: 5,
      applicable: 5,
      percent: 60,
    });
  });

  it('rounds the percentage down', () => {
    expect(completion(items('done', 'done', 'open')).percent).toBe(66);
  });

  it('leaves n_a items out of the denominator', () => {
    expect(completion(items('done', 'done', 'done', 'n_a', 'open'))).toEqual({
      done: 3,
      total: 5,
      applicable: 4,
      percent: 75,
    });
  });

  it('reads 100% when every item is n_a', () => {
    expect(completion(items('n_a', 'n_a'))).toEqual({ done: 0, total: 2, applicable: 0, percent: 100 });
  });

  it('reads 100% for an empty checklist', () => {
    expect(completion([]).percent).toBe(100);
  });

  it('reads 0% when nothing is done', () => {
    expect(completion(items('open', 'n_a', 'open')).percent).toBe(0);
  });
});

describe('setItemState', () => {
  const item: ChecklistItem = {
    key: 'pricing_strategy',
    label: 'Pricing',
    required: true,
    state: 'open',
    note: 'old',
  };

  it('refuses n_a without a note, on the note field', () => {
    const failure = failureOf(setItemState(item, 'n_a'));
    expect(failure).toMatchObject({ code: 'VALIDATION', field: 'note' });
    expect(failure.message).toContain('`pricing_strategy`');
    expect(failure.nextStep).toContain('set_checklist_item');
  });

  it('refuses n_a with a blank note', () => {
    expect(failureOf(setItemState(item, 'n_a', '   '))).toMatchObject({ code: 'VALIDATION', field: 'note' });
  });

  it('accepts n_a with a note, trimmed', () => {
    expect(setItemState(item, 'n_a', '  no pricing in this RFP ')).toEqual({
      ok: true,
      value: { ...item, state: 'n_a', note: 'no pricing in this RFP' },
    });
  });

  it('marks an item done without a note, keeping the note it had', () => {
    expect(setItemState(item, 'done')).toEqual({ ok: true, value: { ...item, state: 'done', note: 'old' } });
  });

  it('clears the note when given null', () => {
    expect(setItemState(item, 'open', null)).toEqual({
      ok: true,
      value: { ...item, state: 'open', note: null },
    });
  });
});

describe('checkGate', () => {
  const pursuit = { entity: 'pursuit', id: 'pur_1' } as const;

  it('passes when every required item of the gated checklist is done', () => {
    expect(checkGate('submit', DEFAULT_GATES, { pink: checklist('pink', 'done') }, pursuit)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it('counts a required item marked n_a as satisfied', () => {
    const pink = checklist('pink', 'done', { pricing_strategy: 'n_a' });
    expect(checkGate('submit', DEFAULT_GATES, { pink }, pursuit).ok).toBe(true);
  });

  it('does not wait for optional items', () => {
    const pink = checklist('pink', 'done', { graphics_review: 'open' });
    expect(checkGate('submit', DEFAULT_GATES, { pink }, pursuit).ok).toBe(true);
  });

  it('ignores checklists the action is not gated on', () => {
    const lists: ChecklistsByKind = { pink: checklist('pink', 'done'), red: checklist('red', 'open') };
    expect(checkGate('submit', DEFAULT_GATES, lists, pursuit).ok).toBe(true);
  });

  it('fails naming the gate and the open required items in template order', () => {
    const pink = checklist('pink', 'done', {
      executive_summary: 'open',
      compliance_matrix: 'open',
    }).reverse();
    const failure = failureOf(checkGate('submit', DEFAULT_GATES, { pink }, pursuit));
    expect(failure).toMatchObject({
      code: 'GUARD_FAILED',
      entity: 'pursuit',
      id: 'pur_1',
      gate: 'pink_checklist',
      missing: [
        { key: 'compliance_matrix', label: 'Compliance matrix complete' },
        { key: 'executive_summary', label: 'Executive summary drafted' },
      ],
      completion: { done: 4, total: 6, applicable: 6, percent: 66 },
    });
  });

  it('states the figures and open items in its message, and the tool to call next', () => {
    const pink = checklist('pink', 'done', { compliance_matrix: 'open', pricing_strategy: 'open' });
    const failure = failureOf(checkGate('submit', DEFAULT_GATES, { pink }, pursuit));
    expect(failure.message).toBe(
      'pink checklist 4/6 done (66%): items `compliance_matrix`, `pricing_strategy` are open.',
    );
    expect(failure.nextStep).toBe(
      'Complete them with set_checklist_item (or mark them n_a with a note), then call submit_pursuit again.',
    );
  });

  it('speaks of one open item in the singular and says how many are n_a', () => {
    const red = checklist('red', 'done', { lessons_captured: 'open', debrief_requested: 'n_a' });
    const failure = failureOf(checkGate('won', DEFAULT_GATES, { red }, pursuit));
    expect(failure.message).toBe('red checklist 2/3 done (66%, 1 n_a): item `lessons_captured` is open.');
    expect(failure.nextStep).toBe(
      'Complete it with set_checklist_item (or mark it n_a with a note), then call mark_won again.',
    );
  });

  it('names mark_lost as the tool to call again for the lost gate', () => {
    const failure = failureOf(checkGate('lost', DEFAULT_GATES, { red: checklist('red', 'open') }, pursuit));
    expect(failure.nextStep).toContain('call mark_lost again');
  });

  it('fails when the pursuit has no checklist of a gated kind', () => {
    const failure = failureOf(checkGate('won', DEFAULT_GATES, { pink: checklist('pink', 'done') }, pursuit));
    expect(failure).toMatchObject({ code: 'GUARD_FAILED', gate: 'red_checklist' });
    expect(failure.message).toContain('has no red checklist');
  });

  it('follows org gates that differ from the default', () => {
    const gates = { submit: ['red', 'pink'], won: [], lost: [] } as const;
    const lists: ChecklistsByKind = { pink: checklist('pink', 'open'), red: checklist('red', 'open') };
    expect(failureOf(checkGate('submit', gates, lists, pursuit))).toMatchObject({ gate: 'red_checklist' });
    expect(checkGate('won', gates, lists, pursuit).ok).toBe(true);
  });
});

describe('default templates', () => {
  it.each(['pink', 'red'] as const)(
    'give the %s checklist unique keys and at least one optional item',
    (kind) => {
      const keys = DEFAULT_CHECKLIST_TEMPLATES[kind].map((i) => i.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(DEFAULT_CHECKLIST_TEMPLATES[kind].some((i) => !i.required)).toBe(true);
    },
  );
});

describe('candidate gates', () => {
  const qualification: ChecklistItem[] = [
    { key: 'budget', label: 'Budget', required: true, state: 'done', position: 0 },
    { key: 'authority', label: 'Authority', required: true, state: 'open', position: 1 },
    { key: 'timeline', label: 'Timeline', required: false, state: 'open', position: 2 },
  ];

  it('name promote_candidate as the tool a candidate review gates, and only it', () => {
    expect(gateActionOf('promote_candidate')).toBe('promote');
    expect(gateActionOf('submit_pursuit')).toBe('submit');
    expect(gateActionOf('disqualify_candidate')).toBeUndefined();
    expect(gatedToolsOf('candidate')).toEqual(['promote_candidate']);
    expect(gatedToolsOf('pursuit')).not.toContain('promote_candidate');
  });

  it('refuse a promotion with the same refusal as the pursuit gates, naming the candidate', () => {
    const failure = failureOf(
      checkGate(
        'promote',
        { promote: ['qualification'] },
        { qualification },
        { entity: 'candidate', id: 'cand_1' },
      ),
    );
    expect(failure).toEqual({
      code: 'GUARD_FAILED',
      entity: 'candidate',
      id: 'cand_1',
      gate: 'qualification_checklist',
      review: 'qualification',
      missing: [{ key: 'authority', label: 'Authority' }],
      completion: { done: 1, total: 3, applicable: 3, percent: 33 },
      message: 'qualification checklist 1/3 done (33%): item `authority` is open.',
      nextStep:
        'Complete it with set_checklist_item (or mark it n_a with a note), then call promote_candidate again.',
    });
    const absent = failureOf(
      checkGate('promote', { promote: ['qualification'] }, {}, { entity: 'candidate', id: 'cand_1' }),
    );
    expect(absent.message).toBe(
      "candidate cand_1 has no qualification checklist, which the organization's gates require before promote_candidate.",
    );
  });

  it('let a promotion through when no candidate review gates it, whatever the pursuit gates', () => {
    expect(checkGate('promote', DEFAULT_GATES, { qualification }, { entity: 'candidate' })).toEqual({
      ok: true,
      value: undefined,
    });
  });
});
