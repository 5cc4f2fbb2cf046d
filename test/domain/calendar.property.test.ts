import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWorkingMinutes,
  type BusinessCalendar,
  type CalendarInput,
  DUE_HORIZON_YEARS,
  validateCalendar,
  WEEKDAYS,
  type Weekday,
  workingMinutesBetween,
} from '../../src/domain/index.js';
import * as oracle from './calendar-oracle.js';

const RUNS = { numRuns: 200 };
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * DST in both hemispheres, a 30-minute DST (Lord Howe), DST starting at midnight (São Paulo until
 * 2019) and none, each with instants when its clocks change, so that starts often fall near one.
 */
const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'UTC',
] as const;
type Zone = (typeof ZONES)[number];
const CLOCK_CHANGES: Record<Zone, readonly string[]> = {
  'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  'Europe/Berlin': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'Australia/Sydney': ['2026-04-04T16:00:00Z', '2026-10-03T16:00:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'],
  'America/Sao_Paulo': ['2018-11-04T03:00:00Z', '2019-02-17T02:00:00Z'],
  'Asia/Kolkata': [],
  UTC: [],
};
const zone = fc.constantFrom(...ZONES);

const clockTime = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Half hours often, and the small hours when clocks change, so that intervals meet DST gaps, overlaps and each other's edges. */
const minuteOfDay = fc.oneof(
  fc.constantFrom(0, 60, 90, 120, 150, 180, 210),
  fc.integer({ min: 0, max: 47 }).map((half) => half * 30),
  fc.integer({ min: 0, max: 1439 }),
);

const interval = fc
  .record({
    // Clocks change on Sundays in most of ZONES.
    day: fc.oneof(fc.constant<Weekday>('sun'), fc.constantFrom(...WEEKDAYS)),
    start: minuteOfDay,
    length: fc.oneof(
      fc.integer({ min: 1, max: 48 }).map((half) => half * 30),
      fc.integer({ min: 15, max: 1440 }),
    ),
    midnightAs2400: fc.boolean(),
  })
  .map(({ day, start, length, midnightAs2400 }) => {
    const end = (start + length) % 1440;
    return {
      day,
      start: clockTime(start),
      end: end === 0 && midnightAs2400 ? '24:00' : clockTime(end),
    };
  });

const anyInstant = fc.integer({
  min: Date.parse('2015-01-01T00:00:00Z'),
  max: Date.parse('2035-01-01T00:00:00Z'),
});

/** Any instant in twenty years, or one within four days of a clock change in `timeZone`. */
const instantIn = (timeZone: Zone) =>
  CLOCK_CHANGES[timeZone].length === 0
    ? anyInstant
    : fc.oneof(
        anyInstant,
        fc
          .tuple(fc.constantFrom(...CLOCK_CHANGES[timeZone]), fc.integer({ min: -4 * DAY, max: 4 * DAY }))
          .map(([change, shift]) => Date.parse(change) + shift),
      );

/** Whole milliseconds, as minutes: Date's resolution, so the sums below are exact. */
const target = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 3000 * MINUTE }).map((ms) => ms / MINUTE),
  fc.integer({ min: 1, max: 600 }),
);

/** A valid calendar and a start near which its holidays fall. */
const calendarAndStart = zone
  .chain((timeZone) =>
    fc.record({
      timeZone: fc.constant(timeZone),
      intervals: fc.array(interval, { minLength: 1, maxLength: 8 }),
      holidayDays: fc.array(fc.integer({ min: -1, max: 45 }), { maxLength: 6 }),
      start: instantIn(timeZone),
    }),
  )
  .map(({ timeZone, intervals, holidayDays, start }) => {
    const localStart = DateTime.fromMillis(start, { zone: timeZone });
    const holidays = holidayDays.map((days) => localStart.plus({ days }).toISODate() ?? '');
    // Keep each interval that does not overlap those kept so far.
    const weekly: CalendarInput['weekly'][number][] = [];
    for (const candidate of intervals) {
      if (validateCalendar({ timeZone, weekly: [...weekly, candidate] }).ok) weekly.push(candidate);
    }
    return { calendar: valid({ timeZone, weekly, holidays }), start: new Date(start) };
  });

function valid(input: CalendarInput): BusinessCalendar {
  const result = validateCalendar(input);
  if (!result.ok) throw new Error(`generated calendar refused: ${result.failure.message}`);
  return result.value;
}

// ---------------------------------------------------------------------------------------------
// A slow reference model built directly on luxon, date by date, sharing no code with the module.

