/**
 * Calendar dates as the law counts them: `YYYY-MM-DD` strings in Asia/Shanghai, and whole-day arithmetic
 * on day numbers (days since 1970-01-01). Nothing here reads the server's time zone.
 */

/** A calendar date `YYYY-MM-DD` in Asia/Shanghai. */
export type IsoDate = string;

/** China Standard Time has been UTC+8 without daylight saving since 1991. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const MS_PER_DAY = 86_400_000;

export class InvalidDateError extends Error {
  override name = 'InvalidDateError';
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` strictly: "2026-02-30" and "2026-2-3" are errors, not other days. */
export function parseIsoDate(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new InvalidDateError(`"${date}" is not a date in the form YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new InvalidDateError(`"${date}" is not a day of the calendar`);
  }
  return dayNumberOf(year, month, day);
}

export function isValidIsoDate(date: string): boolean {
  try {
    parseIsoDate(date);
    return true;
  } catch {
    return false;
  }
}

/** `YYYY-MM-DD` of a day number. */
export function formatDayNumber(dayNumber: number): IsoDate {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function yearOf(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear();
}

const ISO_INSTANT_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The Shanghai calendar date of an instant. A timestamp string must carry its zone (`Z` or `+08:00`):
 * without one the instant is ambiguous, and guessing would let the server's zone leak in.
 * 2026-09-30T16:30:00Z is 2026-10-01 00:30 in Beijing, so the answer is 2026-10-01.
 */
export function shanghaiDate(instant: Date | string): IsoDate {
  let ms: number;
  if (typeof instant === 'string') {
    if (!ISO_INSTANT_WITH_ZONE.test(instant)) {
      throw new InvalidDateError(`"${instant}" is not an ISO 8601 timestamp with a zone (Z or ±hh:mm)`);
    }
    // Date.parse rolls "2026-02-30T10:00Z" over into March; the date part must be a real day.
    if (!isValidIsoDate(instant.slice(0, 10))) throw new InvalidDateError(`"${instant}" is not a day of the calendar`);
    ms = Date.parse(instant);
  } else {
    ms = instant.getTime();
  }
  if (!Number.isFinite(ms)) throw new InvalidDateError(`"${String(instant)}" is not a valid instant`);
  return formatDayNumber(Math.floor((ms + SHANGHAI_OFFSET_MS) / MS_PER_DAY));
}

/** Today's date in Shanghai. */
export function shanghaiToday(now: Date = new Date()): IsoDate {
  return shanghaiDate(now);
}
