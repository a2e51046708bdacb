import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYearFiles } from '../../shared/domain/calendar.ts';
import { nationalYearFiles } from '../../shared/domain/holiday-cn/index.ts';

const dir = new URL('../../shared/domain/holiday-cn/', import.meta.url);

describe('the bundled calendar index', () => {
  it('holds exactly the days of the shipped holiday-cn JSON files (run `npm run calendar -- index` if not)', () => {
    const files = readdirSync(dir).filter((f) => /^\d{4}\.json$/.test(f)).sort();
    const fromJson = parseYearFiles(files.map((fileName) => ({ fileName, content: JSON.parse(readFileSync(new URL(fileName, dir), 'utf8')) })));
    const fromIndex = parseYearFiles(nationalYearFiles);
    expect(fromIndex.map((y) => y.year)).toEqual(fromJson.map((y) => y.year));
    const days = (ys: typeof fromJson) => ys.map((y) => ({ year: y.year, papers: y.papers, days: y.days.map((d) => `${d.date}:${d.isOffDay}`).sort() }));
    expect(days(fromIndex)).toEqual(days(fromJson));
  });
});
