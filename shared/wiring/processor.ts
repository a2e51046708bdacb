import { ttlCache } from '../cache.ts';
import { log } from '../log.ts';
import type { ProcessorDeps } from '../use-cases/filings.ts';
import { storage } from './storage.ts';
import { DocumentStore } from '../store/document-store.ts';
import { sqsFilingQueue } from '../queue/filing-queue.ts';
import { filingsQueueConfig } from '../config.ts';

export function processorDeps(): ProcessorDeps {
  const { store, filings, db, tableName } = storage();
  // a receipt may show a jurisdiction's prefix or an agency's contacts up to a minute old
  const cached = { ttlMs: 60_000, keepMissing: false };
  const registry = {
    jurisdiction: ttlCache((id: string) => store.getJurisdiction(id), cached),
    agency: ttlCache((id: string) => store.getAgency(id), cached),
  };
  return { store, filings, registry, now: () => new Date(), log, documents: new DocumentStore(db, tableName), queue: sqsFilingQueue(filingsQueueConfig()) };
}
