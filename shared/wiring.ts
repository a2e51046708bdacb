/**
 * Builds the real dependencies of the functions from their environment, once per cold start.
 * Each handler takes only what it needs.
 */
import { randomUUID } from 'node:crypto';
import { ttlCache } from './cache.ts';
import { cursorSecret, filingsQueueConfig, mailConfig } from './config.ts';
import { CursorCodec } from './http/cursor.ts';
import { log } from './log.ts';
import { sesMailer } from './mail/mailer.ts';
import { sqsFilingQueue } from './queue/filing-queue.ts';
import { BeianStore } from './store/beian-store.ts';
import { createDocumentClient, storeConfigFromEnv } from './store/dynamo.ts';
import { FilingStore } from './store/filing-store.ts';
import { calendarCache } from './use-cases/deps.ts';
import type { FilingDeps, ProcessorDeps } from './use-cases/filings.ts';

function storage() {
  const config = storeConfigFromEnv();
  const db = createDocumentClient(config);
  return { store: new BeianStore(db, config.tableName), filings: new FilingStore(db, config.tableName) };
}

const base = () => ({ ...storage(), now: () => new Date(), newId: randomUUID, calendarFor: calendarCache(), log });

export function apiDeps(): FilingDeps {
  return { ...base(), cursors: new CursorCodec(cursorSecret()), queue: sqsFilingQueue(filingsQueueConfig()) };
}

export function processorDeps(): ProcessorDeps {
  const deps = base();
  // a receipt may show a jurisdiction's prefix or an agency's contacts up to a minute old
  const cached = { ttlMs: 60_000, keepMissing: false };
  const registry = {
    jurisdiction: ttlCache((id: string) => deps.store.getJurisdiction(id), cached),
    agency: ttlCache((id: string) => deps.store.getAgency(id), cached),
  };
  return { ...deps, mailer: sesMailer(mailConfig()), registry };
}

export function reconcilerDeps(): Pick<FilingDeps, 'filings' | 'queue' | 'now' | 'log'> {
  return { filings: storage().filings, queue: sqsFilingQueue(filingsQueueConfig()), now: () => new Date(), log };
}
