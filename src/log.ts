/** JSON logs to stderr: stdout belongs to the stdio protocol channel. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'workstream'): Logger {
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}
