/** The people of the caller's organization: who can own work, by id, name and e-mail. */
import { z } from 'zod';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { Cursor, Limit } from './params.js';
import { run } from './unit-of-work.js';
import { NextCursor } from './views.js';

export const ListMembers = z.strictObject({
  query: z.string().trim().max(200).optional().describe('Part of a name or e-mail.'),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const MemberView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'member', 'viewer']),
});
export type MemberView = z.output<typeof MemberView>;

export const MemberPage = z.object({ items: z.array(MemberView), nextCursor: NextCursor });

const AfterName = z.tuple([z.string(), z.string()]);

/** Members by name (then id), optionally those whose name or e-mail contains the query. */
export const listMembers = query({
  input: ListMembers,
  output: MemberPage,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      // A team, not millions: filtered and ordered here, the same on every dialect.
      const rows = await unit.db
        .selectFrom('members')
        .select(['id', 'display_name', 'email', 'role'])
        .where('org_id', '=', unit.orgId)
        .execute();
      const wanted = input.query?.toLowerCase() ?? '';
      const after = input.cursor === undefined ? null : decodeCursor(input.cursor, AfterName, 'list_members');
      const key = (m: { display_name: string; id: string }) => [m.display_name.toLowerCase(), m.id] as const;
      const sorted = rows
        .filter(
          (m) =>
            wanted === '' ||
            m.display_name.toLowerCase().includes(wanted) ||
            m.email.toLowerCase().includes(wanted),
        )
        .sort((a, b) => compareKeys(key(a), key(b)))
        .filter((m) => after === null || compareKeys(key(m), after) > 0);
      const items = sorted.slice(0, input.limit);
      const last = items.at(-1);
      return {
        items: items.map((m) => ({ id: m.id, name: m.display_name, email: m.email, role: m.role })),
        nextCursor: sorted.length > input.limit && last ? encodeCursor([...key(last)]) : null,
      };
    }),
});

function compareKeys(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
