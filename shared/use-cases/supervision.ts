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
  DEFAULT_SUPERVISION,
  OBLIGATION_FIELDS,
  type ObligationKind,
  type ObligationLine,
  obligationOf,
  type SupervisionSettings,
  planObligation,
  sweepWindowEnd,
  weeklySummaryWeek,
  workingDaysOverdue,
} from '../domain/supervision.ts';
import { type HistoryEvent, SYSTEM, historyEvent } from '../domain/history.ts';
import type { AgencyRecord, DecisionRecord, JurisdictionRecord, Notice } from '../domain/records.ts';
import { renderCalendarWatch, renderDigest, renderWeeklySummary, type DigestItem, type DigestKind } from '../notices/digests.ts';
import type { RenderedMail } from '../notices/receipt.ts';
import { type DeadlineWrites, correctProvisional, recomputeDeadlines } from './deadlines.ts';

/** One line of a digest, as the sweep wrote it. */
export interface DigestEntry extends ObligationLine {
  jurisdictionId: string;
  /** the sweep day it belongs to */
  day: string;
  kind: DigestKind;
  /** the agency (reminders, overdue) or the jurisdiction (escalations) whose addresses get the digest */
  recipientKey: string;
  /** the digest notice that lists it, once one does */
  digestId?: string;
}

export interface SweepRun {
  runId: string;
  day: string;
}

/** What the sweep learns from its begin: the jurisdiction, its agencies' directory entries, the bookkeeping. */
export interface BegunSweep {
  jurisdiction: JurisdictionRecord;
  /** agency id -> what PUT /v1/agencies keeps on the jurisdiction for mail */
  agencies: Map<string, { name: string; contactEmails: string[] }>;
  state: SweepState;
}

export interface SweepState {
  lastCompletedOn?: string;
  /** the holiday years loaded when the last sweep completed: a new one makes provisional dates final */
  calendarYears?: number[];
  /** sweeps begun and not completed (crashed, or running now) */
  runs: SweepRun[];
}

/** The sweep's reads and writes (shared/store/supervision-store.ts): each write conditional, so nothing happens twice. */
export interface SweepWrites extends DeadlineWrites {
  /** open obligations due on or before `upTo`, page by page, oldest due first */
  openDue(jurisdictionId: string, upTo: string): AsyncIterable<DecisionRecord[]>;
  /** a reminder's entry, once; false when written before */
  writeEntry(entry: DigestEntry, event: HistoryEvent): Promise<boolean>;
  /** overdue, only from the status read, with its entry; false when the decision changed first */
  flagOverdue(d: DecisionRecord, kind: ObligationKind, overdueSince: string, entry: DigestEntry, at: string, event: HistoryEvent): Promise<boolean>;
  /** escalated once, with its entry */
  escalate(d: DecisionRecord, kind: ObligationKind, day: string, entry: DigestEntry, at: string, event: HistoryEvent): Promise<boolean>;
  /** the day's entries no digest lists yet */
  undigestedEntries(jurisdictionId: string, day: string): Promise<DigestEntry[]>;
  /** the digest notice with the marking of each entry it lists; the entries another digest took first otherwise */
  writeDigest(notice: Notice, entries: readonly DigestEntry[]): Promise<{ ok: true } | { ok: false; taken: DigestEntry[] }>;
  /** a notice with a deterministic id, put only if absent */
  putNoticeOnce(notice: Notice): Promise<boolean>;
  /** records the run begun; undefined for an unknown jurisdiction */
  beginRun(jurisdictionId: string, run: SweepRun): Promise<BegunSweep | undefined>;
  endRun(jurisdictionId: string, run: SweepRun, recovered: readonly SweepRun[], calendarYears: readonly number[]): Promise<void>;
  /** read capacity consumed so far */
  readonly readUnits: number;
}

