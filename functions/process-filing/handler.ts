/**
 * Filings queue -> check and register each submission. Records are processed one after another (filing
 * numbers of a jurisdiction are taken in turn, so parallel records would only contend); a failed one
 * is reported back (ReportBatchItemFailures) and retried by SQS, then dead-lettered after maxReceiveCount.
 * A message that is not a filing message fails validation every time and so ends in the DLQ, kept for a
 * person to look at, instead of being dropped or retried for ever.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { filingMessage } from '../../shared/schemas/filing.ts';
import { processFiling } from '../../shared/use-cases/filings.ts';
import { processorDeps } from '../../shared/wiring/processor.ts';

const deps = processorDeps();
const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord) {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON`);
  }
  const parsed = filingMessage.safeParse(body);
  if (!parsed.success) throw new Error(`message ${record.messageId} is not a filing message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const outcome = await processFiling(deps, parsed.data);
  deps.log('INFO', 'filing processed', { decisionId: parsed.data.decisionId, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
