import { WorkingCalendar } from '../domain/calendar.ts';
import { nationalCalendar, yearFilesWith } from '../domain/national-calendar.ts';
import type { JurisdictionRecord, LoadedYear } from '../domain/records.ts';
import { ttlCache } from '../cache.ts';
import type { DecisionRepository, PageCursors, QuotaCounter, RegistryRepository } from './ports.ts';

/** What the use cases need from the outside world (the ports are in ports.ts); the handler wires the real ones. */
export interface Deps {
  store: DecisionRepository & RegistryRepository;
  cursors: PageCursors;
  now: () => Date;
  newId: () => string;
  calendarFor: (jurisdiction: JurisdictionRecord | undefined) => WorkingCalendar;
  /** a jurisdiction's rules, as used to classify and to count days; may be remembered briefly */
  rules: RulesCache;
  /** per-agency daily quotas on writes */
  quotas: QuotaCounter;
}

export interface RulesCache {
  get(jurisdictionId: string): Promise<JurisdictionRecord | undefined>;
  /** after a change: the next get reads the table */
  forget(jurisdictionId: string): void;
}

/**
 * Jurisdiction rules, remembered for `ttlMs` per warm function: reporting a decision then costs no read
 * of them. A change made through this function applies at once; one made through another warm instance
 * applies within `ttlMs` (rules changes carry an effective date, normally days ahead).
 */
export function rulesCache(load: (id: string) => Promise<JurisdictionRecord | undefined>, ttlMs = 10_000, now = () => Date.now()): RulesCache {
  const cached = ttlCache(load, { ttlMs, keepMissing: false, now });
  return { get: cached, forget: cached.forget };
}

/**
 * The national calendar with a jurisdiction's own days on top, built once per jurisdiction version and
 * national calendar (`national`: the shipped one, or a LiveCalendar's current one).
 */
export function calendarCache(national: () => WorkingCalendar = nationalCalendar): Deps['calendarFor'] {
  const cache = new Map<string, { version: string; base: WorkingCalendar; calendar: WorkingCalendar }>();
  return (jurisdiction) => {
    const base = national();
    if (!jurisdiction || (!jurisdiction.extraOffDays.length && !jurisdiction.extraWorkingDays.length)) return base;
    const hit = cache.get(jurisdiction.jurisdictionId);
    if (hit?.version === jurisdiction.updatedAt && hit.base === base) return hit.calendar;
    const calendar = base.withExtras(jurisdiction);
    cache.set(jurisdiction.jurisdictionId, { version: jurisdiction.updatedAt, base, calendar });
    return calendar;
  };
}

/** How long a warm function uses the national calendar it read before reading the loaded years again. */
export const CALENDAR_REFRESH_MS = 60_000;

/**
 * The national calendar in force: the shipped years with the years an admin loaded (PUT /v1/calendar/{year})
 * in their place. `current()` is synchronous, so counting days costs nothing extra; `refresh()`, awaited
 * once per invocation, reads the loaded years again when the last read is older than `ttlMs` (one Query of
 * the small CAL partition a minute per warm function), so every function sees a newly loaded year within a
 * minute without a redeploy. A failed read keeps the calendar it has and is tried again at the next refresh.
 */
export class LiveCalendar {
  /** built at the first use, not at the cold start (laying the calendar out costs milliseconds) */
  private calendar: WorkingCalendar | undefined;
  private version = '';
  private readAt = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly load: () => Promise<readonly LoadedYear[]>,
    private readonly ttlMs = CALENDAR_REFRESH_MS,
    private readonly now: () => number = Date.now,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  current = (): WorkingCalendar => (this.calendar ??= nationalCalendar());

  /** Reads the loaded years if the last read is older than the TTL (or `force`); concurrent calls share one read. */
  refresh(force = false): Promise<void> {
    if (!force && this.now() - this.readAt < this.ttlMs) return Promise.resolve();
    return (this.inFlight ??= this.read().finally(() => (this.inFlight = undefined)));
  }

  private async read(): Promise<void> {
    try {
      const loaded = await this.load();
      const version = loaded.map((y) => `${y.year}@${y.loadedAt}`).sort().join(',');
      if (version !== this.version) {
        this.calendar = loaded.length ? WorkingCalendar.fromYearFiles(yearFilesWith(loaded.map((y) => ({ fileName: `${y.year}.json (loaded)`, content: y.file })))) : nationalCalendar();
        this.version = version;
      }
      this.readAt = this.now();
    } catch (e) {
      this.onError(e);
    }
  }
}
