/** A DynamoDB Local of its own for one benchmark section, with the table made from the one definition. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynamoLocal } from '../infra/local/dynamodb.ts';
import { freePort, stopProcess } from '../infra/local/processes.ts';
import { createDocumentClient } from '../shared/store/dynamo.ts';

export interface LocalTable {
  endpoint: string;
  raw: DynamoDBClient;
  db: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function localTable(tableName: string): Promise<LocalTable> {
  const port = await freePort();
  const dynamo = await startDynamoLocal(port);
  const endpoint = `http://127.0.0.1:${port}`;
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = createDocumentClient({ endpoint });
  const stop = async () => {
    db.destroy();
    raw.destroy();
    await stopProcess(dynamo);
  };
  try {
    await ensureTable(raw, tableName);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, raw, db, stop };
}
