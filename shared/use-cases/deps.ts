import type { WorkingCalendar } from '../domain/calendar.ts';
import { nationalCalendar } from '../domain/national-calendar.ts';
import { ttlCache } from '../cache.ts';
import type { CursorCodec } from '../http/cursor.ts';
import type { BeianStore } from '../store/beian-store.ts';
import type { DailyQuotas } from '../store/rate-limit.ts';
import type { JurisdictionRecord } from '../store/records.ts';

/** What the use cases need from the outside world; the handler wires the real ones. */
export interface Deps {
  store: BeianStore;
  cursors: CursorCodec;
  now: () => Date;
  newId: () => string;
  calendarFor: (jurisdiction: JurisdictionRecord | undefined) => WorkingCalendar;
  /** a jurisdiction's rules, as used to classify and to count days; may be remembered briefly */
  rules: RulesCache;
  /** per-agency daily quotas on writes */
  quotas: Pick<DailyQuotas, 'within'>;
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

/** The national calendar with a jurisdiction's own days on top, built once per jurisdiction version. */
export function calendarCache(): Deps['calendarFor'] {
  const cache = new Map<string, { version: string; calendar: WorkingCalendar }>();
  return (jurisdiction) => {
    if (!jurisdiction || (!jurisdiction.extraOffDays.length && !jurisdiction.extraWorkingDays.length)) return nationalCalendar();
    const hit = cache.get(jurisdiction.jurisdictionId);
    if (hit?.version === jurisdiction.updatedAt) return hit.calendar;
    const calendar = nationalCalendar().withExtras(jurisdiction);
    cache.set(jurisdiction.jurisdictionId, { version: jurisdiction.updatedAt, calendar });
    return calendar;
  };
}
