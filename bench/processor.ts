/**
 * Processor throughput on the local stack: a queue preloaded with 2,000 submitted filings, drained by the
 * processor through the local event source (batches of 10, as in AWS), against the rate of the same
 * DynamoDB work issued directly (take the number, register and write the receipt to the outbox), one
 * filing after another. The processor also reads the decision; the receipt is sent by send-notices.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { functions } from '../functions/manifest.ts';
import { ensureTable, startDynamoLocal } from '../infra/local/dynamodb.ts';
import { type QueueHandler, pollQueue } from '../infra/local/event-source.ts';
import { freePort, stopProcess } from '../infra/local/processes.ts';
import { startQueues } from '../infra/local/queues.ts';
import { formatFilingNumber } from '../shared/domain/filing.ts';
import { BeianStore } from '../shared/store/beian-store.ts';
import { createDocumentClient } from '../shared/store/dynamo.ts';
import { FilingStore } from '../shared/store/filing-store.ts';
import { decisionIndexKeys, keys } from '../shared/store/keys.ts';
import { documentKey } from '../shared/domain/documents.ts';
import { type DecisionRecord, type DocumentRecord, filedDocument } from '../shared/store/records.ts';
import { fmt } from './stats.ts';

const FILINGS = 2_000;
const TARGET_RATIO = 0.5;

/** A penalty's three documents, as the verifier leaves them (VERIFIED), for a submitted decision. */
function verifiedDocuments(decisionId: string, agencyId: string, at: string): DocumentRecord[] {
  return (['DECISION_LETTER', 'LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD'] as const).map((kind) => {
    const documentId = randomUUID();
    return {
      documentId, decisionId, agencyId, key: documentKey(decisionId, documentId), kind, title: kind, fileName: `${kind}.pdf`, contentType: 'application/pdf',
      sizeBytes: 1000, sha256: 'a'.repeat(64), status: 'VERIFIED', createdAt: at, uploadExpiresAt: at, checkedAt: at, verifiedAt: at,
    };
  });
}

function submittedDecision(jurisdictionId: string, agencyId: string): { decision: DecisionRecord; documents: DocumentRecord[] } {
  const id = randomUUID();
  const at = new Date().toISOString();
  const documents = verifiedDocuments(id, agencyId, at);
  const decision: DecisionRecord = {
    id,
    agencyId,
    jurisdictionId,
    caseNumber: `bench-${id}`,
    kind: 'PENALTY',
    measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: 'Bench Co.' },
    decidedOn: '2026-11-20',
    status: 'SUBMITTED',
    filingRequired: true,
    filingReasons: [{ code: 'REVOKE_PERMIT', text: 'revocation' }],
    filingDueOn: '2026-12-04',
    dueProvisional: false,
    filing: {
      documents: documents.map(filedDocument),
      contact: { name: 'Bench' },
      submissionId: randomUUID(),
      submittedAt: at,
      filedOn: '2026-11-27',
      onTime: true,
      workingDaysLate: 0,
      submissions: 1,
    },
    createdAt: at,
    updatedAt: at,
    documentCount: documents.length,
  };
  return { decision, documents };
}

