import type { WorkingCalendar } from '../domain/calendar.ts';
import { nationalCalendar } from '../domain/national-calendar.ts';
import type { CursorCodec } from '../http/cursor.ts';
import type { BeianStore } from '../store/beian-store.ts';
import type { JurisdictionRecord } from '../store/records.ts';

/** What the use cases need from the outside world; the handler wires the real ones. */
export interface Deps {
  store: BeianStore;
  cursors: CursorCodec;
  now: () => Date;
  newId: () => string;
  calendarFor: (jurisdiction: JurisdictionRecord | undefined) => WorkingCalendar;
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
