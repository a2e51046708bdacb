/**
 * Deadline supervision as plain rules: what the daily sweep does with one open filing obligation on a
 * given day. Reminder (amber): `reminderWorkingDaysBefore` working days before the due date and on the
 * due day, on working days only. Overdue (red): on the first sweep after the due date. Escalation: once,
 * when `escalationWorkingDaysOverdue` working days have passed. Weekly summary: the first working day of
 * each week. Nothing here knows of DynamoDB, mail or Lambda.
 */
import type { WorkingCalendar } from './calendar.ts';
import { type IsoDate, formatDayNumber, parseIsoDate, weekdayOf } from './dates.ts';

export interface SupervisionSettings {
  reminderWorkingDaysBefore: number;
  escalationWorkingDaysOverdue: number;
}

/** An agency's explanation of a deadline it will miss or has missed (like SEC Form 12b-25). */
export interface LateExplanation {
  reason: string;
  promisedOn: IsoDate;
  explainedAt: string;
}

/** What a notice says about one open obligation: a line of a digest or of the weekly summary. */
export interface ObligationLine {
  decisionId: string;
  /** chosen by the agency: untrusted text */
  caseNumber: string;
  agencyId: string;
  decidedOn: IsoDate;
  filingDueOn: IsoDate;
  /** the due date is provisional: its year's official holiday schedule is not loaded yet */
  dueProvisional: boolean;
  /** reminders: working days from the sweep day to the due date (0 = due today) */
  workingDaysLeft?: number;
  /** working days past the due date (0 = only a weekend or holiday has passed) */
  workingDaysOverdue?: number;
  /** the agency's explanation (untrusted text), when it gave one */
  lateExplanation?: LateExplanation;
}

export const DEFAULT_SUPERVISION: SupervisionSettings = { reminderWorkingDaysBefore: 3, escalationWorkingDaysOverdue: 5 };

/** Statuses in which a filing is still awaited: the sweep's work list. */
export const AWAITED_STATUSES = ['AWAITING_FILING', 'INCOMPLETE', 'OVERDUE'] as const;
export type AwaitedStatus = (typeof AWAITED_STATUSES)[number];
/** Statuses in which a correction the review ordered is awaited: on the sweep's work list too. */
export const CORRECTION_STATUSES = ['CORRECTION_REQUIRED', 'CORRECTION_OVERDUE'] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];

/** Where an obligation's dates and flags live on the decision: a filing's, or a correction's. */
export const OBLIGATION_FIELDS = {
  FILING: { due: 'filingDueOn', provisional: 'dueProvisional', overdueStatus: 'OVERDUE', since: 'overdueSince', escalated: 'escalatedOn' },
  CORRECTION: {
    due: 'correctionDueOn',
    provisional: 'correctionDueProvisional',
    overdueStatus: 'CORRECTION_OVERDUE',
    since: 'correctionOverdueSince',
    escalated: 'correctionEscalatedOn',
  },
} as const;
export type ObligationKind = keyof typeof OBLIGATION_FIELDS;

/** What is awaited of a decision and by when: its filing, or the correction a review ordered. */
export interface Obligation {
  kind: ObligationKind;
  dueOn: IsoDate;
  provisional: boolean;
  /** flagged overdue already */
  overdue: boolean;
  escalatedOn?: IsoDate | undefined;
}

export function obligationOf(d: {
  status: string;
  filingDueOn: IsoDate | null;
  dueProvisional: boolean;
  escalatedOn?: IsoDate | undefined;
  correctionDueOn?: IsoDate | undefined;
  correctionDueProvisional?: boolean | undefined;
  correctionEscalatedOn?: IsoDate | undefined;
}): Obligation | undefined {
  if ((AWAITED_STATUSES as readonly string[]).includes(d.status) && d.filingDueOn) {
    return { kind: 'FILING', dueOn: d.filingDueOn, provisional: d.dueProvisional, overdue: d.status === 'OVERDUE', escalatedOn: d.escalatedOn };
  }
  if ((CORRECTION_STATUSES as readonly string[]).includes(d.status) && d.correctionDueOn) {
    return {
      kind: 'CORRECTION',
      dueOn: d.correctionDueOn,
      provisional: d.correctionDueProvisional ?? false,
      overdue: d.status === 'CORRECTION_OVERDUE',
      escalatedOn: d.correctionEscalatedOn,
    };
  }
  return undefined;
}

