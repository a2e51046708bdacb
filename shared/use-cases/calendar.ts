import type { Caller } from '../auth/caller.ts';
import { CalendarDataError, type HolidayYear, WorkingCalendar, yearFileProblems } from '../domain/calendar.ts';
import { shanghaiDate } from '../domain/dates.ts';
import type { CalendarYearBody } from '../schemas/api.ts';
import { nationalYearFiles } from '../domain/holiday-cn/index.ts';
import { yearFilesWith } from '../domain/national-calendar.ts';
import { actorOf } from '../domain/history.ts';
import type { CalendarVersion, LoadedYear } from '../domain/records.ts';
import { InvalidInputError, notFound } from '../errors.ts';
import type { Deps } from './deps.ts';
import { type DeadlineWrites, recomputeDeadlines } from './deadlines.ts';
import type { RegistryRepository } from './ports.ts';

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

/** The national calendar's years loaded at run time (shared/store/calendar-store.ts). */
export interface LoadedYears {
  loaded(): Promise<readonly LoadedYear[]>;
  versions(year: number): Promise<CalendarVersion[]>;
  put(year: LoadedYear): Promise<void>;
}

/** The loaded years, and the live calendar of this function (shared/use-cases/deps.ts). */
export interface CalendarAdmin extends LoadedYears {
  /** read the loaded years again now (this function then counts on the new year at once) */
  refresh(force?: boolean): Promise<void>;
}

export interface CalendarDeps extends Pick<Deps, 'now' | 'calendarFor'> {
  store: Pick<RegistryRepository, 'listJurisdictions'>;
  calendars: CalendarAdmin;
  sweeps: DeadlineWrites;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
}

export interface CalendarYearView extends HolidayYear {
  /** shipped: bundled with this version of Beian (holiday-cn); loaded: by an admin through PUT /v1/calendar/{year} */
  source: 'shipped' | 'loaded';
  /** true for a year whose notice is not in (a shipped placeholder without days): dates in it are counted provisionally */
  provisional: boolean;
  loadedAt?: string;
  /** admins see the person (role and subject), others the role only */
  loadedBy?: Pick<LoadedYear['loadedBy'], 'role'> & Partial<LoadedYear['loadedBy']>;
  /** admins: every version loaded, newest first */
  versions?: CalendarVersion[];
}

/** A year of the national calendar in force, with where it came from. 404 for a year neither shipped nor loaded. */
export async function calendarYear(deps: Pick<CalendarDeps, 'calendars'>, caller: Caller, year: number): Promise<CalendarYearView> {
  const loaded = (await deps.calendars.loaded()).find((y) => y.year === year);
  if (loaded) {
    // which admin loaded it, and every version, is the admins' business; others see that an admin loaded it, and when
    const who = caller.role === 'admin' ? { loadedBy: loaded.loadedBy, versions: await deps.calendars.versions(year) } : { loadedBy: { role: loaded.loadedBy.role } };
    return { ...loaded.file, source: 'loaded', provisional: false, loadedAt: loaded.loadedAt, ...who };
  }
  const shipped = nationalYearFiles.find((f) => (f.content as HolidayYear).year === year)?.content as HolidayYear | undefined;
  if (!shipped) throw notFound(`the calendar has no ${year}: load its schedule with PUT /v1/calendar/${year}`);
  return { ...shipped, source: 'shipped', provisional: shipped.days.length === 0 };
}

/** The years an admin may load: last year (a corrected notice), this year and next year (Shanghai). */
const loadableYears = (now: Date) => {
  const thisYear = Number(shanghaiDate(now).slice(0, 4));
  return { from: thisYear - 1, to: thisYear + 1 };
};

/**
 * Loads a year's national schedule (holiday-cn format), validated as the shipped files are and more (see
 * `yearFileProblems`): a bad entry is a 400 naming it, and nothing is stored. Then every function counts on
 * it within a minute (this one at once), and every open deadline due from the first date the old or new file
 * touches that the load moves (a provisional one, or one counted on the year as loaded before: loading a
 * corrected file repairs them) is counted again on it, each change an event in its decision's history (the
 * admin as actor). Loading a year again replaces it; every version is kept (GET shows them to admins).
 */
export async function loadCalendarYear(deps: CalendarDeps, caller: Caller, year: number, body: CalendarYearBody): Promise<CalendarYearView & { recomputedDeadlines: number }> {
  const range = loadableYears(deps.now());
  if (year < range.from || year > range.to) {
    throw new InvalidInputError([{ field: 'year', in: 'path', reason: `must be from ${range.from} to ${range.to}: last year, this year or next year` }]);
  }
  if (body.year !== year) throw new InvalidInputError([{ field: 'year', in: 'body', reason: `is ${body.year}, but the path says ${year}` }]);
  if (!body.days.length) {
    throw new InvalidInputError([{ field: 'days', in: 'body', reason: `is empty: load ${year} once the State Council's holiday notice for it is out` }]);
  }
  const loaded = await deps.calendars.loaded();
  const fileOf = (y: number): HolidayYear | undefined =>
    loaded.find((l) => l.year === y)?.file ?? (nationalYearFiles.find((f) => (f.content as HolidayYear).year === y)?.content as HolidayYear | undefined);
  const problems = yearFileProblems(body, fileOf(year - 1));
  if (problems.length) throw new InvalidInputError(problems.map((p) => ({ ...p, in: 'body' as const })));

  const record: LoadedYear = { year, file: { year, papers: body.papers, days: body.days }, loadedAt: deps.now().toISOString(), loadedBy: actorOf(caller) };
  const files = (years: readonly LoadedYear[]) => yearFilesWith(years.map((y) => ({ fileName: `${y.year}.json`, content: y.file })));
  // the calendar in force until now: deadlines counted on it that this load moves are counted again
  const before = WorkingCalendar.fromYearFiles(files(loaded));
  let calendar: WorkingCalendar;
  try {
    calendar = WorkingCalendar.fromYearFiles(files([...loaded.filter((y) => y.year !== year), record]));
  } catch (e) {
    if (!(e instanceof CalendarDataError)) throw e;
    // "2027.json: entry days.3.date: must be ..." -> the field and the reason
    const m = /^[^:]*: entry (\S+): (.*)$/s.exec(e.message);
    throw new InvalidInputError([{ field: m?.[1] ?? '', in: 'body', reason: m?.[2] ?? e.message }]);
  }
  await deps.calendars.put(record);
  await deps.calendars.refresh(true);
  // the first day either version of the file speaks of (a New Year holiday may start in December)
  const from = [`${year}-01-01`, ...body.days.map((d) => d.date), ...(fileOf(year)?.days ?? []).map((d) => d.date)].sort()[0]!;
  const actor = actorOf(caller);
  let recomputedDeadlines = 0;
  for (const j of await deps.store.listJurisdictions()) {
    const local = (c: WorkingCalendar) => (j.extraOffDays.length || j.extraWorkingDays.length ? c.withExtras(j) : c);
    recomputedDeadlines += await recomputeDeadlines(deps, j, from, local(calendar), actor, () => deps.now().toISOString(), local(before));
  }
  deps.log('INFO', 'national calendar year loaded', { year, days: body.days.length, recomputedDeadlines, by: caller.subject });
  return { ...record.file, source: 'loaded', provisional: false, loadedAt: record.loadedAt, loadedBy: record.loadedBy, recomputedDeadlines };
}
