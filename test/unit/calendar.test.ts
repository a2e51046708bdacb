/**
 * Working-day arithmetic of the national calendar, checked against DOMAIN.md: the worked examples, the 2026
 * schedule of the State Council notice, starts on holidays and make-up days, year ends, provisional years.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { WorkingCalendar, addWorkingDays } from '../../shared/domain/calendar.ts';
import { InvalidDateError } from '../../shared/domain/dates.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';

const calendar = nationalCalendar();

interface RawYear {
  year: number;
  days: { name: string; date: string; isOffDay: boolean }[];
}
function rawYear(year: number): RawYear {
  return JSON.parse(readFileSync(new URL(`../../shared/domain/holiday-cn/${year}.json`, import.meta.url), 'utf8')) as RawYear;
}

// ---- An independent reference of the spec's rule, built from the raw data files and Date.UTC ----------
const DAY = 86_400_000;
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const FIXED_STATUTORY = ['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'];
const rawOverrides = new Map<string, boolean>();
const rawLoaded = new Set<number>();
for (let y = 2007; y <= 2027; y++) {
  const raw = rawYear(y);
  if (raw.days.length) rawLoaded.add(raw.year);
  for (const d of raw.days) rawOverrides.set(d.date, d.isOffDay);
}
function referenceIsWorking(iso: string): boolean {
  const off = rawOverrides.get(iso);
  if (off !== undefined) return !off;
  const weekday = new Date(msOf(iso)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  if (!rawLoaded.has(Number(iso.slice(0, 4))) && FIXED_STATUTORY.includes(iso.slice(5))) return false;
  return true;
}
function referenceAdd(from: string, n: number): { date: string; provisional: boolean } {
  let ms = msOf(from);
  let provisional = false;
  for (let left = n; left > 0; ) {
    ms += DAY;
    if (!rawLoaded.has(new Date(ms).getUTCFullYear())) provisional = true;
    if (referenceIsWorking(isoOf(ms))) left--;
  }
  return { date: isoOf(ms), provisional };
}
function* daysFrom(first: string, last: string, step = 1): Generator<string> {
  for (let ms = msOf(first); ms <= msOf(last); ms += step * DAY) yield isoOf(ms);
}

describe('worked examples of DOMAIN.md', () => {
  test('2026-09-28 (Mon) -> 2026-10-16: National Day off, Sat 10 Oct worked', () => {
    expect(calendar.addWorkingDays('2026-09-28', 10)).toEqual({ date: '2026-10-16', provisional: false });
    expect(addWorkingDays('2026-09-28', 10, calendar)).toEqual({ date: '2026-10-16', provisional: false });
  });

  test('2026-11-27 (Fri) -> 2026-12-11: ordinary weeks', () => {
    expect(calendar.addWorkingDays('2026-11-27', 10)).toEqual({ date: '2026-12-11', provisional: false });
  });
});

describe('the 2026 national schedule (notice of 2025-11-04), as written in DOMAIN.md', () => {
  const range = (from: string, to: string) => [...daysFrom(from, to)];
  const offDays = [
    ...range('2026-01-01', '2026-01-03'), // 元旦
    ...range('2026-02-15', '2026-02-23'), // 春节
    ...range('2026-04-04', '2026-04-06'), // 清明
    ...range('2026-05-01', '2026-05-05'), // 劳动节
    ...range('2026-06-19', '2026-06-21'), // 端午
    ...range('2026-09-25', '2026-09-27'), // 中秋
    ...range('2026-10-01', '2026-10-07'), // 国庆
  ];
  const makeUpDays = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

  test.each(offDays)('%s is a holiday', (date) => {
    expect(calendar.isWorkingDay(date)).toEqual({ working: false, provisional: false });
  });

  test.each(makeUpDays)('%s is a make-up working day on a weekend', (date) => {
    expect([0, 6]).toContain(new Date(msOf(date)).getUTCDay());
    expect(calendar.isWorkingDay(date)).toEqual({ working: true, provisional: false });
  });

  test('every other day of 2026 follows the plain Monday-Friday rule', () => {
    const wrong: string[] = [];
    for (const date of daysFrom('2026-01-01', '2026-12-31')) {
      const weekday = new Date(msOf(date)).getUTCDay();
      const expected = makeUpDays.includes(date) || (!offDays.includes(date) && weekday !== 0 && weekday !== 6);
      const got = calendar.isWorkingDay(date);
      if (got.working !== expected || got.provisional) wrong.push(date);
    }
    expect(wrong).toEqual([]);
  });

  test('2026.json lists exactly these holidays and make-up days (weekend holidays may be listed too)', () => {
    const raw = rawYear(2026);
    expect(raw.year).toBe(2026);
    const listedOff = raw.days.filter((d) => d.isOffDay).map((d) => d.date);
    const listedOn = raw.days.filter((d) => !d.isOffDay).map((d) => d.date);
    expect([...listedOn].sort()).toEqual([...makeUpDays].sort());
    expect([...listedOff].sort()).toEqual([...offDays].sort());
  });
});

describe('every holiday and make-up day listed in the data files', () => {
  for (const year of [2025, 2026]) {
    const raw = rawYear(year);
    test(`${year}.json has entries`, () => {
      expect(raw.year).toBe(year);
      expect(raw.days.length).toBeGreaterThan(20);
    });
    test.each(raw.days.map((d) => [d.date, d.name, d.isOffDay] as const))(`${year}: %s %s off=%s`, (date, _name, isOffDay) => {
      expect(calendar.isWorkingDay(date)).toEqual({ working: !isOffDay, provisional: false });
    });
  }
});

describe('addWorkingDays', () => {
  test.each([
    // start on a holiday: counting begins at the next working day
    ['2026-10-03', '2026-10-20'],
    ['2026-10-01', '2026-10-20'],
    ['2026-09-30', '2026-10-20'], // the last working day before the holiday ends up with the same deadline
    ['2026-09-29', '2026-10-19'],
    ['2026-02-18', '2026-03-06'],
    ['2026-01-01', '2026-01-15'],
    ['2026-09-26', '2026-10-15'], // 中秋, a Saturday: 28-30 Sep count
    // start on a make-up working day
    ['2026-10-10', '2026-10-23'],
    ['2026-02-14', '2026-03-06'],
    ['2026-09-20', '2026-10-10'], // ends on the make-up Saturday
    // across the Spring Festival, counting both make-up Saturdays
    ['2026-02-10', '2026-03-02'],
    // across year ends (loaded years on both sides)
    ['2025-12-24', '2026-01-08'],
    ['2024-12-27', '2025-01-13'],
    // 2025 National Day and Mid-Autumn: Sun 28 Sep and Sat 11 Oct worked
    ['2025-09-26', '2025-10-16'],
  ])('%s + 10 working days -> %s, final', (from, due) => {
    expect(calendar.addWorkingDays(from, 10)).toEqual({ date: due, provisional: false });
  });

  test('n = 0 gives the start day itself', () => {
    expect(calendar.addWorkingDays('2026-10-03', 0)).toEqual({ date: '2026-10-03', provisional: false });
  });

  test.each([-1, 1.5, Number.NaN, 100_001])('n = %s is refused', (n) => {
    expect(() => calendar.addWorkingDays('2026-09-28', n)).toThrow(RangeError);
  });

  test.each(['2026-02-30', '2026-9-28', ''])('a malformed start %j is refused', (from) => {
    expect(() => calendar.addWorkingDays(from, 10)).toThrow(InvalidDateError);
  });

  test('agrees with a plain day-by-day walk over the raw data for every start 2007-2026 (n = 1, 10, 23)', () => {
    const wrong: string[] = [];
    for (const from of daysFrom('2007-01-01', '2026-12-31')) {
      for (const n of [1, 10, 23]) {
        const got = calendar.addWorkingDays(from, n);
        const want = referenceAdd(from, n);
        if (got.date !== want.date || got.provisional !== want.provisional) {
          wrong.push(`${from}+${n}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

describe('provisional results for years whose notice is not loaded', () => {
  test('2027 is not loaded (2027.json is empty); 2007-2026 are', () => {
    expect(calendar.loadedYears()).toEqual(Array.from({ length: 20 }, (_, i) => 2007 + i));
    expect(calendar.isYearLoaded(2027)).toBe(false);
    expect(calendar.isYearLoaded(2026)).toBe(true);
  });

  test('2026-12-24 + 10 -> 2027-01-08, provisional: 1 Jan 2027 assumed off', () => {
    expect(calendar.addWorkingDays('2026-12-24', 10)).toEqual({ date: '2027-01-08', provisional: true });
  });

  test('2026-12-17 + 10 ends on 2026-12-31 and is final; 2026-12-18 + 10 reaches 2027-01-04 and is provisional', () => {
    expect(calendar.addWorkingDays('2026-12-17', 10)).toEqual({ date: '2026-12-31', provisional: false });
    expect(calendar.addWorkingDays('2026-12-18', 10)).toEqual({ date: '2027-01-04', provisional: true });
  });

  test('fixed statutory days of an unloaded year are off: 1 Jan, 1-2 May, 1-3 Oct', () => {
    expect(calendar.isWorkingDay('2027-01-01')).toEqual({ working: false, provisional: true }); // a Friday
    expect(calendar.isWorkingDay('2027-10-01')).toEqual({ working: false, provisional: true }); // a Friday
    expect(calendar.isWorkingDay('2028-05-01')).toEqual({ working: false, provisional: true }); // a Monday
    expect(calendar.isWorkingDay('2028-05-02')).toEqual({ working: false, provisional: true }); // a Tuesday
    expect(calendar.isWorkingDay('2028-10-02')).toEqual({ working: false, provisional: true }); // a Monday
    expect(calendar.isWorkingDay('2028-10-03')).toEqual({ working: false, provisional: true }); // a Tuesday
    // other weekdays of an unloaded year are working days, provisionally
    expect(calendar.isWorkingDay('2027-10-04')).toEqual({ working: true, provisional: true });
    expect(calendar.isWorkingDay('2028-05-03')).toEqual({ working: true, provisional: true });
    expect(calendar.isWorkingDay('2027-01-02')).toEqual({ working: false, provisional: true }); // Saturday
  });

  test.each([
    ['2027-09-30', 1, '2027-10-04'],
    ['2027-09-24', 10, '2027-10-11'],
    ['2028-04-28', 1, '2028-05-03'],
    ['2028-09-29', 1, '2028-10-04'],
    ['2026-12-31', 1, '2027-01-04'],
  ])('%s + %i -> %s, provisional', (from, n, due) => {
    expect(calendar.addWorkingDays(from, n)).toEqual({ date: due, provisional: true });
  });

  test('a start before the first loaded year counts provisionally', () => {
    expect(calendar.addWorkingDays('2006-06-01', 10).provisional).toBe(true);
    expect(calendar.isWorkingDay('2006-10-02')).toEqual({ working: false, provisional: true });
  });

  test('unloaded years 2027-2045, also beyond any precomputed table, follow the provisional rule', () => {
    const wrong: string[] = [];
    for (const from of daysFrom('2026-12-01', '2045-12-31', 3)) {
      const got = calendar.addWorkingDays(from, 10);
      const want = referenceAdd(from, 10);
      if (got.date !== want.date || got.provisional !== want.provisional) wrong.push(`${from}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
      if (want.date > '2026-12-31' && !got.provisional) wrong.push(`${from}: ${got.date} not provisional`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  test('a result fully inside loaded years is never provisional; one reaching 2027 always is', () => {
    const wrong: string[] = [];
    for (const from of daysFrom('2007-01-01', '2026-12-31')) {
      const r = calendar.addWorkingDays(from, 10);
      if (r.provisional !== r.date >= '2027-01-01') wrong.push(`${from} -> ${JSON.stringify(r)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('nextWorkingDay', () => {
  test.each([
    ['2026-09-30', '2026-10-08', false],
    ['2026-10-09', '2026-10-10', false], // the make-up Saturday
    ['2026-10-10', '2026-10-12', false],
    ['2026-02-13', '2026-02-14', false],
    ['2025-12-31', '2026-01-04', false], // the make-up Sunday after 元旦
    ['2026-11-27', '2026-11-30', false],
    ['2026-12-31', '2027-01-04', true],
  ])('after %s comes %s (provisional %s)', (from, next, provisional) => {
    expect(calendar.nextWorkingDay(from)).toEqual({ date: next, provisional });
  });
});

describe('workingDaysBetween (how many working days late)', () => {
  test.each([
    ['2026-09-28', '2026-10-16', 10],
    ['2026-10-16', '2026-10-19', 1], // filed on the Monday after a Friday deadline: one day late
    ['2026-10-16', '2026-10-18', 0], // the weekend does not count
    ['2026-10-09', '2026-10-10', 1], // the make-up Saturday counts
    ['2026-09-30', '2026-10-08', 1],
    ['2025-12-31', '2026-01-05', 2],
  ])('(%s, %s] holds %i working days', (from, to, days) => {
    expect(calendar.workingDaysBetween(from, to)).toEqual({ days, provisional: false });
  });

  test.each([
    ['2026-10-16', '2026-10-16'],
    ['2026-10-19', '2026-10-16'],
    ['2030-01-01', '2026-01-01'],
    ['2050-06-01', '2050-01-01'],
  ])('0 when to (%s -> %s) is not after from', (from, to) => {
    expect(calendar.workingDaysBetween(from, to).days).toBe(0);
  });

  test('provisional when it counts days of 2027', () => {
    expect(calendar.workingDaysBetween('2026-12-31', '2027-01-04')).toEqual({ days: 1, provisional: true });
  });

  test('inverse of addWorkingDays, including far beyond the loaded years', () => {
    const wrong: string[] = [];
    for (const from of daysFrom('2024-01-01', '2045-12-31', 5)) {
      for (const n of [1, 10, 250]) {
        const due = calendar.addWorkingDays(from, n);
        const between = calendar.workingDaysBetween(from, due.date);
        if (between.days !== n || between.provisional !== due.provisional) wrong.push(`${from}+${n}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  test('refuses malformed dates', () => {
    expect(() => calendar.workingDaysBetween('2026-02-30', '2026-03-10')).toThrow(InvalidDateError);
    expect(() => calendar.workingDaysBetween('2026-03-10', '2026-3-1')).toThrow(InvalidDateError);
  });
});

describe("a jurisdiction's own extra days (withExtras)", () => {
  test('an extra holiday moves the deadline out', () => {
    const local = calendar.withExtras({ extraOffDays: ['2026-10-14'] });
    expect(local.addWorkingDays('2026-09-28', 10)).toEqual({ date: '2026-10-19', provisional: false });
    expect(local.isWorkingDay('2026-10-14').working).toBe(false);
  });

  test('an extra working day pulls it in', () => {
    const local = calendar.withExtras({ extraWorkingDays: ['2026-10-03'] });
    expect(local.addWorkingDays('2026-09-28', 10)).toEqual({ date: '2026-10-15', provisional: false });
  });

  test('extras add up and leave the national calendar untouched', () => {
    const local = calendar.withExtras({ extraOffDays: ['2026-10-14'] }).withExtras({ extraOffDays: ['2026-10-15'] });
    expect(local.addWorkingDays('2026-09-28', 10).date).toBe('2026-10-20');
    expect(calendar.addWorkingDays('2026-09-28', 10).date).toBe('2026-10-16');
    expect(nationalCalendar().isWorkingDay('2026-10-14').working).toBe(true);
  });

  test('an extra day does not make an unloaded year final', () => {
    const local = calendar.withExtras({ extraOffDays: ['2027-01-04'] });
    expect(local.addWorkingDays('2026-12-31', 1)).toEqual({ date: '2027-01-05', provisional: true });
  });

  test('workingDaysBetween sees the extra days', () => {
    const local = calendar.withExtras({ extraOffDays: ['2026-10-14'] });
    expect(local.workingDaysBetween('2026-10-12', '2026-10-16').days).toBe(3);
  });

  test('a malformed extra day is refused', () => {
    expect(() => calendar.withExtras({ extraOffDays: ['2026-02-30'] })).toThrow(InvalidDateError);
    expect(() => calendar.withExtras({ extraWorkingDays: ['2026-2-3'] })).toThrow(InvalidDateError);
  });

  test('fromYearFiles takes extras too', () => {
    const local = WorkingCalendar.fromYearFiles([{ fileName: '2026.json', content: rawYear(2026) }], { extraOffDays: ['2026-10-14'] });
    expect(local.addWorkingDays('2026-09-28', 10).date).toBe('2026-10-19');
  });
});

describe('coverage: is next year loaded, and must operators be warned?', () => {
  test('late in 2026 with 2027 missing: warn, and say what to do', () => {
    const c = calendar.coverage('2026-11-28');
    expect(c.loadedYears).toEqual(calendar.loadedYears());
    expect(c.nextYear).toBe(2027);
    expect(c.nextYearMissing).toBe(true);
    expect(c.warn).toBe(true);
    expect(c.message).toMatch(/2027/);
    expect(c.message).toMatch(/provisional/);
    expect(c.message).toMatch(/npm run calendar -- add/);
    expect(calendar.coverage('2026-12-31').warn).toBe(true);
  });

  test('early in the year: next year missing, but no warning yet', () => {
    for (const today of ['2026-01-05', '2026-03-01', '2026-07-01']) {
      const c = calendar.coverage(today);
      expect(c.nextYearMissing).toBe(true);
      expect(c.warn).toBe(false);
      expect(c.message).toBeUndefined();
    }
  });

  test('next year loaded: no warning, even in December', () => {
    const c = calendar.coverage('2025-12-20');
    expect(c.nextYear).toBe(2026);
    expect(c.nextYearMissing).toBe(false);
    expect(c.warn).toBe(false);
  });

  test('once the 2027 file is loaded the warning goes away', () => {
    const files = [2026, 2027].map((year) => ({ fileName: `${year}.json`, content: year === 2027 ? fakeYear2027 : rawYear(year) }));
    const withNext = WorkingCalendar.fromYearFiles(files);
    expect(withNext.loadedYears()).toEqual([2026, 2027]);
    expect(withNext.coverage('2026-11-28')).toMatchObject({ nextYearMissing: false, warn: false });
    // and a deadline into 2027 becomes final
    expect(withNext.addWorkingDays('2026-12-24', 10).provisional).toBe(false);
  });

  test('a malformed today is refused', () => {
    expect(() => calendar.coverage('2026-11-31')).toThrow(InvalidDateError);
  });
});

/** A made-up 2027 schedule, only to show what loading a year changes. */
const fakeYear2027 = {
  year: 2027,
  papers: [],
  days: [
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    { name: '春节', date: '2027-02-08', isOffDay: true },
  ],
};
