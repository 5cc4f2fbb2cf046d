import type { Result } from './errors.js';
import { fail, ok, validation } from './errors.js';

/**
 * Closing moves (dismiss, disqualify, reopen, no bid, cancel, lost) must say why: the reason is
 * what the audit trail and the win/loss analysis read later. Returns the trimmed reason.
 */
export function requireReason(
  field: string,
  value: string | null | undefined,
  tool?: string,
): Result<string> {
  const reason = value?.trim() ?? '';
  if (reason !== '') return ok(reason);
  return fail(
    validation(field, `A ${field} is required and none was given.`, {
      nextStep:
        tool === undefined
          ? `Give a short ${field} saying why, and call again.`
          : `Call ${tool} again with a short ${field} saying why.`,
    }),
  );
}
