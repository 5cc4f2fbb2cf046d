/** Who may do what: a caller must be a member of the org; viewers may only read. */
import { forbidden } from '../domain/errors.js';
import type { Row } from '../store/schema.js';
import type { Actor, Db } from './deps.js';
import { refuse } from './refusals.js';

/** The caller as the unit of work found them: what a command may read of them without asking again. */
export interface Caller {
  readonly role: Row<'members'>['role'];
  readonly name: string;
  readonly email: string;
}

export async function authorise(db: Db, actor: Actor, readOnly: boolean): Promise<Caller> {
  const member = await db
    .selectFrom('members')
    .select(['role', 'deactivated_at', 'display_name', 'email'])
    .where('id', '=', actor.memberId)
    .where('org_id', '=', actor.orgId)
    .executeTakeFirst();
  if (!member) refuse(forbidden(`${actor.memberId} is not a member of organization ${actor.orgId}`));
  if (member.deactivated_at !== null)
    refuse(forbidden(`${actor.memberId} was removed from the organization and can no longer act`));
  if (!readOnly && member.role === 'viewer')
    refuse(forbidden(`${actor.memberId} has the viewer role and cannot make changes`));
  return { role: member.role, name: member.display_name, email: member.email };
}
