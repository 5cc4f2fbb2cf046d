import type { Entity, MachineEntity } from './entities.js';

export const ERROR_CODES = [
  'INVALID_TRANSITION',
  'GUARD_FAILED',
  'VALIDATION',
  'NOT_FOUND',
  'DUPLICATE',
  'CONFLICT',
  'FORBIDDEN',
  'NOT_CONFIRMED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an assistant reads: `message` says what went wrong and the current state, `nextStep` names the tool to call. */
interface Explained {
  readonly message: string;
  readonly nextStep: string;
}

export interface AllowedAction {
  readonly action: string;
  readonly to: string;
}

export interface MissingItem {
  readonly key: string;
  readonly label: string;
}

/** `percent` is floor(100·done / applicable), where applicable = total − items marked n_a. */
export interface CompletionFigures {
  readonly done: number;
  readonly total: number;
  readonly applicable: number;
  readonly percent: number;
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export interface InvalidTransition extends Explained {
  readonly code: 'INVALID_TRANSITION';
  readonly entity: MachineEntity;
  readonly id?: string;
  readonly state: string;
  readonly action: string;
  readonly allowed: readonly AllowedAction[];
}

export interface GuardFailed extends Explained {
  readonly code: 'GUARD_FAILED';
  readonly entity: MachineEntity;
  readonly id?: string;
  readonly gate: string;
  /** The review (checklist key) a checklist gate names. */
  readonly review?: string;
  readonly missing: readonly MissingItem[];
  readonly completion?: CompletionFigures;
}

export interface ValidationFailed extends Explained {
  readonly code: 'VALIDATION';
  readonly field: string;
  readonly issues?: readonly FieldIssue[];
}

export interface NotFound extends Explained {
  readonly code: 'NOT_FOUND';
  readonly entity: Entity;
  readonly id: string;
}

export interface Duplicate extends Explained {
  readonly code: 'DUPLICATE';
  readonly entity: Entity;
  readonly existingId: string;
}

export interface Conflict extends Explained {
  readonly code: 'CONFLICT';
  readonly entity: Entity;
  readonly id: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;
}

export interface Forbidden extends Explained {
  readonly code: 'FORBIDDEN';
  readonly reason: string;
}

/** What the user answered when asked to confirm a destructive call (src/tools/confirm.ts). */
export type ConfirmationAnswer = 'decline' | 'cancel' | 'no_answer';

export interface NotConfirmed extends Explained {
  readonly code: 'NOT_CONFIRMED';
  readonly entity: Entity;
  readonly id: string;
  /** The tool the user was asked to confirm. */
  readonly action: string;
  readonly answer: ConfirmationAnswer;
}

export type Failure =
  | InvalidTransition
  | GuardFailed
  | ValidationFailed
  | NotFound
  | Duplicate
  | Conflict
  | Forbidden
  | NotConfirmed;

/** Thrown where a command cannot return a Result; the failure travels intact to the tool layer. */
export class WorkstreamError extends Error {
  override readonly name = 'WorkstreamError';
  readonly failure: Failure;

  constructor(failure: Failure) {
    super(failure.message);
    this.failure = failure;
  }

  get code(): ErrorCode {
    return this.failure.code;
  }
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: Failure };

export function ok(): Result<void>;
export function ok<T>(value: T): Result<T>;
export function ok(value?: unknown): Result<unknown> {
  return { ok: true, value };
}

export function fail(failure: Failure): Result<never> {
  return { ok: false, failure };
}

/** The value of an ok result; a failure is thrown as WorkstreamError for the tool layer to render. */
export function must<T>(result: Result<T>): T {
  if (!result.ok) throw new WorkstreamError(result.failure);
  return result.value;
}

/** How an assistant finds a valid id of each kind; entities without a list tool get generic advice. */
const LIST_TOOLS: Partial<Record<Entity, string>> = {
  signal: 'list_signals',
  candidate: 'list_candidates',
  pursuit: 'list_pursuits',
};

export function entityLabel(entity: Entity): string {
  return entity.replaceAll('_', ' ');
}

/** How messages name a record: "candidate cand_01H…", or "this candidate" when the id is not known yet. */
export function subjectOf(entity: Entity, id: string | undefined): string {
  return id === undefined ? `this ${entityLabel(entity)}` : `${entityLabel(entity)} ${id}`;
}

export function notFound(entity: Entity, id: string): NotFound {
  const listTool = LIST_TOOLS[entity];
  return {
    code: 'NOT_FOUND',
    entity,
    id,
    message: `${entityLabel(entity)} ${id} does not exist in this organization.`,
    nextStep:
      listTool === undefined
        ? `Check the ${entityLabel(entity)} id and call again.`
        : `Check the id; find ${entityLabel(entity)} ids with ${listTool}.`,
  };
}

export function validation(
  field: string,
  message: string,
  options: { nextStep?: string; issues?: readonly FieldIssue[] } = {},
): ValidationFailed {
  return {
    code: 'VALIDATION',
    field,
    message,
    nextStep: options.nextStep ?? `Correct ${field} and call again.`,
    ...(options.issues === undefined ? {} : { issues: options.issues }),
  };
}

export function conflict(
  entity: Entity,
  id: string,
  expectedVersion: number,
  actualVersion: number,
): Conflict {
  return {
    code: 'CONFLICT',
    entity,
    id,
    expectedVersion,
    actualVersion,
    message: `${entityLabel(entity)} ${id} is at version ${actualVersion}, not ${expectedVersion}: someone changed it since you read it.`,
    nextStep: `Re-read ${id}, check the change still makes sense, and retry with expectedVersion ${actualVersion}.`,
  };
}

export function duplicate(entity: Entity, existingId: string, message?: string): Duplicate {
  return {
    code: 'DUPLICATE',
    entity,
    existingId,
    message: message ?? `An open ${entityLabel(entity)} with the same key already exists: ${existingId}.`,
    nextStep: `Work on ${existingId} instead of creating another ${entityLabel(entity)}.`,
  };
}

export function forbidden(reason: string): Forbidden {
  return {
    code: 'FORBIDDEN',
    reason,
    message: `Not allowed: ${reason}`,
    nextStep: 'Ask an administrator of this organization for the access this needs.',
  };
}

const UNCONFIRMED: Record<ConfirmationAnswer, string> = {
  decline: 'the user declined',
  cancel: 'the user dismissed the question',
  no_answer: 'no answer came back from the user',
};

/** A destructive call the user was asked to confirm and did not: nothing was changed. */
export function notConfirmed(
  entity: Entity,
  id: string,
  action: string,
  answer: ConfirmationAnswer,
): NotConfirmed {
  return {
    code: 'NOT_CONFIRMED',
    entity,
    id,
    action,
    answer,
    message: `${action} on ${entityLabel(entity)} ${id} was not confirmed (${UNCONFIRMED[answer]}): nothing changed.`,
    nextStep: `Ask the user whether to go ahead; call ${action} again only if they say so.`,
  };
}
