/**
 * `npm start` keeps its data in `.local`: a table an older version made is brought up to the definition
 * (issue 12 item 3 changed the list indexes), and its decisions show in the new status lists and (issue 8)
 * in the statistics.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureTable, startDynamoLocal } from '../../infra/local/dynamodb.ts';
import { freePort, stopProcess } from '../../infra/local/processes.ts';
import { BeianStore } from '../../shared/store/beian-store.ts';
import { keys, listPartition } from '../../shared/store/keys.ts';
import { readStats } from '../../shared/store/stats.ts';
import { tableDefinition } from '../../shared/store/table-definition.ts';

let child: ChildProcess | undefined;
let client: DynamoDBClient;

beforeAll(async () => {
  const port = await freePort();
  child = await startDynamoLocal(port);
  client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client?.destroy();
  await stopProcess(child);
});

describe('a local table of an older version', () => {
  test('gets the list indexes with their projection, its decisions their status keys, and its statistics counted once', async () => {
    const TableName = 'old-beian';
    // as the version before issue 12 item 3 made it: three list indexes projecting everything, and `due`
    const old = [['byAgency', 'gsi1pk', 'gsi1sk'], ['byJurisdiction', 'gsi2pk', 'gsi2sk'], ['all', 'gsi3pk', 'gsi3sk'], ['due', 'duePk', 'dueSk']] as const;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        AttributeDefinitions: ['pk', 'sk', ...old.flatMap(([, p, s]) => [p, s])].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        GlobalSecondaryIndexes: old.map(([IndexName, p, s]) => ({
          IndexName,
          KeySchema: [{ AttributeName: p, KeyType: 'HASH' }, { AttributeName: s, KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    const doc = DynamoDBDocumentClient.from(client);
    const id = randomUUID();
    const sk = `2026-03-02#2026-03-02T01:00:00.000Z#${id}`;
    await doc.send(
      new PutCommand({
        TableName,
        Item: {
          ...keys.decision(id), gsi1pk: 'AG#old-ag', gsi1sk: sk, gsi2pk: 'JUR#old-j', gsi2sk: sk, gsi3pk: 'DEC', gsi3sk: sk,
          id, agencyId: 'old-ag', jurisdictionId: 'old-j', caseNumber: 'K-1', kind: 'PENALTY', measures: ['CLOSURE'], party: { type: 'ORGANIZATION', name: '某公司' },
          decidedOn: '2026-03-02', status: 'AWAITING_FILING', filingRequired: true, filingReasons: ['CLOSURE'], filingDueOn: '2026-03-16', dueProvisional: false,
          summary: '案情', createdAt: '2026-03-02T01:00:00.000Z', updatedAt: '2026-03-02T01:00:00.000Z',
        },
      }),
    );

    // a second decision, filed late and accepted before the statistics existed
    const filedId = randomUUID();
    await doc.send(
      new PutCommand({
        TableName,
        Item: {
          ...keys.decision(filedId), id: filedId, agencyId: 'old-ag', jurisdictionId: 'old-j', caseNumber: 'K-2', kind: 'PENALTY', measures: ['CLOSURE'],
          party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-03-20', status: 'ACCEPTED', filingRequired: true, filingReasons: ['CLOSURE'],
          filingDueOn: '2026-04-03', dueProvisional: false, summary: '案情', createdAt: '2026-03-20T01:00:00.000Z', updatedAt: '2026-04-10T01:00:00.000Z',
          filing: { submissionId: 's', submittedAt: '2026-04-08T01:00:00.000Z', filedOn: '2026-04-08', onTime: false, workingDaysLate: 2, submissions: 1, documents: [], contact: { name: '王五' } },
        },
      }),
    );

    const result = await ensureTable(client, TableName);
    expect(result).toMatch(/byAgency.*byAgencyStatus.*2 decisions.*statistics counted for 2 decisions/);
    const stats = await readStats(doc, TableName, 'old-j', '2026-01', '2026-12');
    expect(stats.rows).toEqual([{ month: '2026-03', agencyId: 'old-ag', counts: { requiringFiling: 2, filedLate: 1, accepted: 1 } }]);
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    const indexes = Object.fromEntries((Table!.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.Projection?.ProjectionType]));
    expect(indexes).toEqual(Object.fromEntries(tableDefinition.globalSecondaryIndexes.map((g) => [g.indexName, g.projection === 'ALL' ? 'ALL' : 'INCLUDE'])));

    const store = new BeianStore(doc, TableName);
    const page = await store.queryDecisions({ ...listPartition({ agencyId: 'old-ag' }, 'AWAITING_FILING'), limit: 5 });
    expect(page.items.map((d) => d.id)).toEqual([id]);
    expect(page.items[0]).not.toHaveProperty('summary');
    // a second start changes nothing, and counts nothing twice
    expect(await ensureTable(client, TableName)).toBe('exists');
    expect((await readStats(doc, TableName, 'old-j', '2026-01', '2026-12')).rows[0]!.counts.requiringFiling).toBe(2);
  });
});
