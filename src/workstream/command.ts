/**
 * A command is one typed value: the schema of its input, the schema of what it answers, and the
 * function that does it. A tool publishes the command's schemas as its own (src/tools/define.ts)
 * and calls `execute`, so arguments are parsed exactly once, by the schema the assistant saw.
 */
import type { z } from 'zod';
import type { Actor, Deps } from './deps.js';
import { parse } from './validate.js';

export interface Command<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** `read` commands change nothing (viewers may call them); `write` commands change the workstream. */
  readonly access: 'read' | 'write';
  readonly input: I;
  readonly output: O;
  readonly run: (deps: Deps, actor: Actor, input: z.output<I>) => Promise<z.output<O>>;
}

/** A query: reads only. */
export function query<I extends z.ZodObject, O extends z.ZodObject>(
  spec: Omit<Command<I, O>, 'access'>,
): Command<I, O> {
  return { access: 'read', ...spec };
}

/** A command that changes the workstream. */
export function change<I extends z.ZodObject, O extends z.ZodObject>(
  spec: Omit<Command<I, O>, 'access'>,
): Command<I, O> {
  return { access: 'write', ...spec };
}

/** Parses raw arguments with the command's input schema (VALIDATION naming the field) and runs it. */
export async function execute<I extends z.ZodObject, O extends z.ZodObject>(
  command: Command<I, O>,
  deps: Deps,
  actor: Actor,
  args: unknown,
): Promise<z.output<O>> {
  // A refusal of the arguments rejects the promise like any other refusal (async), never throws.
  // The command's access is the one statement of whether it reads: the unit of work takes it from here.
  return command.run({ ...deps, access: command.access }, actor, parse(command.input, args));
}
