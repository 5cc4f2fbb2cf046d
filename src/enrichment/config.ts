/**
 * The enrichment configuration: which MCP servers enrich a new candidate, how to reach each one,
 * which tool to call with what arguments, and how its answer becomes enrichment fields. A JSON
 * file (WORKSTREAM_ENRICHMENT_CONFIG); a mistake stops the process at start with the file and
 * the field path that is wrong. docs/enrichment.md describes the format.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { EnrichmentProviderRef } from '../workstream/deps.js';
import { isTemplate, PathSyntaxError, parsePath, placeholders } from './paths.js';

/** What a tool's arguments may draw from the candidate: `{{accountName}}`, … */
export const CANDIDATE_VARIABLES = [
  'candidateId',
  'title',
  'accountName',
  'accountDomain',
  'opportunityRef',
  'signalUrl',
] as const;
export type CandidateVariable = (typeof CANDIDATE_VARIABLES)[number];

/** The enrichment fields a provider's result maps into (plus `custom`, a map of any names). */
export const FIELD_NAMES = ['industry', 'size', 'location', 'description', 'links', 'contacts'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Starting a provider (spawning it, or its first HTTP answer) is slower than a call: it gets its own wait. */
export const DEFAULT_START_TIMEOUT_MS = 30_000;

export const isVariable = (name: string): name is CandidateVariable =>
  (CANDIDATE_VARIABLES as readonly string[]).includes(name);
export const isFieldName = (name: string): name is FieldName =>
  (FIELD_NAMES as readonly string[]).includes(name);

/** Names become outbox destinations (`enrichment:<name>`) and appear in tool answers. */
const ProviderName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/,
    'use 1–63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const StdioTransport = z.strictObject({
  type: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Set in the provider's environment as given (the child gets HOME, PATH, … and these). */
  env: z.record(EnvName, z.string()).default({}),
  /** Copied from the worker's environment when set there: keeps secrets out of the file. */
  passEnv: z.array(EnvName).default([]),
  /** Working folder; relative to the configuration file's folder, which is also the default. */
  cwd: z.string().min(1).optional(),
});

const HttpTransport = z.strictObject({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** The environment variable holding the bearer token (never the token itself). */
  bearerTokenEnv: EnvName.optional(),
});

/** A result path (`company.hq.city`) or a template of paths (`{{hq.city}}, {{hq.country}}`). */
const FieldSource = z.string().superRefine((source, ctx) => {
  const paths = isTemplate(source) ? placeholders(source) : [source];
  for (const path of paths) {
    try {
      parsePath(path);
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  }
});

const ResultMapping = z
  .strictObject({
    /** Where the answer is: the tool's structuredContent, or its first text block parsed as JSON. */
    from: z.enum(['structuredContent', 'json-text']).default('structuredContent'),
    fields: z.strictObject({
      industry: FieldSource.optional(),
      size: FieldSource.optional(),
      location: FieldSource.optional(),
      description: FieldSource.optional(),
      links: FieldSource.optional(),
      contacts: FieldSource.optional(),
      custom: z.record(z.string().min(1), FieldSource).default({}),
    }),
    /** Fields that must be present, or the result "does not match": `industry`, `custom.<name>`. */
    required: z.array(z.string()).default([]),
  })
  .superRefine((mapping, ctx) => {
    mapping.required.forEach((name, i) => {
      const custom = name.startsWith('custom.') ? name.slice('custom.'.length) : undefined;
      const mapped =
        custom !== undefined
          ? Object.hasOwn(mapping.fields.custom, custom)
          : isFieldName(name) && mapping.fields[name] !== undefined;
      if (!mapped)
        ctx.addIssue({
          code: 'custom',
          path: ['required', i],
          message: `'${name}' is not a mapped field; map it under fields first (${[...FIELD_NAMES, 'custom.<name>'].join(', ')})`,
        });
    });
  });

/** Checks every `{{…}}` in the arguments names a candidate variable. */
function checkArguments(value: unknown, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (typeof value === 'string') {
    for (const name of placeholders(value)) {
      if (!isVariable(name))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown variable {{${name}}}; use one of ${CANDIDATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
        });
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkArguments(item, [...path, i], ctx);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) checkArguments(item, [...path, key], ctx);
  }
}

const ProviderSchema = z.strictObject({
  name: ProviderName,
  description: z.string().optional(),
  transport: z.discriminatedUnion('type', [StdioTransport, HttpTransport], {
    error: "must be {type: 'stdio', command, …} or {type: 'http', url, …}",
  }),
  tool: z.string().min(1),
  /** The tool's arguments: JSON, where strings may hold `{{candidate variables}}`. */
  arguments: z
    .record(z.string(), z.json())
    .default({})
    .superRefine((args, ctx) => checkArguments(args, [], ctx)),
  result: ResultMapping,
  /** Longest wait for the provider to answer one call. */
  timeoutMs: z.number().int().min(100).max(600_000).default(DEFAULT_TIMEOUT_MS),
  /** Longest wait for the provider to start: its answer to `initialize`. */
  startTimeoutMs: z.number().int().min(100).max(600_000).default(DEFAULT_START_TIMEOUT_MS),
});

const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    providers: z.array(ProviderSchema),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.providers.forEach((provider, i) => {
      if (seen.has(provider.name))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'name'],
          message: `'${provider.name}' is named twice`,
        });
      seen.add(provider.name);
    });
  });

export type EnrichmentConfig = z.output<typeof ConfigSchema>;
export type EnrichmentProvider = EnrichmentConfig['providers'][number];
export type ProviderTransport = EnrichmentProvider['transport'];
export type ResultMappingConfig = EnrichmentProvider['result'];

export class EnrichmentConfigError extends Error {
  override readonly name = 'EnrichmentConfigError';
}

/** `providers[0].transport.url` */
function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/**
 * Validates a parsed configuration. `baseDir` resolves stdio working folders (default: itself);
 * `source` names the file in error messages.
 */
export function parseEnrichmentConfig(value: unknown, source: string, baseDir: string): EnrichmentConfig {
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `  ${issuePath(issue.path) || '(top level)'}: ${issue.message}`);
    throw new EnrichmentConfigError(`enrichment config ${source} is not valid:\n${lines.join('\n')}`);
  }
  for (const provider of parsed.data.providers) {
    if (provider.transport.type === 'stdio')
      provider.transport.cwd = resolve(baseDir, provider.transport.cwd ?? '.');
  }
  return parsed.data;
}

/** Reads and validates a JSON configuration file. */
export function loadEnrichmentConfig(path: string): EnrichmentConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EnrichmentConfigError(
      `cannot read enrichment config ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EnrichmentConfigError(
      `enrichment config ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseEnrichmentConfig(value, file, dirname(file));
}

/** What the lifecycle needs to know of each provider (Workstream's `enrichmentProviders`). */
export function providerRefs(config: EnrichmentConfig | undefined): EnrichmentProviderRef[] {
  return (config?.providers ?? []).map(({ name, tool }) => ({ name, tool }));
}
