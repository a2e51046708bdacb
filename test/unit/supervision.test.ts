/**
 * The deadline-supervision rules of shared/domain/supervision.ts, on the real national calendar (and on a
 * jurisdiction's extra days): reminders (amber), overdue flags (red), escalations, catch-up after a missed
 * sweep, the sweep's read window and the weekly summary.
 *
 * Calendar around National Day 2026 (DOMAIN.md: 中秋 25-27 Sep off; 国庆 1-7 Oct off; Sun 20 Sep and
 * Sat 10 Oct are make-up working days). W = working day, - = off.
 *
 *   Mon 09-14 W  Tue 15 W  Wed 16 W  Thu 17 W  Fri 18 W  Sat 19 -  Sun 20 W (make-up)
 *   Mon 09-21 W  Tue 22 W  Wed 23 W  Thu 24 W  Fri 25 -  Sat 26 -  Sun 27 -
 *   Mon 09-28 W  Tue 29 W  Wed 30 W  Thu 10-01 -  Fri 02 -  Sat 03 -  Sun 04 -
 *   Mon 10-05 -  Tue 06 -  Wed 07 -  Thu 08 W  Fri 09 W  Sat 10 W (make-up)  Sun 11 -
 *   Mon 10-12 W  Tue 13 W  Wed 14 W  Thu 15 W  Fri 16 W  Sat 17 -  Sun 18 -
 *   Mon 10-19 W  Tue 20 W  Wed 21 W  Thu 22 W  Fri 23 W  Sat 24 -  Sun 25 -
 *   Mon 10-26 W ...
 */
import { describe, expect, test } from 'vitest';
import type { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { InvalidDateError } from '../../shared/domain/dates.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import {
  AWAITED_STATUSES,
  type AwaitedStatus,
  DEFAULT_SUPERVISION,
  type OpenObligation,
  type SupervisionSettings,
  type SweepPlan,
  addDays,
  firstWorkingDayOfWeek,
  planObligation,
  sweepWindowEnd,
  weekOf,
  weeklySummaryWeek,
  workingDaysOverdue,
} from '../../shared/domain/supervision.ts';

const national = nationalCalendar();
const D = DEFAULT_SUPERVISION;

/** The worked example of DOMAIN.md: decided Mon 2026-09-28, due Fri 2026-10-16. */
const DUE = '2026-10-16';
const awaiting = (filingDueOn: string, extra: Partial<OpenObligation> = {}): OpenObligation => ({
  overdue: false,
  dueOn: filingDueOn,
  ...extra,
});

// ---- An independent reference, from DOMAIN.md's 2026 schedule and Date.UTC (2026 only) ------------------
const MS_PER_DAY = 86_400_000;
const msOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const refAddDays = (iso: string, n: number) => isoOf(msOf(iso) + n * MS_PER_DAY);
const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to; d = refAddDays(d, 1)) out.push(d);
  return out;
};
const OFF_2026 = new Set([
  ...range('2026-01-01', '2026-01-03'),
  ...range('2026-02-15', '2026-02-23'),
  ...range('2026-04-04', '2026-04-06'),
  ...range('2026-05-01', '2026-05-05'),
  ...range('2026-06-19', '2026-06-21'),
  ...range('2026-09-25', '2026-09-27'),
  ...range('2026-10-01', '2026-10-07'),
]);
const MAKEUP_2026 = new Set(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
function refWorking(iso: string, extras: { off?: string[]; work?: string[] } = {}): boolean {
  if (!iso.startsWith('2026-')) throw new Error(`reference covers 2026 only, got ${iso}`);
  if (extras.off?.includes(iso)) return false;
  if (extras.work?.includes(iso)) return true;
  if (OFF_2026.has(iso)) return false;
  if (MAKEUP_2026.has(iso)) return true;
  const wd = new Date(msOf(iso)).getUTCDay();
  return wd !== 0 && wd !== 6;
}
/** working days d with from < d <= to */
function refCount(from: string, to: string, extras?: { off?: string[]; work?: string[] }): number {
  let n = 0;
  for (let d = refAddDays(from, 1); d <= to; d = refAddDays(d, 1)) if (refWorking(d, extras)) n++;
  return n;
}
/** the nth working day strictly after `from` */
function refNthWorkingDayAfter(from: string, n: number, extras?: { off?: string[]; work?: string[] }): string {
  let d = from;
  for (let left = n; left > 0; ) {
    d = refAddDays(d, 1);
    if (refWorking(d, extras)) left--;
  }
  return d;
}
/** The rules of the issue, written out directly (due dates on working days). */
function refPlan(o: OpenObligation, day: string, s: SupervisionSettings, extras?: { off?: string[]; work?: string[] }): SweepPlan {
  if (day <= o.dueOn) {
    if (!refWorking(day, extras)) return {};
    if (day === o.dueOn) return { remind: { workingDaysLeft: 0 } };
    if (refNthWorkingDayAfter(day, s.reminderWorkingDaysBefore, extras) === o.dueOn) {
      return { remind: { workingDaysLeft: s.reminderWorkingDaysBefore } };
    }
    return {};
  }
  const overdue = refCount(o.dueOn, day, extras);
  const plan: SweepPlan = { workingDaysOverdue: overdue };
  if (!o.overdue) plan.flagOverdue = { overdueSince: refAddDays(o.dueOn, 1) };
  if (!o.escalatedOn && overdue >= s.escalationWorkingDaysOverdue) plan.escalate = true;
  return plan;
}

// ---- A daily sweep simulated over the rules, as the sweep job applies them ------------------------------
interface SweepEvent {
  day: string;
  kind: 'remind' | 'flag' | 'escalate';
  detail?: number | string;
}
/**
 * Runs the sweep on each day of [from, to] except `missed`, for one obligation: reads it only when its due
 * date is within the sweep window, applies the plan (flag -> status OVERDUE, escalate -> escalatedOn).
 */
function simulate(
  start: OpenObligation,
  from: string,
  to: string,
  opts: { missed?: string[]; settings?: SupervisionSettings; calendar?: WorkingCalendar } = {},
): SweepEvent[] {
  const s = opts.settings ?? D;
  const cal = opts.calendar ?? national;
  const o: OpenObligation = { ...start };
  const events: SweepEvent[] = [];
  for (const day of range(from, to)) {
    if (opts.missed?.includes(day)) continue;
    if (o.dueOn > sweepWindowEnd(day, s, cal)) continue;
    const plan = planObligation(o, day, s, cal);
    if (plan.remind) events.push({ day, kind: 'remind', detail: plan.remind.workingDaysLeft });
    if (plan.flagOverdue) {
      events.push({ day, kind: 'flag', detail: plan.flagOverdue.overdueSince });
      o.overdue = true;
    }
    if (plan.escalate) {
      events.push({ day, kind: 'escalate', detail: plan.workingDaysOverdue });
      o.escalatedOn = day;
    }
  }
  return events;
}

// =========================================================================================================

describe('the calendar these tests rely on', () => {
  test('decided 2026-09-28 is due 2026-10-16 (DOMAIN.md worked example)', () => {
    // 09-29 (1), 09-30 (2), [10-01..10-07 off], 10-08 (3), 10-09 (4), Sat 10-10 make-up (5), 10-12 (6),
    // 10-13 (7), 10-14 (8), 10-15 (9), 10-16 (10)
    expect(national.addWorkingDays('2026-09-28', 10).date).toBe('2026-10-16');
    expect(refNthWorkingDayAfter('2026-09-28', 10)).toBe('2026-10-16');
  });

  test('the hand-written 2026 reference agrees with the national calendar every day of 2026', () => {
    const disagreements = range('2026-01-01', '2026-12-31').filter((d) => national.isWorkingDay(d).working !== refWorking(d));
    expect(disagreements).toEqual([]);
  });
});

describe('addDays', () => {
  test.each([
    ['2026-10-16', 1, '2026-10-17'],
    ['2026-10-16', 0, '2026-10-16'],
    ['2026-10-01', -1, '2026-09-30'],
    ['2026-09-30', 1, '2026-10-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2026-09-28', 18, '2026-10-16'],
    ['2026-10-16', -18, '2026-09-28'],
    ['2026-01-01', 365, '2027-01-01'],
  ])('addDays(%s, %i) = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  test('rejects a malformed or impossible date', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(InvalidDateError);
    expect(() => addDays('2026-10-1', 1)).toThrow(InvalidDateError);
  });
});

