/**
 * Deadline supervision (the daily sweep), per jurisdiction and day:
 * 1. record that a sweep of the day begins; learn of sweeps begun and not completed (crashed, or running);
 * 2. when the calendar gained a year, correct the provisional due dates in it;
 * 3. read the open obligations due up to the end of the reminder window (the `due` index: never a Scan),
 *    correct provisional dates, and for each: reminder entry, overdue flag, escalation (conditional
 *    writes, each with its digest entry, so nothing happens twice);
 * 4. list this sweep's entries, and those a crashed sweep left, in digests: one notice per recipient,
 *    kind and day, written PENDING to the outbox with the marking of its entries;
 * 5. the weekly summary on the first working day of a week; 6. record the day as completed.
 * The notice sender (send-notices) mails each notice once, from the table's stream.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { yearOf, parseIsoDate } from '../domain/dates.ts';
import {
  AWAITED_STATUSES,
  type AwaitedStatus,
  DEFAULT_SUPERVISION,
  type SupervisionSettings,
  planObligation,
  sweepWindowEnd,
  weeklySummaryWeek,
  workingDaysOverdue,
} from '../domain/supervision.ts';
import { renderCalendarWatch, renderDigest, renderWeeklySummary, type DigestItem } from '../mail/digests.ts';
import type { Notice } from '../store/filing-store.ts';
import type { AgencyRecord, DecisionRecord, JurisdictionRecord } from '../store/records.ts';
import type { DigestEntry, SupervisionStore, SweepRun } from '../store/supervision-store.ts';

export type SweepWrites = Pick<
  SupervisionStore,
  'openDue' | 'provisionalDueIn' | 'correctDue' | 'writeEntry' | 'flagOverdue' | 'escalate' | 'undigestedEntries' | 'writeDigest' | 'putNoticeOnce' | 'beginRun' | 'endRun' | 'readUnits'
>;

export interface SweepDeps {
  sweeps: SweepWrites;
  registry: {
    jurisdiction: (id: string) => Promise<JurisdictionRecord | undefined>;
    agency: (id: string) => Promise<AgencyRecord | undefined>;
  };
  calendarFor: (jurisdiction: JurisdictionRecord | undefined) => WorkingCalendar;
  now: () => Date;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
  /** true when the invocation must stop taking new work (Lambda's remaining time); the sweep then resumes on a rerun */
  outOfTime?: () => boolean;
  /** decisions worked on at once */
  concurrency?: number;
}

export interface SweepReport {
  jurisdictionId: string;
  day: string;
  itemsRead: number;
  reminders: number;
  overdueFlagged: number;
  escalations: number;
  dueDatesCorrected: number;
  noticesWritten: number;
  weeklySummary: boolean;
  /** entries of earlier sweeps that did not complete, listed in digests by this one */
  recoveredEntries: number;
  readUnits: number;
}

export class SweepInterruptedError extends Error {
  override name = 'SweepInterruptedError';
}

/** Entries per digest mail: a transaction writes the notice and marks each entry (at most 100 items). */
const DIGEST_MAX_ITEMS = 99;

export const supervisionSettings = (j: JurisdictionRecord): SupervisionSettings => ({
  reminderWorkingDaysBefore: j.reminderWorkingDaysBefore ?? DEFAULT_SUPERVISION.reminderWorkingDaysBefore,
  escalationWorkingDaysOverdue: j.escalationWorkingDaysOverdue ?? DEFAULT_SUPERVISION.escalationWorkingDaysOverdue,
});

const isAwaited = (status: string): status is AwaitedStatus => (AWAITED_STATUSES as readonly string[]).includes(status);

