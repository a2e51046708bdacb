import { describe, expect, test } from 'vitest';
import {
  InvalidDateError,
  formatDayNumber,
  isValidIsoDate,
  parseIsoDate,
  shanghaiDate,
  shanghaiToday,
  weekdayOf,
  yearOf,
} from '../../shared/domain/dates.ts';

const MS_PER_DAY = 86_400_000;

describe('parseIsoDate', () => {
  test.each(['2026-02-30', '2026-2-3', '', '2025-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-01-00', '1900-02-29', ' 2026-01-01', '2026-01-01T00:00:00Z', '20260101'])(
    'rejects %j',
    (input) => {
      expect(() => parseIsoDate(input)).toThrow(InvalidDateError);
      expect(isValidIsoDate(input)).toBe(false);
    },
  );

  test.each(['2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01', '2026-04-30'])('accepts %j', (input) => {
    expect(isValidIsoDate(input)).toBe(true);
    expect(formatDayNumber(parseIsoDate(input))).toBe(input);
  });

  test('the error names the bad input', () => {
    expect(() => parseIsoDate('2026-02-30')).toThrow(/2026-02-30/);
  });

  test('day numbers count days since 1970-01-01, checked against Date.UTC for 1990-2040', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    const wrong: string[] = [];
    for (let ms = Date.UTC(1990, 0, 1); ms <= Date.UTC(2040, 11, 31); ms += MS_PER_DAY) {
      const d = new Date(ms);
      const iso = d.toISOString().slice(0, 10);
      const n = parseIsoDate(iso);
      if (n !== ms / MS_PER_DAY || formatDayNumber(n) !== iso || weekdayOf(n) !== d.getUTCDay() || yearOf(n) !== d.getUTCFullYear()) {
        wrong.push(iso);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('weekdays of the worked examples: 2026-09-28 is a Monday, 2026-11-27 a Friday', () => {
    expect(weekdayOf(parseIsoDate('2026-09-28'))).toBe(1);
    expect(weekdayOf(parseIsoDate('2026-11-27'))).toBe(5);
  });
});

describe('shanghaiDate', () => {
  test('00:30 on 1 Oct in Beijing is still 30 Sep in UTC: the Shanghai date is 2026-10-01', () => {
    expect(shanghaiDate('2026-09-30T16:30:00Z')).toBe('2026-10-01');
  });

  test('one second before Beijing midnight is still 2026-09-30', () => {
    expect(shanghaiDate('2026-09-30T15:59:59Z')).toBe('2026-09-30');
    expect(shanghaiDate('2026-09-30T15:59:59.999Z')).toBe('2026-09-30');
    expect(shanghaiDate('2026-09-30T16:00:00Z')).toBe('2026-10-01');
  });

  test('timestamps with an explicit offset', () => {
    expect(shanghaiDate('2026-10-01T00:30:00+08:00')).toBe('2026-10-01');
    expect(shanghaiDate('2026-09-30T23:59:59+08:00')).toBe('2026-09-30');
    // 20:00 in New York on 30 Sep is 08:00 on 1 Oct in Beijing
    expect(shanghaiDate('2026-09-30T20:00:00-04:00')).toBe('2026-10-01');
    expect(shanghaiDate('2026-12-31T16:00:00Z')).toBe('2027-01-01');
  });

  test('a Date object', () => {
    expect(shanghaiDate(new Date(Date.UTC(2026, 8, 30, 16, 30)))).toBe('2026-10-01');
    expect(shanghaiDate(new Date(Date.UTC(2026, 8, 30, 15, 59, 59, 999)))).toBe('2026-09-30');
    expect(shanghaiToday(new Date(Date.UTC(2026, 10, 28, 20, 0)))).toBe('2026-11-29');
  });

  test.each(['2026-09-30T16:30:00', '2026-09-30', '2026-09-30 16:30:00Z', 'yesterday', ''])('a string without a zone is rejected: %j', (input) => {
    expect(() => shanghaiDate(input)).toThrow(InvalidDateError);
  });

  test.each(['2026-02-30T10:00:00Z', '2025-02-29T10:00:00+08:00', '2026-04-31T00:00:00Z', '2026-13-45T00:00:00Z', '2026-09-30T25:00:00Z'])(
    'a timestamp on a day that does not exist is rejected, not rolled over: %j',
    (input) => {
      expect(() => shanghaiDate(input)).toThrow(InvalidDateError);
    },
  );

  test('an invalid Date object is rejected', () => {
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow(InvalidDateError);
  });
});