export interface SweepDeps {
  sweeps: SweepWrites;
  /** an agency's name and addresses, when the jurisdiction's item does not list it (registered before it did) */
  registry: {
    agency: (id: string) => Promise<Pick<AgencyRecord, 'name' | 'contactEmails'> | undefined>;
  };
  calendarFor: (jurisdiction: JurisdictionRecord | undefined) => WorkingCalendar;
  /** reads the national years loaded at run time again when they are older than a minute (LiveCalendar) */
  refreshCalendar?: () => Promise<void>;
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
/** Decisions per part of a weekly summary: a notice is one DynamoDB item (at most 400 KB). */
export const WEEKLY_MAX_ITEMS = 150;

/** A jurisdiction's settings, with the defaults; a reminder window as long as the filing period is cut to the period less a day. */
export const supervisionSettings = (j: JurisdictionRecord): SupervisionSettings => ({
  reminderWorkingDaysBefore: Math.min(j.reminderWorkingDaysBefore ?? DEFAULT_SUPERVISION.reminderWorkingDaysBefore, (j.filingPeriodWorkingDays ?? 10) - 1),
  escalationWorkingDaysOverdue: j.escalationWorkingDaysOverdue ?? DEFAULT_SUPERVISION.escalationWorkingDaysOverdue,
});


export async function sweepJurisdiction(deps: SweepDeps, jurisdictionId: string, day: string): Promise<SweepReport> {
  const report: SweepReport = {
    jurisdictionId, day, itemsRead: 0, reminders: 0, overdueFlagged: 0, escalations: 0, dueDatesCorrected: 0,
    noticesWritten: 0, weeklySummary: false, recoveredEntries: 0, readUnits: 0,
  };
  await deps.refreshCalendar?.();
  const unitsBefore = deps.sweeps.readUnits;
  const at = () => deps.now().toISOString();
  const run: SweepRun = { runId: randomUUID(), day };
  // one write, no read: the jurisdiction's rules, its agencies' names and addresses, the bookkeeping
  const begun = await deps.sweeps.beginRun(jurisdictionId, run);
  if (!begun) {
    deps.log('WARN', 'sweep of an unknown jurisdiction skipped', { jurisdictionId, day });
    return report;
  }
  const { jurisdiction, state } = begun;
  // an agency registered before the jurisdiction kept its directory is read, once per sweep
  const agencies = new Map<string, Promise<Pick<AgencyRecord, 'name' | 'contactEmails'> | undefined>>(
    [...begun.agencies].map(([id, entry]) => [id, Promise.resolve(entry)]),
  );
  const readAgency = deps.registry.agency;
  deps = { ...deps, registry: { agency: (id) => agencies.get(id) ?? (agencies.set(id, readAgency(id)), agencies.get(id)!) } };
  const calendar = deps.calendarFor(jurisdiction);
  const settings = supervisionSettings(jurisdiction);
  const entries: DigestEntry[] = [];
  const overdue: DigestItem[] = [];

  // A provisional due date is final once its year is loaded: correct the ones a newly loaded year covers
  // (a one-off read of that year's open items). The very first sweep only records the years: the items
  // it reads are corrected as they come into the window, before anything is decided on them.
  const loadedYears = calendar.loadedYears();
  const thisYear = yearOf(parseIsoDate(day));
  const newlyLoaded = state.calendarYears ? loadedYears.filter((y) => y >= thisYear - 1 && !state.calendarYears!.includes(y)) : [];
  if (newlyLoaded.length) report.dueDatesCorrected += await recomputeDeadlines(deps, jurisdiction, `${Math.min(...newlyLoaded)}-01-01`, calendar, SYSTEM.sweep, at);

  const work = async (d: DecisionRecord) => {
    let o = obligationOf(d);
    if (!o) return;
    if (o.provisional && (await correctProvisional(deps, d, o.kind, jurisdiction, calendar, at()))) {
      report.dueDatesCorrected++;
      o = obligationOf(d)!;
    }
    const plan = planObligation({ overdue: o.overdue, dueOn: o.dueOn, escalatedOn: o.escalatedOn }, day, settings, calendar);
    const kinds = ENTRY_KINDS[o.kind];
    const line = (kind: DigestEntry['kind'], extra: Partial<DigestEntry>): DigestEntry => ({
      jurisdictionId, day, kind, recipientKey: kind === kinds.escalation ? jurisdictionId : d.agencyId,
      decisionId: d.id, caseNumber: d.caseNumber, agencyId: d.agencyId, decidedOn: d.decidedOn, filingDueOn: o!.dueOn,
      dueProvisional: o!.provisional, ...(d.lateExplanation && o!.kind === 'FILING' && { lateExplanation: d.lateExplanation }), ...extra,
    });
    const what = o.kind === 'FILING' ? 'filing' : 'correction';
    if (plan.remind) {
      const entry = line(kinds.reminder, { workingDaysLeft: plan.remind.workingDaysLeft });
      const event = historyEvent('NOTICE_WRITTEN', at(), SYSTEM.sweep, d.status, d.status, `${what} reminder: ${plan.remind.workingDaysLeft} working day(s) left (due ${o.dueOn})`);
      if (await deps.sweeps.writeEntry(entry, event)) (report.reminders++, entries.push(entry));
    }
    const overdueDays = plan.workingDaysOverdue;
    const overdueStatus = OBLIGATION_FIELDS[o.kind].overdueStatus;
    if (plan.flagOverdue) {
      const entry = line(kinds.overdue, { workingDaysOverdue: overdueDays! });
      const event = historyEvent(overdueStatus, at(), SYSTEM.sweep, d.status, overdueStatus, `${what} due ${o.dueOn} not received; overdue notice written`);
      // a filing that landed since the read wins: the condition fails and nothing is written
      if (await deps.sweeps.flagOverdue(d, o.kind, plan.flagOverdue.overdueSince, entry, at(), event)) {
        report.overdueFlagged++;
        entries.push(entry);
        d.status = overdueStatus;
        if (o.kind === 'FILING') d.overdueSince = plan.flagOverdue.overdueSince;
        else d.correctionOverdueSince = plan.flagOverdue.overdueSince;
      }
    }
    if (d.status !== overdueStatus) return;
    if (plan.escalate) {
      const entry = line(kinds.escalation, { workingDaysOverdue: overdueDays! });
      const event = historyEvent('ESCALATED', at(), SYSTEM.sweep, d.status, d.status, `${what} ${overdueDays} working day(s) overdue; escalation notice written`);
      if (await deps.sweeps.escalate(d, o.kind, day, entry, at(), event)) (report.escalations++, entries.push(entry));
    }
    overdue.push(digestItem(line(kinds.overdue, { workingDaysOverdue: overdueDays! }), ''));
  };

  for await (const page of deps.sweeps.openDue(jurisdictionId, sweepWindowEnd(day, settings, calendar))) {
    if (deps.outOfTime?.()) throw new SweepInterruptedError(`sweep of ${jurisdictionId} for ${day} ran out of time after ${report.itemsRead} items; it resumes when run again`);
    report.itemsRead += page.length;
    await inParallel(page, deps.concurrency ?? 16, work);
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
    const items = (await withAgencyNames(deps, overdue)).sort((a, b) => a.filingDueOn.localeCompare(b.filingDueOn) || a.decisionId.localeCompare(b.decisionId));
    const parts = await weeklySummaryParts({ day, weekOf: week, jurisdictionName: jurisdiction.name }, items);
    for (const [i, { chunk, mail }] of parts.entries()) {
      const written = await deps.sweeps.putNoticeOnce({
        id: `weekly#${jurisdictionId}#${week}${i ? `#${i + 1}` : ''}`,
        kind: 'WEEKLY_SUMMARY',
        jurisdictionId,
        decisionIds: chunk.map((item) => item.decisionId),
        to: jurisdiction.escalationEmails,
        ...mail,
        status: 'PENDING',
        createdAt: at(),
      });
      if (written) (report.weeklySummary = true), report.noticesWritten++;
    }
  }
  await deps.sweeps.endRun(jurisdictionId, run, others, loadedYears);
  report.readUnits = deps.sweeps.readUnits - unitsBefore;
  deps.log('INFO', 'deadline sweep completed', { ...report });
  return report;
}

/** The digest kinds of each obligation. */
const ENTRY_KINDS = {
  FILING: { reminder: 'FILING_REMINDER', overdue: 'FILING_OVERDUE', escalation: 'ESCALATION' },
  CORRECTION: { reminder: 'CORRECTION_REMINDER', overdue: 'CORRECTION_OVERDUE', escalation: 'CORRECTION_ESCALATION' },
} as const satisfies Record<ObligationKind, Record<string, DigestEntry['kind']>>;
const isEscalation = (kind: DigestEntry['kind']) => kind === 'ESCALATION' || kind === 'CORRECTION_ESCALATION';

const entryId = (e: DigestEntry) => `${e.day}#${e.kind}#${e.recipientKey}#${e.decisionId}`;

function digestItem(entry: DigestEntry, agencyName: string): DigestItem {
  const { jurisdictionId: _j, day: _d, kind: _k, recipientKey: _r, digestId: _g, ...line } = entry;
  return { ...line, agencyName };
}

async function withAgencyNames(deps: SweepDeps, items: DigestItem[]): Promise<DigestItem[]> {
  return Promise.all(items.map(async (i) => ({ ...i, agencyName: (await deps.registry.agency(i.agencyId))?.name ?? i.agencyId })));
}

/**
 * One digest per (day, kind, recipient), in parts of at most DIGEST_MAX_ITEMS entries and NOTICE_MAX_BYTES
 * each. A group that cannot be written is logged and the others go on; the sweep then fails, so its
 * message comes back and the rerun writes only what is missing. Returns the notices written.
 */
async function writeDigests(deps: SweepDeps, jurisdiction: JurisdictionRecord, entries: readonly DigestEntry[], createdAt: string): Promise<number> {
  const groups = new Map<string, DigestEntry[]>();
  for (const e of entries) {
    const key = `${e.day}#${e.kind}#${e.recipientKey}`;
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  let written = 0;
  const failed: string[] = [];
  for (const [key, group] of groups) {
    const { day, kind, recipientKey } = group[0]!;
    try {
      const agency = isEscalation(kind) ? undefined : await deps.registry.agency(recipientKey);
      const to = isEscalation(kind) ? jurisdiction.escalationEmails : (agency?.contactEmails ?? []);
      const recipientName = isEscalation(kind) ? jurisdiction.name : (agency?.name ?? recipientKey);
      const render = async (chunk: readonly DigestEntry[]) => renderDigest(kind, { day, recipientName }, await withAgencyNames(deps, chunk.map((e) => digestItem(e, ''))));
      let left = [...group].sort((a, b) => a.filingDueOn.localeCompare(b.filingDueOn) || a.decisionId.localeCompare(b.decisionId));
      while (left.length) {
        const { chunk, mail } = await fitting(left, DIGEST_MAX_ITEMS, render);
        const ids = chunk.map((e) => e.decisionId);
        const notice: Notice = {
          // the same entries always give the same id: a digest of them can exist once
          id: `digest#${jurisdiction.jurisdictionId}#${day}#${kind}#${recipientKey}#${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`,
          kind,
          jurisdictionId: jurisdiction.jurisdictionId,
          ...(!isEscalation(kind) && { agencyId: recipientKey }),
          decisionIds: ids,
          to,
          ...mail,
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
    } catch (e) {
      failed.push(key);
      deps.log('ERROR', 'a digest could not be written; the other digests go on, and the rerun of this sweep writes it', {
        jurisdictionId: jurisdiction.jurisdictionId, digest: key, entries: group.length, error: (e as Error).message,
      });
    }
  }
  if (failed.length) throw new Error(`${failed.length} digest(s) of ${jurisdiction.jurisdictionId} could not be written (${failed.join(', ')}): the sweep is retried`);
  return written;
}

/** A notice is one DynamoDB item (at most 400 KB): its mail is kept well below, with room for the rest. */
export const NOTICE_MAX_BYTES = 300_000;
const mailBytes = (m: RenderedMail) => Buffer.byteLength(m.subject) + Buffer.byteLength(m.text) + Buffer.byteLength(m.html);

/** The longest head of `items` (at most `max`) whose rendered mail fits NOTICE_MAX_BYTES, halving until it does. */
async function fitting<T>(items: readonly T[], max: number, render: (chunk: readonly T[]) => Promise<RenderedMail>): Promise<{ chunk: T[]; mail: RenderedMail }> {
  for (let size = Math.min(max, items.length); ; size = Math.max(1, Math.floor(size / 2))) {
    const chunk = items.slice(0, size);
    const mail = await render(chunk);
    if (mailBytes(mail) <= NOTICE_MAX_BYTES || size === 1) return { chunk, mail };
  }
}

/** The weekly summary in parts (each one mail and one notice item of at most NOTICE_MAX_BYTES), numbered when more than one. */
export async function weeklySummaryParts(base: { day: string; weekOf: string; jurisdictionName: string }, items: readonly DigestItem[]) {
  const parts: { chunk: DigestItem[]; mail: RenderedMail }[] = [];
  for (let left = items; left.length; ) {
    const part = await fitting(left, WEEKLY_MAX_ITEMS, async (chunk) => renderWeeklySummary(base, chunk));
    parts.push(part);
    left = left.slice(part.chunk.length);
  }
  return parts.length > 1 ? parts.map(({ chunk }, i) => ({ chunk, mail: renderWeeklySummary({ ...base, part: i + 1, parts: parts.length }, chunk) })) : parts;
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
  deps: Pick<SweepDeps, 'calendarFor' | 'refreshCalendar' | 'now' | 'log'> & { sweeps: Pick<SweepWrites, 'putNoticeOnce'>; operatorEmails: readonly string[] },
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
  await deps.refreshCalendar?.();
  const jurisdictions = await deps.jurisdictions();
  for (const j of jurisdictions) await deps.queue.enqueue({ jurisdictionId: j.jurisdictionId, day });
  const watch = await calendarWatch(deps, day);
  deps.log('INFO', 'deadline sweeps queued', { day, jurisdictions: jurisdictions.length, calendarWatch: watch });
  return { day, jurisdictions: jurisdictions.length, calendarWatch: watch };
}

export { workingDaysOverdue };
