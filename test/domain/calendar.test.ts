import { describe, expect, it } from 'vitest';
import {
  ALWAYS,
  addWorkingMinutes,
  type BusinessCalendar,
  type CalendarInput,
  DEFAULT_BUSINESS_CALENDAR,
  validateCalendar,
  workingMinutesBetween,
} from '../../src/domain/index.js';

function calendar(input: CalendarInput): BusinessCalendar {
  const result = validateCalendar(input);
  if (!result.ok) throw new Error(`test calendar refused: ${result.failure.message}`);
  return result.value;
}

function failedField(input: CalendarInput): string | undefined {
  const result = validateCalendar(input);
  if (result.ok) return undefined;
  return result.failure.code === 'VALIDATION' ? result.failure.field : result.failure.code;
}

/** One interval on Sundays, to measure a DST night on its own. */
const sundayNight = (timeZone: string, start: string, end: string) =>
  calendar({ timeZone, weekly: [{ day: 'sun', start, end }] });

const at = (iso: string) => new Date(iso);
const add = (cal: BusinessCalendar | null, startIso: string, minutes: number) =>
  addWorkingMinutes(cal, at(startIso), minutes).toISOString();
const between = (cal: BusinessCalendar | null, fromIso: string, toIso: string) =>
  workingMinutesBetween(cal, at(fromIso), at(toIso));

const newYork = DEFAULT_BUSINESS_CALENDAR('America/New_York');

describe('addWorkingMinutes on Mon–Fri 09:00–17:00', () => {
  it('carries Friday 16:00 + 2 h over the weekend to Monday 10:00', () => {
    // Fri 2026-01-09 16:00 EST
    expect(add(newYork, '2026-01-09T21:00:00Z', 120)).toBe('2026-01-12T15:00:00.000Z');
  });

  it('skips a Monday holiday to Tuesday 10:00', () => {
    const withHoliday = calendar({ ...newYork, holidays: ['2026-01-12'] });
    expect(add(withHoliday, '2026-01-09T21:00:00Z', 120)).toBe('2026-01-13T15:00:00.000Z');
  });

  it('counts from the start itself when it is inside working time', () => {
    expect(add(newYork, '2026-01-05T15:00:00Z', 30)).toBe('2026-01-05T15:30:00.000Z');
  });

  it('starts counting at 09:00 when started before opening', () => {
    expect(add(newYork, '2026-01-05T06:00:00Z', 30)).toBe('2026-01-05T14:30:00.000Z');
  });

  it('lands exactly at 17:00 when the target fills the day, not at the next opening', () => {
    expect(add(newYork, '2026-01-05T14:00:00Z', 480)).toBe('2026-01-05T22:00:00.000Z');
  });

  it('returns the start itself for a zero target, even outside working time', () => {
    expect(add(newYork, '2026-01-10T03:17:00Z', 0)).toBe('2026-01-10T03:17:00.000Z');
  });

  it('counts fractional minutes to the millisecond', () => {
    expect(add(newYork, '2026-01-05T14:00:00Z', 0.5)).toBe('2026-01-05T14:00:30.000Z');
    expect(add(newYork, '2026-01-05T14:00:00Z', 1 / 60_000)).toBe('2026-01-05T14:00:00.001Z');
  });

  it('crosses a two-week target as ten working days', () => {
    // Mon 2026-01-05 09:00 EST + 80 h → Fri 2026-01-16 17:00 EST
    expect(add(newYork, '2026-01-05T14:00:00Z', 80 * 60)).toBe('2026-01-16T22:00:00.000Z');
  });

  it('refuses a negative or non-finite target and an invalid start', () => {
    expect(() => addWorkingMinutes(newYork, at('2026-01-05T14:00:00Z'), -1)).toThrow(RangeError);
    expect(() => addWorkingMinutes(newYork, at('2026-01-05T14:00:00Z'), Number.NaN)).toThrow(RangeError);
    expect(() => addWorkingMinutes(newYork, at('2026-01-05T14:00:00Z'), Number.POSITIVE_INFINITY)).toThrow(
      RangeError,
    );
    expect(() => addWorkingMinutes(newYork, new Date('nope'), 10)).toThrow(RangeError);
  });
});

