import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/domain/index.js';

describe('ManualClock', () => {
  it('starts at the time it is given', () => {
    expect(new ManualClock('2026-02-02T08:00:00Z').now()).toEqual(new Date('2026-02-02T08:00:00Z'));
  });

  it('stands still until moved', () => {
    const clock = new ManualClock();
    const before = clock.now();
    expect(clock.now()).toEqual(before);
  });

  it('advances by the sum of the parts it is given', () => {
    const clock = new ManualClock('2026-02-02T08:00:00Z');
    clock.advance({ days: 1, hours: 2, minutes: 3, ms: 4 });
    expect(clock.now()).toEqual(new Date('2026-02-03T10:03:00.004Z'));
  });

  it('returns the new time from advance', () => {
    const clock = new ManualClock('2026-02-02T08:00:00Z');
    expect(clock.advance({ minutes: 90 })).toEqual(new Date('2026-02-02T09:30:00Z'));
  });

  it('jumps to a set time, backwards too', () => {
    const clock = new ManualClock('2026-02-02T08:00:00Z');
    clock.set(new Date('2025-12-31T23:59:59Z'));
    expect(clock.now()).toEqual(new Date('2025-12-31T23:59:59Z'));
  });

  it('is not moved by changes to a date it handed out', () => {
    const clock = new ManualClock('2026-02-02T08:00:00Z');
    clock.now().setUTCFullYear(2000);
    expect(clock.now()).toEqual(new Date('2026-02-02T08:00:00Z'));
  });

  it('refuses an invalid date', () => {
    expect(() => new ManualClock('not a date')).toThrow(RangeError);
    expect(() => new ManualClock().set('nope')).toThrow(RangeError);
  });
});

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
