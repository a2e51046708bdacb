import { randomUUID } from 'node:crypto';
import { callerRateLimit, cursorSecret, filingsQueueConfig, identityConfig } from '../config.ts';
import { CursorCodec } from '../http/cursor.ts';
import { log } from '../log.ts';
import { sqsFilingQueue } from '../queue/filing-queue.ts';
import { LiveCalendar, calendarCache, rulesCache } from '../use-cases/deps.ts';
import { CalendarStore } from '../store/calendar-store.ts';
import type { ApiDeps } from '../../functions/api/routes.ts';
import { SupervisionStore } from '../store/supervision-store.ts';
import { ReviewStore } from '../store/review-store.ts';
import { StatsStore } from '../store/stats.ts';
import { DocumentStore } from '../store/document-store.ts';
import { documentFilesConfig, s3DocumentFiles } from '../files/document-files.ts';
import { DailyQuotas, RateLimiter } from '../store/rate-limit.ts';
import { storage } from './storage.ts';

export function apiDeps(): ApiDeps {
  const { store, filings, db, tableName } = storage();
  const calendarStore = new CalendarStore(db, tableName);
  const live = new LiveCalendar(() => calendarStore.loaded(), undefined, undefined, (e) => log('WARN', 'could not read the loaded calendar years; counting on the ones read before', { error: (e as Error).message }));
  return {
    store,
    filings,
    rules: rulesCache((id) => store.getJurisdiction(id)),
    now: () => new Date(),
    newId: randomUUID,
    calendarFor: calendarCache(live.current),
    calendars: { loaded: () => calendarStore.loaded(), versions: (year) => calendarStore.versions(year), put: (y) => calendarStore.put(y), refresh: (force) => live.refresh(force) },
    log,
    cursors: new CursorCodec(cursorSecret()),
    queue: sqsFilingQueue(filingsQueueConfig()),
    sweeps: new SupervisionStore(db, tableName),
    reviews: new ReviewStore(db, tableName),
    rateLimiter: new RateLimiter(db, tableName, callerRateLimit()),
    identity: identityConfig(),
    quotas: new DailyQuotas(db, tableName),
    documents: new DocumentStore(db, tableName),
    files: s3DocumentFiles(documentFilesConfig()),
    stats: new StatsStore(db, tableName),
  };
}
