/**
 * Counting a provisional deadline again once its year's schedule is loaded: by the daily sweep when it
 * finds a new year in its calendar, and by PUT /v1/calendar/{year} at once. Kept apart from the sweep's
 * module so the API bundle does not carry the digests' rendering.
 */
import type { WorkingCalendar } from '../domain/calendar.ts';
import { obligationOf } from '../domain/supervision.ts';
import { type Actor, SYSTEM, historyEvent } from '../store/history.ts';
import type { DecisionRecord, JurisdictionRecord } from '../store/records.ts';
import { OBLIGATION_FIELDS, type ObligationKind, type SupervisionStore } from '../store/supervision-store.ts';

type Log = (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
export type DeadlineWrites = Pick<SupervisionStore, 'provisionalDueIn' | 'correctDue'>;

/**
 * Recomputes, on `calendar`, every provisional due date of the jurisdiction's open obligations due in
 * `fromYear` or later (the years a newly loaded schedule can change); each change is stored with its event.
 * Returns how many changed. Closed obligations keep their date: a filing's timeliness was judged when it was
 * filed, on that day's calendar.
 */
export async function recomputeProvisional(
  deps: { log: Log; sweeps: DeadlineWrites },
  jurisdiction: JurisdictionRecord,
  fromYear: number,
  calendar: WorkingCalendar,
  actor: Actor,
  at: () => string,
): Promise<number> {
  let changed = 0;
  for await (const page of deps.sweeps.provisionalDueIn(jurisdiction.jurisdictionId, fromYear)) {
    for (const d of page) {
      const o = obligationOf(d);
      if (o?.provisional && (await correctProvisional(deps, d, o.kind, jurisdiction, calendar, at(), actor))) changed++;
    }
  }
  return changed;
}

/** Recomputes a provisional due date on the sweep's calendar; stores it with its event and logs it when it changed. */
export async function correctProvisional(
  deps: { log: Log; sweeps: Pick<DeadlineWrites, 'correctDue'> },
  d: DecisionRecord,
  kind: ObligationKind,
  j: JurisdictionRecord,
  calendar: WorkingCalendar,
  at: string,
  actor: Actor = SYSTEM.sweep,
): Promise<boolean> {
  const from = kind === 'FILING' ? d.decidedOn : d.review?.reviewedOn;
  const days = kind === 'FILING' ? (j.filingPeriodWorkingDays ?? 10) : d.review?.correctionWorkingDays;
  if (!from || days === undefined) return false;
  const { date, provisional } = calendar.addWorkingDays(from, days);
  const f = OBLIGATION_FIELDS[kind];
  if (date === d[f.due] && provisional === (d[f.provisional] ?? false)) return false;
  const what = kind === 'FILING' ? 'filing' : 'correction';
  const event = historyEvent('DEADLINE_RECOMPUTED', at, actor, d.status, d.status, `${what} due ${date}${provisional ? ' (provisional)' : ''}, was ${d[f.due]} (provisional)`);
  const corrected = await deps.sweeps.correctDue(d, kind, { dueOn: date, provisional }, at, event);
  if (!corrected) return false;
  deps.log('INFO', 'provisional due date recomputed on the loaded calendar', { decisionId: d.id, kind, from: d[f.due], to: date, provisional });
  if (kind === 'FILING') (d.filingDueOn = date), (d.dueProvisional = provisional);
  else (d.correctionDueOn = date), (d.correctionDueProvisional = provisional);
  return true;
}

