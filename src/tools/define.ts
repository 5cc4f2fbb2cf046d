/**
 * A tool is one small declaration: name, a description written for the model, the command it
 * runs, honest hints and a short text rendering of the result. Its input and output schemas are
 * the command's own, so the arguments an assistant sees are the rules the command enforces, and
 * `readOnlyHint` is the command's access. src/server registers them; nothing here knows about
 * transports or callers.
 */
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Command } from '../workstream/command.js';
import { changedDepth, publishesAnswer } from './answers.js';
import { compactSchema } from './compact-schema.js';
import type { Confirmation } from './confirm.js';
import type { Toolset } from './toolsets.js';

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

/** What a write tool states about itself; reads are never destructive and always idempotent. */
export interface WriteHints {
  readonly destructive: boolean;
  readonly idempotent: boolean;
  /** It reaches beyond this server's database (enrichment calls other services). */
  readonly openWorld?: boolean;
}

interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject> {
  readonly name: string;
  readonly title: string;
  /** One line for the README's tool list. */
  readonly summary: string;
  readonly toolset: Toolset;
  readonly description: string;
  readonly command: Command<I, O>;
  /**
   * What the tool answers when that is less than the command returns: a summary the command's
   * output parses into (a pick of its view, src/workstream/summaries.ts). Default: the output.
   */
  readonly answer?: z.ZodObject;
  /** Required for write commands, refused for reads (a read's hints follow from its access). */
  readonly hints?: WriteHints;
  readonly render: (result: z.output<O>) => string;
  /** The MCP App view (a ui:// resource) hosts that support the MCP Apps extension show with its result. */
  readonly app?: string;
  /**
   * Where the definitions of the arguments and of the answer's fields are read instead (a
   * resource URI): the published schemas then keep their shape without descriptions (see
   * `definitionsOf`); the tool's description says what a call needs.
   */
  readonly definitions?: string;
  /**
   * A destructive call the user confirms first where the client can ask (./confirm.ts): the
   * preview it shows. Nothing is published for it; clients that cannot ask run it as before.
   */
  readonly confirm?: Confirmation;
  /**
   * Publish the answer's schema to this many levels of objects (`outlineOf`): for an answer
   * whose deeper parts are read in its text (get_process: each review's items).
   */
  readonly outline?: number;
}

/** A tool with its types erased, for the registry. `render` is a method, so a specific tool is assignable. */
export interface Tool {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly toolset: Toolset;
  readonly description: string;
  readonly command: Command;
  /** The schema of structuredContent, published as the output schema. */
  readonly answer: z.ZodObject;
  readonly annotations: Annotations;
  readonly app?: string;
  /** The resource that defines the answer's fields, when the output schema leaves them out. */
  readonly definitions?: string;
  /** Asked of the user before the call runs, where the client can ask. */
  readonly confirm?: Confirmation;
  render(result: unknown): string;
}

const READ: Annotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** Declares a tool over its command; `render` is typed by the command's output. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): Tool {
  const { hints, outline: _, ...tool } = spec;
  if ((spec.command.access === 'write') !== (hints !== undefined))
    throw new Error(`${spec.name}: a write tool states its hints and a read tool does not`);
  if (spec.confirm && !hints?.destructive)
    throw new Error(`${spec.name}: only a destructive tool asks the user to confirm it`);
  const annotations: Annotations = hints
    ? {
        readOnlyHint: false,
        destructiveHint: hints.destructive,
        idempotentHint: hints.idempotent,
        openWorldHint: hints.openWorld ?? false,
      }
    : READ;
  const answer = spec.answer ?? spec.command.output;
  if (spec.definitions) {
    DEFINED_ELSEWHERE.add(answer);
    DEFINED_ELSEWHERE.add(spec.command.input);
  }
  if (spec.outline !== undefined) OUTLINED.set(answer, spec.outline);
  // The registry holds tools of every command; each render only ever sees its own command's output.
  return {
    ...tool,
    answer,
    annotations,
    command: spec.command as unknown as Command,
    render: spec.render as Tool['render'],
  };
}

