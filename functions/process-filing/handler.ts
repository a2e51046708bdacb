/**
 * Filings queue -> check and register each submission. Records are processed one after another (filing
 * numbers of a jurisdiction are taken in turn, so parallel records would only contend); a failed one
 * is reported back (ReportBatchItemFailures) and retried by SQS, then dead-lettered after maxReceiveCount.
 * A message that is not a filing message fails validation every time and so ends in the DLQ, kept for a
 * person to look at, instead of being dropped or retried for ever.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { CORRELATION_ATTRIBUTE, cleanCorrelationId, withCorrelation } from '../../shared/observability/correlation.ts';
import { logError } from '../../shared/observability/logger.ts';
import { telemetry } from '../../shared/observability/metrics-emitter.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { filingMessage } from '../../shared/schemas/filing.ts';
import { processFiling } from '../../shared/use-cases/filings.ts';
import { processorDeps } from '../../shared/wiring/processor.ts';

const metrics = telemetry();
const deps = { ...processorDeps(), counters: metrics };
const processor = new BatchProcessor(EventType.SQS);

/**
 * Each record under the correlation id of the request that queued it (the message id when there is none).
 * A failure is logged with the message id before SQS takes the record back: after the last receive the
 * dead-letter queue holds the message, and this line says why it failed.
 */
const processRecord = (record: SQSRecord) =>
  withCorrelation(cleanCorrelationId(record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue) ?? record.messageId, () =>
    processOne(record).catch((e: unknown) => {
      logError(e, `filing message ${record.messageId} failed (receive ${record.attributes.ApproximateReceiveCount}); SQS delivers it again, then dead-letters it`);
      throw e;
    }),
  );

async function processOne(record: SQSRecord) {
  const sentAt = Number(record.attributes.SentTimestamp);
  if (sentAt > 0) metrics.record('QueueMessageAge', Math.max(0, Date.now() - sentAt));
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON`);
  }
  const parsed = filingMessage.safeParse(body);
  // the paths and codes of what is wrong, not zod's messages: those quote unknown keys, which a crafted
  // message chooses (and could fill with a party's name)
  if (!parsed.success) throw new Error(`message ${record.messageId} is not a filing message: ${parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.').slice(0, 60) || '(message)'}: ${i.code}`).join('; ')}`);
  const outcome = await processFiling(deps, parsed.data);
  deps.log('INFO', 'filing processed', { decisionId: parsed.data.decisionId, outcome, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount });
}

export const handler = lambda((event: SQSEvent, context: Context) =>
  processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false }),
);
