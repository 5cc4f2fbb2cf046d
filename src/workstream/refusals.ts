/**
 * How a command refuses: it throws the typed failure as a WorkstreamError, which rolls its
 * transaction back and reaches the caller intact (src/server/results.ts renders it).
 */
import type { Entity } from '../domain/entities.js';
import { conflict, type Failure, notFound, WorkstreamError } from '../domain/errors.js';

export function refuse(failure: Failure): never {
  throw new WorkstreamError(failure);
}

/** Refuses a stale expectedVersion before anything is written. */
export function checkVersion(
  entity: Entity,
  row: { id: string; version: number },
  expected: number | undefined,
): void {
  if (expected !== undefined && expected !== row.version)
    refuse(conflict(entity, row.id, expected, row.version));
}

/** The row, or NOT_FOUND naming the entity and id. */
export function required<T>(row: T | undefined, entity: Entity, id: string): T {
  if (row === undefined) refuse(notFound(entity, id));
  return row;
}
