/**
 * Cross-check of the national calendar against the npm package `chinese-days` (same State Council data,
 * compiled independently, up to 2026).
 *
 * chinese-days builds its tables by parsing "YYYY-MM-DD" as UTC midnight and formatting with local-time
 * getters, so in a zone west of UTC (e.g. America/Los_Angeles) all its holidays shift one day earlier.
 * This file therefore sets TZ to Asia/Shanghai before loading it (Node applies a TZ change at once), gives
 * it Date objects at local noon, and restores TZ afterwards.
 *
 * 2027: chinese-days has no 2027 data and would count 1 Jan 2027 as a working day, while DOMAIN.md wants
 * an unloaded year counted on weekends plus 1 Jan, 1-2 May, 1-3 Oct, and marked provisional. The compared
 * range (decisions 2024-01-01 .. 2026-12-01) ends before any deadline reaches 2027 (a test below asserts
 * that, so the range cannot silently grow into 2027). Decisions from 2026-12-02 to 2026-12-31 are checked
 * separately: days up to 2026-12-31 are taken from chinese-days, days of 2027 from the provisional rule of
 * DOMAIN.md, and the result must be flagged provisional exactly when it reaches 2027.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';

const originalTz = process.env.TZ;
process.env.TZ = 'Asia/Shanghai';
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});
const { findWorkday, isWorkday } = await import('chinese-days');

const calendar = nationalCalendar();

const localNoon = (iso: string) => new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)), 12);
const isoOfLocal = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const nextDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 12);

function* days(first: string, last: string): Generator<Date> {
  for (let d = localNoon(first); isoOfLocal(d) <= last; d = nextDay(d)) yield d;
}

/** The provisional rule of DOMAIN.md for a year without a loaded notice. */
function provisionalIsWorking(d: Date): boolean {
  const weekday = d.getDay();
  const md = isoOfLocal(d).slice(5);
  return weekday !== 0 && weekday !== 6 && !['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'].includes(md);
}

/** chinese-days up to 2026, the provisional rule from 2027 on. */
const referenceIsWorking = (d: Date) => (d.getFullYear() <= 2026 ? isWorkday(d) : provisionalIsWorking(d));

/** The nth working day strictly after `from`, walking one day at a time. */
function referenceAdd(from: Date, n: number): string {
  let d = from;
  for (let left = n; left > 0; ) {
    d = nextDay(d);
    if (referenceIsWorking(d)) left--;
  }
  return isoOfLocal(d);
}

describe('agreement with chinese-days', () => {
  test('the reference itself gives the worked examples of DOMAIN.md', () => {
    expect(referenceAdd(localNoon('2026-09-28'), 10)).toBe('2026-10-16');
    expect(referenceAdd(localNoon('2026-11-27'), 10)).toBe('2026-12-11');
  });

  test('every day 2024-2026 is a working day in both or in neither', () => {
    const wrong: string[] = [];
    for (const d of days('2024-01-01', '2026-12-31')) {
      const iso = isoOfLocal(d);
      if (calendar.isWorkingDay(iso).working !== isWorkday(d)) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });

  test('every decision date 2024-01-01 .. 2026-12-01: the same due date after 10 working days', () => {
    const wrong: string[] = [];
    let compared = 0;
    for (const d of days('2024-01-01', '2026-12-01')) {
      const iso = isoOfLocal(d);
      const ours = calendar.addWorkingDays(iso, 10);
      const walked = referenceAdd(d, 10);
      // chinese-days' findWorkday(n, date) for n > 0 is also "the nth working day strictly after date",
      // whatever kind of day `date` is, so it must agree too (its n = 0 case differs and is not used).
      const found = findWorkday(10, d);
      expect(walked < '2027-01-01').toBe(true); // the range stays inside chinese-days' data
      if (ours.date !== walked || ours.date !== found || ours.provisional) {
        wrong.push(`${iso}: ours ${JSON.stringify(ours)}, walked ${walked}, findWorkday ${found}`);
      }
      compared++;
    }
    expect(compared).toBe(366 + 365 + 334 + 1); // 2024 (leap), 2025, 2026 up to 1 Dec
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  test('decisions 2026-12-02 .. 2026-12-31: days of 2027 on the provisional rule, flagged provisional', () => {
    const wrong: string[] = [];
    let reaching2027 = 0;
    for (const d of days('2026-12-02', '2026-12-31')) {
      const iso = isoOfLocal(d);
      const ours = calendar.addWorkingDays(iso, 10);
      const want = referenceAdd(d, 10);
      const wantProvisional = want >= '2027-01-01';
      if (wantProvisional) reaching2027++;
      if (ours.date !== want || ours.provisional !== wantProvisional) wrong.push(`${iso}: ${JSON.stringify(ours)} vs ${want}`);
    }
    expect(reaching2027).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
