/** The reconciler against DynamoDB Local and the SQS emulator: it re-queues stuck submissions, a few times at most. */
import { SYSTEM, reportedEvent } from '../../shared/store/history.ts';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.ts';
import { type LocalQueue, startQueues } from '../../infra/local/queues.ts';
import { sqsFilingQueue } from '../../shared/queue/filing-queue.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { MAX_REQUEUES, reconcileFilings } from '../../shared/use-cases/filings.ts';
import { useDynamo } from './dynamo-harness.ts';
import { expectGranted } from './iam.ts';

const db = useDynamo('beian-reconciler');
let sqs: Awaited<ReturnType<typeof startQueues>>;
let queue: LocalQueue;
let client: SQSClient;
beforeAll(async () => {
  sqs = await startQueues(await freePort());
  queue = sqs.queues.get('filings')!;
  client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  client.destroy();
  await sqs.server.stop();
});

const waiting = async () =>
  Number((await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);

async function submitted(filings: FilingStore) {
  const at = new Date(Date.now() - 10 * 60_000).toISOString();
  const decision: DecisionRecord = {
    id: randomUUID(), agencyId: 'a', jurisdictionId: 'j', caseNumber: `C-${randomUUID()}`, kind: 'PENALTY', measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-11-20', status: 'AWAITING_FILING', filingRequired: true, filingReasons: [],
    filingDueOn: '2026-12-04', dueProvisional: false, createdAt: at, updatedAt: at,
  };
  await db.store.createDecision(decision, reportedEvent(decision, SYSTEM.processor));
  const submissionId = randomUUID();
  await filings.submit(decision, { documents: [], contact: { name: 'x' }, submissionId, submittedAt: at, filedOn: '2026-11-27', onTime: true, workingDaysLate: 0, submissions: 1 }, { filingDueOn: '2026-12-04', dueProvisional: false }, []);
  return { decision, submissionId };
}

describe('reconcileFilings', () => {
  it(`re-queues a submission left SUBMITTED, ${MAX_REQUEUES} times at most, then leaves it to a person`, async () => {
    const filings = new FilingStore(db.doc, db.tableName);
    const { decision } = await submitted(filings);
    const logs: string[] = [];
    const deps = { filings, queue: sqsFilingQueue({ queueUrl: queue.url, endpoint: sqs.endpoint }), now: () => new Date(), log: (level: string, message: string) => void logs.push(`${level} ${message}`) };
    const counts = [];
    db.sent.length = 0;
    for (let i = 0; i <= MAX_REQUEUES; i++) counts.push(await reconcileFilings(deps, 60));
    expectGranted('reconcile-filings', db.sent);
    expect(counts).toEqual([...Array(MAX_REQUEUES).fill(1), 0]);
    expect(await waiting()).toBe(MAX_REQUEUES);
    expect((await db.store.getDecision(decision.id))?.filing?.requeues).toBe(MAX_REQUEUES);
    expect(logs.filter((l) => l.startsWith('ERROR'))).toHaveLength(1);
  });

  it('leaves recent submissions and those no longer SUBMITTED alone', async () => {
    const filings = new FilingStore(db.doc, db.tableName);
    const before = await waiting();
    const { decision, submissionId } = await submitted(filings);
    const deps = { filings, queue: sqsFilingQueue({ queueUrl: queue.url, endpoint: sqs.endpoint }), now: () => new Date(), log: () => {} };
    expect(await reconcileFilings(deps, 3600)).toBe(0); // submitted 10 minutes ago: not stuck yet by this measure
    await filings.markIncomplete(decision, submissionId, [{ kind: 'DECISION_LETTER', reason: 'not listed' }], new Date().toISOString());
    expect(await reconcileFilings(deps, 0)).toBe(0);
    expect(await waiting()).toBe(before);
  });

  it('leaves alone a submission whose processor is waiting for its documents (it re-queued it itself): one chain of messages, not two', async () => {
    const filings = new FilingStore(db.doc, db.tableName);
    const { decision, submissionId } = await submitted(filings);
    const deps = { filings, queue: sqsFilingQueue({ queueUrl: queue.url, endpoint: sqs.endpoint }), now: () => new Date(), log: () => {} };
    const before = await waiting();
    await filings.markWaiting(decision.id, submissionId, new Date().toISOString());
    expect(await reconcileFilings(deps, 60)).toBe(0);
    expect(await waiting()).toBe(before);
    // once nothing marks it any more (the chain was lost), it is picked up again after the delay
    await filings.markWaiting(decision.id, submissionId, new Date(Date.now() - 5 * 60_000).toISOString());
    expect(await reconcileFilings(deps, 60)).toBe(1);
  });
});
