/**
 * How fast does one core answer working-day questions? addWorkingDays(d, 10) over every date of 2020-2026,
 * in rounds after a warm-up; the best and the median round are reported against the target.
 */
import { formatDayNumber, parseIsoDate } from '../shared/domain/dates.ts';
import { nationalCalendar } from '../shared/domain/national-calendar.ts';

const TARGET_PER_SECOND = 1_000_000;
const ROUNDS = 5;

interface Rate {
  best: number;
  median: number;
}

/** Runs `op` over the inputs in whole passes for about `ms`, `ROUNDS` times; operations per second. */
function measure(inputs: readonly string[], op: (date: string, i: number) => number, roundMs: number): Rate {
  let sink = 0;
  const pass = () => {
    for (let i = 0; i < inputs.length; i++) sink += op(inputs[i]!, i);
  };
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) pass();

  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      pass();
      ops += inputs.length;
      elapsed = performance.now() - start;
    } while (elapsed < roundMs);
    rates.push((ops / elapsed) * 1000);
  }
  if (sink === -1) console.log('unreachable'); // keeps the results alive
  rates.sort((a, b) => a - b);
  return { best: rates[rates.length - 1]!, median: rates[Math.floor(rates.length / 2)]! };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchCalendar(): Promise<Record<string, number | string>> {
  const calendar = nationalCalendar();
  const dates: string[] = [];
  for (let d = parseIsoDate('2020-01-01'), end = parseIsoDate('2026-12-31'); d <= end; d++) dates.push(formatDayNumber(d));
  const twoWeeksLater = dates.map((_, i) => dates[Math.min(i + 14, dates.length - 1)]!);

  const add = measure(dates, (d) => calendar.addWorkingDays(d, 10).date.length, 400);
  const next = measure(dates, (d) => calendar.nextWorkingDay(d).date.length, 200);
  const between = measure(dates, (d, i) => calendar.workingDaysBetween(d, twoWeeksLater[i]!).days, 200);

  const rows: [string, Rate, string, string][] = [
    ['addWorkingDays(d, 10)', add, `≥ ${fmt(TARGET_PER_SECOND)}/s`, (add.best / TARGET_PER_SECOND).toFixed(2)],
    ['nextWorkingDay(d)', next, '-', '-'],
    ['workingDaysBetween(d, d+14)', between, '-', '-'],
  ];
  console.log(`  ${dates.length} dates (2020-2026), ${ROUNDS} rounds each after a warm-up, one core`);
  console.log(`  ${'operation'.padEnd(30)}${'best/s'.padStart(14)}${'median/s'.padStart(14)}   ${'target'.padEnd(16)}ratio (best/target)`);
  for (const [name, rate, target, ratio] of rows) {
    console.log(`  ${name.padEnd(30)}${fmt(rate.best).padStart(14)}${fmt(rate.median).padStart(14)}   ${target.padEnd(16)}${ratio}`);
  }

  return {
    dates: dates.length,
    'addWorkingDays best/s': Math.round(add.best),
    'addWorkingDays median/s': Math.round(add.median),
    'addWorkingDays target/s': TARGET_PER_SECOND,
    'addWorkingDays ratio': Number((add.best / TARGET_PER_SECOND).toFixed(2)),
    'nextWorkingDay best/s': Math.round(next.best),
    'nextWorkingDay median/s': Math.round(next.median),
    'workingDaysBetween best/s': Math.round(between.best),
    'workingDaysBetween median/s': Math.round(between.median),
  };
}
