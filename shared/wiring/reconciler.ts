import { filingsQueueConfig } from '../config.ts';
import { log } from '../log.ts';
import { sqsFilingQueue } from '../queue/filing-queue.ts';
import type { FilingDeps } from '../use-cases/filings.ts';
import { storage } from './storage.ts';

export function reconcilerDeps(): Pick<FilingDeps, 'filings' | 'queue' | 'now' | 'log'> {
  return { filings: storage().filings, queue: sqsFilingQueue(filingsQueueConfig()), now: () => new Date(), log };
}
