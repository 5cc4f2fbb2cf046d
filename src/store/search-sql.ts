/**
 * The search statements, per dialect: documents of one organization (search_documents, kept in
 * step by the triggers of migration 0006) matching every term, an exact account name first,
 * then an exact title, then the rest, newest first. Two statements, so a page costs page-sized
 * work however many documents match: the exact hits by the lower-cased key indexes of migration
 * 0010, then the other matches read newest first along (org_id, entity_id) with a LIMIT (TOP on
 * SQL Server). How a term matches is the one dialect difference: SQLite asks its FTS5 trigram
 * index (`search_fts MATCH '"term"'`; with few matches, counted by a bounded probe, the FTS
 * index leads and the few are sorted), PostgreSQL and SQL Server `doc LIKE '%term%'`
 * (PostgreSQL's pg_trgm GIN index serves a rare term; SQL Server scans the organization's
 * documents). Every dialect matches a term as a case-insensitive substring.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from './dialect.js';

export interface SearchRow {
  entity_id: string;
  entity_type: string;
  title: string;
  account: string;
  state: string;
  tier: number;
}

export interface SearchQuery {
  readonly orgId: string;
  /** Lower-cased terms of three characters or more (the trigram index needs three). */
  readonly terms: readonly string[];
  /** The whole query, lower-cased: an account or title equal to it ranks first. */
  readonly phrase: string;
  readonly kind?: string;
  /** The last row of the previous page: its tier (0 account, 1 title, 2 the rest) and id. */
  readonly after?: { tier: number; id: string };
  readonly limit: number;
  /** SQLite: few documents match (fewMatchesStatement), so the FTS index leads. */
  readonly fewMatches?: boolean;
}

/** A LIKE pattern matching the term anywhere, its wildcards escaped (`[` too, for SQL Server). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_[]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 query: every term a quoted phrase, all of them required. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' AND ');
}

/** An exact account name ranks 0, an exact title 1, any other match 2. */
export const REST_TIER = 2;

const topOf = (dialect: DialectName, limit: number) =>
  dialect === 'mssql' ? sql`top (${sql.lit(limit)}) ` : sql``;
const limitOf = (dialect: DialectName, limit: number) =>
  dialect === 'mssql' ? sql`` : sql` limit ${sql.lit(limit)}`;
const kindOf = (q: SearchQuery) => (q.kind === undefined ? sql`` : sql` and d.entity_type = ${q.kind}`);

/**
 * The exact hits: documents whose account name (tier 0) or else title (tier 1), lower-cased, is
 * the query, each branch found by its (org_id, account_key) or (org_id, title_key) index of
 * migration 0010. Such a document holds every term (its text holds its account and title), so
 * no match test is needed.
 */
export function exactStatement(dialect: DialectName, q: SearchQuery): RawBuilder<SearchRow> {
  const columns = sql`d.entity_id, d.entity_type, d.title, d.account, d.state`;
  const after =
    q.after === undefined
      ? sql``
      : sql` where x.tier > ${q.after.tier} or (x.tier = ${q.after.tier} and x.entity_id < ${q.after.id})`;
  return sql<SearchRow>`select ${topOf(dialect, q.limit)}x.entity_id, x.entity_type, x.title, x.account, x.state, x.tier
    from (select ${columns}, 0 as tier from search_documents d
      where d.org_id = ${q.orgId}${kindOf(q)} and d.account_key = ${q.phrase}
      union all select ${columns}, 1 as tier from search_documents d
      where d.org_id = ${q.orgId}${kindOf(q)} and d.title_key = ${q.phrase} and d.account_key <> ${q.phrase}) x${after}
    order by x.tier, x.entity_id desc${limitOf(dialect, q.limit)}`;
}

/**
 * The other matches, newest first along (org_id, entity_id): the database reads the index
 * backwards and stops at the page's end, so a page costs page-sized work however many documents
 * match (the exact hits are left out: they were the page's start).
 */
export function restStatement(dialect: DialectName, q: SearchQuery): RawBuilder<SearchRow> {
  const match =
    dialect === 'sqlite'
      ? sql`d.doc_id in (select rowid from search_fts where search_fts match ${ftsQuery(q.terms)})`
      : sql.join(
          q.terms.map((term) => sql`d.doc like ${containsPattern(term)} escape '\\'`),
          sql` and `,
        );
  const after = q.after === undefined ? sql`` : sql` and d.entity_id < ${q.after.id}`;
  const rest = sql`d.account_key <> ${q.phrase} and d.title_key <> ${q.phrase}${after}`;
  const columns = sql`d.entity_id, d.entity_type, d.title, d.account, d.state, ${sql.lit(REST_TIER)} as tier`;
  if (dialect === 'sqlite' && q.fewMatches)
    // Few documents match: read them from the FTS index (CROSS JOIN keeps it the outer loop)
    // and sort those few, rather than walk the organization's documents newest first.
    return sql<SearchRow>`select ${columns}
    from search_fts f cross join search_documents d on d.doc_id = f.rowid
    where f.search_fts match ${ftsQuery(q.terms)} and d.org_id = ${q.orgId}${kindOf(q)} and ${rest}
    order by d.entity_id desc${limitOf(dialect, q.limit)}`;
  return sql<SearchRow>`select ${topOf(dialect, q.limit)}${columns}
    from search_documents d
    where d.org_id = ${q.orgId}${kindOf(q)} and ${match} and ${rest}
    order by d.entity_id desc${limitOf(dialect, q.limit)}`;
}

/** Up to this many FTS5 matches, SQLite reads the matches from the FTS index and sorts them. */
export const FEW_MATCHES = 500;

/**
 * SQLite: whether at most FEW_MATCHES documents (of every organization) hold the terms, counted
 * from the FTS5 index and stopping there, so the probe costs at most that many entries.
 */
export function fewMatchesStatement(terms: readonly string[]): RawBuilder<{ n: number }> {
  return sql<{
    n: number;
  }>`select count(*) as n from (select rowid from search_fts where search_fts match ${ftsQuery(terms)} limit ${sql.lit(FEW_MATCHES + 1)})`;
}