function referenceInstant(zone: string, date: DateTime, minute: number): number {
  const wall = date.plus({ minutes: minute });
  const reading = { year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute };
  const shows = (candidate: DateTime) =>
    candidate.year === reading.year &&
    candidate.month === reading.month &&
    candidate.day === reading.day &&
    candidate.hour === reading.hour &&
    candidate.minute === reading.minute;
  const resolved = DateTime.fromObject(reading, { zone });
  if (!shows(resolved)) {
    // In a spring-forward gap luxon lands after it; walk back to the first instant after the gap.
    let first = resolved.toMillis();
    while (DateTime.fromMillis(first - MINUTE, { zone }).offset === resolved.offset) first -= MINUTE;
    return first;
  }
  // In a fall-back overlap the same reading also shows half an hour, an hour or two earlier: take the first.
  let first = resolved.toMillis();
  for (const back of [30, 60, 120]) {
    const earlier = DateTime.fromMillis(resolved.toMillis() - back * MINUTE, { zone });
    if (shows(earlier)) first = Math.min(first, earlier.toMillis());
  }
  return first;
}

function minutesSinceMidnight(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function referenceSpans(
  calendar: BusinessCalendar,
  from: number,
  to: number,
): { start: number; end: number }[] {
  const zone = calendar.timeZone;
  const localDate = (ms: number) =>
    DateTime.fromMillis(ms, { zone }).setZone('UTC', { keepLocalTime: true }).startOf('day');
  const spans: { start: number; end: number }[] = [];
  const last = localDate(to);
  for (let date = localDate(from).minus({ days: 1 }); date <= last; date = date.plus({ days: 1 })) {
    if (calendar.holidays.includes(date.toISODate() ?? '')) continue;
    const weekday: Weekday | undefined = WEEKDAYS[date.weekday - 1];
    for (const { day, start, end } of calendar.weekly) {
      if (day !== weekday) continue;
      const [startMinute, endMinute] = [minutesSinceMidnight(start), minutesSinceMidnight(end)];
      const span = {
        start: referenceInstant(zone, date, startMinute),
        end: referenceInstant(zone, date, endMinute > startMinute ? endMinute : endMinute + 1440),
      };
      if (span.end > span.start) spans.push(span);
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------

describe('addWorkingMinutes properties', () => {
  it('puts the due date inside working time, or at the end of it, unless the target is 0', () => {
    fc.assert(
      fc.property(calendarAndStart, target, ({ calendar, start }, minutes) => {
        const due = addWorkingMinutes(calendar, start, minutes).getTime();
        if (minutes === 0) {
          expect(due).toBe(start.getTime());
          return;
        }
        expect(due).toBeGreaterThan(start.getTime());
        const spans = referenceSpans(calendar, start.getTime(), due);
        expect(spans.some((span) => span.start < due && due <= span.end)).toBe(true);
      }),
      RUNS,
    );
  });

  it('is monotonic in the target and in the start', () => {
    fc.assert(
      fc.property(
        calendarAndStart,
        target,
        target,
        fc.integer({ min: 0, max: 10 * DAY }),
        ({ calendar, start }, a, b, later) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          const due = (from: Date, minutes: number) => addWorkingMinutes(calendar, from, minutes).getTime();
          expect(due(start, small)).toBeLessThanOrEqual(due(start, large));
          expect(due(start, a)).toBeLessThanOrEqual(due(new Date(start.getTime() + later), a));
        },
      ),
      RUNS,
    );
  });

  it('equals elapsed time for calendar time and for a business calendar open 24×7', () => {
    fc.assert(
      fc.property(
        zone.chain((timeZone) => fc.tuple(fc.constant(timeZone), instantIn(timeZone))),
        fc.oneof(target, fc.double({ min: 0, max: 1e6, noNaN: true })),
        fc.constantFrom(['00:00', '24:00'], ['00:00', '00:00']),
        ([timeZone, start], minutes, [open, close]) => {
          const expected = start + Math.round(minutes * MINUTE);
          expect(addWorkingMinutes(null, new Date(start), minutes).getTime()).toBe(expected);
          const allWeek = valid({
            timeZone,
            weekly: WEEKDAYS.map((day) => ({ day, start: open, end: close })),
          });
          expect(addWorkingMinutes(allWeek, new Date(start), minutes).getTime()).toBe(expected);
        },
      ),
      RUNS,
    );
  });

  it('measures back the target it added, and adding in two steps equals adding at once', () => {
    fc.assert(
      fc.property(calendarAndStart, target, target, ({ calendar, start }, a, b) => {
        const afterA = addWorkingMinutes(calendar, start, a);
        expect(Math.abs(workingMinutesBetween(calendar, start, afterA) - a)).toBeLessThan(1e-6);
        const inTwoSteps = addWorkingMinutes(calendar, afterA, b);
        const atOnce = addWorkingMinutes(
          calendar,
          start,
          (Math.round(a * MINUTE) + Math.round(b * MINUTE)) / MINUTE,
        );
        expect(inTwoSteps.getTime()).toBe(atOnce.getTime());
      }),
      RUNS,
    );
  });
});

describe('workingMinutesBetween properties', () => {
  it('equals the working time of the reference model', () => {
    fc.assert(
      fc.property(
        calendarAndStart,
        fc.integer({ min: -DAY, max: 20 * DAY }),
        ({ calendar, start }, length) => {
          const [from, to] = [start.getTime(), start.getTime() + length];
          const expected = referenceSpans(calendar, from, to).reduce(
            (sum, span) => sum + Math.max(0, Math.min(span.end, to) - Math.max(span.start, from)),
            0,
          );
          expect(workingMinutesBetween(calendar, start, new Date(to))).toBe(expected / MINUTE);
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The week-at-a-time maths against the day-by-day walk it replaced (test/domain/calendar-oracle.ts).

const YEAR = 365.25 * DAY;

/** A calendar whose holidays reach years ahead of the start, so whole weeks with holidays are counted too. */
const longCalendarAndStart = zone
  .chain((timeZone) =>
    fc.record({
      timeZone: fc.constant(timeZone),
      intervals: fc.array(interval, { minLength: 1, maxLength: 8 }),
      holidayDays: fc.array(fc.integer({ min: -30, max: 12 * 365 }), { maxLength: 40 }),
      nearHolidays: fc.array(fc.integer({ min: -1, max: 45 }), { maxLength: 6 }),
      start: instantIn(timeZone),
    }),
  )
  .map(({ timeZone, intervals, holidayDays, nearHolidays, start }) => {
    const localStart = DateTime.fromMillis(start, { zone: timeZone });
    const holidays = [...holidayDays, ...nearHolidays].map(
      (days) => localStart.plus({ days }).toISODate() ?? '',
    );
    const weekly: CalendarInput['weekly'][number][] = [];
    for (const candidate of intervals) {
      if (validateCalendar({ timeZone, weekly: [...weekly, candidate] }).ok) weekly.push(candidate);
    }
    return { calendar: valid({ timeZone, weekly, holidays }), start: new Date(start) };
  });

/** Nominal working minutes a week of a calendar. */
function weeklyMinutes(calendar: BusinessCalendar): number {
  return calendar.weekly.reduce((sum, { start, end }) => {
    const [from, to] = [minutesSinceMidnight(start), minutesSinceMidnight(end)];
    return sum + (to > from ? to - from : to + 1440 - from);
  }, 0);
}

/** Up to ten years of the calendar's working time, as whole milliseconds. */
const longTarget = (calendar: BusinessCalendar) =>
  fc.oneof(
    target,
    fc
      .double({ min: 0, max: 1, noNaN: true })
      .map((share) => Math.round(share * weeklyMinutes(calendar) * 52 * 10 * MINUTE) / MINUTE),
  );

describe('week-at-a-time maths against the day-by-day walk', () => {
  it('gives the due date the day-by-day walk gives, on random calendars and targets up to ten years', () => {
    fc.assert(
      fc.property(
        longCalendarAndStart.chain((case_) => fc.tuple(fc.constant(case_), longTarget(case_.calendar))),
        ([{ calendar, start }, minutes]) => {
          expect(addWorkingMinutes(calendar, start, minutes).toISOString()).toBe(
            oracle.addWorkingMinutes(calendar, start, minutes).toISOString(),
          );
        },
      ),
      RUNS,
    );
  });

  it('measures the working time the day-by-day walk measures, over ranges up to twelve years', () => {
    fc.assert(
      fc.property(
        longCalendarAndStart,
        fc.oneof(fc.integer({ min: -DAY, max: 40 * DAY }), fc.integer({ min: 0, max: 12 * YEAR })),
        ({ calendar, start }, length) => {
          const to = new Date(start.getTime() + length);
          expect(workingMinutesBetween(calendar, start, to)).toBe(
            oracle.workingMinutesBetween(calendar, start, to),
          );
        },
      ),
      RUNS,
    );
  });

  it('refuses a due date past the horizon instead of walking to it', () => {
    const oneMinuteAWeek = valid({
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'mon', start: '09:00', end: '09:01' }],
    });
    const start = new Date('2026-06-01T00:00:00Z');
    expect(() => addWorkingMinutes(oneMinuteAWeek, start, 10_000 * 60)).toThrow(RangeError);
    expect(() => addWorkingMinutes(oneMinuteAWeek, start, 10_000 * 60)).toThrow(
      `A target of 10,000 working hours falls due more than ${DUE_HORIZON_YEARS} years after its start in this calendar.`,
    );
    // Just inside the horizon: 99 years of Mondays hold 99 × 52 minutes and more.
    const due = addWorkingMinutes(oneMinuteAWeek, start, 99 * 52);
    expect(due.getTime() - start.getTime()).toBeGreaterThan(98 * YEAR);
    expect(due.toISOString()).toBe(oracle.addWorkingMinutes(oneMinuteAWeek, start, 99 * 52).toISOString());
  });
});
