/** Finding things by what people call them: the organization's members, and free-text search. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';
import { pageText } from './render.js';

export const listMembers = defineTool({
  toolset: 'views',
  name: 'list_members',
  summary: 'The people of the organization, by name, with their e-mail and role.',
  title: 'List members',
  description:
    "The organization's members by name, with id, e-mail and role; query filters by part of a name or e-mail.",
  command: COMMANDS.listMembers,
  render: (page) =>
    pageText('members', { ...page, members: [] }, (m) => `${m.name} <${m.email}> ${m.role} (${m.id})`),
});

export const search = defineTool({
  toolset: 'views',
  name: 'search',
  summary: 'Find signals, candidates and pursuits by title, account, domain, reference or tag.',
  title: 'Search',
  description:
    'Find signals, candidates and pursuits by every word of a title, account, domain, reference or tag; exact account or title first.',
  command: COMMANDS.search,
  render: (page) =>
    pageText(
      'matches',
      { ...page, members: [] },
      (hit) => `${hit.id} "${hit.title}" — ${hit.accountName} — ${hit.state}`,
    ),
});

export const PEOPLE_TOOLS = [listMembers, search];
