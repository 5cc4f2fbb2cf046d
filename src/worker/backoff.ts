/**
 * When a failed delivery is tried again: min(60 min, 1 min · 2^(n−1)) after the n-th failed
 * attempt, with ±10% jitter so rows that failed together do not retry together.
 */
const MINUTE = 60_000;
const CAP = 60 * MINUTE;

/** @param attempt the attempt that just failed, from 1. @param random a number in [0, 1). */
export function retryDelayMs(attempt: number, random: number = Math.random()): number {
  const base = Math.min(CAP, MINUTE * 2 ** Math.max(0, attempt - 1));
  const jitter = 1 + (random * 2 - 1) * 0.1;
  return Math.round(base * jitter);
}
