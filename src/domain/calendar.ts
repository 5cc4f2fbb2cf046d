import { IANAZone } from 'luxon';
import { type FieldIssue, fail, ok, type Result, validation } from './errors.js';

/**
 * Business calendars: the working time an SLA clock counts.
 *
 * Semantics (the SLA maths depends on each of these):
 * - Working time is real elapsed time between instants. An interval 09:00–17:00 is the instants from
 *   local 09:00 to local 17:00 of that date, so it lasts 8 h unless a DST change falls inside it
 *   (00:00–06:00 on a spring-forward night lasts 5 h, on a fall-back night 7 h).
 * - A local time that does not exist (the spring-forward gap) resolves forward to the first instant
 *   after the gap: 02:30 on the night clocks jump 02:00→03:00 is read as 03:00. (Luxon would read it
 *   as 03:30; that makes the reading of wall times non-monotonic, so 01:00–02:30 and 03:00–05:00
 *   would overlap for half an hour and be counted twice.) An interval lying wholly inside the gap
 *   is empty that night.
 * - A local time that occurs twice (the fall-back overlap) resolves to the earlier offset, i.e. its
 *   first occurrence: 01:30 on the night clocks go 02:00→01:00 is the first 01:30.
 * - An interval whose end is not after its start runs past midnight: fri 22:00–06:00 covers Friday
 *   22:00 to Saturday 06:00. start == end is a full 24 h. It belongs to the day it starts on.
 * - A holiday removes every interval that STARTS on that local date, so a holiday on Saturday leaves
 *   the Friday night shift (fri 22:00–06:00) whole, and a holiday on Friday removes all of it.
 * - Intervals must not overlap anywhere in the week (validateCalendar refuses them rather than
 *   merging): overlapping entries are nearly always a typing mistake that merging would hide, and
 *   with them the holiday rule could not say which day a shared hour belongs to.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly working interval in the calendar's local time. end <= start means it runs past midnight into the next day; end '24:00' allowed. */
export interface WorkingInterval {
  readonly day: Weekday;
  /** 'HH:MM', 00:00–23:59 */
  readonly start: string;
  /** 'HH:MM', 00:00–24:00 */
  readonly end: string;
}

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'Europe/Berlin' */
  readonly timeZone: string;
  /** Sorted by day then start; no two intervals overlap. */
  readonly weekly: readonly WorkingInterval[];
  /** 'YYYY-MM-DD' local dates, sorted, without repeats. */
  readonly holidays: readonly string[];
}

/** null = calendar time (24×7, no holidays). */
export type Calendar = BusinessCalendar | null;

export const ALWAYS: Calendar = null;

