/** Issue 8: the national calendar in force is read from the table again after a minute, and a failed read keeps the last one. */
import { describe, expect, test } from 'vitest';
import type { LoadedYear } from '../../shared/domain/records.ts';
import { CALENDAR_REFRESH_MS, LiveCalendar, calendarCache } from '../../shared/use-cases/deps.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import type { JurisdictionRecord } from '../../shared/store/records.ts';

const Y2027: LoadedYear = {
  year: 2027,
  file: { year: 2027, papers: [], days: ['01', '02', '03', '04'].map((d) => ({ name: '元旦', date: `2027-01-${d}`, isOffDay: true })) },
  loadedAt: '2026-12-20T01:00:00.000Z',
  loadedBy: { role: 'admin', subject: 'a' },
};

function live(years: () => LoadedYear[] | Error) {
  let clock = 0;
  let reads = 0;
  const cal = new LiveCalendar(
    async () => {
      reads++;
      const y = years();
      if (y instanceof Error) throw y;
      return y;
    },
    CALENDAR_REFRESH_MS,
    () => clock,
  );
  return { cal, advance: (ms: number) => (clock += ms), reads: () => reads };
}

describe('LiveCalendar', () => {
  test('starts on the shipped calendar; a loaded year counts after the next refresh, read at most once a minute', async () => {
    let loaded: LoadedYear[] = [];
    const { cal, advance, reads } = live(() => loaded);
    expect(cal.current()).toBe(nationalCalendar());
    await cal.refresh();
    expect(cal.current().isYearLoaded(2027)).toBe(false);
    loaded = [Y2027];
    await cal.refresh();
    expect(reads()).toBe(1); // within the minute: no read
    expect(cal.current().isYearLoaded(2027)).toBe(false);
    advance(CALENDAR_REFRESH_MS);
    await Promise.all([cal.refresh(), cal.refresh(), cal.refresh()]);
    expect(reads()).toBe(2); // concurrent refreshes share one read
    expect(cal.current().isYearLoaded(2027)).toBe(true);
    expect(cal.current().addWorkingDays('2026-12-31', 1)).toEqual({ date: '2027-01-05', provisional: false });
    const built = cal.current();
    advance(CALENDAR_REFRESH_MS);
    await cal.refresh();
    expect(cal.current()).toBe(built); // same years: not built again
    await cal.refresh(true);
    expect(reads()).toBe(4);
  });

  test('a failed read keeps the calendar it had and tries again at the next refresh', async () => {
    let result: LoadedYear[] | Error = [Y2027];
    const { cal, advance } = live(() => result);
    await cal.refresh();
    result = new Error('throttled');
    advance(CALENDAR_REFRESH_MS);
    await expect(cal.refresh()).resolves.toBeUndefined();
    expect(cal.current().isYearLoaded(2027)).toBe(true);
    result = [];
    await cal.refresh(); // not remembered as read: tried again at once
    expect(cal.current().isYearLoaded(2027)).toBe(false);
  });

  test('a jurisdiction calendar follows the national one it was built on', async () => {
    let loaded: LoadedYear[] = [];
    const { cal, advance } = live(() => loaded);
    const calendarFor = calendarCache(cal.current);
    const j = { jurisdictionId: 'j', updatedAt: 'v1', extraOffDays: ['2026-12-31'], extraWorkingDays: [] } as unknown as JurisdictionRecord;
    expect(calendarFor(j).addWorkingDays('2026-12-30', 1)).toEqual({ date: '2027-01-04', provisional: true });
    loaded = [Y2027];
    advance(CALENDAR_REFRESH_MS);
    await cal.refresh();
    expect(calendarFor(j).addWorkingDays('2026-12-30', 1)).toEqual({ date: '2027-01-05', provisional: false });
  });
});
