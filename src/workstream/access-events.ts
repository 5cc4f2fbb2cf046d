/**
 * The access audit trail as admins read it: sign-ins, refused tokens, scope and rate refusals,
 * tokens issued and revoked, members removed (written by src/access/audit.ts), newest first.
 */
import { z } from 'zod';
import { forbidden } from '../domain/errors.js';
import { limitRows } from '../store/dialect.js';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { Cursor, Limit } from './params.js';
import { refuse } from './refusals.js';
import { run } from './unit-of-work.js';
import { NextCursor } from './views.js';

export const ACCESS_EVENT_KINDS = [
  'sign_in',
  'token_refused',
  'scope_refused',
  'rate_limited',
  'token_issued',
  'token_revoked',
  'member_removed',
] as const;
export type AccessEventKind = (typeof ACCESS_EVENT_KINDS)[number];

export const ListAccessEvents = z.strictObject({
  kind: z.enum(ACCESS_EVENT_KINDS).optional(),
  memberId: z
    .string()
    .regex(/^mem_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a member id (mem_…)')
    .optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const AccessEventView = z.object({
  id: z.string(),
  kind: z.string(),
  memberId: z.string().nullable(),
  memberName: z.string().nullable(),
  tokenId: z.string().nullable().describe('tok_… or an OAuth jti.'),
  clientId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).describe('Why: the reason, the scope needed …'),
  occurredAt: z.iso.datetime(),
});
export type AccessEventView = z.output<typeof AccessEventView>;

const AccessEventPage = z.object({ items: z.array(AccessEventView), nextCursor: NextCursor });

const CursorKey = z.object({ id: z.string().min(1) });

export const listAccessEvents = query({
  input: ListAccessEvents,
  output: AccessEventPage,
  run: async (deps, actor, input) => {
    const after = input.cursor ? decodeCursor(input.cursor, CursorKey, 'list_access_events') : null;
    return run(deps, actor, async (unit) => {
      const me = await unit.db
        .selectFrom('members')
        .select('role')
        .where('id', '=', actor.memberId)
        .executeTakeFirst();
      if (me?.role !== 'admin') refuse(forbidden('reading the access audit trail needs the admin role'));
      let select = unit.db
        .selectFrom('access_events as a')
        .leftJoin('members as m', 'm.id', 'a.member_id')
        .select([
          'a.id',
          'a.kind',
          'a.member_id',
          'm.display_name',
          'a.token_id',
          'a.client_id',
          'a.detail_json',
          'a.occurred_at',
        ])
        .where('a.org_id', '=', unit.orgId);
      if (input.kind) select = select.where('a.kind', '=', input.kind);
      if (input.memberId) select = select.where('a.member_id', '=', input.memberId);
      if (after) select = select.where('a.id', '<', after.id);
      const rows = await limitRows(unit.dialect, select.orderBy('a.id', 'desc'), input.limit + 1).execute();
      const items = rows.slice(0, input.limit).map((row) => ({
        id: row.id,
        kind: row.kind,
        memberId: row.member_id,
        memberName: row.display_name,
        tokenId: row.token_id,
        clientId: row.client_id,
        detail: row.detail_json,
        occurredAt: row.occurred_at.toISOString(),
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > input.limit && last ? encodeCursor({ id: last.id }) : null,
      };
    });
  },
});
