/**
 * The search statement, per dialect: documents of one organization (search_documents, kept in
 * step by the triggers of migration 0006) matching every term, an exact account name first,
 * then an exact title, then the rest, newest first. How a term matches is the one dialect
 * difference: SQLite asks its FTS5 trigram index (`search_fts MATCH '"term"'`), PostgreSQL and
 * SQL Server `doc LIKE '%term%'` (PostgreSQL's pg_trgm GIN index serves it; SQL Server scans the
 * organization's documents). Every dialect matches a term as a case-insensitive substring.
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
  /** The last row of the previous page. */
  readonly after?: { tier: number; id: string };
  readonly limit: number;
}

/** A LIKE pattern matching the term anywhere, its wildcards escaped (`[` too, for SQL Server). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_[]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 query: every term a quoted phrase, all of them required. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' AND ');
}

function tier(phrase: string): RawBuilder<number> {
  return sql<number>`case when lower(d.account) = ${phrase} then 0 when lower(d.title) = ${phrase} then 1 else 2 end`;
}

export function searchStatement(dialect: DialectName, q: SearchQuery): RawBuilder<SearchRow> {
  const rank = tier(q.phrase);
  const match =
    dialect === 'sqlite'
      ? sql`d.doc_id in (select rowid from search_fts where search_fts match ${ftsQuery(q.terms)})`
      : sql.join(
          q.terms.map((term) => sql`d.doc like ${containsPattern(term)} escape '\\'`),
          sql` and `,
        );
  const kind = q.kind === undefined ? sql`` : sql` and d.entity_type = ${q.kind}`;
  const after =
    q.after === undefined
      ? sql``
      : sql` and (${rank} > ${q.after.tier} or (${rank} = ${q.after.tier} and d.entity_id < ${q.after.id}))`;
  const top = dialect === 'mssql' ? sql`top (${sql.lit(q.limit)}) ` : sql``;
  const limit = dialect === 'mssql' ? sql`` : sql` limit ${sql.lit(q.limit)}`;
  return sql<SearchRow>`select ${top}d.entity_id, d.entity_type, d.title, d.account, d.state, ${rank} as tier
    from search_documents d
    where d.org_id = ${q.orgId}${kind} and ${match}${after}
    order by tier, d.entity_id desc${limit}`;
}
