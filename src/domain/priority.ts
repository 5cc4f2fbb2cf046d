export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** 0 is most urgent. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/**
 * When something is really due: its own due date or the nearest SLA deadline, whichever comes
 * first, because a breached SLA hurts whatever the due date said.
 */
export function effectiveDue(ownDue: Date | null, slaDues: readonly (Date | null)[]): Date | null {
  return [ownDue, ...slaDues].reduce<Date | null>(
    (earliest, due) =>
      due !== null && (earliest === null || due.getTime() < earliest.getTime()) ? due : earliest,
    null,
  );
}

export interface TodayItemOrder {
  readonly priority: Priority;
  readonly effectiveDueAt: Date | null;
  readonly createdAt: Date;
  readonly id: string;
}

/**
 * The Today Panel order: most urgent priority, then soonest due (undated work last), then the
 * oldest, then id so that equal items keep one order across pages.
 */
export function compareTodayItems(a: TodayItemOrder, b: TodayItemOrder): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    compareDue(a.effectiveDueAt, b.effectiveDueAt) ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function compareDue(a: Date | null, b: Date | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return a.getTime() - b.getTime();
}