describe('intervals past midnight', () => {
  // Berlin in January is UTC+1.
  const nightShift = calendar({
    timeZone: 'Europe/Berlin',
    weekly: [{ day: 'fri', start: '22:00', end: '06:00' }],
  });

  it('runs fri 22:00–06:00 from Friday night into Saturday morning', () => {
    // Fri 2026-01-09 23:00 + 3 h → Sat 02:00
    expect(add(nightShift, '2026-01-09T22:00:00Z', 180)).toBe('2026-01-10T01:00:00.000Z');
    // the whole shift is 8 h, ending exactly at Sat 06:00
    expect(add(nightShift, '2026-01-09T21:00:00Z', 480)).toBe('2026-01-10T05:00:00.000Z');
    // one more hour waits for the next Friday 22:00
    expect(add(nightShift, '2026-01-09T21:00:00Z', 540)).toBe('2026-01-16T22:00:00.000Z');
  });

  it('counts the Saturday-morning part when started on Saturday', () => {
    expect(between(nightShift, '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z')).toBe(300);
  });

  it('keeps the Friday shift when Saturday is a holiday, since it started on Friday', () => {
    const saturdayOff = calendar({ ...nightShift, holidays: ['2026-01-10'] });
    expect(add(saturdayOff, '2026-01-09T21:00:00Z', 480)).toBe('2026-01-10T05:00:00.000Z');
  });

  it('drops the whole shift, Saturday morning too, when Friday is a holiday', () => {
    const fridayOff = calendar({ ...nightShift, holidays: ['2026-01-09'] });
    expect(between(fridayOff, '2026-01-09T00:00:00Z', '2026-01-11T00:00:00Z')).toBe(0);
    expect(add(fridayOff, '2026-01-09T21:00:00Z', 60)).toBe('2026-01-16T22:00:00.000Z');
  });

  it('wraps a Sunday-night interval into Monday morning of the next week', () => {
    const sunday = calendar({ timeZone: 'UTC', weekly: [{ day: 'sun', start: '22:00', end: '06:00' }] });
    // Sun 2026-01-11 23:00 + 2 h → Mon 01:00
    expect(add(sunday, '2026-01-11T23:00:00Z', 120)).toBe('2026-01-12T01:00:00.000Z');
  });

  it('reads start == end as a full 24 h', () => {
    const day = calendar({ timeZone: 'UTC', weekly: [{ day: 'mon', start: '09:00', end: '09:00' }] });
    expect(between(day, '2026-01-05T00:00:00Z', '2026-01-07T00:00:00Z')).toBe(24 * 60);
  });
});