export async function sweepJurisdiction(deps: SweepDeps, jurisdictionId: string, day: string): Promise<SweepReport> {
  const report: SweepReport = {
    jurisdictionId, day, itemsRead: 0, reminders: 0, overdueFlagged: 0, escalations: 0, dueDatesCorrected: 0,
    noticesWritten: 0, weeklySummary: false, recoveredEntries: 0, readUnits: 0,
  };
  const unitsBefore = deps.sweeps.readUnits;
  const jurisdiction = await deps.registry.jurisdiction(jurisdictionId);
  if (!jurisdiction) {
    deps.log('WARN', 'sweep of an unknown jurisdiction skipped', { jurisdictionId, day });
    return report;
  }
  // each agency is read once per sweep, however many of its decisions are due
  const agencies = new Map<string, Promise<AgencyRecord | undefined>>();
  const readAgency = deps.registry.agency;
  deps = { ...deps, registry: { ...deps.registry, agency: (id) => agencies.get(id) ?? (agencies.set(id, readAgency(id)), agencies.get(id)!) } };
  const calendar = deps.calendarFor(jurisdiction);
  const settings = supervisionSettings(jurisdiction);
  const at = () => deps.now().toISOString();
  const run: SweepRun = { runId: randomUUID(), day };
  const state = await deps.sweeps.beginRun(jurisdictionId, run, at());
  const entries: DigestEntry[] = [];
  const overdue: DigestItem[] = [];

  // A provisional due date is final once its year is loaded: correct the ones a newly loaded year covers
  // (a one-off read of that year's open items). The very first sweep only records the years: the items
  // it reads are corrected as they come into the window, before anything is decided on them.
  const loadedYears = calendar.loadedYears();
  const thisYear = yearOf(parseIsoDate(day));
  const newlyLoaded = state.calendarYears ? loadedYears.filter((y) => y >= thisYear - 1 && !state.calendarYears!.includes(y)) : [];
  for (const year of newlyLoaded) {
    for await (const page of deps.sweeps.provisionalDueIn(jurisdictionId, year)) {
      for (const d of page) if (await correctProvisional(deps, d, jurisdiction, calendar, at())) report.dueDatesCorrected++;
    }
  }

  const work = async (d: DecisionRecord) => {
    if (!isAwaited(d.status) || !d.filingDueOn) return;
    if (d.dueProvisional && (await correctProvisional(deps, d, jurisdiction, calendar, at()))) report.dueDatesCorrected++;
    const plan = planObligation({ status: d.status, filingDueOn: d.filingDueOn, escalatedOn: d.escalatedOn }, day, settings, calendar);
    const line = (kind: DigestEntry['kind'], extra: Partial<DigestEntry>): DigestEntry => ({
      jurisdictionId, day, kind, recipientKey: kind === 'ESCALATION' ? jurisdictionId : d.agencyId,
      decisionId: d.id, caseNumber: d.caseNumber, agencyId: d.agencyId, decidedOn: d.decidedOn, filingDueOn: d.filingDueOn!,
      dueProvisional: d.dueProvisional, ...(d.lateExplanation && { lateExplanation: d.lateExplanation }), ...extra,
    });
    if (plan.remind) {
      const entry = line('FILING_REMINDER', { workingDaysLeft: plan.remind.workingDaysLeft });
      if (await deps.sweeps.writeEntry(entry)) (report.reminders++, entries.push(entry));
    }
    const overdueDays = plan.workingDaysOverdue;
    if (plan.flagOverdue) {
      const entry = line('FILING_OVERDUE', { workingDaysOverdue: overdueDays! });
      // a filing that landed since the read wins: the condition fails and nothing is written
      if (await deps.sweeps.flagOverdue(d, plan.flagOverdue.overdueSince, entry, at())) {
        report.overdueFlagged++;
        entries.push(entry);
        d.status = 'OVERDUE';
        d.overdueSince = plan.flagOverdue.overdueSince;
      }
    }
    if (d.status !== 'OVERDUE') return;
    if (plan.escalate) {
      const entry = line('ESCALATION', { workingDaysOverdue: overdueDays! });
      if (await deps.sweeps.escalate(d, day, entry, at())) (report.escalations++, entries.push(entry));
    }
    overdue.push(digestItem(line('FILING_OVERDUE', { workingDaysOverdue: overdueDays! }), ''));
  };

  for await (const page of deps.sweeps.openDue(jurisdictionId, sweepWindowEnd(day, settings, calendar))) {
    if (deps.outOfTime?.()) throw new SweepInterruptedError(`sweep of ${jurisdictionId} for ${day} ran out of time after ${report.itemsRead} items; it resumes when run again`);
    report.itemsRead += page.length;
    await inParallel(page, deps.concurrency ?? 8, work);
  }

  // what earlier sweeps that did not complete wrote but did not list: list it now
  const others = state.runs.filter((r) => r.runId !== run.runId);
  const seen = new Set(entries.map(entryId));
  for (const recoverDay of new Set(others.map((r) => r.day))) {
    for (const e of await deps.sweeps.undigestedEntries(jurisdictionId, recoverDay)) {
      if (seen.has(entryId(e))) continue;
      seen.add(entryId(e));
      entries.push(e);
      report.recoveredEntries++;
    }
  }
  report.noticesWritten += await writeDigests(deps, jurisdiction, entries, at());

  const week = weeklySummaryWeek(day, state.lastCompletedOn, calendar);
  if (week && overdue.length) {
    const items = await withAgencyNames(deps, overdue);
    report.weeklySummary = await deps.sweeps.putNoticeOnce({
      id: `weekly#${jurisdictionId}#${week}`,
      kind: 'WEEKLY_SUMMARY',
      jurisdictionId,
      decisionIds: items.map((i) => i.decisionId),
      to: jurisdiction.escalationEmails,
      ...renderWeeklySummary({ day, weekOf: week, jurisdictionName: jurisdiction.name }, items),
      status: 'PENDING',
      createdAt: at(),
    });
    if (report.weeklySummary) report.noticesWritten++;
  }
  await deps.sweeps.endRun(jurisdictionId, run, others, loadedYears, at());
  report.readUnits = deps.sweeps.readUnits - unitsBefore;
  deps.log('INFO', 'deadline sweep completed', { ...report });
  return report;
}

