/**
 * Narrows a string read from storage or input to one of a literal list (a state, a kind, a
 * priority) without a cast.
 */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return values.some((v) => v === value);
}
