/** Changes only an org's admins may make: SLA policies and calendars, webhooks. */
import { forbidden } from '../domain/errors.js';
import { refuse } from './refusals.js';
import type { Unit } from './unit-of-work.js';

/** Refuses with FORBIDDEN unless the caller is an admin of the org; `what` says what needs it. */
export async function requireAdmin(unit: Unit, what: string): Promise<void> {
  const member = await unit.db
    .selectFrom('members')
    .select('role')
    .where('id', '=', unit.actor.memberId)
    .executeTakeFirst();
  if (member?.role !== 'admin') refuse(forbidden(`${what} needs the admin role`));
}
