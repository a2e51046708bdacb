/**
 * Working days (工作日) as the State Council's yearly holiday notice defines them: Monday to Friday,
 * minus that year's holidays, plus its make-up working days (调休). A year whose notice is not loaded is
 * counted on weekends plus the fixed statutory days only, and every answer that touches such a year says
 * `provisional: true`.
 *
 * Speed: the calendar is laid out once as a table of day numbers with a running count of working days,
 * so adding n working days is two array reads, not a loop (see `npm run bench`).
 */
import * as z from 'zod/mini';
import { type IsoDate, dayNumberOf, formatDayNumber, InvalidDateError, parseIsoDate, weekdayOf, yearOf } from './dates.ts';

export interface DateResult {
  date: IsoDate;
  /** true when any day counted lies in a year whose official schedule is not loaded */
  provisional: boolean;
}

export interface CountResult {
  days: number;
  provisional: boolean;
}

export interface CalendarCoverage {
  loadedYears: number[];
  nextYear: number;
  nextYearMissing: boolean;
  /** true when next year's schedule is missing and it is late enough in the year to expect it */
  warn: boolean;
  message?: string;
}

/** One year file in the holiday-cn format: only the days that differ from the plain weekday rule. */
export const holidayYearSchema = z.object({
  year: z.int().check(z.minimum(1990), z.maximum(2200)),
  papers: z.array(z.string()),
  days: z.array(
    z.strictObject({
      name: z.string(),
      date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')),
      isOffDay: z.boolean(),
    }),
  ),
});
export type HolidayYear = z.infer<typeof holidayYearSchema>;

export class CalendarDataError extends Error {
  override name = 'CalendarDataError';
}

export interface YearFile {
  /** shown in errors, e.g. "2026.json" */
  fileName: string;
  content: unknown;
}

export interface CalendarExtras {
  /** extra off days on top of the national calendar (a jurisdiction's local holidays) */
  extraOffDays?: readonly IsoDate[];
  /** extra working days on top of the national calendar */
  extraWorkingDays?: readonly IsoDate[];
}

/** Fixed statutory holidays assumed for a year whose notice is not loaded: 1 Jan; 1-2 May; 1-3 Oct. */
const FIXED_STATUTORY = new Set(['01-01', '05-01', '05-02', '10-01', '10-02', '10-03']);

/** How many years past the last loaded one the fast table reaches; beyond it a slow loop answers. */
const TABLE_YEARS_AHEAD = 12;

/** Validates year files; a bad file is an error naming the file and the entry, never a silent gap. */
export function parseYearFiles(files: readonly YearFile[]): HolidayYear[] {
  const years: HolidayYear[] = [];
  const seen = new Map<number, string>();
  for (const { fileName, content } of files) {
    const parsed = holidayYearSchema.safeParse(content);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? issue.path.join('.') : '(root)';
      throw new CalendarDataError(`${fileName}: entry ${where}: ${issue.message}`);
    }
    const year = parsed.data;
    const previous = seen.get(year.year);
    if (previous) throw new CalendarDataError(`${fileName}: year ${year.year} is also given by ${previous}`);
    seen.set(year.year, fileName);
    year.days.forEach((day, i) => {
      try {
        parseIsoDate(day.date);
      } catch (e) {
        throw new CalendarDataError(`${fileName}: entry days.${i}.date: ${(e as Error).message}`);
      }
      const dayYear = Number(day.date.slice(0, 4));
      if (Math.abs(dayYear - year.year) > 1) {
        throw new CalendarDataError(`${fileName}: entry days.${i}.date: ${day.date} is not near year ${year.year}`);
      }
    });
    years.push(year);
  }
  return years;
}

export class WorkingCalendar {
  private readonly loaded: ReadonlySet<number>;
  /** day number -> true (off) / false (working), for days that differ from the weekday rule */
  private readonly overrides: ReadonlyMap<number, boolean>;
  private readonly firstDay: number;
  private readonly lastDay: number;
  /** per table day: working days in [firstDay, day] */
  private readonly workingUpTo: Int32Array;
  /** per table day: days of unloaded years in [firstDay, day] */
  private readonly unloadedUpTo: Int32Array;
  /** k -> table index of the (k+1)th working day */
  private readonly workingDayIndex: Int32Array;
  private readonly isoOfIndex: string[];
  private readonly indexOfIso: Map<string, number>;

