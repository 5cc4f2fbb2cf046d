/**
 * Confirmation of destructive calls: what a tool that closes a record shows the user before it
 * runs, where the client can ask (src/server/confirm.ts does the asking). The preview is read
 * from the record as it is and from a rehearsal of the call itself (the command run to its
 * answer and rolled back, Deps.rehearse), so a call the command would refuse, or a retry that
 * would change nothing, is never put to the user: it runs as it would without asking.
 *
 * The user's answer is input, not authority: a confirmed call runs the same command with the
 * same guards, with the version the preview showed as its expectedVersion (unless the caller
 * gave one), so a change made between the preview and the answer is refused as CONFLICT instead
 * of closing a record the user did not see.
 */
import type { Entity } from '../domain/entities.js';
import { WorkstreamError } from '../domain/errors.js';
import type { Command } from '../workstream/command.js';
import { execute } from '../workstream/command.js';
import { COMMANDS } from '../workstream/commands.js';
import type { Actor, Deps } from '../workstream/deps.js';
import { PursuitView } from '../workstream/views.js';

/** What the user is asked to confirm, and about which record at which version. */
export interface Preview {
  readonly entity: Entity;
  readonly id: string;
  /** The version the preview showed: the confirmed call runs with it as expectedVersion. */
  readonly version: number;
  readonly message: string;
}

export interface Confirmation {
  readonly entity: Entity;
  /** The id of the record a call names (its arguments are still unparsed). */
  subject(args: unknown): string | undefined;
  /**
   * What to ask before the call runs; undefined when nothing is to be asked because the call
   * would be refused (the command then refuses it as it always does) or would change nothing.
   */
  preview(command: Command, deps: Deps, actor: Actor, args: unknown): Promise<Preview | undefined>;
}

/** What the user answers: one boolean, a form every client generation can show. */
export const CONFIRM_SCHEMA = {
  type: 'object',
  properties: {
    confirm: {
      type: 'boolean',
      title: 'Go ahead',
      description: 'Yes to make this change now; no to leave the record as it is.',
    },
  },
  required: ['confirm'],
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The call's arguments as confirmed: the caller's own expectedVersion, else the one the preview showed. */
export function confirmedArgs(args: unknown, version: number): unknown {
  if (!isRecord(args) || args.expectedVersion !== undefined) return args;
  return { ...args, expectedVersion: version };
}

/** Runs a command, answering undefined for a refusal (a defect still throws). */
async function unlessRefused<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkstreamError) return undefined;
    throw error;
  }
}

const quoted = (text: string) => `“${text}”`;

/**
 * A tool that closes a pursuit: the preview names the pursuit (id, title, account, version),
 * its state and the state it closes in, the reason as the command records it, and what closing
 * means.
 */
export function closesPursuit(reasonOf: (closed: PursuitView) => string | null): Confirmation {
  const subject = (args: unknown) =>
    isRecord(args) && typeof args.pursuitId === 'string' ? args.pursuitId : undefined;
  return {
    entity: 'pursuit',
    subject,
    async preview(command, deps, actor, args) {
      const pursuitId = subject(args);
      if (pursuitId === undefined) return undefined;
      const before = await unlessRefused(() => execute(COMMANDS.getPursuit, deps, actor, { pursuitId }));
      if (!before) return undefined;
      const answer = await unlessRefused(() =>
        execute(command, { ...deps, rehearse: true }, actor, confirmedArgs(args, before.version)),
      );
      if (answer === undefined) return undefined;
      const after = PursuitView.parse(answer);
      // A retry of a close already made answers the pursuit unchanged: nothing to confirm.
      if (after.version === before.version) return undefined;
      const reason = reasonOf(after);
      const message = [
        `Close pursuit ${before.id} ${quoted(before.title)} (${before.accountName}, version ${before.version})?`,
        `State: ${before.state} → ${after.state}.${reason ? ` Reason: ${quoted(reason)}.` : ''}`,
        'A closed pursuit takes only tag changes from then on, and its running SLA clocks stop.',
      ].join('\n');
      return { entity: 'pursuit', id: before.id, version: before.version, message };
    },
  };
}