/** What MCP assumes of a tool that states no hints (the 2025-03-26 revision's defaults). */
const SPEC_DEFAULTS: Annotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

/**
 * The hints as published: only those that differ from MCP's defaults, which say the same in
 * fewer bytes. destructiveHint and idempotentHint mean nothing for a read-only tool, so a read
 * states only that it is read-only and closed-world.
 */
export function publishedHints(annotations: Annotations): Partial<Annotations> {
  const stated: Partial<Record<keyof Annotations, boolean>> = {};
  for (const key of Object.keys(SPEC_DEFAULTS) as (keyof Annotations)[]) {
    if (annotations.readOnlyHint && (key === 'destructiveHint' || key === 'idempotentHint')) continue;
    if (annotations[key] !== SPEC_DEFAULTS[key]) stated[key] = annotations[key];
  }
  return stated;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/**
 * The title as published: only where it names the tool otherwise than its name does ("Set a
 * review" for set_checklist_template). A title holding every word of the name ("Get a pursuit",
 * "Mark a pursuit won") is the name again in a sentence: MCP hosts show the name where a tool has
 * no title, and the sentence costs bytes in every conversation.
 */
export function publishedTitle(tool: Pick<Tool, 'name' | 'title'>): string | undefined {
  const title = new Set(words(tool.title));
  return words(tool.name).every((word) => title.has(word)) ? undefined : tool.title;
}

type JsonSchemaConverter = StandardSchemaWithJSON['~standard']['jsonSchema'];
type JsonSchemaOptions = Parameters<JsonSchemaConverter['input']>[0];

/** Argument and answer schemas whose definitions are published in a resource, not in tools/list. */
const DEFINED_ELSEWHERE = new WeakSet<z.ZodType>();
/** Answer schemas published to a depth (`outline`), by schema. */
const OUTLINED = new WeakMap<z.ZodType, number>();

/** A JSON Schema without its `description`s (property names stay: they are data). */
export function withoutDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' && typeof value === 'string') continue;
    out[key] =
      (key === 'properties' || key === '$defs') && typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([name, v]) => [name, withoutDescriptions(v)]))
        : withoutDescriptions(value);
  }
  return out;
}

/**
 * How many levels of an answer's objects a tool with a definitions resource publishes: its own
 * fields, each with its type; the resource defines every field below them by path and holds the
 * whole answer's schema.
 */
const DEFINED_DEPTH = 1;

/**
 * A compacted output schema to `depth` levels of objects (an array's items are its own level):
 * deeper properties are published as their type and description alone (`{"type": "array"}`).
 * Looser, still true: every answer it checks passes. What an analytics answer's nested figures
 * hold (`rows[].award.median`) is in its definitions resource, by path, with the whole answer's
 * schema; each review's items in get_process are in its text and in docs/process.md.
 */
export function outlineOf(schema: unknown, depth: number): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const node = schema as Record<string, unknown>;
  if (depth <= 0) {
    const type = node.type ?? (node.items !== undefined ? 'array' : node.properties ? 'object' : undefined);
    return {
      ...(type === undefined ? {} : { type }),
      ...(typeof node.description === 'string' ? { description: node.description } : {}),
    };
  }
  const out: Record<string, unknown> = { ...node };
  if (typeof node.properties === 'object' && node.properties !== null)
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, property]) => [name, outlineOf(property, depth - 1)]),
    );
  if (node.items !== undefined) out.items = outlineOf(node.items, depth);
  if (typeof node.additionalProperties === 'object')
    out.additionalProperties = outlineOf(node.additionalProperties, depth - 1);
  return out;
}

/**
 * The definitions a JSON Schema's descriptions give, by the path of the field they describe
 * (`rows[].counts.won`; the schema itself is ""): what a tool's definitions resource serves
 * when its published output schema leaves them out.
 */
