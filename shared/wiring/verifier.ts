import { s3DocumentFiles, documentFilesConfig } from '../files/document-files.ts';
import { log } from '../log.ts';
import { DocumentStore } from '../store/document-store.ts';
import type { VerifierDeps } from '../use-cases/documents.ts';
import { createDocumentClient, storeConfigFromEnv } from '../store/dynamo.ts';

export function verifierDeps(): VerifierDeps {
  const config = storeConfigFromEnv();
  const db = createDocumentClient(config);
  return { documents: new DocumentStore(db, config.tableName), files: s3DocumentFiles(documentFilesConfig()), now: () => new Date(), log };
}
