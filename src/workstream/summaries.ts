/**
 * The small shapes assistants get most of the time: a summary of a record is what a list shows
 * and what a change answers (the record's id, title, state, owner, due date and version, and what
 * may happen next); its details are one get_… call away. Each summary is a pick of its full view,
 * so parsing a view with it keeps exactly the summary (zod drops the other keys), and its JSON
 * Schema is a fraction of the view's. People appear as member ids; beside them, a record shows the
 * member's name and e-mail, and a page lists the members its items name (`members`).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Row } from '../store/schema.js';
import {
  CandidateView,
  candidateView,
  NextCursor,
  PursuitView,
  pursuitView,
  SignalView,
  signalView,
} from './views.js';

/** A member as a person: what an assistant calls them and writes to them. */
export const Person = z.object({ name: z.string(), email: z.string() });
export type Person = z.output<typeof Person>;

export const Member = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type Member = z.output<typeof Member>;

export const Members = z.array(Member);

/** The members behind some ids, in one query; unknown or null ids are left out. */
export async function membersOf(
  db: Kysely<Database>,
  orgId: string,
  ids: readonly (string | null)[],
): Promise<Member[]> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return [];
  return db
    .selectFrom('members')
    .select(['id', 'display_name as name', 'email'])
    .where('org_id', '=', orgId)
    .where('id', 'in', wanted)
    .orderBy('id')
    .execute();
}

export const SignalSummary = SignalView.pick({
  id: true,
  title: true,
  accountName: true,
  source: true,
  state: true,
  candidateId: true,
  version: true,
  allowedActions: true,
});

export const CandidateSummary = CandidateView.pick({
  id: true,
  title: true,
  accountName: true,
  state: true,
  priority: true,
  assigneeId: true,
  dueAt: true,
  pursuitId: true,
  version: true,
  allowedActions: true,
});

export const PursuitSummary = PursuitView.pick({
  id: true,
  title: true,
  accountName: true,
  state: true,
  priority: true,
  assigneeId: true,
  dueAt: true,
  version: true,
  allowedActions: true,
});

/** What a list shows of each record: its summary without the actions (get_… has them). */
export const SignalItem = SignalSummary.omit({ allowedActions: true });
export const CandidateItem = CandidateSummary.omit({ allowedActions: true });
export const PursuitItem = PursuitSummary.omit({ allowedActions: true });

/** A page of summaries with the members its items name. */
export function summaryPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), members: Members, nextCursor: NextCursor });
}

export type SignalSummary = z.output<typeof SignalSummary>;
export type CandidateSummary = z.output<typeof CandidateSummary>;
export type PursuitSummary = z.output<typeof PursuitSummary>;

export interface SummaryPage<T> {
  items: T[];
  members: Member[];
  nextCursor: string | null;
}

export function signalItems(rows: Row<'signals'>[]): z.output<typeof SignalItem>[] {
  return rows.map((row) => SignalItem.parse(signalView(row)));
}

/** List items of some candidates: one query for the pursuits they became. */
export async function candidateItems(
  db: Kysely<Database>,
  orgId: string,
  rows: Row<'candidates'>[],
): Promise<z.output<typeof CandidateItem>[]> {
  const ids = rows.map((row) => row.id);
  const pursuits =
    ids.length === 0
      ? []
      : await db
          .selectFrom('pursuits')
          .select(['id', 'candidate_id'])
          .where('org_id', '=', orgId)
          .where('candidate_id', 'in', ids)
          .execute();
  const pursuitOf = new Map(pursuits.map((p) => [p.candidate_id, p.id]));
  return rows.map((row) =>
    CandidateItem.parse(
      candidateView(row, {
        tags: [],
        pursuitId: pursuitOf.get(row.id) ?? null,
        enrichment: [],
        checklists: [],
      }),
    ),
  );
}

export function pursuitItems(rows: Row<'pursuits'>[]): z.output<typeof PursuitItem>[] {
  return rows.map((row) =>
    PursuitItem.parse(pursuitView(row, { tags: [], checklists: [], proposalVersions: [] })),
  );
}
