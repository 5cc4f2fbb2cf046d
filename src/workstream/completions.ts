/**
 * Completions for prompt arguments and resource-template variables (`completion/complete`):
 * values from the caller's organization that start with, or name, what was typed so far.
 * Ids complete from their prefix or from words of their record's title; assignees are e-mails of
 * members whose name or e-mail contains the text; tags are the organization's tags, and in a
 * comma-separated list the last one is completed.
 */
import { sql } from 'kysely';
import { limitRows } from '../store/dialect.js';
import { containsPattern } from '../store/search-sql.js';
import type { Actor, Deps } from './deps.js';

/** What a completion offers at most (MCP caps a completion at 100 values). */
export const COMPLETIONS = 20;

export type Completed = 'signal' | 'candidate' | 'pursuit' | 'assignee' | 'tags';

const TABLES = { signal: 'signals', candidate: 'candidates', pursuit: 'pursuits' } as const;

export async function complete(deps: Deps, actor: Actor, what: Completed, typed: string): Promise<string[]> {
  const db = deps.store.db;
  const value = typed.slice(0, 200);
  if (what === 'assignee') {
    const wanted = value.toLowerCase();
    const members = await db
      .selectFrom('members')
      .select(['email', 'display_name'])
      .where('org_id', '=', actor.orgId)
      .orderBy('email')
      .execute();
    return members
      .filter((m) => m.email.includes(wanted) || m.display_name.toLowerCase().includes(wanted))
      .map((m) => m.email)
      .slice(0, COMPLETIONS);
  }
  if (what === 'tags') {
    const parts = value.split(',');
    const last = (parts.pop() ?? '').trim().toLowerCase();
    const done = parts.map((part) => part.trim()).filter(Boolean);
    const select = db
      .selectFrom('tags')
      .select('tag')
      .distinct()
      .where('org_id', '=', actor.orgId)
      .where(sql<boolean>`tag like ${containsPattern(last).slice(1)} escape '\\'`)
      .orderBy('tag');
    const rows = await limitRows(deps.store.dialect, select, COMPLETIONS + done.length).execute();
    return rows
      .map((row) => row.tag)
      .filter((tag) => !done.includes(tag))
      .slice(0, COMPLETIONS)
      .map((tag) => [...done, tag].join(','));
  }
  const table = TABLES[what];
  const select = db
    .selectFrom(table)
    .select('id')
    .where('org_id', '=', actor.orgId)
    .where((eb) =>
      eb.or([
        sql<boolean>`id like ${containsPattern(value).slice(1)} escape '\\'`,
        sql<boolean>`lower(title) like ${containsPattern(value.toLowerCase())} escape '\\'`,
      ]),
    )
    .orderBy('id', 'desc');
  const rows = await limitRows(deps.store.dialect, select, COMPLETIONS).execute();
  return rows.map((row) => row.id);
}