describe('daylight saving time', () => {
  describe('America/New_York', () => {
    it('makes 00:00–06:00 last 5 h on the spring-forward night', () => {
      const night = sundayNight('America/New_York', '00:00', '06:00');
      expect(between(night, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toBe(300);
      // Sun 2026-03-08 00:00 EST + 5 h → 06:00 EDT
      expect(add(night, '2026-03-08T05:00:00Z', 300)).toBe('2026-03-08T10:00:00.000Z');
    });

    it('makes 00:00–06:00 last 7 h on the fall-back night', () => {
      const night = sundayNight('America/New_York', '00:00', '06:00');
      expect(between(night, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toBe(420);
      // Sun 2026-11-01 00:00 EDT + 7 h → 06:00 EST
      expect(add(night, '2026-11-01T04:00:00Z', 420)).toBe('2026-11-01T11:00:00.000Z');
    });

    it('carries a Friday target over the spring-forward weekend to Monday 10:00 EDT', () => {
      expect(add(newYork, '2026-03-06T21:00:00Z', 120)).toBe('2026-03-09T14:00:00.000Z');
    });

    it('carries a Friday target over the fall-back weekend to Monday 10:00 EST', () => {
      expect(add(newYork, '2026-10-30T20:00:00Z', 120)).toBe('2026-11-02T15:00:00.000Z');
    });

    it('reads a start inside the spring-forward gap as the end of the gap', () => {
      // 02:30 does not exist on 2026-03-08: the interval runs 03:00–04:00 EDT
      const night = sundayNight('America/New_York', '02:30', '04:00');
      expect(between(night, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z')).toBe(60);
      expect(add(night, '2026-03-08T05:00:00Z', 1)).toBe('2026-03-08T07:01:00.000Z');
    });

    it('does not count the spring-forward gap twice for intervals meeting around it', () => {
      const twoShifts = calendar({
        timeZone: 'America/New_York',
        weekly: [
          { day: 'sun', start: '01:00', end: '02:30' },
          { day: 'sun', start: '03:00', end: '05:00' },
        ],
      });
      // 01:00 EST → 03:00 EDT is 1 h, then 03:00 → 05:00 EDT is 2 h
      expect(between(twoShifts, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z')).toBe(180);
    });

    it('reads a start in the repeated fall-back hour as its first occurrence', () => {
      // 01:30 EDT (05:30Z) to 03:00 EST (08:00Z)
      const night = sundayNight('America/New_York', '01:30', '03:00');
      expect(between(night, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toBe(150);
      expect(add(night, '2026-11-01T04:00:00Z', 1)).toBe('2026-11-01T05:31:00.000Z');
    });
  });

  describe('Europe/Berlin', () => {
    const berlin = DEFAULT_BUSINESS_CALENDAR('Europe/Berlin');

    it('makes 00:00–06:00 last 5 h in spring and 7 h in autumn', () => {
      const night = sundayNight('Europe/Berlin', '00:00', '06:00');
      expect(between(night, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toBe(300);
      expect(between(night, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z')).toBe(420);
      // Sun 2026-10-25 00:00 CEST + 7 h → 06:00 CET
      expect(add(night, '2026-10-24T22:00:00Z', 420)).toBe('2026-10-25T05:00:00.000Z');
    });

    it('carries Friday targets over both transition weekends to Monday 10:00 local', () => {
      expect(add(berlin, '2026-03-27T15:00:00Z', 120)).toBe('2026-03-30T08:00:00.000Z');
      expect(add(berlin, '2026-10-23T14:00:00Z', 120)).toBe('2026-10-26T09:00:00.000Z');
    });
  });

  describe('Australia/Sydney (southern hemisphere)', () => {
    it('makes 00:00–06:00 last 7 h at the April fall-back and 5 h at the October spring-forward', () => {
      const night = sundayNight('Australia/Sydney', '00:00', '06:00');
      expect(between(night, '2026-04-04T00:00:00Z', '2026-04-06T00:00:00Z')).toBe(420);
      expect(between(night, '2026-10-03T00:00:00Z', '2026-10-05T00:00:00Z')).toBe(300);
    });

    it('carries a Friday target over the April weekend to Monday 10:00 AEST', () => {
      const sydney = DEFAULT_BUSINESS_CALENDAR('Australia/Sydney');
      // Fri 2026-04-03 16:00 AEDT → Mon 2026-04-06 10:00 AEST
      expect(add(sydney, '2026-04-03T05:00:00Z', 120)).toBe('2026-04-06T00:00:00.000Z');
    });
  });
});

describe('calendar time', () => {
  it('adds minutes as elapsed time for ALWAYS', () => {
    expect(ALWAYS).toBeNull();
    expect(add(ALWAYS, '2026-03-07T12:00:00Z', 3000)).toBe('2026-03-09T14:00:00.000Z');
    expect(between(ALWAYS, '2026-03-07T12:00:00Z', '2026-03-09T14:00:00Z')).toBe(3000);
  });

  it('is what a business calendar open 24×7 gives, across a DST change too', () => {
    for (const [start, end] of [
      ['00:00', '24:00'],
      ['00:00', '00:00'],
    ] as const) {
      const open = calendar({
        timeZone: 'America/New_York',
        weekly: (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({
          day,
          start,
          end,
        })),
      });
      expect(add(open, '2026-03-07T12:00:00Z', 3000)).toBe(add(ALWAYS, '2026-03-07T12:00:00Z', 3000));
      expect(between(open, '2026-10-30T12:00:00Z', '2026-11-02T12:00:00Z')).toBe(72 * 60);
    }
  });
});

describe('workingMinutesBetween', () => {
  it('is 0 when to is not after from', () => {
    expect(between(newYork, '2026-01-05T16:00:00Z', '2026-01-05T16:00:00Z')).toBe(0);
    expect(between(newYork, '2026-01-05T16:00:00Z', '2026-01-05T15:00:00Z')).toBe(0);
  });

  it('counts only the working part of a range, in fractional minutes', () => {
    // Mon 08:00 → Tue 10:00:30 EST: 8 h Monday + 1 h 30 s Tuesday
    expect(between(newYork, '2026-01-05T13:00:00Z', '2026-01-06T15:00:30Z')).toBe(540.5);
  });
});

describe('the search horizon', () => {
  // Mondays only, and every Monday for eleven years is a holiday.
  const mondays = Array.from({ length: 11 * 53 }, (_, week) =>
    new Date(Date.UTC(2026, 0, 5 + 7 * week)).toISOString().slice(0, 10),
  );
  const swallowed = calendar({
    timeZone: 'UTC',
    weekly: [{ day: 'mon', start: '09:00', end: '17:00' }],
    holidays: mondays,
  });

  it('throws RangeError after 10 years without working time rather than searching forever', () => {
    expect(() => addWorkingMinutes(swallowed, at('2026-01-01T00:00:00Z'), 60)).toThrow(/10 years/);
    expect(() => addWorkingMinutes(swallowed, at('2026-01-01T00:00:00Z'), 60)).toThrow(RangeError);
  });

  it('still measures such a calendar over a bounded range as zero', () => {
    expect(between(swallowed, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z')).toBe(0);
  });

  it('finds working time that lies beyond a long run of holidays', () => {
    const lastHoliday = mondays[mondays.length - 1] ?? '';
    const nextMonday = new Date(Date.parse(lastHoliday) + 7 * 86_400_000).toISOString().slice(0, 10);
    // the search starts within 10 years of that Monday, so it finds it
    expect(add(swallowed, '2030-01-01T00:00:00Z', 60)).toBe(`${nextMonday}T10:00:00.000Z`);
  });
});

describe('validateCalendar', () => {
  const weekday = { day: 'mon', start: '09:00', end: '17:00' };

  it('names timeZone when the zone is unknown', () => {
    expect(failedField({ timeZone: 'Mars/Olympus_Mons', weekly: [weekday] })).toBe('timeZone');
  });

  it('names weekly when there is no working time at all', () => {
    const result = validateCalendar({ timeZone: 'UTC', weekly: [] });
    expect(result.ok ? undefined : result.failure).toMatchObject({ code: 'VALIDATION', field: 'weekly' });
  });

  it('names the exact entry and part of a malformed interval', () => {
    const entries = [
      weekday,
      { ...weekday, day: 'tue' },
      { ...weekday, day: 'wed' },
      { ...weekday, day: 'thu', start: '9:00' },
    ];
    expect(failedField({ timeZone: 'UTC', weekly: entries })).toBe('weekly.3.start');
    expect(failedField({ timeZone: 'UTC', weekly: [{ ...weekday, end: '25:00' }] })).toBe('weekly.0.end');
    expect(failedField({ timeZone: 'UTC', weekly: [{ ...weekday, start: '24:00' }] })).toBe('weekly.0.start');
    expect(failedField({ timeZone: 'UTC', weekly: [weekday, { ...weekday, day: 'monday' }] })).toBe(
      'weekly.1.day',
    );
  });

  it('accepts 24:00 as an end', () => {
    expect(failedField({ timeZone: 'UTC', weekly: [{ ...weekday, end: '24:00' }] })).toBeUndefined();
  });

  it('lists every issue when there are several, naming the first', () => {
    const result = validateCalendar({
      timeZone: 'UTC',
      weekly: [{ day: 'mon', start: 'x', end: '17:00' }],
      holidays: ['2026-13-01'],
    });
    expect(result.ok).toBe(false);
    if (result.ok || result.failure.code !== 'VALIDATION') return;
    expect(result.failure.field).toBe('weekly.0.start');
    expect(result.failure.issues?.map((issue) => issue.field)).toEqual(['weekly.0.start', 'holidays.0']);
  });

  it('refuses overlapping intervals on one day, naming both', () => {
    const result = validateCalendar({
      timeZone: 'UTC',
      weekly: [weekday, { day: 'mon', start: '12:00', end: '13:00' }],
    });
    expect(result.ok ? undefined : result.failure).toMatchObject({ field: 'weekly' });
    expect(result.ok ? '' : result.failure.message).toMatch(/weekly\.1 .*overlaps weekly\.0/);
  });

  it('refuses an interval past midnight that overlaps the next day, also across Sunday night', () => {
    expect(
      failedField({
        timeZone: 'UTC',
        weekly: [
          { day: 'fri', start: '22:00', end: '06:00' },
          { day: 'sat', start: '05:00', end: '09:00' },
        ],
      }),
    ).toBe('weekly');
    expect(
      failedField({
        timeZone: 'UTC',
        weekly: [
          { day: 'mon', start: '05:00', end: '09:00' },
          { day: 'sun', start: '22:00', end: '06:00' },
        ],
      }),
    ).toBe('weekly');
  });

  it('accepts intervals that only touch', () => {
    expect(
      failedField({
        timeZone: 'UTC',
        weekly: [
          { day: 'mon', start: '09:00', end: '12:00' },
          { day: 'mon', start: '12:00', end: '17:00' },
          { day: 'sun', start: '22:00', end: '24:00' },
          { day: 'mon', start: '00:00', end: '06:00' },
        ],
      }),
    ).toBeUndefined();
  });

  it('names the holiday that is not a real date', () => {
    expect(
      failedField({
        timeZone: 'UTC',
        weekly: [weekday],
        holidays: ['2026-01-01', '2026-12-25', '2026-02-30'],
      }),
    ).toBe('holidays.2');
    expect(failedField({ timeZone: 'UTC', weekly: [weekday], holidays: ['2026-2-3'] })).toBe('holidays.0');
  });

  it('sorts intervals into week order and holidays into date order, once each', () => {
    const result = calendar({
      timeZone: 'Europe/Berlin',
      weekly: [
        { day: 'tue', start: '09:00', end: '17:00' },
        { day: 'mon', start: '13:00', end: '17:00' },
        { day: 'mon', start: '08:00', end: '12:00' },
      ],
      holidays: ['2026-12-25', '2026-01-01', '2026-12-25'],
    });
    expect(result.weekly.map((interval) => `${interval.day} ${interval.start}`)).toEqual([
      'mon 08:00',
      'mon 13:00',
      'tue 09:00',
    ]);
    expect(result.holidays).toEqual(['2026-01-01', '2026-12-25']);
  });
});

describe('DEFAULT_BUSINESS_CALENDAR', () => {
  it('is Mon–Fri 09:00–17:00 without holidays in the zone given', () => {
    expect(DEFAULT_BUSINESS_CALENDAR('Asia/Tokyo')).toEqual({
      timeZone: 'Asia/Tokyo',
      weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })),
      holidays: [],
    });
  });

  it('throws RangeError for an unknown zone', () => {
    expect(() => DEFAULT_BUSINESS_CALENDAR('Nowhere/Special')).toThrow(RangeError);
  });
});

describe('a calendar built by hand without validation', () => {
  it('is refused when used rather than giving a wrong date', () => {
    const broken: BusinessCalendar = {
      timeZone: 'UTC',
      weekly: [{ day: 'mon', start: '9am', end: '17:00' }],
      holidays: [],
    };
    expect(() => addWorkingMinutes(broken, at('2026-01-05T00:00:00Z'), 10)).toThrow(RangeError);
  });
});
