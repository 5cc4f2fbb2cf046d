/**
 * A tool is one small declaration: name, a description written for the model, input and output
 * schemas, honest annotations, the one Workstream method it calls and a short text rendering of
 * the result. src/server registers them; nothing here knows about transports or callers.
 */
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Actor, Workstream } from '../workstream/workstream.js';
import type { Toolset } from './toolsets.js';

/** Workstream methods that act for a caller: `(actor, input) => Promise<result>`. */
export type ActorMethod = {
  [K in keyof Workstream]: Workstream[K] extends (actor: Actor, input?: unknown) => Promise<unknown>
    ? [Parameters<Workstream[K]>[0]] extends [Actor]
      ? K
      : never
    : never;
}[keyof Workstream];

export type MethodResult<M extends ActorMethod> = Awaited<ReturnType<Workstream[M]>>;

/**
 * All four hints, always stated. `destructiveHint`: the call overwrites a value or closes the
 * record (the history keeps the before, but the tool cannot undo it). `idempotentHint`:
 * repeating the same call changes nothing more (it answers the same, or is refused because the
 * first call already did it); false for calls that record a new fact each time.
 */
export interface Annotations {
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  readonly idempotentHint: boolean;
  readonly openWorldHint: boolean;
}

export const READ: Annotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export function write(hints: { destructive: boolean; idempotent: boolean }): Annotations {
  return {
    readOnlyHint: false,
    destructiveHint: hints.destructive,
    idempotentHint: hints.idempotent,
    openWorldHint: false,
  };
}

interface ToolSpec<M extends ActorMethod, I extends z.ZodObject, O extends z.ZodObject> {
  readonly name: string;
  readonly title: string;
  /** One line for the README's tool list. */
  readonly summary: string;
  readonly toolset: Toolset;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly annotations: Annotations;
  readonly method: M;
  /** The method's input, when it differs from the tool's arguments (decide_no_bid adds the decision). */
  readonly toInput?: (args: z.output<I>) => unknown;
  readonly render: (result: z.output<O>) => string;
}

/**
 * A method's result is the tool's output as it is, or through `toOutput` when it is not an
 * object (a list becomes `{ candidateId, enrichment: [...] }`): one or the other is a type error
 * when the output schema does not describe it.
 */
type Output<M extends ActorMethod, I extends z.ZodObject, O extends z.ZodObject> =
  | { readonly toOutput: (result: MethodResult<M>, args: z.output<I>) => z.output<O> }
  | ([MethodResult<M>] extends [z.output<O>] ? { readonly toOutput?: undefined } : never);

/** A tool with its types erased, for the registry. Methods, so a specific tool is assignable. */
export interface Tool {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly toolset: Toolset;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  readonly annotations: Annotations;
  readonly method: ActorMethod;
  toInput?(args: unknown): unknown;
  toOutput?(result: unknown, args: unknown): unknown;
  render(result: unknown): string;
}

/**
 * Declares a tool. The output schema must describe what the method returns (or what toOutput
 * makes of it): a mismatch is a type error here, not a validation error at run time.
 */
export function defineTool<M extends ActorMethod, I extends z.ZodObject, O extends z.ZodObject>(
  spec: ToolSpec<M, I, O> & Output<M, I, O>,
): Tool {
  return spec;
}

type JsonSchemaConverter = StandardSchemaWithJSON['~standard']['jsonSchema'];
type JsonSchemaOptions = Parameters<JsonSchemaConverter['input']>[0];

const converted = new WeakMap<z.ZodType, Map<string, Record<string, unknown>>>();

/**
 * zod's JSON Schema for a schema, converted once per process. Over HTTP every request gets a
 * fresh server, and converting every tool's schemas again for each would cost more than the
 * database work of most calls.
 */
function convertedOnce(schema: z.ZodType): JsonSchemaConverter {
  const convert = schema['~standard'].jsonSchema;
  const once = (io: 'input' | 'output') => (options: JsonSchemaOptions) => {
    const cache = converted.get(schema) ?? new Map<string, Record<string, unknown>>();
    converted.set(schema, cache);
    const key = `${io} ${options.target}`;
    const known = cache.get(key);
    if (known) return known;
    const json = convert[io](options);
    cache.set(key, json);
    return json;
  };
  return { input: once('input'), output: once('output') };
}

/**
 * What the SDK publishes for a tool's arguments and its result, with the SDK's own checks passed
 * through: the handler (src/server/mcp.ts) parses the arguments exactly as the Workstream does,
 * so a malformed call is answered like any other refusal (an isError result with a VALIDATION
 * failure naming the field in structuredContent, counted in the metrics) instead of the SDK's
 * plain-text message; and it checks each result against the output schema, so a mismatch is a
 * logged defect with an error id rather than a message the server never sees.
 */
export function published<S extends z.ZodObject>(schema: S): StandardSchemaWithJSON<z.input<S>, unknown> {
  return {
    '~standard': {
      version: 1,
      vendor: 'workstream',
      validate: (value: unknown) => ({ value }),
      jsonSchema: convertedOnce(schema),
    },
  };
}
