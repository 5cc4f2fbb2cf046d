/** Time comes from a Clock so that SLA maths and tests never depend on the wall clock or on sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Duration {
  readonly ms?: number;
  readonly minutes?: number;
  readonly hours?: number;
  readonly days?: number;
}

const MINUTE = 60_000;

export function durationMs(d: Duration): number {
  return (
    (d.ms ?? 0) + (d.minutes ?? 0) * MINUTE + (d.hours ?? 0) * 60 * MINUTE + (d.days ?? 0) * 24 * 60 * MINUTE
  );
}

/** A clock that moves only when a test moves it. Days are 24 h of elapsed time, not calendar days. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-05T09:00:00.000Z') {
    this.current = instant(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(date: Date | string): Date {
    this.current = instant(date);
    return this.now();
  }

  advance(by: Duration): Date {
    this.current += durationMs(by);
    return this.now();
  }
}

function instant(date: Date | string): number {
  const ms = new Date(date).getTime();
  // A NaN clock would turn every later deadline into NaN and every comparison false, silently.
  if (Number.isNaN(ms)) throw new RangeError(`Not a valid date: ${String(date)}`);
  return ms;
}
