/** The worker's commands: `workstream worker` and `workstream outbox dead-letters|replay|stats`. */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { connect } from '../store/connect.js';
import { migrate } from '../store/migrator.js';
import { UsageError } from '../usage.js';
import { OutboxStore } from './outbox-store.js';
import { runWorkerProcess } from './run.js';

export const WORKER_USAGE = `  worker       deliver the outbox: --loops N (1), --batch-size N (50), --max-attempts N (row's, 10),
               --lease-seconds N (300), --drain-seconds N (10), --sla-sweep-seconds N (30);
               SIGTERM/SIGINT drain and exit 0
  outbox       outbox maintenance: stats | dead-letters [--limit N] | replay ID… | replay --all`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number above 0; got ${JSON.stringify(value)}`);
  return n;
}

export async function workerCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      loops: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-attempts': { type: 'string' },
      'lease-seconds': { type: 'string' },
      'drain-seconds': { type: 'string' },
      'sla-sweep-seconds': { type: 'string' },
    },
    strict: true,
  });
  const lease = positiveInt('lease-seconds', values['lease-seconds']);
  const drain = positiveInt('drain-seconds', values['drain-seconds']);
  const loops = positiveInt('loops', values.loops);
  const batchSize = positiveInt('batch-size', values['batch-size']);
  const maxAttempts = positiveInt('max-attempts', values['max-attempts']);
  const slaSweep = positiveInt('sla-sweep-seconds', values['sla-sweep-seconds']);
  await runWorkerProcess(config, {
    ...(loops ? { loops } : {}),
    ...(batchSize ? { batchSize } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(lease ? { leaseMs: lease * 1000 } : {}),
    ...(drain ? { drainMs: drain * 1000 } : {}),
    ...(slaSweep ? { slaSweepMs: slaSweep * 1000 } : {}),
  });
  return 0;
}

export async function outboxCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { all: { type: 'boolean' }, limit: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const store = await connect(config.dbUrl);
  try {
    // Like every command: a fresh data directory gets its schema first.
    await migrate(store);
    const outbox = new OutboxStore(store);
    switch (action) {
      case 'stats':
        process.stdout.write(`${JSON.stringify(await outbox.stats())}\n`);
        return 0;
      case 'dead-letters': {
        const letters = await outbox.listDeadLetters(positiveInt('limit', values.limit) ?? 100);
        for (const letter of letters) {
          process.stdout.write(
            `${letter.id}  ${letter.dead_at.toISOString()}  ${letter.destination}  event ${letter.event_id}  ${letter.attempts} attempts  ${letter.last_error ?? ''}\n`,
          );
        }
        if (letters.length === 0) process.stdout.write('no dead letters\n');
        return 0;
      }
      case 'replay': {
        if (!values.all && positionals.length === 0)
          throw new UsageError('replay needs dead-letter ids or --all');
        const replayed = await outbox.replay(values.all ? 'all' : positionals);
        const missing = values.all ? [] : positionals.filter((id) => !replayed.includes(id));
        process.stdout.write(`replayed ${replayed.length} dead letter${replayed.length === 1 ? '' : 's'}\n`);
        if (missing.length > 0)
          process.stderr.write(`workstream: no dead letter with id ${missing.join(', ')}\n`);
        return missing.length > 0 ? 1 : 0;
      }
      default:
        throw new UsageError(
          `outbox needs one of: stats, dead-letters, replay (got ${JSON.stringify(action ?? '')})`,
        );
    }
  } finally {
    await store.close();
  }
}