/** Recomputes a provisional due date on the sweep's calendar; stores and logs it when it changed. */
async function correctProvisional(deps: SweepDeps, d: DecisionRecord, j: JurisdictionRecord, calendar: WorkingCalendar, at: string): Promise<boolean> {
  const { date, provisional } = calendar.addWorkingDays(d.decidedOn, j.filingPeriodWorkingDays ?? 10);
  if (date === d.filingDueOn && provisional === d.dueProvisional) return false;
  const corrected = await deps.sweeps.correctDue(d, { filingDueOn: date, dueProvisional: provisional }, at);
  if (!corrected) return false;
  deps.log('INFO', 'provisional due date recomputed on the loaded calendar', { decisionId: d.id, from: d.filingDueOn, to: date, provisional });
  d.filingDueOn = date;
  d.dueProvisional = provisional;
  return true;
}

const entryId = (e: DigestEntry) => `${e.day}#${e.kind}#${e.recipientKey}#${e.decisionId}`;

function digestItem(entry: DigestEntry, agencyName: string): DigestItem {
  const { jurisdictionId: _j, day: _d, kind: _k, recipientKey: _r, digestId: _g, ...line } = entry;
  return { ...line, agencyName };
}

async function withAgencyNames(deps: SweepDeps, items: DigestItem[]): Promise<DigestItem[]> {
  return Promise.all(items.map(async (i) => ({ ...i, agencyName: (await deps.registry.agency(i.agencyId))?.name ?? i.agencyId })));
}