/** What a caller (a tool, a stored row) offers before validation. */
export interface CalendarInput {
  readonly timeZone: string;
  readonly weekly: readonly { readonly day: string; readonly start: string; readonly end: string }[];
  readonly holidays?: readonly string[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
/** Searching this long without finding working time means the holidays swallow every working day. */
const SEARCH_HORIZON_YEARS = 10;
const SEARCH_HORIZON_DAYS = Math.ceil(SEARCH_HORIZON_YEARS * 365.25);
/** The largest instant a Date can hold. */
const LAST_INSTANT = 8.64e15;

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Mon–Fri 09:00–17:00 in `timeZone`. Throws RangeError for an unknown zone (validate user input with validateCalendar). */
export const DEFAULT_BUSINESS_CALENDAR = (timeZone: string): BusinessCalendar => {
  const result = validateCalendar({
    timeZone,
    weekly: WEEKDAYS.slice(0, 5).map((day) => ({ day, start: '09:00', end: '17:00' })),
  });
  if (!result.ok) throw new RangeError(result.failure.message);
  return result.value;
};

export function validateCalendar(input: CalendarInput): Result<BusinessCalendar> {
  if (!isKnownZone(input.timeZone)) {
    return fail(
      validation('timeZone', `"${input.timeZone}" is not an IANA time zone.`, {
        nextStep: 'Give timeZone as an IANA name such as "America/New_York" or "Europe/Berlin".',
      }),
    );
  }
  if (input.weekly.length === 0) {
    return fail(
      validation(
        'weekly',
        'A business calendar needs at least one working interval: without one no SLA could ever be met.',
        {
          nextStep:
            'Add weekly intervals such as { day: "mon", start: "09:00", end: "17:00" }, or use calendar time.',
        },
      ),
    );
  }

  const issues: FieldIssue[] = [];
  const weekly: { interval: WorkingInterval; index: number }[] = [];
  input.weekly.forEach((entry, index) => {
    const day = WEEKDAYS.find((weekday) => weekday === entry.day);
    if (day === undefined) {
      issues.push({
        field: `weekly.${index}.day`,
        message: `"${entry.day}" is not one of ${WEEKDAYS.join(', ')}.`,
      });
    }
    if (minuteOfDay(entry.start, false) === undefined) {
      issues.push({
        field: `weekly.${index}.start`,
        message: `"${entry.start}" is not a time HH:MM from 00:00 to 23:59.`,
      });
    }
    if (minuteOfDay(entry.end, true) === undefined) {
      issues.push({
        field: `weekly.${index}.end`,
        message: `"${entry.end}" is not a time HH:MM from 00:00 to 24:00.`,
      });
    }
    if (day !== undefined) weekly.push({ interval: { day, start: entry.start, end: entry.end }, index });
  });

  const holidays = new Set<string>();
  (input.holidays ?? []).forEach((date, index) => {
    if (epochDayOf(date) === undefined) {
      issues.push({ field: `holidays.${index}`, message: `"${date}" is not a real date YYYY-MM-DD.` });
    } else {
      holidays.add(date);
    }
  });

  const [first] = issues;
  if (first !== undefined) {
    return fail(validation(first.field, first.message, issues.length > 1 ? { issues } : {}));
  }

  const overlap = findOverlap(weekly.map(({ interval, index }) => ({ ...weekSpanOf(interval), index })));
  if (overlap !== undefined) {
    const describe = (index: number) => {
      const entry = input.weekly[index];
      return `weekly.${index} (${entry?.day} ${entry?.start}–${entry?.end})`;
    };
    return fail(
      validation('weekly', `${describe(overlap.later)} overlaps ${describe(overlap.earlier)}.`, {
        nextStep:
          'Working intervals must not overlap: merge them into one interval, or shorten one, and call again.',
      }),
    );
  }

  return ok({
    timeZone: input.timeZone,
    weekly: weekly
      .map(({ interval }) => ({ interval, from: weekSpanOf(interval).from }))
      .sort((a, b) => a.from - b.from)
      .map(({ interval }) => interval),
    holidays: [...holidays].sort(),
  });
}

/**
 * The instant when `minutes` of working time have elapsed after `start`. minutes = 0 gives `start`
 * itself, even outside working time; otherwise the result lies inside a working interval or exactly at
 * the end of one. Minutes may be fractional; they are counted to the millisecond (a Date's resolution).
 *
 * Cost: the rest of the start's local week and the due date's week are walked date by date; the
 * whole weeks between are counted at once from a per-calendar table of week totals (a steady week,
 * with no holiday and no offset change, is worth the calendar's nominal weekly time). Building that
 * table costs one time-zone lookup per week the first time a calendar reaches that far, never one per
 * working minute, and it is bounded by the horizon below.
 * Throws RangeError for a negative or non-finite target, an invalid start, a due date more than
 * DUE_HORIZON_YEARS after the start (the target needs more working time than the calendar has in
 * that span), or when 10 years of local dates pass without any working time (holidays covering every
 * working day): such a target can never be met, and the caller must say so rather than wait.
 */
export function addWorkingMinutes(calendar: Calendar, start: Date, minutes: number): Date {
  const from = instantOf(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`Working minutes must be a finite number ≥ 0, not ${minutes}.`);
  }
  const target = Math.round(minutes * MINUTE_MS);
  if (target === 0) return new Date(from);
  if (calendar === null) {
    if (target > DUE_HORIZON_MS) throw beyondHorizon(minutes);
    return dateAt(from + target);
  }

  const compiledCalendar = compile(calendar);
  const wallClock = new WallClock(compiledCalendar.zone);
  const startWeek = weekOf(wallClock.localDateOf(from));
  let remaining = target;
  // The rest of the start's week, with an interval of the day before that may still be running.
  for (const span of spansOfDays(
    compiledCalendar,
    wallClock,
    wallClock.localDateOf(from) - 1,
    sundayOf(startWeek),
    from,
  )) {
    const length = span.end - span.start;
    if (remaining <= length) return dateAt(span.start + remaining);
    remaining -= length;
  }
  const reached = compiledCalendar.weeks.reaching(startWeek + 1, remaining, minutes);
  remaining -= reached.before;
  for (const span of spansOfDays(
    compiledCalendar,
    wallClock,
    mondayOf(reached.week),
    sundayOf(reached.week),
    Number.NEGATIVE_INFINITY,
  )) {
    const length = span.end - span.start;
    if (remaining <= length) return dateAt(span.start + remaining);
    remaining -= length;
  }
  // The week table said this week holds the rest of the target.
  throw new Error(`unreachable: week ${reached.week} holds less working time than its total says`);
}

/** Working time in [from, to), in (fractional) minutes; 0 if to <= from. Costs as addWorkingMinutes does. */
export function workingMinutesBetween(calendar: Calendar, from: Date, to: Date): number {
  const begin = instantOf(from, 'from');
  const end = instantOf(to, 'to');
  if (end <= begin) return 0;
  if (calendar === null) return (end - begin) / MINUTE_MS;

  const compiledCalendar = compile(calendar);
  const wallClock = new WallClock(compiledCalendar.zone);
  const firstDay = wallClock.localDateOf(begin) - 1;
  const lastDay = wallClock.localDateOf(end);
  const clipped = (first: number, last: number, after: number) => {
    let sum = 0;
    for (const span of spansOfDays(compiledCalendar, wallClock, first, last, after)) {
      if (span.start >= end) break;
      sum += Math.min(span.end, end) - span.start;
    }
    return sum;
  };
  const [startWeek, endWeek] = [weekOf(firstDay + 1), weekOf(lastDay)];
  // The week before the end's may hold an interval running past `to`: it is walked with the last.
  if (endWeek - startWeek < 3) return clipped(firstDay, lastDay, begin) / MINUTE_MS;
  const head = clipped(firstDay, sundayOf(startWeek), begin);
  const middle = compiledCalendar.weeks.total(startWeek + 1, endWeek - 1);
  const tail = clipped(mondayOf(endWeek - 1), lastDay, Number.NEGATIVE_INFINITY);
  return (head + middle + tail) / MINUTE_MS;
}

/**
 * A target the calendar cannot reach: past the horizon (too little working time a week for it), or
 * never (ten years of holidays covering every working day).
 */
export class UnreachableTarget extends RangeError {
  constructor(
    message: string,
    readonly reason: 'horizon' | 'holidays',
  ) {
    super(message);
    this.name = 'UnreachableTarget';
  }
}

/** The calendar's working time in a week with no holiday and no clock change, in minutes. */
export function weeklyWorkingMinutes(calendar: BusinessCalendar): number {
  return compile(calendar).steadyWeek / MINUTE_MS;
}

function beyondHorizon(minutes: number): UnreachableTarget {
  return new UnreachableTarget(
    `A target of ${Math.round(minutes / 60).toLocaleString('en-US')} working hours falls due more than ` +
      `${DUE_HORIZON_YEARS} years after its start in this calendar.`,
    'horizon',
  );
}

// ---------------------------------------------------------------------------------------------
// Parsing

function minuteOfDay(text: string, allowMidnightEnd: boolean): number | undefined {
  if (allowMidnightEnd && text === '24:00') return DAY_MINUTES;
  const match = CLOCK_TIME.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Days since 1970-01-01 of a real 'YYYY-MM-DD' date, else undefined. */
function epochDayOf(text: string): number | undefined {
  const match = LOCAL_DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 02-30 over to 03-02 (and reads years below 100 as 19xx): a round trip catches both.
  const real = utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
  return real ? utc.getTime() / DAY_MS : undefined;
}

/** Minutes of the interval's start and end counted from Monday 00:00; `to` may pass the week's end. */
function weekSpanOf(interval: WorkingInterval): { from: number; to: number } {
  // Only validated intervals get here, so both times parse.
  const start = minuteOfDay(interval.start, false) ?? 0;
  const end = minuteOfDay(interval.end, true) ?? 0;
  const from = WEEKDAYS.indexOf(interval.day) * DAY_MINUTES + start;
  return { from, to: from + (end > start ? end - start : end + DAY_MINUTES - start) };
}

/** Each interval is at most 24 h, so sorted by start only neighbours (and last with first, across Sunday night) can overlap. */
function findOverlap(
  spans: readonly { from: number; to: number; index: number }[],
): { earlier: number; later: number } | undefined {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (a !== undefined && b !== undefined && a.to > b.from) return { earlier: a.index, later: b.index };
  }
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  if (first !== undefined && last !== undefined && first !== last && last.to - WEEK_MINUTES > first.from) {
    return { earlier: last.index, later: first.index };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The walk over working spans

interface CompiledCalendar {
  readonly calendar: BusinessCalendar;
  readonly zone: IANAZone;
  /** Index 0 = Monday; minutes from the local midnight of the start date; end may exceed 1440. */
  readonly intervalsByWeekday: readonly (readonly { readonly start: number; readonly end: number }[])[];
  readonly holidays: ReadonlySet<number>;
  /** Working time of a week with no holiday and no offset change, in ms. */
  readonly steadyWeek: number;
  readonly weeks: WeekTable;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Calendars are immutable values, usually reused across many clocks: compile each once. Calendars
 * read back from rows are new objects each time, so compiled ones are also found by their content.
 */
const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();
const compiledByContent = new Map<string, CompiledCalendar>();
const COMPILED_BY_CONTENT_LIMIT = 200;

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const cached = compiled.get(calendar);
  if (cached !== undefined) return cached;
  const content = JSON.stringify([calendar.timeZone, calendar.weekly, calendar.holidays]);
  const same = compiledByContent.get(content);
  if (same !== undefined) {
    compiled.set(calendar, same);
    return same;
  }
  // The type promises a validated calendar, but one built by hand could hold anything: check once.
  const checked = validateCalendar(calendar);
  if (!checked.ok) throw new RangeError(`Invalid business calendar: ${checked.failure.message}`);
  const intervalsByWeekday = WEEKDAYS.map((day) =>
    checked.value.weekly
      .filter((interval) => interval.day === day)
      .map((interval) => {
        const { from, to } = weekSpanOf(interval);
        const start = from % DAY_MINUTES;
        return { start, end: start + (to - from) };
      }),
  );
  const holidays = new Set(checked.value.holidays.map((date) => epochDayOf(date) ?? Number.NaN));
  const steadyWeek =
    intervalsByWeekday.flat().reduce((sum, interval) => sum + interval.end - interval.start, 0) * MINUTE_MS;
  const result: CompiledCalendar = {
    calendar,
    zone: IANAZone.create(calendar.timeZone),
    intervalsByWeekday,
    holidays,
    steadyWeek,
    weeks: new WeekTable((week) => weekTotal(result, week)),
  };
  compiled.set(calendar, result);
  if (compiledByContent.size >= COMPILED_BY_CONTENT_LIMIT) compiledByContent.clear();
  compiledByContent.set(content, result);
  return result;
}

/**
 * The working spans (instants, ms) of the intervals starting on local dates firstDay..lastDay that
 * end after `from`, in time order. Spans never overlap: intervals do not overlap in local time and
 * reading wall times is monotonic.
 */
function* spansOfDays(
  calendar: CompiledCalendar,
  wallClock: WallClock,
  firstDay: number,
  lastDay: number,
  from: number,
): Generator<Span> {
  for (let day = firstDay; day <= lastDay; day += 1) {
    const midnight = day * DAY_MS;
    if (midnight - DAY_MS > LAST_INSTANT)
      throw new RangeError('The due date lies beyond what a Date can hold.');
    const intervals = calendar.intervalsByWeekday[weekdayIndex(day)] ?? [];
    // Days without working time cost nothing: most days of a sparse calendar.
    if (intervals.length === 0 || calendar.holidays.has(day)) continue;
    const offset = wallClock.steadyOffsetAround(day);
    const instant = (wall: number) => (offset === undefined ? wallClock.instantOf(wall) : wall - offset);
    for (const interval of intervals) {
      const start = instant(midnight + interval.start * MINUTE_MS);
      const end = instant(midnight + interval.end * MINUTE_MS);
      // end === start: the interval fell wholly inside a spring-forward gap.
      if (end > from && end > start) yield { start: Math.max(start, from), end };
    }
  }
}

/** Working time, in ms, of the intervals starting in one local week (Monday to Sunday). */
function weekTotal(calendar: CompiledCalendar, week: number): number {
  const monday = mondayOf(week);
  let holiday = false;
  for (let day = monday; day < monday + 7 && !holiday; day += 1) holiday = calendar.holidays.has(day);
  if (!holiday && steadyAcross(calendar.zone, week)) return calendar.steadyWeek;
  let sum = 0;
  const wallClock = new WallClock(calendar.zone);
  for (const span of spansOfDays(calendar, wallClock, monday, monday + 6, Number.NEGATIVE_INFINITY)) {
    sum += span.end - span.start;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Whole weeks at once

/** Local weeks run Monday to Sunday; week 0 starts on Monday 1969-12-29 (epoch day −3). */
function weekOf(epochDay: number): number {
  return Math.floor((epochDay + 3) / 7);
}

function mondayOf(week: number): number {
  return week * 7 - 3;
}

function sundayOf(week: number): number {
  return mondayOf(week) + 6;
}

/** How far ahead a due date may lie: past it a target is refused, and the week table never grows further. */
export const DUE_HORIZON_YEARS = 100;
const DUE_HORIZON_WEEKS = Math.ceil((DUE_HORIZON_YEARS * 365.25) / 7);
const DUE_HORIZON_MS = DUE_HORIZON_YEARS * 365.25 * DAY_MS;
const SEARCH_HORIZON_WEEKS = Math.ceil(SEARCH_HORIZON_DAYS / 7);
/** The most weeks one table keeps; a request far outside it starts the table afresh. */
const WEEK_TABLE_LIMIT = 4 * DUE_HORIZON_WEEKS;

/**
 * Running sums of a calendar's week totals over a contiguous range of weeks, grown on demand in
 * either direction: the working time of any run of whole weeks is one subtraction, and the week in
 * which a target is reached one binary search.
 */
class WeekTable {
  #first = 0;
  /** #sums[i] = working time of weeks #first .. #first + i − 1, so #sums[0] = 0. */
  #sums: number[] = [0];

  constructor(private readonly totalOf: (week: number) => number) {}

  /** Working time, ms, of the weeks in [from, to). */
  total(from: number, to: number): number {
    if (to <= from) return 0;
    this.#cover(from, to);
    return this.#at(to) - this.#at(from);
  }

  /**
   * The first week w ≥ `from` by the end of which `remaining` ms of working time have passed since
   * the start of `from`, and the working time of the weeks before it. `minutes` is the whole target,
   * for the error message.
   */
  reaching(from: number, remaining: number, minutes: number): { week: number; before: number } {
    let to = from + 8;
    for (;;) {
      const limit = Math.min(to, from + DUE_HORIZON_WEEKS);
      this.#cover(from, limit);
      const base = this.#at(from);
      if (this.#at(limit) - base >= remaining) {
        // Smallest w in [from, limit) with sums through w ≥ remaining.
        let [low, high] = [from, limit - 1];
        while (low < high) {
          const middle = Math.floor((low + high) / 2);
          if (this.#at(middle + 1) - base >= remaining) high = middle;
          else low = middle + 1;
        }
        this.#refuseIfIdle(from, low);
        return { week: low, before: this.#at(low) - base };
      }
      this.#refuseIfIdle(from, limit);
      if (limit === from + DUE_HORIZON_WEEKS) throw beyondHorizon(minutes);
      to = from + (to - from) * 4;
    }
  }

  /** Ten years of weeks without working time: the holidays cover every working day. */
  #refuseIfIdle(from: number, to: number): void {
    let idle = 0;
    for (let week = from; week < to; week += 1) {
      idle = this.#at(week + 1) === this.#at(week) ? idle + 1 : 0;
      if (idle > SEARCH_HORIZON_WEEKS) {
        throw new UnreachableTarget(
          `Business calendar has no working time in the ${SEARCH_HORIZON_YEARS} years after week ` +
            `${new Date(mondayOf(from) * DAY_MS).toISOString().slice(0, 10)}: its holidays cover every working day, ` +
            'so no target can be met.',
          'holidays',
        );
      }
    }
  }

  #at(week: number): number {
    return this.#sums[week - this.#first] ?? Number.NaN;
  }

  /** Makes the table hold weeks [from, to). */
  #cover(from: number, to: number): void {
    const last = this.#first + this.#sums.length - 1;
    if (from >= this.#first && to <= last) return;
    const [newFirst, newLast] = [Math.min(from, this.#first), Math.max(to, last)];
    if (newLast - newFirst > WEEK_TABLE_LIMIT || this.#sums.length === 1) {
      this.#first = from;
      this.#sums = [0];
      this.#grow(to);
      return;
    }
    if (newFirst < this.#first) {
      const before = [0];
      for (let week = newFirst; week < this.#first; week += 1) {
        before.push((before[before.length - 1] ?? 0) + this.totalOf(week));
      }
      const shift = before[before.length - 1] ?? 0;
      this.#sums = [...before, ...this.#sums.slice(1).map((sum) => sum + shift)];
      this.#first = newFirst;
    }
    this.#grow(newLast);
  }

  /** Appends week totals until the table holds weeks up to (not including) `to`. */
  #grow(to: number): void {
    for (let week = this.#first + this.#sums.length - 1; week < to; week += 1) {
      this.#sums.push((this.#sums[this.#sums.length - 1] ?? 0) + this.totalOf(week));
    }
  }
}

/**
 * True when the zone's offset cannot change during any wall time of the week's intervals: from local
 * Monday 00:00 to the end of an interval starting on Sunday (Tuesday 00:00 at the latest), which lie
 * within a day of the UTC midnights of the Sunday before and the Sunday after next. The offset is read
 * there and at the Sunday between; equal readings mean no change, assuming, like every zone in the tz
 * database, that a zone's offset never changes twice within 7 days. One reading per week, shared
 * between neighbouring weeks.
 */
function steadyAcross(zone: IANAZone, week: number): boolean {
  const reading = offsetReadings(zone.name);
  const first = reading(mondayOf(week) - 1);
  return reading(mondayOf(week + 1) - 1) === first && reading(mondayOf(week + 2) - 1) === first;
}

/**
 * The zone's offset at UTC midnight of an epoch day, as Intl writes it ("GMT+01:00"): only ever
 * compared for equality, and several times cheaper than asking luxon for the number.
 */
const offsetTexts = new Map<string, { format: (instant: number) => string; texts: Map<number, string> }>();
let rememberedOffsetTexts = 0;

function offsetReadings(zoneName: string): (epochDay: number) => string {
  if (rememberedOffsetTexts > REMEMBERED_OFFSETS_LIMIT) {
    offsetTexts.clear();
    rememberedOffsetTexts = 0;
  }
  let zone = offsetTexts.get(zoneName);
  if (zone === undefined) {
    const formatter = new Intl.DateTimeFormat('en-US', { timeZone: zoneName, timeZoneName: 'longOffset' });
    // "12/1/2026, GMT+01:00": the offset is the last word.
    zone = {
      format: (instant) => {
        const text = formatter.format(instant);
        return text.slice(text.lastIndexOf(' ') + 1);
      },
      texts: new Map(),
    };
    offsetTexts.set(zoneName, zone);
  }
  const { format, texts } = zone;
  return (epochDay) => {
    let text = texts.get(epochDay);
    if (text === undefined) {
      text = format(epochDay * DAY_MS);
      texts.set(epochDay, text);
      rememberedOffsetTexts += 1;
    }
    return text;
  };
}

/** 1970-01-01 (epoch day 0) was a Thursday; WEEKDAYS starts on Monday. */
function weekdayIndex(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

/**
 * Reads wall-clock times in one zone as instants. A "wall" is a local reading written as ms since
 * 1970-01-01T00:00 as if it were UTC. Assumes, like every zone in the tz database since 1970, that a
 * zone's offset changes at most once in 48 hours.
 */
class WallClock {
  readonly #zone: IANAZone;
  readonly #offsetAtMidnight: Map<number, number>;

  constructor(zone: IANAZone) {
    this.#zone = zone;
    this.#offsetAtMidnight = midnightOffsetsOf(zone.name);
  }

  /** Offset in ms at an instant (luxon gives minutes, fractional for old local mean times). */
  offsetAt(instant: number): number {
    return Math.round(this.#zone.offset(instant) * MINUTE_MS);
  }

  localDateOf(instant: number): number {
    // The offsets at the UTC midnights around the instant are remembered; equal, they are the offset
    // at the instant too (one change at most in 48 hours). Asking the zone itself costs ~30 µs.
    const utcDay = Math.floor(instant / DAY_MS);
    const before = this.#midnightOffset(utcDay);
    const offset = this.#midnightOffset(utcDay + 1) === before ? before : this.offsetAt(instant);
    return Math.floor((instant + offset) / DAY_MS);
  }

  /**
   * The offset in force for every wall time from local midnight of `day` to midnight two dates later,
   * or undefined when it changes in that window. Those wall times fall strictly between the UTC
   * midnights of day − 1 and day + 3; if the offset is equal at all five, it did not change between.
   */
  steadyOffsetAround(day: number): number | undefined {
    const offset = this.#midnightOffset(day - 1);
    for (let probe = day; probe <= day + 3; probe += 1) {
      if (this.#midnightOffset(probe) !== offset) return undefined;
    }
    return offset;
  }

  /** Exact reading for windows with an offset change: gap → first instant after it, overlap → first occurrence. */
  instantOf(wall: number): number {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    if (before === after) return wall - before;
    // With the earlier offset first, an overlap resolves to its first occurrence.
    for (const offset of [before, after]) {
      if (this.offsetAt(wall - offset) === offset) return wall - offset;
    }
    // In the gap: the transition lies in (wall − after, wall − before]; find it to the millisecond.
    let earlier = wall - after;
    let later = wall - before;
    while (later - earlier > 1) {
      const middle = Math.floor((earlier + later) / 2);
      if (this.offsetAt(middle) === before) earlier = middle;
      else later = middle;
    }
    return later;
  }

  #midnightOffset(epochDay: number): number {
    let offset = this.#offsetAtMidnight.get(epochDay);
    if (offset === undefined) {
      offset = this.offsetAt(epochDay * DAY_MS);
      this.#offsetAtMidnight.set(epochDay, offset);
      rememberedOffsets += 1;
    }
    return offset;
  }
}

/**
 * Offsets at UTC midnights, by zone and epoch day, shared by every walk: asking the zone costs about
 * 5 µs, and SLA maths keeps asking about the same weeks around now. The tz data cannot change while
 * the process runs, so the memo never goes stale; it is dropped whole when it grows past the limit.
 */
const offsetsAtMidnight = new Map<string, Map<number, number>>();
const REMEMBERED_OFFSETS_LIMIT = 100_000;
let rememberedOffsets = 0;

function midnightOffsetsOf(zoneName: string): Map<number, number> {
  if (rememberedOffsets > REMEMBERED_OFFSETS_LIMIT) {
    offsetsAtMidnight.clear();
    rememberedOffsets = 0;
  }
  let offsets = offsetsAtMidnight.get(zoneName);
  if (offsets === undefined) {
    offsets = new Map();
    offsetsAtMidnight.set(zoneName, offsets);
  }
  return offsets;
}

/** Zone names already found valid: checking one builds an Intl formatter (~100 µs), and calendars are rebuilt from rows often. */
const knownZones = new Set<string>();

function isKnownZone(name: string): boolean {
  if (knownZones.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  knownZones.add(name);
  return true;
}

function instantOf(date: Date, name: string): number {
  const ms = date.getTime();
  // A NaN instant would turn every comparison false and the walk endless or silently wrong.
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a valid date.`);
  return ms;
}

function dateAt(instant: number): Date {
  if (Math.abs(instant) > LAST_INSTANT)
    throw new RangeError('The due date lies beyond what a Date can hold.');
  return new Date(instant);
}
