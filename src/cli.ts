#!/usr/bin/env node
/**
 * The `workstream` command. Each subcommand reads the one configuration (env + flags); expected
 * failures (bad configuration, unreachable database, changed migration) print one line, not a
 * stack trace.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, type EnvName, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { ConnectError, connect } from './store/connect.js';
import { MigrationError, migrate } from './store/migrator.js';
import { UsageError } from './usage.js';
import { outboxCommand, WORKER_USAGE, workerCommand } from './worker/commands.js';

const USAGE = `usage: workstream <command> [flags]

commands:
  migrate      apply pending database migrations and exit
${WORKER_USAGE}
  help         show this text

flags (each overrides its environment variable):
  --db URL          WORKSTREAM_DB_URL     sqlite:PATH | postgres://… | mssql://…
  --data-dir DIR    WORKSTREAM_DATA_DIR   folder of the embedded database
  --log-level LVL   WORKSTREAM_LOG_LEVEL  fatal|error|warn|info|debug|trace|silent
`;

const GLOBAL_FLAGS = {
  db: { type: 'string' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function configFrom(values: { db?: string; 'data-dir'?: string; 'log-level'?: string }): Config {
  const flags: Partial<Record<EnvName, string>> = {};
  if (values.db !== undefined) flags.WORKSTREAM_DB_URL = values.db;
  if (values['data-dir'] !== undefined) flags.WORKSTREAM_DATA_DIR = values['data-dir'];
  if (values['log-level'] !== undefined) flags.WORKSTREAM_LOG_LEVEL = values['log-level'];
  return loadConfig(process.env, flags);
}

async function runMigrate(config: Config): Promise<void> {
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
    else if (GLOBAL_FLAGS[name as keyof typeof GLOBAL_FLAGS]?.type === 'string' && !arg.includes('='))
      global.push(arg, args[++i] ?? '');
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
    process.stdout.write(USAGE);
    return 0;
  }
  const config = configFrom(values);
  switch (command) {
    case 'migrate':
      if (commandArgs.length > 0)
        throw new UsageError(`migrate takes no arguments; got ${commandArgs.join(' ')}`);
      await runMigrate(config);
      return 0;
    case 'worker':
      return workerCommand(config, commandArgs);
    case 'outbox':
      return outboxCommand(config, commandArgs);
    default:
      process.stderr.write(`workstream: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

const EXPECTED = [ConfigError, ConnectError, MigrationError, UsageError];

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const expected =
      EXPECTED.some((kind) => error instanceof kind) ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`workstream: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!expected) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    process.exitCode = expected ? 2 : 1;
  },
);
