/**
 * Search: free text over the organization's signals, candidates and pursuits (title, account
 * name and domain, external and opportunity references, tags). Every term of three characters or
 * more must appear (case-insensitive, anywhere); an exact account name ranks first, then an exact
 * title, then the newest. A page is two statements (src/store/search-sql.ts): the exact hits by
 * index, then the other matches newest first with a LIMIT, so its cost follows the page's size,
 * not the number of matches.
 */
import { z } from 'zod';
import { validation } from '../domain/errors.js';
import {
  exactStatement,
  FEW_MATCHES,
  fewMatchesStatement,
  REST_TIER,
  restStatement,
  type SearchQuery,
} from '../store/search-sql.js';
import { query } from './command.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { Cursor, Limit } from './params.js';
import { refuse } from './refusals.js';
import { run } from './unit-of-work.js';
import { NextCursor } from './views.js';

/** The trigram index matches terms of this many characters or more. */
export const MIN_TERM = 3;

export const Search = z.strictObject({
  query: z
    .string()
    .trim()
    .min(MIN_TERM)
    .max(200)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters')
    .describe('3+ letters a word.'),
  kind: z.enum(['signal', 'candidate', 'pursuit']).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const SearchHit = z.object({
  id: z.string(),
  title: z.string(),
  accountName: z.string(),
  state: z.string(),
});

export const SearchPage = z.object({ items: z.array(SearchHit), nextCursor: NextCursor });

const AfterHit = z.tuple([z.number().int().min(0).max(2), z.string().max(64)]);

/** The terms a query searches for: its words of three characters or more, lower-cased, once each. */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().split(/\s+/u);
  return [...new Set(words.filter((word) => [...word].length >= MIN_TERM))].slice(0, 8);
}

export const search = query({
  input: Search,
  output: SearchPage,
  run: (deps, actor, input) =>
    run(deps, actor, async (unit) => {
      const terms = searchTerms(input.query);
      if (terms.length === 0)
        refuse(validation('query', `query: give at least one word of ${MIN_TERM} characters or more.`));
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, AfterHit, 'search');
      const base: SearchQuery = {
        orgId: unit.orgId,
        terms,
        phrase: input.query.toLowerCase(),
        ...(input.kind === undefined ? {} : { kind: input.kind }),
        limit: input.limit + 1,
      };
      // The exact hits first (a few, by index), unless the previous page had passed them; then
      // as many of the other matches, newest first, as the page has room for.
      const exact =
        after !== undefined && after[0] >= REST_TIER
          ? []
          : (
              await exactStatement(unit.dialect, {
                ...base,
                ...(after === undefined ? {} : { after: { tier: after[0], id: after[1] } }),
              }).execute(unit.db)
            ).rows;
      const fewMatches =
        unit.dialect === 'sqlite' &&
        Number((await fewMatchesStatement(terms).execute(unit.db)).rows[0]?.n ?? 0) <= FEW_MATCHES;
      const rest =
        exact.length > input.limit
          ? []
          : (
              await restStatement(unit.dialect, {
                ...base,
                limit: base.limit - exact.length,
                fewMatches,
                ...(after !== undefined && after[0] >= REST_TIER
                  ? { after: { tier: after[0], id: after[1] } }
                  : {}),
              }).execute(unit.db)
            ).rows;
      const rows = [...exact, ...rest];
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({
          id: row.entity_id,
          title: row.title,
          accountName: row.account,
          state: row.state,
        })),
        nextCursor:
          rows.length > input.limit && last ? encodeCursor([Number(last.tier), last.entity_id]) : null,
      };
    }),
});
