/**
 * The real dependencies of the functions, built from their environment once per cold start. One file
 * per function, so that a bundle carries only what its function uses (the processor, for one, no calendar).
 */
import { BeianStore } from '../store/beian-store.ts';
import { createDocumentClient, storeConfigFromEnv } from '../store/dynamo.ts';
import { FilingStore } from '../store/filing-store.ts';

export function storage() {
  const config = storeConfigFromEnv();
  const db = createDocumentClient(config);
  return { db, tableName: config.tableName, store: new BeianStore(db, config.tableName), filings: new FilingStore(db, config.tableName) };
}