export interface OpenObligation {
  /** flagged overdue already */
  overdue: boolean;
  dueOn: IsoDate;
  /** the day the escalation notice was written, once it was */
  escalatedOn?: IsoDate | undefined;
}

export interface SweepPlan {
  /** remind today: working days left until the due date (0 = due today) */
  remind?: { workingDaysLeft: number };
  /** flag as overdue now (it is not yet): overdue since the day after the due date */
  flagOverdue?: { overdueSince: IsoDate };
  /** escalate now to the jurisdiction's escalation addresses */
  escalate?: true;
  /** set when the due date has passed */
  workingDaysOverdue?: number;
}

export const addDays = (date: IsoDate, n: number): IsoDate => formatDayNumber(parseIsoDate(date) + n);

/** Working days overdue on `day`: working days after the due date up to and including `day` (0 when not past). */
export function workingDaysOverdue(filingDueOn: IsoDate, day: IsoDate, calendar: WorkingCalendar): number {
  return day > filingDueOn ? calendar.workingDaysBetween(filingDueOn, day).days : 0;
}

/**
 * The last due date the sweep of `day` must read: on a working day the end of the reminder window, on
 * other days the day before (only what is overdue; no reminders go out).
 */
export function sweepWindowEnd(day: IsoDate, settings: SupervisionSettings, calendar: WorkingCalendar): IsoDate {
  if (!calendar.isWorkingDay(day).working) return addDays(day, -1);
  return calendar.addWorkingDays(day, settings.reminderWorkingDaysBefore).date;
}

/** What the sweep of `day` does with one open obligation. A missed day is caught up: flags and escalations, never late reminders. */
export function planObligation(o: OpenObligation, day: IsoDate, settings: SupervisionSettings, calendar: WorkingCalendar): SweepPlan {
  if (o.dueOn >= day) {
    if (!calendar.isWorkingDay(day).working) return {};
    const left = calendar.workingDaysBetween(day, o.dueOn).days;
    return left === 0 || left === settings.reminderWorkingDaysBefore ? { remind: { workingDaysLeft: left } } : {};
  }
  const overdue = workingDaysOverdue(o.dueOn, day, calendar);
  return {
    workingDaysOverdue: overdue,
    ...(!o.overdue && { flagOverdue: { overdueSince: addDays(o.dueOn, 1) } }),
    ...(!o.escalatedOn && overdue >= settings.escalationWorkingDaysOverdue && { escalate: true as const }),
  };
}

/** Monday of the ISO week of `day`. */
export function weekOf(day: IsoDate): IsoDate {
  const n = parseIsoDate(day);
  return formatDayNumber(n - ((weekdayOf(n) + 6) % 7));
}

/** The first working day of the week of `day`, if the week has one. */
export function firstWorkingDayOfWeek(day: IsoDate, calendar: WorkingCalendar): IsoDate | undefined {
  const monday = weekOf(day);
  for (let i = 0; i < 7; i++) {
    const d = addDays(monday, i);
    if (calendar.isWorkingDay(d).working) return d;
  }
  return undefined;
}

/**
 * The week whose summary the sweep of `day` sends, if any: on the week's first working day, or on a
 * later working day of that week when no sweep completed on or after the first one (a missed day).
 */
export function weeklySummaryWeek(day: IsoDate, lastCompletedOn: IsoDate | undefined, calendar: WorkingCalendar): IsoDate | undefined {
  if (!calendar.isWorkingDay(day).working) return undefined;
  const first = firstWorkingDayOfWeek(day, calendar);
  if (!first || first > day) return undefined;
  if (first === day || !lastCompletedOn || lastCompletedOn < first) return weekOf(day);
  return undefined;
}
