/**
 * One place that reads configuration: environment variables, overridden by command-line flags.
 * A value that is unknown or malformed stops the process at start with a message naming the
 * variable; the README's configuration table lists every one (a test keeps them in step).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const DB_URL = /^(sqlite:|postgres(ql)?:\/\/|mssql:\/\/|sqlserver:\/\/)/;

const EnvSchema = z.object({
  WORKSTREAM_DATA_DIR: z.string().min(1).default('./.workstream'),
  WORKSTREAM_DB_URL: z.string().regex(DB_URL, 'must start with sqlite:, postgres:// or mssql://').optional(),
  WORKSTREAM_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type EnvName = keyof z.input<typeof EnvSchema>;

/** The README's configuration table: variable, flag, default, meaning. */
export const SETTINGS: readonly { env: EnvName; flag: string; fallback: string; doc: string }[] = [
  {
    env: 'WORKSTREAM_DATA_DIR',
    flag: '--data-dir',
    fallback: '`./.workstream`',
    doc: 'Folder for the embedded database and other local files.',
  },
  {
    env: 'WORKSTREAM_DB_URL',
    flag: '--db',
    fallback: '`sqlite:<data dir>/workstream.db`',
    doc: '`sqlite:PATH`, `postgres://user:pass@host:5432/db` or `mssql://user:pass@host:1433/db?encrypt=true`.',
  },
  {
    env: 'WORKSTREAM_LOG_LEVEL',
    flag: '--log-level',
    fallback: '`info`',
    doc: `JSON logs on stderr at this level: ${LOG_LEVELS.join(', ')}.`,
  },
];

export interface Config {
  readonly dataDir: string;
  readonly dbUrl: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** WORKSTREAM_TEST_* variables belong to the test harness: not program settings, not typos either. */
const HARNESS_PREFIX = 'WORKSTREAM_TEST_';

/**
 * @param flags values given on the command line, by variable name; they win over the environment.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: Partial<Record<EnvName, string>> = {},
): Config {
  const known = new Set<string>(SETTINGS.map((setting) => setting.env));
  for (const key of Object.keys(env)) {
    if (key.startsWith('WORKSTREAM_') && !known.has(key) && !key.startsWith(HARNESS_PREFIX))
      throw new ConfigError(`${key} is not a workstream setting; the settings are ${[...known].join(', ')}`);
  }
  const raw: Record<string, string | undefined> = {};
  for (const { env: name } of SETTINGS) raw[name] = flags[name] ?? (env[name] === '' ? undefined : env[name]);
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const setting = SETTINGS.find((candidate) => candidate.env === name);
    const source = setting && flags[setting.env] !== undefined ? setting.flag : name;
    throw new ConfigError(`${source}=${JSON.stringify(raw[name])}: ${issue?.message ?? 'invalid value'}`);
  }
  const dataDir = resolve(parsed.data.WORKSTREAM_DATA_DIR);
  return {
    dataDir,
    dbUrl: parsed.data.WORKSTREAM_DB_URL ?? `sqlite:${join(dataDir, 'workstream.db')}`,
    logLevel: parsed.data.WORKSTREAM_LOG_LEVEL,
  };
}

export function configTable(): string {
  const rows = SETTINGS.map((s) => `| \`${s.env}\` | \`${s.flag}\` | ${s.fallback} | ${s.doc} |`);
  return ['| variable | flag | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
