/** The access audit trail, for admins: who signed in, which tokens were refused, issued, revoked. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';

export const listAccessEvents = defineTool({
  name: 'list_access_events',
  summary: 'The organisation’s access audit trail, newest first (admins).',
  title: 'List access events',
  toolset: 'access',
  description:
    'Admins: the access audit trail, newest first: sign-ins, refused tokens, scope and rate refusals, tokens issued or revoked.',
  command: COMMANDS.listAccessEvents,
  render: (page) =>
    [
      ...page.items.map(
        (event) =>
          `${event.occurredAt} ${event.kind} ${event.memberName ?? event.memberId ?? '—'}${event.tokenId ? ` (${event.tokenId})` : ''}`,
      ),
      page.nextCursor ? `More: cursor ${page.nextCursor}` : '',
    ]
      .filter(Boolean)
      .join('\n') || 'No access events.',
});

export const ACCESS_TOOLS = [listAccessEvents];
