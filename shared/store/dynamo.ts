import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConfig {
  tableName: string;
  /** set for DynamoDB Local; unset in AWS */
  endpoint?: string;
}

/** The table name and endpoint from the environment, checked once at start. */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set: the function needs the table it was granted');
  return { tableName, ...(env.DYNAMODB_ENDPOINT && { endpoint: env.DYNAMODB_ENDPOINT }) };
}

export function createDocumentClient(config: Pick<StoreConfig, 'endpoint'>): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.endpoint && { endpoint: config.endpoint }),
    maxAttempts: 4,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}