export async function benchProcessor(jurisdictions = 1) {
  const [dynamoPort, sqsPort] = await Promise.all([freePort(), freePort()]);
  const dynamo = await startDynamoLocal(dynamoPort);
  const sqs = await startQueues(sqsPort, { visibilityTimeoutSeconds: 30 });
  const creds = { accessKeyId: 'local', secretAccessKey: 'local' };
  try {
    const queue = sqs.queues.get('filings')!;
    Object.assign(process.env, {
      TABLE_NAME: 'bench',
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      FILINGS_QUEUE_URL: queue.url,
      SQS_ENDPOINT: sqs.endpoint,
      MAIL_FROM: 'beian@example.gov.cn',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_LOG_LEVEL: 'WARN',
    });
    const raw = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: creds });
    await ensureTable(raw, 'bench');
    const db = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
    const store = new BeianStore(db, 'bench');
    const filings = new FilingStore(db, 'bench');
    const now = new Date().toISOString();
    for (let j = 0; j < jurisdictions; j++) {
      await store.putJurisdiction(`bench-${j}`, { name: `Bench ${j}`, filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [], filingNumberPrefix: `B${j}备` }, now);
      await store.putAgency(`bench-agency-${j}`, { name: `Bench agency ${j}`, jurisdictionId: `bench-${j}`, contactEmails: ['bench@example.org'], clientIds: [] }, now);
    }
    const made = new Map<string, DocumentRecord[]>();
    const makeAll = (tag: string) =>
      Array.from({ length: FILINGS }, (_, i) => submittedDecision(`bench-${i % jurisdictions}`, `bench-agency-${i % jurisdictions}`)).map(({ decision: d, documents }) => {
        made.set(d.id, documents);
        return { ...d, caseNumber: `${tag}-${d.id}` };
      });
    // each decision with its documents beside it in its partition (DEC#<id> / DOC#<documentId>): the processor reads them
    const put = async (decisions: DecisionRecord[]) => {
      const items = decisions.flatMap((d) => [
        { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d },
        ...(made.get(d.id) ?? []).map((doc) => ({ pk: keys.decision(d.id).pk, sk: `DOC#${doc.documentId}`, ...doc })),
      ]);
      for (let i = 0; i < items.length; i += 25) {
        await db.send(new BatchWriteCommand({ RequestItems: { bench: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      }
    };

    // direct: the same writes, one filing after another, no queue and no function
    console.log(`  writing ${FILINGS} submitted filings, then registering them directly ...`);
    const direct = makeAll('direct');
    await put(direct);
    let t = performance.now();
    for (const d of direct) {
      const year = 2026;
      const { outcome } = await filings.register(d, d.filing!.submissionId, year + 100, (n) => formatFilingNumber('D', year, n), (filingNumber) => ({
        id: `receipt#${d.id}#${d.filing!.submissionId}`, kind: 'RECEIPT', decisionId: d.id, to: ['bench@example.org'], subject: filingNumber, text: 'x', html: 'x', status: 'PENDING', createdAt: now,
      }), now);
      if (outcome !== 'done') throw new Error('direct registration did not happen');
    }
    const directRate = FILINGS / ((performance.now() - t) / 1000);

    // through the queue and the processor
    console.log(`  writing ${FILINGS} more, queueing them, and letting the processor drain the queue ...`);
    const viaQueue = makeAll('queued');
    await put(viaQueue);
    const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: creds });
    for (let i = 0; i < viaQueue.length; i += 10) {
      await sqsClient.send(new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: viaQueue.slice(i, i + 10).map((d, k) => ({ Id: String(k), MessageBody: JSON.stringify({ decisionId: d.id, submissionId: d.filing!.submissionId }) })),
      }));
    }
    const spec = functions.find((f) => f.name === 'process-filing')!;
    const { handler } = (await import(`../${spec.entry}`)) as { handler: QueueHandler };
    t = performance.now();
    const source = pollQueue(sqsClient, queue, handler, { batchSize: 10, concurrency: 2 });
    const counted = async () => {
      let total = 0;
      for (let j = 0; j < jurisdictions; j++) {
        total += Number((await db.send(new GetCommand({ TableName: 'bench', Key: keys.filingCounter(`bench-${j}`, 2026) }))).Item?.sequence ?? 0);
      }
      return total;
    };
    while ((await counted()) < FILINGS) await new Promise((r) => setTimeout(r, 50));
    const queueRate = FILINGS / ((performance.now() - t) / 1000);
    await source.stop();
    const ratio = queueRate / directRate;
    console.log(`  ${FILINGS} filings in ${jurisdictions} jurisdiction(s)`);
    console.log(`  direct DynamoDB work, one by one: ${fmt(directRate, 0)} filings/s`);
    console.log(`  queue -> processor (batches of 10, 2 pollers): ${fmt(queueRate, 0)} filings/s  = ${(ratio * 100).toFixed(0)}% of direct (target ≥ ${TARGET_RATIO * 100}%) ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW'}`);
    sqsClient.destroy();
    raw.destroy();
    return { [`j${jurisdictions}.directPerSecond`]: directRate, [`j${jurisdictions}.processorPerSecond`]: queueRate, [`j${jurisdictions}.ratio`]: ratio };
  } finally {
    await sqs.server.stop();
    await stopProcess(dynamo);
  }
}
