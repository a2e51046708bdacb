/** A bad year file must stop the load with an error naming the file and the entry, never leave a silent gap. */
import { describe, expect, test } from 'vitest';
import { CalendarDataError, WorkingCalendar, parseYearFiles } from '../../shared/domain/calendar.ts';

function goodYear() {
  return {
    year: 2026,
    papers: ['https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm'],
    days: [
      { name: '元旦', date: '2026-01-01', isOffDay: true },
      { name: '元旦', date: '2026-01-02', isOffDay: true },
      { name: '元旦', date: '2026-01-03', isOffDay: true },
      { name: '元旦', date: '2026-01-04', isOffDay: false },
      { name: '春节', date: '2026-02-14', isOffDay: false },
    ],
  };
}

function expectDataError(files: { fileName: string; content: unknown }[], ...patterns: (string | RegExp)[]) {
  for (const load of [() => parseYearFiles(files), () => WorkingCalendar.fromYearFiles(files)]) {
    let error: unknown;
    try {
      load();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarDataError);
    for (const p of patterns) expect((error as Error).message).toMatch(p);
  }
}

describe('parseYearFiles / fromYearFiles', () => {
  test('a good file loads', () => {
    const [year] = parseYearFiles([{ fileName: '2026.json', content: goodYear() }]);
    expect(year?.year).toBe(2026);
    expect(year?.days).toHaveLength(5);
    expect(WorkingCalendar.fromYearFiles([{ fileName: '2026.json', content: goodYear() }]).loadedYears()).toEqual([2026]);
  });

  test('the holiday-cn $schema/$id keys are accepted', () => {
    const content = { $schema: 'https://example.org/schema.json', $id: 'https://example.org/2026.json', ...goodYear() };
    expect(parseYearFiles([{ fileName: '2026.json', content }])).toHaveLength(1);
  });

  test('a bad date names the file and the entry: "2026.json: entry days.3.date: ..."', () => {
    const content = goodYear();
    content.days[3]!.date = '2026-02-30';
    expectDataError([{ fileName: '2026.json', content }], /^2026\.json: entry days\.3\.date: /, /2026-02-30/);
  });

  test('a date that is not YYYY-MM-DD', () => {
    const content = goodYear();
    content.days[1]!.date = '2026-1-2';
    expectDataError([{ fileName: '2026.json', content }], '2026.json', 'days.1.date');
  });

  test('a missing field of an entry', () => {
    const content = goodYear() as { days: Record<string, unknown>[] };
    delete content.days[2]!.isOffDay;
    expectDataError([{ fileName: '2026.json', content }], '2026.json', 'days.2.isOffDay');
  });

  test('a missing top-level field', () => {
    const { days: _days, ...content } = goodYear();
    expectDataError([{ fileName: '2026.json', content }], '2026.json', /\bdays\b/);
  });

  test('a wrong type: isOffDay as a string', () => {
    const content = goodYear() as { days: Record<string, unknown>[] };
    content.days[0]!.isOffDay = 'true';
    expectDataError([{ fileName: '2026.json', content }], '2026.json', 'days.0.isOffDay');
  });

  test('a wrong type: year as a string', () => {
    expectDataError([{ fileName: '2026.json', content: { ...goodYear(), year: '2026' } }], '2026.json', /\byear\b/);
  });

  test('a wrong type: days not an array; not an object at all', () => {
    expectDataError([{ fileName: '2026.json', content: { ...goodYear(), days: {} } }], '2026.json', /\bdays\b/);
    expectDataError([{ fileName: '2026.json', content: 'hello' }], '2026.json');
    expectDataError([{ fileName: '2026.json', content: null }], '2026.json');
  });

  test('a misspelt key in an entry is an error, not ignored', () => {
    const content = goodYear() as { days: Record<string, unknown>[] };
    content.days[4] = { name: '春节', date: '2026-02-14', isOffday: false };
    expectDataError([{ fileName: '2026.json', content }], '2026.json', 'days.4');
  });

  test('a day far from the file\'s year', () => {
    const content = goodYear();
    content.days[4]!.date = '2030-02-14';
    expectDataError([{ fileName: '2026.json', content }], '2026.json', 'days.4.date');
  });

  test('a duplicate year names both files', () => {
    expectDataError(
      [
        { fileName: '2026.json', content: goodYear() },
        { fileName: '2026-copy.json', content: goodYear() },
      ],
      '2026-copy.json',
      '2026.json',
      '2026',
    );
  });

  test('the error is in the second file: that file is named', () => {
    const bad = { ...goodYear(), year: 2025, days: [{ name: 'x', date: '2025-02-29', isOffDay: true }] };
    expectDataError(
      [
        { fileName: '2026.json', content: goodYear() },
        { fileName: '2025.json', content: bad },
      ],
      /^2025\.json: entry days\.0\.date/,
    );
  });
});
