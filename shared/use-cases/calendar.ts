import type { Caller } from '../auth/caller.ts';
import { CalendarDataError, type HolidayYear, WorkingCalendar } from '../domain/calendar.ts';
import { nationalYearFiles } from '../domain/holiday-cn/index.ts';
import { yearFilesWith } from '../domain/national-calendar.ts';
import { ValidationError, notFound } from '../http/problem.ts';
import type { LoadedYear } from '../store/calendar-store.ts';
import { actorOf } from '../store/history.ts';
import type { BeianStore } from '../store/beian-store.ts';
import type { Deps } from './deps.ts';
import { type DeadlineWrites, recomputeProvisional } from './deadlines.ts';

/** The date `count` working days after `from`, on the national calendar or a jurisdiction's. */
export async function workingDays(deps: Deps, caller: Caller, q: { from: string; count: number; jurisdictionId?: string | undefined }) {
  let jurisdiction;
  if (q.jurisdictionId) {
    // as for GET /v1/jurisdictions/{id}: another jurisdiction's local days are not the caller's business
    if (caller.role !== 'admin' && caller.jurisdictionId !== q.jurisdictionId) throw notFound(`jurisdiction "${q.jurisdictionId}" does not exist or is not visible to you`);
    jurisdiction = await deps.rules.get(q.jurisdictionId);
    if (!jurisdiction) throw notFound(`jurisdiction "${q.jurisdictionId}" does not exist`);
  }
  const due = deps.calendarFor(jurisdiction).addWorkingDays(q.from, q.count);
  return { from: q.from, count: q.count, ...(q.jurisdictionId && { jurisdictionId: q.jurisdictionId }), dueOn: due.date, provisional: due.provisional };
}

/** The national calendar's years loaded at run time, and the live calendar of this function (shared/use-cases/deps.ts). */
export interface CalendarAdmin {
  loaded(): Promise<readonly LoadedYear[]>;
  put(year: LoadedYear): Promise<void>;
  /** read the loaded years again now (this function then counts on the new year at once) */
  refresh(force?: boolean): Promise<void>;
}

export interface CalendarDeps extends Pick<Deps, 'now' | 'calendarFor'> {
  store: Pick<BeianStore, 'listJurisdictions'>;
  calendars: CalendarAdmin;
  sweeps: DeadlineWrites;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
}

export interface CalendarYearView extends HolidayYear {
  /** shipped: bundled with this version of Beian (holiday-cn); loaded: by an admin through PUT /v1/calendar/{year} */
  source: 'shipped' | 'loaded';
  loadedAt?: string;
  loadedBy?: LoadedYear['loadedBy'];
}

/** A year of the national calendar in force, with where it came from. 404 for a year neither shipped nor loaded. */
export async function calendarYear(deps: Pick<CalendarDeps, 'calendars'>, year: number): Promise<CalendarYearView> {
  const loaded = (await deps.calendars.loaded()).find((y) => y.year === year);
  if (loaded) return { ...loaded.file, source: 'loaded', loadedAt: loaded.loadedAt, loadedBy: loaded.loadedBy };
  const shipped = nationalYearFiles.find((f) => (f.content as HolidayYear).year === year);
  if (!shipped) throw notFound(`the calendar has no ${year}: load its schedule with PUT /v1/calendar/${year}`);
  return { ...(shipped.content as HolidayYear), source: 'shipped' };
}

/**
 * Loads a year's national schedule (holiday-cn format), validated as the shipped files are: a bad entry is a
 * 400 naming it, and nothing is stored. Then every function counts on it within a minute (this one at once),
 * and every open provisional deadline due in that year or later is counted again on it, each change an event
 * in its decision's history (the admin as actor). Loading a year again replaces it.
 */
export async function loadCalendarYear(deps: CalendarDeps, caller: Caller, year: number, body: HolidayYear): Promise<CalendarYearView & { recomputedDeadlines: number }> {
  if (body.year !== year) throw new ValidationError([{ field: 'year', in: 'body', reason: `is ${body.year}, but the path says ${year}` }]);
  if (!body.days.length) {
    throw new ValidationError([{ field: 'days', in: 'body', reason: `is empty: load ${year} once the State Council's holiday notice for it is out` }]);
  }
  const record: LoadedYear = { year, file: { year, papers: body.papers, days: body.days }, loadedAt: deps.now().toISOString(), loadedBy: actorOf(caller) };
  const others = (await deps.calendars.loaded()).filter((y) => y.year !== year);
  let calendar: WorkingCalendar;
  try {
    calendar = WorkingCalendar.fromYearFiles(yearFilesWith([...others, record].map((y) => ({ fileName: `${y.year}.json`, content: y.file }))));
  } catch (e) {
    if (!(e instanceof CalendarDataError)) throw e;
    // "2027.json: entry days.3.date: must be ..." -> the field and the reason
    const m = /^[^:]*: entry (\S+): (.*)$/s.exec(e.message);
    throw new ValidationError([{ field: m?.[1] ?? '', in: 'body', reason: m?.[2] ?? e.message }]);
  }
  await deps.calendars.put(record);
  await deps.calendars.refresh(true);
  const actor = actorOf(caller);
  let recomputedDeadlines = 0;
  for (const j of await deps.store.listJurisdictions()) {
    const local = j.extraOffDays.length || j.extraWorkingDays.length ? calendar.withExtras(j) : calendar;
    recomputedDeadlines += await recomputeProvisional(deps, j, year, local, actor, () => deps.now().toISOString());
  }
  deps.log('INFO', 'national calendar year loaded', { year, days: body.days.length, recomputedDeadlines, by: caller.subject });
  return { ...record.file, source: 'loaded', loadedAt: record.loadedAt, loadedBy: record.loadedBy, recomputedDeadlines };
}
