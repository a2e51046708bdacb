/**
 * Documents queue (the bucket's ObjectCreated events of the documents prefix) -> verify each uploaded file
 * from its bytes. A record that fails (an object not readable yet, a throttled read) is reported back and
 * retried by SQS, then dead-lettered after maxReceiveCount (an alarm fires). S3's test event, sent when the
 * notification is configured, carries no records and is skipped.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { logError } from '../../shared/observability/logger.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { verifyUpload } from '../../shared/use-cases/documents.ts';
import { verifierDeps } from '../../shared/wiring/verifier.ts';

const deps = verifierDeps();
const processor = new BatchProcessor(EventType.SQS);

/** A failure is logged with the message id; SQS delivers the record again, then dead-letters it. */
const verifyRecord = (record: SQSRecord) =>
  verifyOne(record).catch((e: unknown) => {
    logError(e, `upload event ${record.messageId} failed (receive ${record.attributes.ApproximateReceiveCount}); SQS delivers it again, then dead-letters it`);
    throw e;
  });

async function verifyOne(record: SQSRecord) {
  let body: Partial<S3Event> & { Event?: string };
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON`);
  }
  if (body.Event === 's3:TestEvent') return;
  for (const r of body.Records ?? []) {
    // keys arrive URL-encoded, spaces as '+'; a record that names no key is no upload of ours (logged, not retried)
    let key: string;
    try {
      key = decodeURIComponent(String(r?.s3?.object?.key).replace(/\+/g, ' '));
    } catch {
      deps.log('WARN', 'an event record with an undecodable key; ignored', { messageId: record.messageId });
      continue;
    }
    const outcome = await verifyUpload(deps, key);
    deps.log('INFO', 'upload checked', { key, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
  }
}

export const handler = lambda((event: SQSEvent, context: Context) =>
  processPartialResponse(event, verifyRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: true }),
);
