#!/usr/bin/env node
/**
 * The `workstream` command. Each subcommand reads the one configuration (env + flags); expected
 * failures (bad configuration, unreachable database, changed migration) print one line, not a
 * stack trace.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, type EnvName, loadConfig, SETTINGS } from './config.js';
import { WorkstreamError } from './domain/errors.js';
import { EnrichmentConfigError } from './enrichment/config.js';
import { createLogger } from './log.js';
import { ConnectError, connect } from './store/connect.js';
import { MigrationError, migrate } from './store/migrator.js';
import { UsageError } from './usage.js';

type Command = (config: Config, args: string[]) => Promise<number>;

async function runMigrate(config: Config, args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`migrate takes no arguments; got ${args.join(' ')}`);
  const log = createLogger(config.logLevel);
  const store = await connect(config.dbUrl);
  try {
    const result = await migrate(store);
    log.info({ db: store.url, applied: result.applied }, 'migrations applied');
    const what = result.applied.length ? `applied ${result.applied.join(', ')}` : 'nothing to apply';
    process.stdout.write(`${store.url}: ${what}; schema at ${result.current.at(-1) ?? 'empty'}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

const server = () => import('./cli/commands.js');
const worker = () => import('./worker/commands.js');

/**
 * Every command, one entry each. Modules load when their command runs, so a stdio server
 * does not pay for the worker's or the HTTP server's imports at start.
 */
const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: runMigrate,
  serve: async (config, args) => (await server()).serveCommand(config, args),
  start: async (config, args) => (await server()).startCommand(config, args),
  demo: async (config, args) => (await server()).demoCommand(config, args),
  token: async (config, args) => (await server()).tokenCommand(config, args),
  org: async (config, args) => (await server()).orgCommand(config, args),
  member: async (config, args) => (await server()).memberCommand(config, args),
  worker: async (config, args) => (await worker()).workerCommand(config, args),
  outbox: async (config, args) => (await worker()).outboxCommand(config, args),
};

/** The settings' flags (--db, --port, --read-only …) are global: any command reads them. */
const GLOBAL_FLAGS: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
  ...Object.fromEntries(
    SETTINGS.map((setting) => [
      setting.flag.slice(2),
      { type: setting.boolean ? 'boolean' : 'string' } as const,
    ]),
  ),
  help: { type: 'boolean', short: 'h' },
};

const FLAG_NAMES = SETTINGS.map((setting) => `${setting.flag}${setting.boolean ? '' : ' VALUE'}`);
// The column is as wide as the longest flag, so a flag never runs into its variable's name.
const FLAG_WIDTH = Math.max(...FLAG_NAMES.map((name) => name.length)) + 2;
const FLAG_LINES = SETTINGS.map(
  (setting, i) => `  ${(FLAG_NAMES[i] ?? '').padEnd(FLAG_WIDTH)}${setting.env}`,
).join('\n');

/** The help text; it reads each command module's usage lines, so it loads them all. */
async function usage(): Promise<string> {
  const [{ SERVER_USAGE }, { WORKER_USAGE }] = await Promise.all([server(), worker()]);
  return `usage: workstream <command> [flags]

commands:
  migrate      apply pending database migrations and exit
${SERVER_USAGE}
${WORKER_USAGE}
  help         show this text

flags (each overrides its environment variable; see the README's configuration table):
${FLAG_LINES}
`;
}

function configFrom(values: Record<string, string | boolean | undefined>): Config {
  const flags: Partial<Record<EnvName, string>> = {};
  for (const setting of SETTINGS) {
    const value = values[setting.flag.slice(2)];
    if (value !== undefined) flags[setting.env] = String(value);
  }
  return loadConfig(process.env, flags);
}

/** Splits a command line into the global flags (with their values) and the command's own arguments. */
function splitGlobalFlags(args: string[]): { global: string[]; own: string[] } {
  const global: string[] = [];
  const own: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
    const isGlobal = arg.startsWith('-') && (name in GLOBAL_FLAGS || arg === '-h');
    if (!isGlobal) own.push(arg);
    else if (GLOBAL_FLAGS[name]?.type === 'string' && !arg.includes('=')) global.push(arg, args[++i] ?? '');
    else global.push(arg);
  }
  return { global, own };
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  // Global flags are read here; the rest of the line belongs to the command.
  const { global, own: commandArgs } = splitGlobalFlags(rest);
  const { values } = parseArgs({
    args: global,
    options: GLOBAL_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  if (command === 'help' || values.help) {
    process.stdout.write(await usage());
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`workstream: unknown command '${command}'\n\n${await usage()}`);
    return 2;
  }
  return run(configFrom(values), commandArgs);
}

const EXPECTED = [ConfigError, ConnectError, MigrationError, UsageError, EnrichmentConfigError];

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A refusal (an existing member, a malformed slug, an unknown role) is an answer, not a defect.
    if (error instanceof WorkstreamError) {
      const { code, message, nextStep } = error.failure;
      process.stderr.write(`workstream: ${code}: ${message} ${nextStep}\n`);
      process.exitCode = 1;
      return;
    }
    const expected =
      EXPECTED.some((kind) => error instanceof kind) ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`workstream: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!expected) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    process.exitCode = expected ? 2 : 1;
  },
);
