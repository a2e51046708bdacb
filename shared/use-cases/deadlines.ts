/**
 * Counting a provisional deadline again once its year's schedule is loaded: by the daily sweep when it
 * finds a new year in its calendar, and by PUT /v1/calendar/{year} at once. Kept apart from the sweep's
 * module so the API bundle does not carry the digests' rendering.
 */
import type { WorkingCalendar } from '../domain/calendar.ts';
import { type Actor, type HistoryEvent, SYSTEM, historyEvent } from '../domain/history.ts';
import type { DecisionRecord, JurisdictionRecord } from '../domain/records.ts';
import { OBLIGATION_FIELDS, type ObligationKind, obligationOf } from '../domain/supervision.ts';

type Log = (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;

/** Open obligations by due date, and a due date counted again (shared/store/supervision-store.ts). */
export interface DeadlineWrites {
  /** open obligations of the jurisdiction due in `year` or later whose due date is provisional, page by page */
  provisionalDueIn(jurisdictionId: string, year: number): AsyncIterable<DecisionRecord[]>;
  /** open obligations of the jurisdiction due on `fromDate` or later, page by page */
  openDueFrom(jurisdictionId: string, fromDate: string): AsyncIterable<DecisionRecord[]>;
  /** the new due date with its event, only while the decision is as read; false otherwise */
  correctDue(d: DecisionRecord, kind: ObligationKind, due: { dueOn: string; provisional: boolean }, at: string, event: HistoryEvent): Promise<boolean>;
}

/**
 * Recomputes, on `calendar`, the due dates of the jurisdiction's open obligations due on `fromDate` or later
 * (what a loaded schedule can change); each change is stored with its event. Returns how many changed.
 * - Provisional dates are always counted again.
 * - With `before` (the calendar they were counted on, when a year is loaded again), a final date is counted
 *   again too, but only when `before` gives the stored date: a date set otherwise (a filing period changed
 *   since) is left alone, and only what the schedule itself moves changes.
 * Closed obligations keep their date: a filing's timeliness was judged when it was filed, on that day's calendar.
 */
export async function recomputeDeadlines(
  deps: { log: Log; sweeps: DeadlineWrites },
  jurisdiction: JurisdictionRecord,
  /** the first due date to look at (YYYY-MM-DD) */
  fromDate: string,
  calendar: WorkingCalendar,
  actor: Actor,
  at: () => string,
  before?: WorkingCalendar,
): Promise<number> {
  let changed = 0;
  const pages = before ? deps.sweeps.openDueFrom(jurisdiction.jurisdictionId, fromDate) : deps.sweeps.provisionalDueIn(jurisdiction.jurisdictionId, Number(fromDate.slice(0, 4)));
  for await (const page of pages) {
    for (const d of page) {
      const o = obligationOf(d);
      if (!o) continue;
      if (!o.provisional && (!before || countOn(before, d, o.kind, jurisdiction)?.date !== o.dueOn)) continue;
      if (await correctProvisional(deps, d, o.kind, jurisdiction, calendar, at(), actor)) changed++;
    }
  }
  return changed;
}

/** The due date of an obligation counted on `calendar` (undefined when it cannot be counted). */
function countOn(calendar: WorkingCalendar, d: DecisionRecord, kind: ObligationKind, j: JurisdictionRecord) {
  const from = kind === 'FILING' ? d.decidedOn : d.review?.reviewedOn;
  const days = kind === 'FILING' ? (j.filingPeriodWorkingDays ?? 10) : d.review?.correctionWorkingDays;
  return from && days !== undefined ? calendar.addWorkingDays(from, days) : undefined;
}

/** Recomputes a due date on `calendar`; stores it with its event and logs it when it changed. */
export async function correctProvisional(
  deps: { log: Log; sweeps: Pick<DeadlineWrites, 'correctDue'> },
  d: DecisionRecord,
  kind: ObligationKind,
  j: JurisdictionRecord,
  calendar: WorkingCalendar,
  at: string,
  actor: Actor = SYSTEM.sweep,
): Promise<boolean> {
  const counted = countOn(calendar, d, kind, j);
  if (!counted) return false;
  const { date, provisional } = counted;
  const f = OBLIGATION_FIELDS[kind];
  if (date === d[f.due] && provisional === (d[f.provisional] ?? false)) return false;
  const what = kind === 'FILING' ? 'filing' : 'correction';
  const event = historyEvent('DEADLINE_RECOMPUTED', at, actor, d.status, d.status, `${what} due ${date}${provisional ? ' (provisional)' : ''}, was ${d[f.due]}${d[f.provisional] ? ' (provisional)' : ''}`);
  const corrected = await deps.sweeps.correctDue(d, kind, { dueOn: date, provisional }, at, event);
  if (!corrected) return false;
  deps.log('INFO', 'due date recomputed on the loaded calendar', { decisionId: d.id, kind, from: d[f.due], to: date, provisional });
  if (kind === 'FILING') (d.filingDueOn = date), (d.dueProvisional = provisional);
  else (d.correctionDueOn = date), (d.correctionDueProvisional = provisional);
  return true;
}