describe('workingDaysOverdue (due Fri 2026-10-16)', () => {
  test.each([
    ['2026-10-10', 0], // before the deadline
    ['2026-10-15', 0],
    ['2026-10-16', 0], // the due day itself is not overdue
    ['2026-10-17', 0], // Sat: past the deadline but no working day yet
    ['2026-10-18', 0], // Sun
    ['2026-10-19', 1], // Mon 19
    ['2026-10-20', 2],
    ['2026-10-21', 3],
    ['2026-10-22', 4],
    ['2026-10-23', 5], // 19, 20, 21, 22, 23
    ['2026-10-24', 5], // Sat
    ['2026-10-25', 5], // Sun
    ['2026-10-26', 6],
  ])('on %s: %i', (day, expected) => {
    expect(workingDaysOverdue(DUE, day, national)).toBe(expected);
  });

  test('across the National Day holiday: due Wed 2026-09-30', () => {
    // 10-01..10-07 off; 10-08 (1), 10-09 (2), Sat 10-10 make-up (3), 10-12 (4)
    expect(workingDaysOverdue('2026-09-30', '2026-10-07', national)).toBe(0);
    expect(workingDaysOverdue('2026-09-30', '2026-10-08', national)).toBe(1);
    expect(workingDaysOverdue('2026-09-30', '2026-10-10', national)).toBe(3);
    expect(workingDaysOverdue('2026-09-30', '2026-10-11', national)).toBe(3);
    expect(workingDaysOverdue('2026-09-30', '2026-10-12', national)).toBe(4);
  });

  test('a jurisdiction extra off day is not counted, an extra working day is', () => {
    const cal = national.withExtras({ extraOffDays: ['2026-10-20'], extraWorkingDays: ['2026-10-17'] });
    // Sat 17 (extra working) 1, 19 -> 2, [20 extra off], 21 -> 3, 22 -> 4, 23 -> 5
    expect(workingDaysOverdue(DUE, '2026-10-17', cal)).toBe(1);
    expect(workingDaysOverdue(DUE, '2026-10-20', cal)).toBe(2);
    expect(workingDaysOverdue(DUE, '2026-10-23', cal)).toBe(5);
    // the national calendar itself is unchanged
    expect(workingDaysOverdue(DUE, '2026-10-17', national)).toBe(0);
  });
});

