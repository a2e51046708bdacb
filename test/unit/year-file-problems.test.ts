/** Issue 8: what an admin's year file may say (PUT /v1/calendar/{year}); every shipped year passes the same checks. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { type HolidayYear, yearFileProblems } from '../../shared/domain/calendar.ts';

const dir = fileURLToPath(new URL('../../shared/domain/holiday-cn/', import.meta.url));
const shipped = new Map(
  readdirSync(dir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as HolidayYear)
    .map((y) => [y.year, y]),
);
const year2026 = shipped.get(2026)!;

describe('yearFileProblems', () => {
  test('every shipped year with days passes (2019 lists the end of 2018, as notices do)', () => {
    const withDays = [...shipped.values()].filter((y) => y.days.length);
    expect(withDays.length).toBeGreaterThanOrEqual(20);
    for (const y of withDays) expect(yearFileProblems(y, shipped.get(y.year - 1)), String(y.year)).toEqual([]);
  });

  test('a date twice, a date of another year, a contradiction with the year before', () => {
    const days = (...d: [string, boolean][]) => ({ year: 2026, days: [...year2026.days, ...d.map(([date, isOffDay]) => ({ name: '', date, isOffDay }))] });
    const n = year2026.days.length;
    expect(yearFileProblems(days(['2026-10-01', true]), undefined)).toEqual([{ field: `days.${n}.date`, reason: expect.stringMatching(/listed twice \(also days\.\d+\)/) }]);
    expect(yearFileProblems(days(['2027-01-04', true]), undefined)).toEqual([{ field: `days.${n}.date`, reason: expect.stringMatching(/not in 2026/) }]);
    expect(yearFileProblems(days(['2025-12-01', true]), undefined)).toEqual([{ field: `days.${n}.date`, reason: expect.stringMatching(/not in 2026/) }]);
    // the last two weeks of the year before may be listed, unless that year's own file says otherwise
    expect(yearFileProblems(days(['2025-12-31', true]), undefined)).toEqual([]);
    const y2025 = { days: [{ name: '', date: '2025-12-31', isOffDay: false }] };
    expect(yearFileProblems(days(['2025-12-31', true]), y2025)).toEqual([{ field: `days.${n}.date`, reason: "2025-12-31 is a working day in 2025's own schedule" }]);
    expect(yearFileProblems(days(['2025-12-31', false]), y2025)).toEqual([]);
  });

  test('a year with too few or too many days off is refused as a whole', () => {
    const allSaturdaysWork = { year: 2026, days: Array.from({ length: 52 }, (_, w) => ({ name: '', date: new Date(Date.UTC(2026, 0, 3 + 7 * w)).toISOString().slice(0, 10), isOffDay: false })) };
    expect(yearFileProblems(allSaturdaysWork, undefined)).toEqual([{ field: 'days', reason: expect.stringMatching(/^make 52 days of 2026 days off; a real year has 105-130/) }]);
    const longHoliday = { year: 2026, days: Array.from({ length: 80 }, (_, i) => ({ name: '', date: new Date(Date.UTC(2026, 2, 1 + i)).toISOString().slice(0, 10), isOffDay: true })) };
    expect(yearFileProblems(longHoliday, undefined)[0]).toMatchObject({ field: 'days', reason: expect.stringMatching(/days off; a real year/) });
  });
});
