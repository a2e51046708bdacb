/**
 * Issue 11: one id finds everything a request caused. The API's request id (API Gateway's `apigw-requestid`,
 * the access log's requestId) is the correlation_id of the API's log lines, travels with the filing into
 * the queue message, is on the processor's lines and on the receipt it writes, and on the notice sender's
 * line when the receipt leaves. Real HTTP, the real queue and stream, the log lines as printed.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { createDocumentClient } from '../../shared/store/dynamo.ts';
import { receiptNoticeId } from '../../shared/use-cases/filings.ts';
import { expectStatus, filingBody, latePenalty, onTimePenalty, penaltyDocs, useFilingStack } from './filing-harness.ts';

const e2e = useFilingStack();
let lines: string[] = [];
const spies: { mockRestore(): void }[] = [];

beforeEach(() => {
  lines = [];
  // every line any function prints in this process, as CloudWatch Logs would receive it
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    spies.push(
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as never),
    );
  }
});
afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

const logged = () =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

test('the filing request id is on the processor\'s lines, the receipt notice and the sender\'s line', async () => {
  const agency = await e2e.setup();
  const d = await e2e.report(agency.token, onTimePenalty());
  const documents = await e2e.upload(agency.token, d.id, penaltyDocs());
  const submitted = expectStatus(await e2e.file(agency.token, d.id, filingBody(documents)), 202);
  const requestId = submitted.headers.get('apigw-requestid');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);
  await e2e.waitForMails((all) => all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!)));

  // the receipt notice in the outbox carries it
  const db = createDocumentClient({ endpoint: e2e.stack.dynamoEndpoint });
  const noticeId = receiptNoticeId({ decisionId: d.id, submissionId: (submitted.json as { submissionId: string }).submissionId });
  const receipt = await db.send(new GetCommand({ TableName: e2e.stack.tableName, Key: { pk: `NOTICE#${noticeId}`, sk: 'NOTICE' } }));
  db.destroy();

  await expect.poll(() => logged().filter((l) => l.correlation_id === requestId).map((l) => l.message), { timeout: 10_000 }).toEqual(
    expect.arrayContaining(['filing processed', 'notice sent']),
  );
  const mine = logged().filter((l) => l.correlation_id === requestId);
  expect(mine.find((l) => l.message === 'filing processed')).toMatchObject({ decisionId: d.id, outcome: 'registered', level: 'INFO' });
  // nothing else was tagged with it: another request's lines carry their own ids
  expect(logged().filter((l) => l.message === 'filing processed' && l.decisionId !== d.id && l.correlation_id === requestId)).toEqual([]);
  expect(receipt.Item?.correlationId).toBe(requestId);
  expect(mine.find((l) => l.message === 'notice sent')).toMatchObject({ noticeId });
});

test('a request that fails is logged with its request id, and the client gets that id to quote', async () => {
  const agency = await e2e.setup();
  const res = await e2e.api('POST', '/v1/decisions', { token: agency.token, body: { not: 'a decision' } });
  expect(res.status).toBe(400);
  expect(res.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
});

/** The business metrics the functions printed (embedded metric format): name -> sum of the values. */
function emitted(): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of logged()) {
    const directive = (line._aws as { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined)?.CloudWatchMetrics?.[0];
    if (!directive) continue;
    expect(directive.Namespace).toBe('Beian');
    expect(directive.Dimensions).toEqual([['stage']]);
    expect(line.stage).toBe('local');
    for (const { Name } of directive.Metrics) {
      const v = line[Name];
      sums.set(Name, (sums.get(Name) ?? 0) + (Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : Number(v)));
    }
  }
  return sums;
}

test('the business metrics of a late filing, counted where they happen: reported, required, submitted, received, late, sent', async () => {
  const agency = await e2e.setup();
  const d = await e2e.report(agency.token, latePenalty());
  const documents = await e2e.upload(agency.token, d.id, penaltyDocs());
  expectStatus(await e2e.file(agency.token, d.id, filingBody(documents, { lateReason: '执法人员外出办案，材料整理延误' })), 202);
  await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);
  await e2e.waitForMails((all) => all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!)));
  await expect.poll(() => emitted().get('NoticesSent') ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  const sums = emitted();
  expect(sums.get('DecisionsReported')).toBe(1);
  expect(sums.get('FilingRequired')).toBe(1);
  expect(sums.get('FilingsSubmitted')).toBe(1);
  expect(sums.get('FilingsReceived')).toBe(1);
  expect(sums.get('LateFilings')).toBe(1);
  expect(sums.get('FilingsIncomplete')).toBeUndefined();
  expect(sums.get('QueueMessageAge')).toBeGreaterThanOrEqual(0);
  expect(sums.get('NoticeSendLatency')).toBeGreaterThanOrEqual(0);
  // a request retried with its Idempotency-Key is counted once
  const body = onTimePenalty();
  const first = await e2e.api('POST', '/v1/decisions', { token: agency.token, body, headers: { 'idempotency-key': `metrics-once-${d.id}` } });
  const replay = await e2e.api('POST', '/v1/decisions', { token: agency.token, body, headers: { 'idempotency-key': `metrics-once-${d.id}` } });
  expect([first.status, replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
  expect(emitted().get('DecisionsReported')).toBe(2);
});
