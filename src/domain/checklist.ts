import type { MachineEntity } from './entities.js';
import type { CompletionFigures, GuardFailed, MissingItem, Result } from './errors.js';
import { fail, ok, subjectOf, validation } from './errors.js';

/** The reviews a new organization starts with; an org adds its own (docs/process.md). */
export const CHECKLIST_KINDS = ['pink', 'red'] as const;
/** A review's key: `pink`, `red`, or one the org configured (lower case, e.g. `blue`, `white`). */
export type ChecklistKind = string;
export const REVIEW_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Whose review it is: a pursuit's (gating pursuit moves) or a candidate's (gating its promotion). */
export const REVIEW_SUBJECTS = ['pursuit', 'candidate'] as const;
export type ReviewSubject = (typeof REVIEW_SUBJECTS)[number];

export const ITEM_STATES = ['open', 'done', 'n_a'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export interface ChecklistTemplateItem {
  readonly key: string;
  readonly label: string;
  readonly required: boolean;
}

export interface ChecklistItem extends ChecklistTemplateItem {
  readonly state: ItemState;
  readonly note?: string | null;
  /** Place in the template; failures list items in this order whatever order the store returned. */
  readonly position?: number;
}

/** Used when an org has not configured its own templates. */
export const DEFAULT_CHECKLIST_TEMPLATES: Readonly<
  Record<(typeof CHECKLIST_KINDS)[number], readonly ChecklistTemplateItem[]>
> = {
  pink: [
    { key: 'compliance_matrix', label: 'Compliance matrix complete', required: true },
    { key: 'win_themes', label: 'Win themes agreed and carried through the response', required: true },
    { key: 'pricing_strategy', label: 'Pricing strategy approved', required: true },
    { key: 'solution_review', label: 'Solution reviewed by the technical lead', required: true },
    { key: 'executive_summary', label: 'Executive summary drafted', required: true },
    { key: 'graphics_review', label: 'Graphics and layout reviewed', required: false },
  ],
  red: [
    { key: 'evaluator_scoring', label: 'Scored against the evaluation criteria', required: true },
    { key: 'final_price_approval', label: 'Final price approved', required: true },
    { key: 'lessons_captured', label: 'Lessons learned captured', required: true },
    { key: 'debrief_requested', label: 'Customer debrief requested', required: false },
  ],
};

export function completion(items: readonly Pick<ChecklistItem, 'state'>[]): CompletionFigures {
  const total = items.length;
  const done = items.filter((i) => i.state === 'done').length;
  const applicable = total - items.filter((i) => i.state === 'n_a').length;
  // Nothing left to do when every item was ruled out, so the checklist reads as complete.
  const percent = applicable === 0 ? 100 : Math.floor((100 * done) / applicable);
  return { done, total, applicable, percent };
}

/**
 * `note`: a string replaces the note (blank clears it), null clears it, undefined keeps it.
 * n_a needs a note given in the same call: it is the record of why the item does not apply,
 * and a note written for an earlier state does not say that.
 */
export function setItemState<T extends ChecklistItem>(
  item: T,
  state: ItemState,
  note?: string | null,
): Result<T> {
  const given = note === undefined || note === null ? note : note.trim() || null;
  if (state === 'n_a' && (given === undefined || given === null)) {
    return fail(
      validation(
        'note',
        `checklist item \`${item.key}\` can only be marked n_a with a note saying why it does not apply.`,
        {
          nextStep:
            'Call set_checklist_item again with state n_a and a note explaining why the item does not apply.',
        },
      ),
    );
  }
  return ok({ ...item, state, note: given === undefined ? item.note : given });
}

export const GATE_ACTIONS = ['bid', 'no_bid', 'submit', 'won', 'lost'] as const;
export type GateAction = (typeof GATE_ACTIONS)[number];
/** The gate a candidate review may hold: its promotion to a pursuit. */
export const CANDIDATE_GATE_ACTIONS = ['promote'] as const;
export type CandidateGateAction = (typeof CANDIDATE_GATE_ACTIONS)[number];
export type AnyGateAction = GateAction | CandidateGateAction;

/** Org configuration: which checklists must be complete before each gated action (none when left out). */
export type Gates = Readonly<Partial<Record<AnyGateAction, readonly ChecklistKind[]>>>;

export const DEFAULT_GATES: Gates = { submit: ['pink'], won: ['red'], lost: ['red'] };

export const GATE_TOOLS = {
  bid: 'decide_bid',
  no_bid: 'decide_no_bid',
  submit: 'submit_pursuit',
  won: 'mark_won',
  lost: 'mark_lost',
} as const satisfies Readonly<Record<GateAction, string>>;
export type GatedTool = (typeof GATE_TOOLS)[GateAction];

export const CANDIDATE_GATE_TOOLS = {
  promote: 'promote_candidate',
} as const satisfies Readonly<Record<CandidateGateAction, string>>;
export type CandidateGatedTool = (typeof CANDIDATE_GATE_TOOLS)[CandidateGateAction];

/** Every gate action's tool, pursuit and candidate. */
export const ALL_GATE_TOOLS: Readonly<Record<AnyGateAction, string>> = {
  ...GATE_TOOLS,
  ...CANDIDATE_GATE_TOOLS,
};

/** The tools a review of `subject` may gate. */
export function gatedToolsOf(subject: ReviewSubject): readonly string[] {
  return Object.values(subject === 'candidate' ? CANDIDATE_GATE_TOOLS : GATE_TOOLS);
}

/** The gate action of a tool name, as reviews name the actions they gate. */
export function gateActionOf(tool: string): AnyGateAction | undefined {
  return (Object.keys(ALL_GATE_TOOLS) as AnyGateAction[]).find((action) => ALL_GATE_TOOLS[action] === tool);
}

export type ChecklistsByKind = Readonly<Partial<Record<ChecklistKind, readonly ChecklistItem[]>>>;

export interface GateSubject {
  readonly entity: MachineEntity;
  readonly id?: string;
}

/**
 * A gate passes when every required item of each gated checklist is settled. An item marked
 * n_a counts as settled: it cannot be marked so without a note saying why, and an item that does
 * not apply to this bid could never be done. Optional items never block. Gated checklists are
 * checked in configuration order and the first one that fails is reported.
 */
export function checkGate(
  action: AnyGateAction,
  gates: Gates,
  checklists: ChecklistsByKind,
  subject: GateSubject,
): Result<void> {
  for (const kind of gates[action] ?? []) {
    const items = checklists[kind];
    if (items === undefined) return fail(checklistAbsent(action, kind, subject));
    const open = inTemplateOrder(items).filter((i) => i.required && i.state === 'open');
    if (open.length > 0) return fail(checklistIncomplete(action, kind, subject, completion(items), open));
  }
  return ok();
}

function inTemplateOrder(items: readonly ChecklistItem[]): ChecklistItem[] {
  return [...items].sort(
    (a, b) => (a.position ?? Number.POSITIVE_INFINITY) - (b.position ?? Number.POSITIVE_INFINITY),
  );
}

function checklistIncomplete(
  action: AnyGateAction,
  kind: ChecklistKind,
  subject: GateSubject,
  figures: CompletionFigures,
  open: readonly ChecklistItem[],
): GuardFailed {
  const missing: MissingItem[] = open.map(({ key, label }) => ({ key, label }));
  const keys = missing.map((m) => `\`${m.key}\``).join(', ');
  const ruledOut = figures.total - figures.applicable;
  const percent = ruledOut === 0 ? `${figures.percent}%` : `${figures.percent}%, ${ruledOut} n_a`;
  const one = missing.length === 1;
  return {
    code: 'GUARD_FAILED',
    entity: subject.entity,
    ...(subject.id === undefined ? {} : { id: subject.id }),
    gate: `${kind}_checklist`,
    review: kind,
    missing,
    completion: figures,
    message: `${kind} checklist ${figures.done}/${figures.applicable} done (${percent}): ${one ? 'item' : 'items'} ${keys} ${one ? 'is' : 'are'} open.`,
    nextStep: `Complete ${one ? 'it' : 'them'} with set_checklist_item (or mark ${one ? 'it' : 'them'} n_a with a note), then call ${ALL_GATE_TOOLS[action]} again.`,
  };
}

function checklistAbsent(action: AnyGateAction, kind: ChecklistKind, subject: GateSubject): GuardFailed {
  return {
    code: 'GUARD_FAILED',
    entity: subject.entity,
    ...(subject.id === undefined ? {} : { id: subject.id }),
    gate: `${kind}_checklist`,
    review: kind,
    missing: [{ key: `${kind}_checklist`, label: `The ${kind} checklist` }],
    message: `${subjectOf(subject.entity, subject.id)} has no ${kind} checklist, which the organization's gates require before ${ALL_GATE_TOOLS[action]}.`,
    nextStep: `Ask sales ops to add the ${kind} checklist to it or change the gate, then call ${ALL_GATE_TOOLS[action]} again.`,
  };
}
