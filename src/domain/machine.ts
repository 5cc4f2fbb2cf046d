import type { MachineEntity } from './entities.js';
import type { AllowedAction, InvalidTransition, Result } from './errors.js';
import { fail, ok, subjectOf, validation } from './errors.js';

/**
 * A target that is not fixed in the table: the entity returns to the state it was in when it
 * entered the current one (a pursuit resumes to where it was put on hold). The caller supplies
 * that state as `heldFrom`; the machine checks it is a state that can enter the current one.
 */
export const HELD_FROM = '<held_from>';
export type HeldFrom = typeof HELD_FROM;

export interface Transition<S extends string, A extends string> {
  /**
   * Named as the MCP tool that performs it (snake_case verb_noun: `qualify_candidate`,
   * `submit_pursuit`), so an `allowed` list is directly something an assistant can call.
   * Where one tool has two outcomes, each outcome is its own action (`decide_bid`, `decide_no_bid`);
   * the one action no tool performs directly (superseding a proposal version) says which tool does.
   */
  readonly action: A;
  readonly from: readonly S[];
  readonly to: S | HeldFrom;
  /** Completes "it can only be ___ from `x`" when the action is refused. */
  readonly participle: string;
}

/** Hand-written advice per current state, optionally sharpened per refused action. */
export type NextSteps<S extends string, A extends string> = {
  readonly [K in S]: { readonly otherwise: string } & { readonly [B in A]?: string };
};

export interface Machine<S extends string, A extends string> {
  readonly entity: MachineEntity;
  /** The state every record starts in. */
  readonly initial: S;
  readonly states: readonly S[];
  readonly actions: readonly A[];
  readonly transitions: readonly Transition<S, A>[];
  readonly nextSteps: NextSteps<S, A>;
}

export interface Moved<S extends string> {
  readonly from: S;
  readonly to: S;
}

export interface TransitionRef<S extends string> {
  readonly id?: string;
  readonly heldFrom?: S | null;
}

export function allowedActions<S extends string, A extends string>(machine: Machine<S, A>, state: S): A[] {
  return machine.transitions.filter((t) => t.from.includes(state)).map((t) => t.action);
}

export function allowedTransitions<S extends string, A extends string>(
  machine: Machine<S, A>,
  state: S,
  heldFrom?: S | null,
): AllowedAction[] {
  return machine.transitions
    .filter((t) => t.from.includes(state))
    .map((t) => ({ action: t.action, to: targetLabel(machine, t, state, heldFrom) }));
}

/** A state nothing leaves: the entity is closed. */
export function isFinal<S extends string, A extends string>(machine: Machine<S, A>, state: S): boolean {
  return allowedActions(machine, state).length === 0;
}

export function applyTransition<S extends string, A extends string>(
  machine: Machine<S, A>,
  current: S,
  action: A,
  ref: TransitionRef<S> = {},
): Result<Moved<S>> {
  const transition = machine.transitions.find((t) => t.action === action && t.from.includes(current));
  if (transition === undefined) return fail(invalidTransition(machine, current, action, ref));
  if (transition.to !== HELD_FROM) return ok({ from: current, to: transition.to });

  const entering = statesEntering(machine, current);
  const heldFrom = ref.heldFrom;
  if (heldFrom === undefined || heldFrom === null || !entering.includes(heldFrom)) {
    return fail(
      validation(
        'heldFrom',
        `${subjectOf(machine.entity, ref.id)} has no valid record of where it was held from (got ${String(heldFrom)}; expected ${listStates(entering)}).`,
        { nextStep: 'Report this to sales ops: the hold was recorded without its previous state.' },
      ),
    );
  }
  return ok({ from: current, to: heldFrom });
}

export function invalidTransition<S extends string, A extends string>(
  machine: Machine<S, A>,
  current: S,
  action: A,
  ref: TransitionRef<S> = {},
): InvalidTransition {
  const { id } = ref;
  const hints = machine.nextSteps[current];
  const fromStates = [
    ...new Set(machine.transitions.filter((t) => t.action === action).flatMap((t) => t.from)),
  ];
  const participle = machine.transitions.find((t) => t.action === action)?.participle ?? action;
  const message = isFinal(machine, current)
    ? `${subjectOf(machine.entity, id)} is \`${current}\`, which is final.`
    : `${subjectOf(machine.entity, id)} is \`${current}\`; it can only be ${participle} from ${listStates(fromStates)}.`;
  return {
    code: 'INVALID_TRANSITION',
    entity: machine.entity,
    ...(id === undefined ? {} : { id }),
    state: current,
    action,
    allowed: allowedTransitions(machine, current, ref.heldFrom),
    message,
    nextStep: hints[action] ?? hints.otherwise,
  };
}

/**
 * The states a record reaches only through `state`: `state` itself and every state that each
 * path of transitions from the initial state to it passes through `state` (it dominates them).
 * This is what "from a state on" means: a pursuit is `submitted` or later when it is submitted,
 * won or lost (a pursuit reaches `cancelled` without ever being submitted, so cancelled is not
 * later than submitted); from the initial state on is every state.
 */
export function statesFrom<S extends string, A extends string>(machine: Machine<S, A>, state: S): S[] {
  if (state === machine.initial) return [...machine.states];
  const reached = new Set<S>([machine.initial]);
  for (let frontier: S[] = [machine.initial]; frontier.length > 0; ) {
    const next: S[] = [];
    for (const from of frontier)
      for (const transition of machine.transitions) {
        if (!transition.from.includes(from)) continue;
        // A return to where it was held from may reach any state that enters the one it leaves.
        const targets = transition.to === HELD_FROM ? statesEntering(machine, from) : [transition.to];
        for (const to of targets)
          if (to !== state && !reached.has(to)) {
            reached.add(to);
            next.push(to);
          }
      }
    frontier = next;
  }
  return machine.states.filter((s) => s === state || !reached.has(s));
}

function statesEntering<S extends string, A extends string>(machine: Machine<S, A>, state: S): S[] {
  return [...new Set(machine.transitions.filter((t) => t.to === state).flatMap((t) => t.from))];
}

function targetLabel<S extends string, A extends string>(
  machine: Machine<S, A>,
  transition: Transition<S, A>,
  current: S,
  heldFrom: S | null | undefined,
): string {
  if (transition.to !== HELD_FROM) return transition.to;
  return heldFrom ?? statesEntering(machine, current).join('|');
}

export function listStates(states: readonly string[]): string {
  const quoted = states.map((s) => `\`${s}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}
