/**
 * The operators' calendar tool, run as they run it. `add` writes into the repository's data folder, so only
 * its failure paths are exercised here, with files in a temporary directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { shanghaiToday } from '../../shared/domain/dates.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = join(root, 'shared/domain/holiday-cn');
const tmp = mkdtempSync(join(tmpdir(), 'beian-calendar-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/calendar.ts', ...args], { cwd: root, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('npm run calendar -- status', () => {
  test('prints the loaded years and, late in the year with next year missing, the warning', async () => {
    const r = await cli('status');
    expect(r.code).toBe(0);
    const loaded = nationalCalendar().loadedYears();
    expect(r.stdout).toContain(`Loaded years: ${loaded.join(', ')}`);

    // DOMAIN.md: operators must be warned when next year's calendar is still missing late in the year.
    // This was written on 2026-11-28, with 2027 not loaded; the expectation follows the real date.
    const today = shanghaiToday();
    const nextYear = Number(today.slice(0, 4)) + 1;
    expect(r.stdout).toContain(String(nextYear));
    const missing = !loaded.includes(nextYear);
    if (missing && today.slice(5) >= '11-15') {
      expect(r.stdout).toMatch(/not loaded/);
      expect(r.stdout).toMatch(/provisional/);
      expect(r.stdout).toMatch(/npm run calendar -- add/);
    } else {
      expect(r.stdout).not.toMatch(/provisional/);
    }
  }, 30_000);
});

describe('npm run calendar -- add FILE: failures', () => {
  const before = readdirSync(dataDir).sort();

  // the three runs below go in parallel; the check of the data folder runs after all of them

  test.concurrent('a file with an impossible date is refused, naming the file and the entry, and nothing is written', async () => {
    const file = join(tmp, '2028.json');
    writeFileSync(file, JSON.stringify({ year: 2028, papers: [], days: [{ name: '春节', date: '2028-02-30', isOffDay: true }] }));
    const r = await cli('add', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/2028\.json/);
    expect(r.stderr).toMatch(/days\.0\.date/);
    expect(existsSync(join(dataDir, '2028.json'))).toBe(false);
  }, 30_000);

  test.concurrent('a file that is not JSON is refused, naming the file', async () => {
    const file = join(tmp, 'truncated-2028.json');
    writeFileSync(file, '{"year": 2028, "papers": [], "days": [');
    const r = await cli('add', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/truncated-2028\.json/);
  }, 30_000);

  test.concurrent('an empty year (notice not out yet) is refused, naming the file', async () => {
    const file = join(tmp, 'empty-2028.json');
    writeFileSync(file, JSON.stringify({ year: 2028, papers: [], days: [] }));
    const r = await cli('add', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/empty-2028\.json/);
  }, 30_000);

  test('the data folder is unchanged', () => {
    expect(readdirSync(dataDir).sort()).toEqual(before);
  });
});