  private constructor(
    private readonly years: readonly HolidayYear[],
    private readonly extras: CalendarExtras,
  ) {
    this.loaded = new Set(years.filter((y) => y.days.length > 0).map((y) => y.year));
    const overrides = new Map<number, boolean>();
    for (const y of years) for (const d of y.days) overrides.set(parseIsoDate(d.date), d.isOffDay);
    for (const d of extras.extraWorkingDays ?? []) overrides.set(parseIsoDate(d), false);
    for (const d of extras.extraOffDays ?? []) overrides.set(parseIsoDate(d), true);
    this.overrides = overrides;

    const allYears = years.map((y) => y.year);
    const firstYear = allYears.length ? Math.min(...allYears) : 2000;
    const lastYear = (allYears.length ? Math.max(...allYears) : 2000) + TABLE_YEARS_AHEAD;
    this.firstDay = dayNumberOf(firstYear, 1, 1);
    this.lastDay = dayNumberOf(lastYear, 12, 31);
    const size = this.lastDay - this.firstDay + 1;
    this.workingUpTo = new Int32Array(size);
    this.unloadedUpTo = new Int32Array(size);
    const workingIdx: number[] = [];
    this.isoOfIndex = new Array<string>(size);
    this.indexOfIso = new Map();
    let working = 0;
    let unloaded = 0;
    for (let i = 0; i < size; i++) {
      const day = this.firstDay + i;
      if (this.isWorking(day)) {
        working++;
        workingIdx.push(i);
      }
      if (!this.loaded.has(yearOf(day))) unloaded++;
      this.workingUpTo[i] = working;
      this.unloadedUpTo[i] = unloaded;
      const iso = formatDayNumber(day);
      this.isoOfIndex[i] = iso;
      this.indexOfIso.set(iso, i);
    }
    this.workingDayIndex = Int32Array.from(workingIdx);
  }

  /** A calendar from holiday-cn year files, validated. */
  static fromYearFiles(files: readonly YearFile[], extras: CalendarExtras = {}): WorkingCalendar {
    return new WorkingCalendar(parseYearFiles(files), extras);
  }

  /** The same national schedule with a jurisdiction's own extra off days and working days on top. */
  withExtras(extras: CalendarExtras): WorkingCalendar {
    for (const d of [...(extras.extraOffDays ?? []), ...(extras.extraWorkingDays ?? [])]) parseIsoDate(d);
    return new WorkingCalendar(this.years, {
      extraOffDays: [...(this.extras.extraOffDays ?? []), ...(extras.extraOffDays ?? [])],
      extraWorkingDays: [...(this.extras.extraWorkingDays ?? []), ...(extras.extraWorkingDays ?? [])],
    });
  }

  /** Years whose official schedule is loaded, ascending. */
  loadedYears(): number[] {
    return [...this.loaded].sort((a, b) => a - b);
  }

  isYearLoaded(year: number): boolean {
    return this.loaded.has(year);
  }

  /** Is `date` a working day? Provisional when its year's schedule is not loaded. */
  isWorkingDay(date: IsoDate): { working: boolean; provisional: boolean } {
    const day = parseIsoDate(date);
    return { working: this.isWorking(day), provisional: !this.loaded.has(yearOf(day)) };
  }

  /**
   * The nth working day strictly after `from` (期间开始之日不计算在内): the day of `from` is not counted,
   * and a start on a holiday simply counts from the next working day. n = 0 gives `from` itself.
   */
  addWorkingDays(from: IsoDate, n: number): DateResult {
    if (!Number.isInteger(n) || n < 0 || n > 100_000) {
      throw new RangeError(`working days to add must be a whole number from 0 to 100000, got ${n}`);
    }
    const i = this.indexOf(from);
    if (i >= 0) {
      const k = this.workingUpTo[i]! + n;
      if (k <= this.workingDayIndex.length) {
        const r = n === 0 ? i : this.workingDayIndex[k - 1]!;
        return { date: this.isoOfIndex[r]!, provisional: this.unloadedUpTo[r]! - this.unloadedUpTo[i]! > 0 };
      }
    }
    return this.addWorkingDaysSlowly(parseIsoDate(from), n);
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: IsoDate): DateResult {
    return this.addWorkingDays(date, 1);
  }

  /** Working days d with from < d <= to (0 when to <= from): how many working days late a filing is. */
  workingDaysBetween(from: IsoDate, to: IsoDate): CountResult {
    const a = this.indexOf(from);
    const b = this.indexOf(to);
    if (b <= a) {
      parseIsoDate(from);
      parseIsoDate(to);
      if (a >= 0 && b >= 0) return { days: 0, provisional: false };
    }
    if (a >= 0 && b >= 0) {
      return { days: this.workingUpTo[b]! - this.workingUpTo[a]!, provisional: this.unloadedUpTo[b]! - this.unloadedUpTo[a]! > 0 };
    }
    let days = 0;
    let provisional = false;
    for (let d = parseIsoDate(from) + 1, end = parseIsoDate(to); d <= end; d++) {
      if (this.isWorking(d)) days++;
      if (!this.loaded.has(yearOf(d))) provisional = true;
    }
    return { days, provisional };
  }

