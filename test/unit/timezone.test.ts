/**
 * The server's time zone must not leak into Shanghai dates or deadlines. TZ is read once per process, so
 * each zone runs the fixture in its own child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/shanghai-dates.ts', import.meta.url));

interface FixtureOutput {
  zone: string;
  strings: string[];
  utcDates: string[];
  localMidnight: string[];
  beforeLocalMidnight: string[];
  deadlines: { date: string; provisional: boolean }[];
}

async function runIn(tz: string): Promise<FixtureOutput> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: { ...process.env, TZ: tz },
    timeout: 20_000,
  });
  return JSON.parse(stdout) as FixtureOutput;
}

describe('Shanghai dates do not depend on the process time zone', () => {
  test('UTC and America/Los_Angeles give the same dates and deadlines', async () => {
    const [utc, la] = await Promise.all([runIn('UTC'), runIn('America/Los_Angeles')]);
    // the children really ran in the zones asked for
    expect(utc.zone).toBe('UTC');
    expect(la.zone).toBe('America/Los_Angeles');

    const { zone: _u, ...utcRest } = utc;
    const { zone: _l, ...laRest } = la;
    expect(laRest).toEqual(utcRest);

    // and the shared answers are the right ones
    expect(utc.strings).toEqual(['2026-10-01', '2026-09-30', '2027-01-01', '2026-03-08']);
    expect(utc.utcDates).toEqual(utc.strings);
    // Local midnight in UTC (08:00 Beijing) or Los Angeles (15:00/16:00 Beijing) is the same Beijing day;
    // the millisecond before local midnight is already that day in Beijing, though locally the day before.
    const days = ['2026-09-30', '2026-10-01', '2026-03-08', '2026-11-01', '2026-12-31', '2027-01-01'];
    expect(utc.localMidnight).toEqual(days);
    expect(utc.beforeLocalMidnight).toEqual(days);
    expect(utc.deadlines).toEqual([
      { date: '2026-10-16', provisional: false },
      { date: '2026-12-11', provisional: false },
      { date: '2027-01-08', provisional: true },
    ]);
  }, 30_000);
});