export function definitionsOf(
  schema: unknown,
  path = '',
  into: Record<string, string> = {},
): Record<string, string> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return into;
  const node = schema as Record<string, unknown>;
  if (typeof node.description === 'string' && !(path in into)) into[path] = node.description;
  const properties = node.properties;
  if (typeof properties === 'object' && properties !== null)
    for (const [name, property] of Object.entries(properties))
      definitionsOf(property, path ? `${path}.${name}` : name, into);
  if (node.items) definitionsOf(node.items, `${path}[]`, into);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    if (Array.isArray(node[key]))
      for (const option of node[key] as unknown[]) definitionsOf(option, path, into);
  return into;
}

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
    const compact = compactSchema(convert[io](options), io);
    const elsewhere = DEFINED_ELSEWHERE.has(schema);
    const depth =
      io === 'output'
        ? elsewhere
          ? DEFINED_DEPTH
          : (OUTLINED.get(schema) ?? changedDepth(schema) ?? Infinity)
        : Infinity;
    const json = outlineOf(elsewhere ? withoutDescriptions(compact) : compact, depth) as Record<
      string,
      unknown
    >;
    cache.set(key, json);
    return json;
  };
  return { input: once('input'), output: once('output') };
}

/** The JSON Schema dialect the SDK asks zod for (tools/list, and each call's output check). */
export const SDK_SCHEMA_TARGET = 'draft-2020-12';

/** Every tool's published JSON Schemas by tool name, as `published` converts them for the SDK. */
export type BuiltSchemas = Record<string, { readonly input: unknown; readonly output?: unknown }>;

/** Converts every tool's schemas, as the first tools/list would: the build keeps the result (scripts/bundle-cli.mjs). */
export function convertSchemas(tools: readonly Tool[]): BuiltSchemas {
  const built: BuiltSchemas = {};
  for (const tool of tools)
    built[tool.name] = {
      input: published(tool.command.input)['~standard'].jsonSchema.input({ target: SDK_SCHEMA_TARGET }),
      ...(publishesAnswer(tool.answer)
        ? { output: published(tool.answer)['~standard'].jsonSchema.output({ target: SDK_SCHEMA_TARGET }) }
        : {}),
    };
  return built;
}

/**
 * Takes schemas `convertSchemas` made from these same tools when the command was built, so a
 * starting server does not convert them again (about 80 ms of zod's JSON Schema conversion for the
 * first tools/list, and the first call's output schema). A tool the build did not see is converted
 * as before.
 */
export function useConvertedSchemas(tools: readonly Tool[], built: BuiltSchemas): void {
  const keep = (schema: z.ZodType, io: 'input' | 'output', json: unknown) => {
    const cache = converted.get(schema) ?? new Map<string, Record<string, unknown>>();
    converted.set(schema, cache);
    cache.set(`${io} ${SDK_SCHEMA_TARGET}`, json as Record<string, unknown>);
  };
  for (const tool of tools) {
    const entry = built[tool.name];
    if (!entry) continue;
    keep(tool.command.input, 'input', entry.input);
    if (entry.output !== undefined) keep(tool.answer, 'output', entry.output);
  }
}

/**
 * What the SDK publishes for a tool's arguments and its result, with the SDK's own checks passed
 * through: the handler (src/server/mcp.ts) parses the arguments with the command's schema, so a
 * malformed call is answered like any other refusal (an isError result with a VALIDATION failure
 * naming the field in structuredContent, counted in the metrics) instead of the SDK's plain-text
 * message; and it checks each result against the output schema, so a mismatch is a logged defect
 * with an error id rather than a message the server never sees.
 */
export function published<S extends z.ZodType>(schema: S): StandardSchemaWithJSON<z.input<S>, unknown> {
  return {
    '~standard': {
      version: 1,
      vendor: 'workstream',
      validate: (value: unknown) => ({ value }),
      jsonSchema: convertedOnce(schema),
    },
  };
}