  /**
   * Whether next year's schedule is loaded, and whether operators should be warned: the State Council
   * publishes it around November, so from `warnFrom` (MM-DD, default 11-15) on, a missing year is a warning.
   */
  coverage(today: IsoDate, warnFrom = '11-15'): CalendarCoverage {
    parseIsoDate(today);
    const nextYear = Number(today.slice(0, 4)) + 1;
    const nextYearMissing = !this.loaded.has(nextYear);
    const warn = nextYearMissing && today.slice(5) >= warnFrom;
    return {
      loadedYears: this.loadedYears(),
      nextYear,
      nextYearMissing,
      warn,
      ...(warn && {
        message:
          `The ${nextYear} holiday schedule is not loaded: deadlines reaching into ${nextYear} are provisional. ` +
          `Once the State Council notice is out, load it into the running system, no redeploy: \`npm run calendar -- add <file> --api <API URL>\` (or PUT /v1/calendar/${nextYear}).`,
      }),
    };
  }

  private isWorking(day: number): boolean {
    const override = this.overrides.get(day);
    if (override !== undefined) return !override;
    const weekday = weekdayOf(day);
    if (weekday === 0 || weekday === 6) return false;
    if (!this.loaded.has(yearOf(day)) && FIXED_STATUTORY.has(formatDayNumber(day).slice(5))) return false;
    return true;
  }

  private indexOf(date: IsoDate): number {
    const i = this.indexOfIso.get(date);
    if (i !== undefined) return i;
    parseIsoDate(date); // throws a clear error for a malformed date
    return -1;
  }

  private addWorkingDaysSlowly(from: number, n: number): DateResult {
    let day = from;
    let provisional = false;
    for (let left = n; left > 0; ) {
      day++;
      if (!this.loaded.has(yearOf(day))) provisional = true;
      if (this.isWorking(day)) left--;
    }
    return { date: formatDayNumber(day), provisional };
  }
}

/** `addWorkingDays(from, n, calendar)`: the nth working day after `from`, with its provisional flag. */
export function addWorkingDays(from: IsoDate, n: number, calendar: WorkingCalendar): DateResult {
  return calendar.addWorkingDays(from, n);
}

export { InvalidDateError };

/** Days off a real year has: 104 or so weekend days, plus 11-13 holidays, less the make-up days (shipped years: 115-117). */
export const PLAUSIBLE_DAYS_OFF = { min: 105, max: 130 } as const;

/**
 * What is wrong with a year file an admin loads, beyond its shape: the same date twice; a date outside the
 * year, except the last two weeks of the year before (a New Year holiday may start there, as 2019.json's
 * does); a date of the year before that contradicts that year's own file; a count of days off no real
 * year has (a file that makes every day a working day, or every day off, would move every deadline).
 */
export function yearFileProblems(
  file: Pick<HolidayYear, 'year' | 'days'>,
  previousYear: Pick<HolidayYear, 'days'> | undefined,
): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const seen = new Map<string, number>();
  const previous = new Map((previousYear?.days ?? []).map((d) => [d.date, d.isOffDay]));
  file.days.forEach((day, i) => {
    const field = `days.${i}.date`;
    const first = seen.get(day.date);
    if (first !== undefined) problems.push({ field, reason: `${day.date} is listed twice (also days.${first})` });
    seen.set(day.date, i);
    const year = Number(day.date.slice(0, 4));
    if (year !== file.year && !(year === file.year - 1 && day.date >= `${year}-12-18`)) {
      problems.push({ field, reason: `${day.date} is not in ${file.year} (only the last two weeks of ${file.year - 1} may be listed)` });
    } else if (year !== file.year && previous.has(day.date) && previous.get(day.date) !== day.isOffDay) {
      problems.push({ field, reason: `${day.date} is ${previous.get(day.date) ? 'a day off' : 'a working day'} in ${year}'s own schedule` });
    }
  });
  if (!problems.length) {
    const overrides = new Map(file.days.map((d) => [d.date, d.isOffDay]));
    let off = 0;
    for (let day = dayNumberOf(file.year, 1, 1); day <= dayNumberOf(file.year, 12, 31); day++) {
      const override = overrides.get(formatDayNumber(day));
      if (override ?? (weekdayOf(day) === 0 || weekdayOf(day) === 6)) off++;
    }
    if (off < PLAUSIBLE_DAYS_OFF.min || off > PLAUSIBLE_DAYS_OFF.max) {
      problems.push({ field: 'days', reason: `make ${off} days of ${file.year} days off; a real year has ${PLAUSIBLE_DAYS_OFF.min}-${PLAUSIBLE_DAYS_OFF.max} (weekends and holidays less make-up days)` });
    }
  }
  return problems;
}
