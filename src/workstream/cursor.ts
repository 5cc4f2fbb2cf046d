/** Page cursors: opaque to callers, a JSON key encoded base64url, checked by a schema on the way back. */
import type { z } from 'zod';
import { validation } from '../domain/errors.js';
import { refuse } from './refusals.js';

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key a cursor carries; anything this server did not hand out is refused naming `cursor`. */
export function decodeCursor<S extends z.ZodType>(cursor: string, key: S, tool?: string): z.output<S> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = key.safeParse(decoded);
  if (parsed.success) return parsed.data;
  return refuse(
    validation('cursor', 'cursor is not one this server handed out.', {
      nextStep: `Call ${tool ?? 'it'} again without cursor to start from the first page.`,
    }),
  );
}
