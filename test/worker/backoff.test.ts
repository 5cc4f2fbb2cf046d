import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/worker/backoff.js';

const MINUTE = 60_000;

describe('retry delay', () => {
  it('doubles from one minute after each failed attempt', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 0.5))).toEqual(
      [1, 2, 4, 8, 16, 32].map((m) => m * MINUTE),
    );
  });

  it('stops growing at sixty minutes', () => {
    expect(retryDelayMs(7, 0.5)).toBe(60 * MINUTE);
    expect(retryDelayMs(30, 0.5)).toBe(60 * MINUTE);
  });

  it('jitters by at most ten percent either way', () => {
    expect(retryDelayMs(1, 0)).toBe(0.9 * MINUTE);
    expect(retryDelayMs(1, 0.999999)).toBeCloseTo(1.1 * MINUTE, -1);
    expect(retryDelayMs(10, 0)).toBe(54 * MINUTE);
  });
});
