/**
 * The organization's process rules beyond its reviews (docs/process.md): the fields an action
 * requires, the reason codes a closing move takes, and the sign-offs a gated action waits for.
 * Pure checks; the configuration is read and validated in src/workstream/process.ts.
 */
import type { GatedTool } from './checklist.js';
import type { GuardFailed, MissingItem, Result } from './errors.js';
import { fail, ok, subjectOf, validation } from './errors.js';
import { type Machine, statesFrom } from './machine.js';

export const REASON_LISTS = ['loss', 'no_bid', 'disqualify', 'cancel'] as const;
export type ReasonList = (typeof REASON_LISTS)[number];

/**
 * The lists get_process offers until an org sets its own. They are suggestions: reasons are
 * validated against a list only once the org has set it, so free-text reasons keep working.
 */
export const DEFAULT_REASONS: Readonly<Record<ReasonList, readonly string[]>> = {
  loss: ['price', 'technical', 'incumbent', 'relationship', 'timing', 'other'],
  no_bid: ['no_fit', 'no_capacity', 'low_win_probability', 'other'],
  disqualify: ['no_budget', 'no_authority', 'no_need', 'no_fit', 'other'],
  cancel: ['customer_cancelled', 'requirement_changed', 'other'],
};

/** The tool (and its reason argument) each list governs. */
export const REASON_FIELDS: Readonly<Record<ReasonList, { tool: string; field: string }>> = {
  loss: { tool: 'mark_lost', field: 'lossReason' },
  no_bid: { tool: 'decide_no_bid', field: 'reason' },
  disqualify: { tool: 'disqualify_candidate', field: 'reason' },
  cancel: { tool: 'cancel_pursuit', field: 'reason' },
};

/** The arguments each gated action may be configured to require; `fields.<key>` names a pursuit field. */
export const REQUIRABLE: Readonly<Record<GatedTool, readonly string[]>> = {
  decide_bid: ['reason'],
  decide_no_bid: ['reason'],
  submit_pursuit: [],
  mark_won: ['awardAmount', 'note'],
  mark_lost: ['lossReason'],
};

export const SIGN_OFF_ROLES = ['admin', 'member'] as const;
export type SignOffRole = (typeof SIGN_OFF_ROLES)[number];

/** A reason is `code` or `code: detail`; the code is what lists hold and analytics count. */
export function reasonCode(reason: string): string {
  const colon = reason.indexOf(':');
  return (colon < 0 ? reason : reason.slice(0, colon)).trim().toLowerCase();
}

/** ok when the org has no list for `list`, or the reason's code is on it. */
export function checkReasonCode(
  list: ReasonList,
  reason: string,
  codes: readonly string[] | undefined,
): Result<string> {
  if (codes === undefined) return ok(reason);
  const code = reasonCode(reason);
  if (codes.includes(code)) return ok(reason);
  const { tool, field } = REASON_FIELDS[list];
  return fail(
    validation(
      field,
      `${field} must start with one of the organization's ${list} reason codes (${codes.join(', ')}); got \`${code}\`.`,
      { nextStep: `Call ${tool} again with ${field} "<code>" or "<code>: detail".` },
    ),
  );
}

/** The records whose fields an organization defines and may require. */
export type FieldsEntity = 'candidate' | 'pursuit';

/**
 * Every required field the call leaves out, named at once. `given` holds the call's arguments
 * and, as `fields.<key>`, the record's fields; blank strings count as missing.
 */
export function checkRequiredFields(
  tool: string,
  required: readonly string[],
  given: Readonly<Record<string, unknown>>,
  subject: { readonly entity: FieldsEntity; readonly id: string },
): Result<void> {
  const { entity, id } = subject;
  const missing: MissingItem[] = [...new Set(required)]
    .filter((field) => isBlank(given[field]))
    .map((field) => ({
      key: field,
      label: field.startsWith('fields.') ? `${entity} field ${field.slice(7)}` : field,
    }));
  if (missing.length === 0) return ok();
  const keys = missing.map((m) => `\`${m.key}\``).join(', ');
  const fields = missing.filter((m) => m.key.startsWith('fields.'));
  const args = missing.filter((m) => !m.key.startsWith('fields.'));
  const steps = [
    fields.length > 0 && `set ${fields.map((m) => m.key.slice(7)).join(', ')} with update_${entity}`,
    args.length > 0 && `give ${args.map((m) => m.key).join(', ')}`,
  ].filter(Boolean);
  return fail({
    code: 'GUARD_FAILED',
    entity,
    id,
    gate: 'required_fields',
    missing,
    message: `The organization requires ${keys} before ${tool} on ${subjectOf(entity, id)}.`,
    nextStep: `${capitalise(steps.join(' and '))}, then call ${tool} again.`,
  });
}

/** What a required field counts as when it has no value: absent, null or blank text. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A custom field's definition as far as requiring it goes. */
export interface FieldRequirement<S extends string> {
  readonly key: string;
  readonly requiredFrom?: S | undefined;
  readonly retired?: boolean | undefined;
}

/**
 * The fields (as `fields.<key>`) a record in `state` must have: those required from `state` or
 * from a state it reaches only through (statesFrom, src/domain/machine.ts). Retired fields are
 * no longer required.
 */
export function fieldsRequiredIn<S extends string, A extends string>(
  machine: Machine<S, A>,
  definitions: readonly FieldRequirement<S>[],
  state: S,
): string[] {
  return definitions
    .filter(
      (d) =>
        !d.retired && d.requiredFrom !== undefined && statesFrom(machine, d.requiredFrom).includes(state),
    )
    .map((d) => `fields.${d.key}`);
}

export interface SignOffRef {
  readonly id: string;
  readonly state: 'requested' | 'approved' | 'rejected';
  readonly decisionNote?: string | null;
}

/** ok with the approved sign-off to consume; else the refusal naming where the sign-off stands. */
export function checkSignOff(
  tool: GatedTool,
  role: SignOffRole,
  latest: SignOffRef | undefined,
  pursuitId: string,
): Result<string> {
  if (latest?.state === 'approved') return ok(latest.id);
  const base: Omit<GuardFailed, 'message' | 'nextStep'> = {
    code: 'GUARD_FAILED',
    entity: 'pursuit',
    id: pursuitId,
    gate: 'sign_off',
    missing: [{ key: `sign_off:${tool}`, label: `Sign-off of ${tool} by a ${role}` }],
  };
  if (latest?.state === 'requested')
    return fail({
      ...base,
      message: `${tool} on ${subjectOf('pursuit', pursuitId)} waits for sign-off ${latest.id} by a ${role}.`,
      nextStep: `A ${role} approves it with decide_sign_off (it is on their Today Panel); then call ${tool} again.`,
    });
  if (latest?.state === 'rejected')
    return fail({
      ...base,
      message: `Sign-off ${latest.id} of ${tool} was rejected${latest.decisionNote ? `: ${latest.decisionNote}` : ''}.`,
      nextStep: `Address the note, ask again with request_sign_off (action ${tool}), then call ${tool} again.`,
    });
  return fail({
    ...base,
    message: `${tool} on ${subjectOf('pursuit', pursuitId)} needs a sign-off by a ${role}.`,
    nextStep: `Call request_sign_off with action ${tool}; once a ${role} approves, call ${tool} again.`,
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