/** One digest per (day, kind, recipient), of at most DIGEST_MAX_ITEMS entries each. Returns the notices written. */
async function writeDigests(deps: SweepDeps, jurisdiction: JurisdictionRecord, entries: readonly DigestEntry[], createdAt: string): Promise<number> {
  const groups = new Map<string, DigestEntry[]>();
  for (const e of entries) {
    const key = `${e.day}#${e.kind}#${e.recipientKey}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  let written = 0;
  for (const group of groups.values()) {
    const { day, kind, recipientKey } = group[0]!;
    const agency = kind === 'ESCALATION' ? undefined : await deps.registry.agency(recipientKey);
    const to = kind === 'ESCALATION' ? jurisdiction.escalationEmails : (agency?.contactEmails ?? []);
    const recipientName = kind === 'ESCALATION' ? jurisdiction.name : (agency?.name ?? recipientKey);
    let left = [...group].sort((a, b) => a.filingDueOn.localeCompare(b.filingDueOn) || a.decisionId.localeCompare(b.decisionId));
    while (left.length) {
      const chunk = left.slice(0, DIGEST_MAX_ITEMS);
      const ids = chunk.map((e) => e.decisionId);
      const items = await withAgencyNames(deps, chunk.map((e) => digestItem(e, '')));
      const notice: Notice = {
        // the same entries always give the same id: a digest of them can exist once
        id: `digest#${jurisdiction.jurisdictionId}#${day}#${kind}#${recipientKey}#${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`,
        kind,
        jurisdictionId: jurisdiction.jurisdictionId,
        decisionIds: ids,
        to,
        ...renderDigest(kind, { day, recipientName }, items),
        status: 'PENDING',
        createdAt,
      };
      const result = await deps.sweeps.writeDigest(notice, chunk);
      if (result.ok) {
        written++;
        left = left.slice(chunk.length);
      } else {
        // another sweep listed some of them first: list the rest without them
        const taken = new Set(result.taken.map(entryId));
        left = left.filter((e) => !taken.has(entryId(e)));
      }
    }
  }
  return written;
}

async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The daily warning to operators while next year's national holiday schedule is missing (from 15 November). */
export async function calendarWatch(
  deps: Pick<SweepDeps, 'calendarFor' | 'now' | 'log'> & { sweeps: Pick<SweepWrites, 'putNoticeOnce'>; operatorEmails: readonly string[] },
  day: string,
): Promise<'written' | 'exists' | 'not-needed'> {
  const coverage = deps.calendarFor(undefined).coverage(day);
  if (!coverage.warn) return 'not-needed';
  const written = await deps.sweeps.putNoticeOnce({
    id: `calendar-watch#${day}`,
    kind: 'CALENDAR_WATCH',
    to: [...deps.operatorEmails],
    ...renderCalendarWatch({ day, missingYear: coverage.nextYear, loadedYears: coverage.loadedYears }),
    status: 'PENDING',
    createdAt: deps.now().toISOString(),
  });
  if (written) deps.log('WARN', coverage.message!, { day, missingYear: coverage.nextYear, operators: deps.operatorEmails.length });
  return written ? 'written' : 'exists';
}

export interface SweepMessage {
  jurisdictionId: string;
  day: string;
}

/** The scheduled start: one sweep message per jurisdiction (the fan-out), and the calendar watch. */
export async function planSweeps(
  deps: Parameters<typeof calendarWatch>[0] & { jurisdictions: () => Promise<JurisdictionRecord[]>; queue: { enqueue: (m: SweepMessage) => Promise<void> } },
  day: string,
): Promise<{ day: string; jurisdictions: number; calendarWatch: string }> {
  const jurisdictions = await deps.jurisdictions();
  for (const j of jurisdictions) await deps.queue.enqueue({ jurisdictionId: j.jurisdictionId, day });
  const watch = await calendarWatch(deps, day);
  deps.log('INFO', 'deadline sweeps queued', { day, jurisdictions: jurisdictions.length, calendarWatch: watch });
  return { day, jurisdictions: jurisdictions.length, calendarWatch: watch };
}

export { workingDaysOverdue };
