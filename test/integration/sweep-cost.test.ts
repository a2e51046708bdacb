/**
 * The sweep reads what is due, not the table: 10,000 open decisions of which 100 are due, and the read
 * units of the whole sweep (every read it makes: sweep state, registry, due index, entries) against
 * those of reading the 100 due items alone. Read units as DynamoDB Local reports them (ReturnConsumedCapacity).
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect, test } from 'vitest';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import { DEFAULT_SUPERVISION, sweepWindowEnd } from '../../shared/domain/supervision.ts';
import { decisionIndexKeys, keys } from '../../shared/store/keys.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { SupervisionStore } from '../../shared/store/supervision-store.ts';
import { calendarCache } from '../../shared/use-cases/deps.ts';
import { sweepJurisdiction } from '../../shared/use-cases/supervision.ts';
import { expectGranted } from './iam.ts';
import { useDynamo } from './dynamo-harness.ts';

const db = useDynamo('beian-sweep-cost');
const DAY = '2026-11-10';
const calendar = nationalCalendar();

function decision(jurisdictionId: string, agencyId: string, filingDueOn: string, n: number): DecisionRecord {
  const id = randomUUID();
  const at = '2026-10-01T02:00:00.000Z';
  return {
    id, agencyId, jurisdictionId, caseNumber: `津市监罚〔2026〕${n}号`, kind: 'PENALTY', measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: '天津某某商贸有限公司' }, decidedOn: '2026-10-01', summary: '未经许可从事经营活动，吊销许可证件', legalBasis: '《中华人民共和国行政许可法》第八十一条',
    status: 'AWAITING_FILING', filingRequired: true, filingReasons: [{ code: 'REVOKE_PERMIT', text: '吊销许可证件（行政处罚法第六十三条）' }],
    filingDueOn, dueProvisional: false, createdAt: at, updatedAt: at,
  };
}

test('with 10,000 open decisions of which 100 are due, the sweep reads at most 1.1x the units of the 100 due items alone', async () => {
  const jurisdictionId = 'cost-jur';
  const at = new Date().toISOString();
  await db.store.putJurisdiction(jurisdictionId, { name: '测试区', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: ['j@example.org'], extraOffDays: [], extraWorkingDays: [] }, at);
  for (let i = 0; i < 5; i++) await db.store.putAgency(`cost-ag-${i}`, { name: `单位${i}`, jurisdictionId, contactEmails: [`ag${i}@example.org`], clientIds: [] }, at);
  const windowEnd = sweepWindowEnd(DAY, DEFAULT_SUPERVISION, calendar);
  // 100 due: 10 due in the window (reminders on some), 90 overdue by 1-30 working days; 9,900 due from 2 to 60 days later
  const due = Array.from({ length: 100 }, (_, i) => (i < 10 ? calendar.addWorkingDays(DAY, i % 4).date : calendar.addWorkingDays('2026-10-12', i % 15).date));
  const later = Array.from({ length: 9_900 }, (_, i) => calendar.addWorkingDays(windowEnd, 2 + (i % 40)).date);
  const items = [...due, ...later].map((d, n) => decision(jurisdictionId, `cost-ag-${n % 5}`, d, n));
  for (let i = 0; i < items.length; i += 25 * 8) {
    await Promise.all(
      Array.from({ length: 8 }, (_, k) => items.slice(i + k * 25, i + (k + 1) * 25)).filter((c) => c.length).map((chunk) =>
        db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: chunk.map((d) => ({ PutRequest: { Item: { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d } } })) } })),
      ),
    );
  }

  // the reference: the 100 due items read alone, with one Query
  let alone = 0;
  let dueRead = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName, IndexName: 'due', KeyConditionExpression: 'duePk = :pk AND dueSk <= :to',
        ExpressionAttributeValues: { ':pk': `JUR#${jurisdictionId}#OPEN`, ':to': `${windowEnd}#\uffff` }, ReturnConsumedCapacity: 'TOTAL', ExclusiveStartKey: startKey,
      }),
    );
    alone += out.ConsumedCapacity?.CapacityUnits ?? 0;
    dueRead += out.Items?.length ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  expect(dueRead).toBe(100);
  expect(alone).toBeGreaterThan(0);

  // every read the sweep makes, whatever store sends it: of the due index, and all others
  const units = { due: 0, other: 0, otherReads: 0 };
  const reads = new Set(['GetCommand', 'GetItemCommand', 'QueryCommand', 'BatchGetCommand', 'BatchGetItemCommand']);
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!reads.has(String(context.commandName))) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string; IndexName?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const used = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      if (input.IndexName === 'due') units.due += used;
      else (units.other += used), units.otherReads++;
      return out;
    },
    { step: 'initialize', name: 'countReadUnits' },
  );
  db.sent.length = 0;
  const report = await sweepJurisdiction(
    {
      sweeps: new SupervisionStore(db.doc, db.tableName),
      registry: { agency: (id) => db.store.getAgency(id) },
      calendarFor: calendarCache(),
      now: () => new Date(),
      log: () => {},
    },
    jurisdictionId,
    DAY,
  );
  expect(report.itemsRead).toBe(100);
  expect(report.overdueFlagged).toBe(90);
  expect(report.noticesWritten).toBeGreaterThanOrEqual(5);
  expect(db.sent.filter((c) => c.name === 'ScanCommand')).toEqual([]);
  const total = units.due + units.other;
  console.log(`sweep read units ${total} (due index ${units.due}, ${units.otherReads} other reads ${units.other}) vs the due items alone ${alone}: ratio ${(total / alone).toFixed(3)}`);
  // everything the sweep reads: the due index; its rules, agencies and bookkeeping come back from one write
  expect(total / alone).toBeLessThanOrEqual(1.1);
  expect(units.otherReads).toBe(0);
  // and each DynamoDB call the sweep made is within its function's grant
  expectGranted('sweep-jurisdiction', db.sent);
}, 120_000);

test('the scheduled start queues one sweep per jurisdiction and writes the calendar watch once a day, within its grant', async () => {
  const { planSweeps } = await import('../../shared/use-cases/supervision.ts');
  const lastLoaded = Math.max(...calendar.loadedYears());
  const day = `${lastLoaded}-11-20`; // next year's schedule is missing: the watch is due
  const queued: { jurisdictionId: string; day: string }[] = [];
  const deps = {
    sweeps: new SupervisionStore(db.doc, db.tableName),
    calendarFor: calendarCache(),
    now: () => new Date(),
    log: () => {},
    operatorEmails: ['ops@example.org'],
    jurisdictions: () => db.store.listJurisdictions(),
    queue: { enqueue: async (m: { jurisdictionId: string; day: string }) => void queued.push(m) },
  };
  db.sent.length = 0;
  const first = await planSweeps(deps, day);
  const jurisdictions = (await db.store.listJurisdictions()).map((j) => j.jurisdictionId).sort();
  expect(first).toEqual({ day, jurisdictions: jurisdictions.length, calendarWatch: 'written' });
  expect(queued.map((m) => m.jurisdictionId).sort()).toEqual(jurisdictions);
  expect(new Set(queued.map((m) => m.day))).toEqual(new Set([day]));
  expect((await planSweeps(deps, day)).calendarWatch).toBe('exists');
  expectGranted('sweep-deadlines', db.sent);
});

test('long digests and a long weekly summary come in parts that each fit a DynamoDB item, with every case listed once', async () => {
  const jurisdictionId = 'big-jur';
  const at = new Date().toISOString();
  await db.store.putJurisdiction(jurisdictionId, { name: '测试区', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: ['j@example.org'], extraOffDays: [], extraWorkingDays: [] }, at);
  await db.store.putAgency('big-ag', { name: '单位', jurisdictionId, contactEmails: ['big@example.org'], clientIds: [] }, at);
  // 400 overdue decisions with the longest agency text the API takes: 100-character case numbers, 500-character reasons
  const monday = '2026-11-16';
  const items = Array.from({ length: 400 }, (_, n) => ({
    ...decision(jurisdictionId, 'big-ag', calendar.addWorkingDays('2026-10-26', n % 8).date, n),
    caseNumber: `${'津'.repeat(95)}${String(n).padStart(5, '0')}`,
    lateExplanation: { reason: '逾'.repeat(500), promisedOn: '2026-12-31', explainedAt: at },
  }));
  for (let i = 0; i < items.length; i += 25) {
    await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: items.slice(i, i + 25).map((d) => ({ PutRequest: { Item: { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d } } })) } }));
  }
  const report = await sweepJurisdiction(
    {
      sweeps: new SupervisionStore(db.doc, db.tableName),
      registry: { agency: (id) => db.store.getAgency(id) },
      calendarFor: calendarCache(),
      now: () => new Date(),
      log: () => {},
    },
    jurisdictionId,
    monday,
  );
  expect(report).toMatchObject({ itemsRead: 400, overdueFlagged: 400, escalations: 400, weeklySummary: true });
  // each part at most 99 entries: at least 5 overdue digests, 5 escalation reports and the summary's parts
  expect(report.noticesWritten).toBeGreaterThanOrEqual(5 + 5 + 3);
  const entries: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `DIGEST#${jurisdictionId}#${monday}` }, ExclusiveStartKey: startKey }),
    );
    entries.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  expect(entries).toHaveLength(800);
  expect(entries.filter((e) => !e.digestId)).toEqual([]);
  const digests = new Set(entries.map((e) => e.digestId as string));
  for (const id of [...digests, `weekly#${jurisdictionId}#${monday}`, `weekly#${jurisdictionId}#${monday}#2`, `weekly#${jurisdictionId}#${monday}#3`]) {
    const notice = await db.doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NOTICE#${id}` } }));
    const item = notice.Items?.[0];
    expect(item, id).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(400_000);
    if (id.startsWith('weekly')) expect(item!.subject).toMatch(/第 \d\/\d+ 部分/);
  }
}, 120_000);
