/**
 * Operators' tool for the national holiday calendar shipped in shared/domain/holiday-cn/.
 *   npm run calendar -- status          which years are loaded; warns when next year is missing
 *   npm run calendar -- add FILE        validate a holiday-cn year file, copy it in, regenerate the index
 * After `add`, run the tests and redeploy: the calendar is bundled into the functions.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalendarDataError, WorkingCalendar, parseYearFiles } from '../shared/domain/calendar.ts';
import { shanghaiToday } from '../shared/domain/dates.ts';

const dataDir = fileURLToPath(new URL('../shared/domain/holiday-cn/', import.meta.url));

function yearFiles() {
  return readdirSync(dataDir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((fileName) => ({ fileName, content: JSON.parse(readFileSync(join(dataDir, fileName), 'utf8')) as unknown }));
}

/**
 * The index the functions bundle: the same days as the JSON files, compacted (dates only, no holiday
 * names) so the calendar adds about 10 KB to a bundle instead of about 45 KB. A test checks it matches.
 */
function writeIndex() {
  const years = parseYearFiles(yearFiles());
  const dates = (y: (typeof years)[number], off: boolean) => y.days.filter((d) => d.isOffDay === off).map((d) => d.date).join(' ');
  const lines = [
    '// Generated from the JSON files beside it by `npm run calendar -- add FILE` (or `-- index`); do not edit.',
    "import type { YearFile } from '../calendar.ts';",
    '',
    'const year = (y: number, papers: string[], off: string, work: string): YearFile => ({',
    '  fileName: `${y}.json`,',
    '  content: {',
    '    year: y,',
    '    papers,',
    "    days: [...(off ? off.split(' ').map((date) => ({ name: '', date, isOffDay: true })) : []), ...(work ? work.split(' ').map((date) => ({ name: '', date, isOffDay: false })) : [])],",
    '  },',
    '});',
    '',
    'export const nationalYearFiles: YearFile[] = [',
    ...years.map((y) => `  year(${y.year}, ${JSON.stringify(y.papers)}, '${dates(y, true)}', '${dates(y, false)}'),`),
    '];',
    '',
  ];
  writeFileSync(join(dataDir, 'index.ts'), lines.join('\n'));
}

const [command, file] = process.argv.slice(2);
try {
  if (command === 'add' && file) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CalendarDataError(`${basename(file)}: ${e instanceof SyntaxError ? 'not valid JSON: ' : ''}${(e as Error).message}`);
    }
    const [year] = parseYearFiles([{ fileName: basename(file), content }]);
    if (!year!.days.length) throw new CalendarDataError(`${file}: has no days; is the year's notice out yet?`);
    writeFileSync(join(dataDir, `${year!.year}.json`), JSON.stringify(content, null, 4) + '\n');
    const files = yearFiles();
    parseYearFiles(files);
    writeIndex();
    console.log(`Loaded ${year!.year} (${year!.days.length} days). Run \`npm test\`, then redeploy.`);
  } else if (command === 'index') {
    writeIndex();
  } else if (command === 'status' || !command) {
    const calendar = WorkingCalendar.fromYearFiles(yearFiles());
    const coverage = calendar.coverage(shanghaiToday());
    console.log(`Loaded years: ${coverage.loadedYears.join(', ')}`);
    console.log(coverage.message ?? `Next year (${coverage.nextYear}) ${coverage.nextYearMissing ? 'is not loaded yet' : 'is loaded'}.`);
  } else {
    console.error('usage: npm run calendar -- status | add FILE');
    process.exitCode = 2;
  }
} catch (e) {
  console.error(e instanceof CalendarDataError || e instanceof SyntaxError ? `error: ${e.message}` : e);
  process.exitCode = 1;
}
