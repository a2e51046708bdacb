import { ttlCache } from '../cache.ts';
import { env } from '../../functions/manifest.ts';
import { log } from '../log.ts';
import { sqsQueue } from '../queue/filing-queue.ts';
import type { BeianStore } from '../store/beian-store.ts';
import { SupervisionStore } from '../store/supervision-store.ts';
import { storage } from './storage.ts';
import { LiveCalendar, calendarCache } from '../use-cases/deps.ts';
import { CalendarStore } from '../store/calendar-store.ts';
import type { SweepDeps, SweepMessage } from '../use-cases/supervision.ts';

/** The sweep's dependencies; `store` also lists jurisdictions for the scheduled start. */
export function supervisionDeps(): SweepDeps & { store: BeianStore } {
  const { db, tableName, store } = storage();
  // agency names and contacts for a digest: read once per sweep invocation, not once per decision
  const cached = { ttlMs: 60_000, keepMissing: false };
  const calendars = new CalendarStore(db, tableName);
  const live = new LiveCalendar(() => calendars.loaded(), undefined, undefined, (e) => log('WARN', 'could not read the loaded calendar years; counting on the ones read before', { error: (e as Error).message }));
  return {
    store,
    sweeps: new SupervisionStore(db, tableName),
    registry: {
      agency: ttlCache((id: string) => store.getAgency(id), cached),
    },
    calendarFor: calendarCache(live.current),
    refreshCalendar: () => live.refresh(),
    now: () => new Date(),
    log,
  };
}

export function sweepQueue(e: NodeJS.ProcessEnv = process.env) {
  const queueUrl = e[env.queueUrl('sweeps')];
  if (!queueUrl) throw new Error(`${env.queueUrl('sweeps')} is not set: the function was deployed without the binding that sets it`);
  return sqsQueue<SweepMessage>({ queueUrl, endpoint: e.SQS_ENDPOINT });
}

export const operatorEmails = (e: NodeJS.ProcessEnv = process.env) =>
  (e[env.operatorEmails] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