describe('planObligation: reminders (amber)', () => {
  test('due 2026-10-16: reminder 3 working days before (10-13: 14, 15, 16 left) and on the due day', () => {
    expect(planObligation(awaiting(DUE), '2026-10-13', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting(DUE), '2026-10-16', D, national)).toEqual({ remind: { workingDaysLeft: 0 } });
  });

  test.each(['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-12', '2026-10-14', '2026-10-15'])(
    'due 2026-10-16: no reminder on working day %s',
    (day) => {
      expect(planObligation(awaiting(DUE), day, D, national)).toEqual({});
    },
  );

  test('only the reminder days over the whole run from decision to deadline: 10-13 and 10-16', () => {
    const reminded = range('2026-09-28', DUE).filter((day) => planObligation(awaiting(DUE), day, D, national).remind);
    expect(reminded).toEqual(['2026-10-13', '2026-10-16']);
  });

  test('no reminder on weekend days: due Wed 10-21 is reminded on Fri 10-16, not Sat 17 / Sun 18', () => {
    // From Fri 16, Sat 17 and Sun 18 alike the working days left are 19, 20, 21 = 3: only Friday works.
    expect(planObligation(awaiting('2026-10-21'), '2026-10-16', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting('2026-10-21'), '2026-10-17', D, national)).toEqual({});
    expect(planObligation(awaiting('2026-10-21'), '2026-10-18', D, national)).toEqual({});
    expect(planObligation(awaiting('2026-10-21'), '2026-10-19', D, national)).toEqual({});
  });

  test('no reminder on holidays: due Sat 10-10 (make-up) is reminded on 09-30, not during 10-01..10-07', () => {
    // From 09-30 and from every day of 10-01..10-07 the working days left are 10-08, 10-09, 10-10 = 3.
    expect(planObligation(awaiting('2026-10-10'), '2026-09-30', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    for (const day of range('2026-10-01', '2026-10-07')) {
      expect(planObligation(awaiting('2026-10-10'), day, D, national), day).toEqual({});
    }
    // the due day, a make-up Saturday, is a working day: the due-day reminder goes out
    expect(planObligation(awaiting('2026-10-10'), '2026-10-10', D, national)).toEqual({ remind: { workingDaysLeft: 0 } });
  });

  test('Sat 10-10 (make-up working day) counts: reminder for due 10-14 goes out on Sat 10-10', () => {
    // Sat 10 -> 12, 13, 14 = 3
    expect(planObligation(awaiting('2026-10-14'), '2026-10-10', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting('2026-10-14'), '2026-10-09', D, national)).toEqual({});
  });

  test('Sat 10-10 counts in the days left: due Tue 10-13 is reminded on Fri 10-09, not Thu 10-08', () => {
    // 10-09 -> Sat 10, 12, 13 = 3; a plain Mon-Fri count would give 3 from 10-08 (9, 12, 13), but it is 4
    expect(planObligation(awaiting('2026-10-13'), '2026-10-09', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting('2026-10-13'), '2026-10-08', D, national)).toEqual({});
  });

  test('Sun 09-20 (make-up working day) sends a reminder: due Wed 09-23', () => {
    // Sun 20 -> 21, 22, 23 = 3; Fri 18 -> 20, 21, 22, 23 = 4
    expect(planObligation(awaiting('2026-09-23'), '2026-09-20', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting('2026-09-23'), '2026-09-18', D, national)).toEqual({});
    expect(planObligation(awaiting('2026-09-23'), '2026-09-19', D, national)).toEqual({});
  });

  test('a reminder whose day has passed is not sent late (sweep of 10-13 missed)', () => {
    expect(planObligation(awaiting(DUE), '2026-10-14', D, national)).toEqual({});
    expect(planObligation(awaiting(DUE), '2026-10-15', D, national)).toEqual({});
  });

  test('custom settings: reminder 1 working day before', () => {
    const s: SupervisionSettings = { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 };
    expect(planObligation(awaiting(DUE), '2026-10-15', s, national)).toEqual({ remind: { workingDaysLeft: 1 } });
    expect(planObligation(awaiting(DUE), '2026-10-16', s, national)).toEqual({ remind: { workingDaysLeft: 0 } });
    expect(planObligation(awaiting(DUE), '2026-10-13', s, national)).toEqual({});
    expect(planObligation(awaiting(DUE), '2026-10-14', s, national)).toEqual({});
    // across the holiday: due Thu 10-08 -> 1 working day before is Wed 09-30
    expect(planObligation(awaiting('2026-10-08'), '2026-09-30', s, national)).toEqual({ remind: { workingDaysLeft: 1 } });
    expect(planObligation(awaiting('2026-10-08'), '2026-10-07', s, national)).toEqual({});
  });

  test('a jurisdiction extra off day (Wed 10-14) moves the reminder for due 10-16 to Mon 10-12', () => {
    const cal = national.withExtras({ extraOffDays: ['2026-10-14'] });
    // Mon 12 -> 13, 15, 16 = 3 (14 off); Tue 13 -> 15, 16 = 2
    expect(planObligation(awaiting(DUE), '2026-10-12', D, cal)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting(DUE), '2026-10-13', D, cal)).toEqual({});
    expect(planObligation(awaiting(DUE), '2026-10-14', D, cal)).toEqual({});
    expect(planObligation(awaiting(DUE), '2026-10-16', D, cal)).toEqual({ remind: { workingDaysLeft: 0 } });
    // the national plan is unchanged
    expect(planObligation(awaiting(DUE), '2026-10-12', D, national)).toEqual({});
    expect(planObligation(awaiting(DUE), '2026-10-13', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
  });

  test('a jurisdiction extra working day (Sat 10-17) sends a reminder: due Wed 10-21', () => {
    const cal = national.withExtras({ extraWorkingDays: ['2026-10-17'] });
    // Sat 17 -> 19, 20, 21 = 3; Fri 16 -> 17, 19, 20, 21 = 4
    expect(planObligation(awaiting('2026-10-21'), '2026-10-17', D, cal)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation(awaiting('2026-10-21'), '2026-10-16', D, cal)).toEqual({});
  });

  test('a due day that is a jurisdiction off day gets no due-day reminder on that day', () => {
    const cal = national.withExtras({ extraOffDays: [DUE] });
    expect(planObligation(awaiting(DUE), DUE, D, cal)).toEqual({});
  });

  test.each(AWAITED_STATUSES)('status %s: reminders alike before the deadline', (status) => {
    expect(planObligation({ overdue: status === 'OVERDUE', dueOn: DUE }, '2026-10-13', D, national)).toEqual({ remind: { workingDaysLeft: 3 } });
    expect(planObligation({ overdue: status === 'OVERDUE', dueOn: DUE }, '2026-10-14', D, national)).toEqual({});
  });
});

describe('planObligation: overdue (red) and escalation', () => {
  test('Sat 10-17, the first sweep after the deadline: flag overdue since 10-17, 0 working days overdue', () => {
    expect(planObligation(awaiting(DUE), '2026-10-17', D, national)).toEqual({
      workingDaysOverdue: 0,
      flagOverdue: { overdueSince: '2026-10-17' },
    });
  });

  test('a missed flag is caught up later, still overdue since the day after the deadline', () => {
    expect(planObligation(awaiting(DUE), '2026-10-19', D, national)).toEqual({
      workingDaysOverdue: 1,
      flagOverdue: { overdueSince: '2026-10-17' },
    });
  });

  test('already OVERDUE: no new flag', () => {
    const o: OpenObligation = { overdue: true, dueOn: DUE };
    expect(planObligation(o, '2026-10-18', D, national)).toEqual({ workingDaysOverdue: 0 });
    expect(planObligation(o, '2026-10-19', D, national)).toEqual({ workingDaysOverdue: 1 });
    expect(planObligation(o, '2026-10-22', D, national)).toEqual({ workingDaysOverdue: 4 });
  });

  test('INCOMPLETE behaves as AWAITING_FILING once overdue', () => {
    for (const day of range('2026-10-17', '2026-10-27')) {
      const asIncomplete = planObligation({ overdue: false, dueOn: DUE }, day, D, national);
      expect(asIncomplete, day).toEqual(planObligation(awaiting(DUE), day, D, national));
      expect(asIncomplete.flagOverdue, day).toEqual({ overdueSince: '2026-10-17' });
    }
  });

  test('escalation on Fri 10-23 (5 working days overdue), not on Thu 10-22 (4)', () => {
    const o: OpenObligation = { overdue: true, dueOn: DUE };
    expect(planObligation(o, '2026-10-22', D, national)).toEqual({ workingDaysOverdue: 4 });
    expect(planObligation(o, '2026-10-23', D, national)).toEqual({ workingDaysOverdue: 5, escalate: true });
  });

  test('catch-up escalation: sweep of 10-23 missed, the sweep of Sat 10-24 escalates', () => {
    const o: OpenObligation = { overdue: true, dueOn: DUE };
    expect(planObligation(o, '2026-10-24', D, national)).toEqual({ workingDaysOverdue: 5, escalate: true });
    expect(planObligation(o, '2026-10-26', D, national)).toEqual({ workingDaysOverdue: 6, escalate: true });
  });

  test('flag and escalation together when both were missed', () => {
    expect(planObligation(awaiting(DUE), '2026-10-24', D, national)).toEqual({
      workingDaysOverdue: 5,
      flagOverdue: { overdueSince: '2026-10-17' },
      escalate: true,
    });
  });

  test('escalatedOn set: never escalate again', () => {
    const o: OpenObligation = { overdue: true, dueOn: DUE, escalatedOn: '2026-10-23' };
    for (const day of ['2026-10-23', '2026-10-24', '2026-10-26', '2026-11-30']) {
      expect(planObligation(o, day, D, national).escalate, day).toBeUndefined();
    }
    expect(planObligation(o, '2026-10-26', D, national)).toEqual({ workingDaysOverdue: 6 });
  });

  test('escalatedOn set but status not OVERDUE: flag, no escalation', () => {
    const o: OpenObligation = { overdue: false, dueOn: DUE, escalatedOn: '2026-10-23' };
    expect(planObligation(o, '2026-10-26', D, national)).toEqual({
      workingDaysOverdue: 6,
      flagOverdue: { overdueSince: '2026-10-17' },
    });
  });

  test('overdue across the holiday: due Wed 09-30 flagged on 10-01 (since 10-01), escalated on Tue 10-13', () => {
    // working days after 09-30: 10-08 (1), 10-09 (2), Sat 10-10 (3), 10-12 (4), 10-13 (5)
    const o = awaiting('2026-09-30');
    expect(planObligation(o, '2026-10-01', D, national)).toEqual({ workingDaysOverdue: 0, flagOverdue: { overdueSince: '2026-10-01' } });
    const overdue: OpenObligation = { overdue: true, dueOn: '2026-09-30' };
    expect(planObligation(overdue, '2026-10-12', D, national)).toEqual({ workingDaysOverdue: 4 });
    expect(planObligation(overdue, '2026-10-13', D, national)).toEqual({ workingDaysOverdue: 5, escalate: true });
  });

  test('custom settings: escalation at 2 working days overdue (Tue 10-20), not at 1 (Mon 10-19)', () => {
    const s: SupervisionSettings = { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 };
    const o: OpenObligation = { overdue: true, dueOn: DUE };
    expect(planObligation(o, '2026-10-19', s, national)).toEqual({ workingDaysOverdue: 1 });
    expect(planObligation(o, '2026-10-20', s, national)).toEqual({ workingDaysOverdue: 2, escalate: true });
  });

  test('a jurisdiction extra off day (Tue 10-20) delays the escalation to Mon 10-26', () => {
    const cal = national.withExtras({ extraOffDays: ['2026-10-20'] });
    const o: OpenObligation = { overdue: true, dueOn: DUE };
    // 19 (1), [20 off], 21 (2), 22 (3), 23 (4), 26 (5)
    expect(planObligation(o, '2026-10-23', D, cal)).toEqual({ workingDaysOverdue: 4 });
    expect(planObligation(o, '2026-10-24', D, cal)).toEqual({ workingDaysOverdue: 4 });
    expect(planObligation(o, '2026-10-26', D, cal)).toEqual({ workingDaysOverdue: 5, escalate: true });
  });

  test('a jurisdiction extra working day (Sat 10-17) counts as a day overdue on that day', () => {
    const cal = national.withExtras({ extraWorkingDays: ['2026-10-17'] });
    expect(planObligation(awaiting(DUE), '2026-10-17', D, cal)).toEqual({
      workingDaysOverdue: 1,
      flagOverdue: { overdueSince: '2026-10-17' },
    });
    // 17 (1), 19 (2), 20 (3), 21 (4), 22 (5)
    expect(planObligation({ overdue: true, dueOn: DUE }, '2026-10-22', D, cal)).toEqual({
      workingDaysOverdue: 5,
      escalate: true,
    });
  });
});

describe('planObligation against the reference rules, every (due day, sweep day) pair Sep-Nov 2026', () => {
  const dueDays = range('2026-09-14', '2026-11-13').filter((d) => refWorking(d));
  const sweepDays = range('2026-09-01', '2026-11-30');
  const settingsList: SupervisionSettings[] = [D, { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 }, { reminderWorkingDaysBefore: 5, escalationWorkingDaysOverdue: 10 }];
  const obligations = (due: string): OpenObligation[] => [
    awaiting(due),
    { overdue: false, dueOn: due },
    { overdue: true, dueOn: due },
    { overdue: true, dueOn: due, escalatedOn: refAddDays(due, 7) },
  ];

  test.each(settingsList.map((s) => [s.reminderWorkingDaysBefore, s.escalationWorkingDaysOverdue, s] as const))(
    'national calendar, reminder %i / escalation %i',
    (_r, _e, s) => {
      const mismatches: string[] = [];
      for (const due of dueDays) {
        for (const o of obligations(due)) {
          for (const day of sweepDays) {
            const actual = planObligation(o, day, s, national);
            const expected = refPlan(o, day, s);
            if (JSON.stringify(sortKeys(actual)) !== JSON.stringify(sortKeys(expected))) {
              mismatches.push(`${JSON.stringify(o)} on ${day}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
            }
          }
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    },
  );

  test('with jurisdiction extras (off Wed 10-14 and Tue 10-20, working Sat 10-17)', () => {
    const extras = { off: ['2026-10-14', '2026-10-20'], work: ['2026-10-17'] };
    const cal = national.withExtras({ extraOffDays: extras.off, extraWorkingDays: extras.work });
    const mismatches: string[] = [];
    for (const due of dueDays.filter((d) => refWorking(d, extras))) {
      for (const o of obligations(due)) {
        for (const day of sweepDays) {
          const actual = planObligation(o, day, D, cal);
          const expected = refPlan(o, day, D, extras);
          if (JSON.stringify(sortKeys(actual)) !== JSON.stringify(sortKeys(expected))) {
            mismatches.push(`${JSON.stringify(o)} on ${day}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

function sortKeys(plan: SweepPlan): Record<string, unknown> {
  return Object.fromEntries(Object.entries(plan).sort(([a], [b]) => a.localeCompare(b)));
}

describe('sweepWindowEnd', () => {
  test.each([
    // working days: the 3rd working day after
    ['2026-09-30', '2026-10-10'], // 10-08, 10-09, Sat 10-10 (make-up)
    ['2026-09-29', '2026-10-09'], // 09-30, 10-08, 10-09
    ['2026-09-24', '2026-09-30'], // [25-27 off] 28, 29, 30
    ['2026-10-08', '2026-10-12'], // 09, Sat 10 (make-up), 12
    ['2026-10-10', '2026-10-14'], // Sat make-up: 12, 13, 14
    ['2026-10-12', '2026-10-15'], // 13, 14, 15
    ['2026-10-16', '2026-10-21'], // Fri: 19, 20, 21
    ['2026-09-20', '2026-09-23'], // Sun make-up: 21, 22, 23
    ['2026-09-18', '2026-09-22'], // Fri: Sun 20, 21, 22
    // non-working days: the day before
    ['2026-10-01', '2026-09-30'],
    ['2026-10-03', '2026-10-02'],
    ['2026-10-07', '2026-10-06'],
    ['2026-10-11', '2026-10-10'],
    ['2026-10-17', '2026-10-16'],
    ['2026-10-18', '2026-10-17'],
    ['2026-09-19', '2026-09-18'],
  ])('from %s: %s', (day, expected) => {
    expect(sweepWindowEnd(day, D, national)).toBe(expected);
  });

  test('agrees with the reference (3rd working day after, or the day before) for every day of Sep-Nov 2026', () => {
    for (const day of range('2026-09-01', '2026-11-30')) {
      const expected = refWorking(day) ? refNthWorkingDayAfter(day, 3) : refAddDays(day, -1);
      expect(sweepWindowEnd(day, D, national), day).toBe(expected);
    }
  });

  test('custom settings: reminder 1 -> the next working day', () => {
    const s: SupervisionSettings = { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 };
    expect(sweepWindowEnd('2026-09-30', s, national)).toBe('2026-10-08');
    expect(sweepWindowEnd('2026-10-09', s, national)).toBe('2026-10-10');
    expect(sweepWindowEnd('2026-10-16', s, national)).toBe('2026-10-19');
    expect(sweepWindowEnd('2026-10-17', s, national)).toBe('2026-10-16');
  });

  test('a jurisdiction extra off day extends the window; on that day the window is the day before', () => {
    const cal = national.withExtras({ extraOffDays: ['2026-10-14'] });
    expect(sweepWindowEnd('2026-10-12', D, cal)).toBe('2026-10-16'); // 13, [14 off], 15, 16
    expect(sweepWindowEnd('2026-10-14', D, cal)).toBe('2026-10-13');
    const cal2 = national.withExtras({ extraWorkingDays: ['2026-10-17'] });
    expect(sweepWindowEnd('2026-10-17', D, cal2)).toBe('2026-10-21'); // Sat extra working: 19, 20, 21
    expect(sweepWindowEnd('2026-10-16', D, cal2)).toBe('2026-10-20'); // 17, 19, 20
  });

  test('the window reads every obligation the plan acts on, and nothing the plan ignores is due after it', () => {
    // For every sweep day and due day (a working day, as every computed deadline is): a non-empty plan
    // implies the due day is within the window; on a working day the last day of the window gets its reminder.
    const problems: string[] = [];
    for (const s of [D, { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 }]) {
      for (const day of range('2026-09-01', '2026-11-30')) {
        const end = sweepWindowEnd(day, s, national);
        for (const due of range('2026-09-01', '2026-12-15').filter((d) => refWorking(d))) {
          const plan = planObligation(awaiting(due), day, s, national);
          if (Object.keys(plan).length > 0 && due > end) problems.push(`${day}: due ${due} acted on but outside window ending ${end}`);
        }
        if (refWorking(day)) {
          const plan = planObligation(awaiting(end), day, s, national);
          if (plan.remind?.workingDaysLeft !== s.reminderWorkingDaysBefore) problems.push(`${day}: window end ${end} not reminded`);
        } else if (end !== refAddDays(day, -1)) {
          problems.push(`${day}: non-working day window end ${end}`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});

describe('a simulated daily sweep of the worked example (decided 09-28, due 10-16)', () => {
  test('every day swept: reminders 10-13 and 10-16, red on Sat 10-17, escalation once on Fri 10-23', () => {
    expect(simulate(awaiting(DUE), '2026-09-28', '2026-11-30')).toEqual([
      { day: '2026-10-13', kind: 'remind', detail: 3 },
      { day: '2026-10-16', kind: 'remind', detail: 0 },
      { day: '2026-10-17', kind: 'flag', detail: '2026-10-17' },
      { day: '2026-10-23', kind: 'escalate', detail: 5 },
    ]);
  });

  test('sweeps of 10-13, 10-17 and 10-23 missed: no late reminder, red on 10-18, escalation on 10-24', () => {
    expect(simulate(awaiting(DUE), '2026-09-28', '2026-11-30', { missed: ['2026-10-13', '2026-10-17', '2026-10-23'] })).toEqual([
      { day: '2026-10-16', kind: 'remind', detail: 0 },
      { day: '2026-10-18', kind: 'flag', detail: '2026-10-17' },
      { day: '2026-10-24', kind: 'escalate', detail: 5 },
    ]);
  });

  test('a whole week missed (10-16..10-25): one flag and one escalation together on Mon 10-26', () => {
    expect(simulate(awaiting(DUE), '2026-09-28', '2026-11-30', { missed: range('2026-10-16', '2026-10-25') })).toEqual([
      { day: '2026-10-13', kind: 'remind', detail: 3 },
      { day: '2026-10-26', kind: 'flag', detail: '2026-10-17' },
      { day: '2026-10-26', kind: 'escalate', detail: 6 },
    ]);
  });

  test('custom settings (reminder 1, escalation 2)', () => {
    const settings: SupervisionSettings = { reminderWorkingDaysBefore: 1, escalationWorkingDaysOverdue: 2 };
    expect(simulate(awaiting(DUE), '2026-09-28', '2026-11-30', { settings })).toEqual([
      { day: '2026-10-15', kind: 'remind', detail: 1 },
      { day: '2026-10-16', kind: 'remind', detail: 0 },
      { day: '2026-10-17', kind: 'flag', detail: '2026-10-17' },
      { day: '2026-10-20', kind: 'escalate', detail: 2 },
    ]);
  });

  test('jurisdiction extra off days Wed 10-14 and Tue 10-20', () => {
    const calendar = national.withExtras({ extraOffDays: ['2026-10-14', '2026-10-20'] });
    // reminder: 12 -> 13, 15, 16; escalation: 19 (1), 21 (2), 22 (3), 23 (4), 26 (5)
    expect(simulate(awaiting(DUE), '2026-09-28', '2026-11-30', { calendar })).toEqual([
      { day: '2026-10-12', kind: 'remind', detail: 3 },
      { day: '2026-10-16', kind: 'remind', detail: 0 },
      { day: '2026-10-17', kind: 'flag', detail: '2026-10-17' },
      { day: '2026-10-26', kind: 'escalate', detail: 5 },
    ]);
  });

  test('decided the day before the holiday (due Sat 10-10, a make-up day): reminder 09-30, red 10-11', () => {
    // 09-30 -> 10-08, 10-09, Sat 10-10 = 3 working days left; red from Sun 10-11
    expect(simulate(awaiting('2026-10-10'), '2026-09-20', '2026-11-30')).toEqual([
      { day: '2026-09-30', kind: 'remind', detail: 3 },
      { day: '2026-10-10', kind: 'remind', detail: 0 },
      { day: '2026-10-11', kind: 'flag', detail: '2026-10-11' },
      // 12 (1), 13 (2), 14 (3), 15 (4), 16 (5)
      { day: '2026-10-16', kind: 'escalate', detail: 5 },
    ]);
  });
});

describe('weekOf', () => {
  test.each([
    ['2026-10-12', '2026-10-12'], // Monday
    ['2026-10-13', '2026-10-12'],
    ['2026-10-17', '2026-10-12'], // Saturday
    ['2026-10-18', '2026-10-12'], // Sunday: the Monday before
    ['2026-10-11', '2026-10-05'], // Sunday
    ['2026-10-10', '2026-10-05'], // make-up Saturday
    ['2026-09-20', '2026-09-14'], // make-up Sunday
    ['2026-10-01', '2026-09-28'], // Thursday across a month end
    ['2027-01-01', '2026-12-28'], // Friday across a year end
    ['2026-01-04', '2025-12-29'], // Sunday across a year end
    ['2028-03-01', '2028-02-28'], // leap year
  ])('weekOf(%s) = %s', (day, expected) => {
    expect(weekOf(day)).toBe(expected);
  });

  test('is always a Monday no more than 6 days before, for every day of 2026', () => {
    for (const day of range('2026-01-01', '2026-12-31')) {
      const monday = weekOf(day);
      expect(new Date(msOf(monday)).getUTCDay(), day).toBe(1);
      const back = (msOf(day) - msOf(monday)) / MS_PER_DAY;
      expect(back, day).toBeGreaterThanOrEqual(0);
      expect(back, day).toBeLessThanOrEqual(6);
    }
  });
});

describe('firstWorkingDayOfWeek', () => {
  test.each([
    ['2026-10-12', '2026-10-12'], // ordinary week
    ['2026-10-18', '2026-10-12'], // asked from its Sunday
    ['2026-10-05', '2026-10-08'], // week of 10-05: 5-7 off, Thu 8 first
    ['2026-10-11', '2026-10-08'],
    ['2026-09-28', '2026-09-28'], // 28-30 work, then the holiday
    ['2026-10-03', '2026-09-28'],
    ['2026-09-20', '2026-09-14'], // make-up Sunday is a working day of the week of 09-14, not its first
    ['2026-09-25', '2026-09-21'],
    ['2026-02-24', '2026-02-24'], // 春节 ends Mon 02-23: Tue 24 first
    ['2026-01-04', '2025-12-29'], // make-up Sun 01-04 belongs to the week of 2025-12-29
  ])('week of %s: %s', (day, expected) => {
    expect(firstWorkingDayOfWeek(day, national)).toBe(expected);
  });

  test('a week without a working day (春节 2026: Mon 02-16..Sun 02-22 all off) has none', () => {
    for (const day of range('2026-02-16', '2026-02-22')) {
      expect(firstWorkingDayOfWeek(day, national), day).toBeUndefined();
    }
  });

  test('jurisdiction extras: off 10-08 and 10-09 -> the make-up Sat 10-10 is first; off 10-10 too -> none', () => {
    expect(firstWorkingDayOfWeek('2026-10-05', national.withExtras({ extraOffDays: ['2026-10-08', '2026-10-09'] }))).toBe('2026-10-10');
    expect(firstWorkingDayOfWeek('2026-10-05', national.withExtras({ extraOffDays: ['2026-10-08', '2026-10-09', '2026-10-10'] }))).toBeUndefined();
    expect(firstWorkingDayOfWeek('2026-10-12', national.withExtras({ extraOffDays: ['2026-10-12'] }))).toBe('2026-10-13');
    expect(firstWorkingDayOfWeek('2026-10-05', national.withExtras({ extraWorkingDays: ['2026-10-06'] }))).toBe('2026-10-06');
  });

  test('matches the reference for every day of 2026 (weeks inside 2026)', () => {
    for (const day of range('2026-01-05', '2026-12-27')) {
      const monday = weekOf(day);
      const expected = range(monday, refAddDays(monday, 6)).find((d) => refWorking(d));
      expect(firstWorkingDayOfWeek(day, national), day).toBe(expected);
    }
  });
});

describe('weeklySummaryWeek', () => {
  test('Monday 2026-10-12 sends the summary of its week', () => {
    expect(weeklySummaryWeek('2026-10-12', '2026-10-11', national)).toBe('2026-10-12');
    expect(weeklySummaryWeek('2026-10-12', '2026-10-09', national)).toBe('2026-10-12');
    expect(weeklySummaryWeek('2026-10-12', undefined, national)).toBe('2026-10-12');
  });

  test('Tuesday 10-13 after a completed sweep on Monday 10-12: nothing', () => {
    expect(weeklySummaryWeek('2026-10-13', '2026-10-12', national)).toBeUndefined();
  });

  test('Tuesday 10-13 when the last completed sweep was Friday 10-09 (Monday missed): catch-up', () => {
    expect(weeklySummaryWeek('2026-10-13', '2026-10-09', national)).toBe('2026-10-12');
    expect(weeklySummaryWeek('2026-10-13', '2026-10-11', national)).toBe('2026-10-12');
  });

  test('later in the week after a sweep on Monday: nothing; after no sweep since the week before: catch-up', () => {
    expect(weeklySummaryWeek('2026-10-16', '2026-10-15', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-16', '2026-10-12', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-16', '2026-10-10', national)).toBe('2026-10-12');
  });

  test.each(['2026-10-17', '2026-10-18', '2026-10-11', '2026-10-03'])('non-working day %s: nothing, even to catch up', (day) => {
    expect(weeklySummaryWeek(day, '2026-09-01', national)).toBeUndefined();
    expect(weeklySummaryWeek(day, undefined, national)).toBeUndefined();
  });

  test('week of 2026-10-05: Mon 10-05 (holiday) nothing; Thu 10-08 (first working day) sends it', () => {
    expect(weeklySummaryWeek('2026-10-05', '2026-10-04', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-08', '2026-10-07', national)).toBe('2026-10-05');
    expect(weeklySummaryWeek('2026-10-08', '2026-09-30', national)).toBe('2026-10-05');
  });

  test('week of 2026-10-05: Fri 10-09 and make-up Sat 10-10 catch up only if Thu 10-08 was missed', () => {
    expect(weeklySummaryWeek('2026-10-09', '2026-10-08', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-09', '2026-10-07', national)).toBe('2026-10-05'); // holiday sweeps ran, 10-08 did not
    expect(weeklySummaryWeek('2026-10-10', '2026-10-09', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-10', '2026-10-07', national)).toBe('2026-10-05');
  });

  test('make-up Sunday 09-20 is a working day of the week of 09-14, not its first', () => {
    expect(weeklySummaryWeek('2026-09-14', '2026-09-13', national)).toBe('2026-09-14');
    expect(weeklySummaryWeek('2026-09-20', '2026-09-19', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-09-20', '2026-09-14', national)).toBeUndefined();
    // nothing completed since before Mon 09-14: the Sunday catches up that week (not the week of 09-21)
    expect(weeklySummaryWeek('2026-09-20', '2026-09-11', national)).toBe('2026-09-14');
  });

  test('a week without a working day (春节, week of 02-16) has no summary; the next one goes on Tue 02-24', () => {
    for (const day of range('2026-02-16', '2026-02-22')) expect(weeklySummaryWeek(day, '2026-02-13', national), day).toBeUndefined();
    expect(weeklySummaryWeek('2026-02-23', '2026-02-22', national)).toBeUndefined(); // Mon 02-23 still off
    expect(weeklySummaryWeek('2026-02-24', '2026-02-23', national)).toBe('2026-02-23');
    expect(weeklySummaryWeek('2026-02-25', '2026-02-24', national)).toBeUndefined();
    expect(weeklySummaryWeek('2026-02-25', '2026-02-23', national)).toBe('2026-02-23');
  });

  test('a jurisdiction extra off Monday moves the summary to Tuesday', () => {
    const cal = national.withExtras({ extraOffDays: ['2026-10-12'] });
    expect(weeklySummaryWeek('2026-10-12', '2026-10-11', cal)).toBeUndefined();
    expect(weeklySummaryWeek('2026-10-13', '2026-10-12', cal)).toBe('2026-10-12');
    expect(weeklySummaryWeek('2026-10-14', '2026-10-13', cal)).toBeUndefined();
  });

  test('daily sweeps Sep-Nov 2026: exactly one summary per week that has a working day, on its first working day', () => {
    const sent: [string, string][] = [];
    let last: string | undefined = '2026-08-31';
    for (const day of range('2026-09-01', '2026-11-29')) {
      const week = weeklySummaryWeek(day, last, national);
      if (week) sent.push([day, week]);
      last = day;
    }
    expect(sent).toEqual([
      ['2026-09-07', '2026-09-07'],
      ['2026-09-14', '2026-09-14'],
      ['2026-09-21', '2026-09-21'],
      ['2026-09-28', '2026-09-28'],
      ['2026-10-08', '2026-10-05'],
      ['2026-10-12', '2026-10-12'],
      ['2026-10-19', '2026-10-19'],
      ['2026-10-26', '2026-10-26'],
      ['2026-11-02', '2026-11-02'],
      ['2026-11-09', '2026-11-09'],
      ['2026-11-16', '2026-11-16'],
      ['2026-11-23', '2026-11-23'],
    ]);
  });

  test('daily sweeps with 10-08 and 10-12 missed: the summaries go out on 10-09 and 10-13, once each', () => {
    const missed = new Set(['2026-10-08', '2026-10-12']);
    const sent: [string, string][] = [];
    let last: string | undefined = '2026-09-30';
    for (const day of range('2026-10-01', '2026-10-18')) {
      if (missed.has(day)) continue;
      const week = weeklySummaryWeek(day, last, national);
      if (week) sent.push([day, week]);
      last = day;
    }
    expect(sent).toEqual([
      ['2026-10-09', '2026-10-05'],
      ['2026-10-13', '2026-10-12'],
    ]);
  });
});

describe('settings and statuses', () => {
  test('defaults: reminder 3 working days before, escalation at 5 working days overdue', () => {
    expect(DEFAULT_SUPERVISION).toEqual({ reminderWorkingDaysBefore: 3, escalationWorkingDaysOverdue: 5 });
  });

  test('the sweep work list is AWAITING_FILING, INCOMPLETE and OVERDUE', () => {
    const statuses: readonly AwaitedStatus[] = AWAITED_STATUSES;
    expect([...statuses].sort()).toEqual(['AWAITING_FILING', 'INCOMPLETE', 'OVERDUE']);
  });
});
