/**
 * Sweeps queue -> the deadline sweep of one jurisdiction for one day. A sweep that fails, or stops short
 * of the function's timeout, leaves its message to come back; the rerun resumes where it stopped and
 * never writes a notice twice (see shared/use-cases/supervision.ts). After maxReceiveCount failures the
 * message waits in the dead-letter queue. A completed sweep emits the SweepCompleted heartbeat.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { sweepMessage } from '../../shared/schemas/sweep.ts';
import { emitMetric, log, logError } from '../../shared/log.ts';
import { SweepInterruptedError, sweepJurisdiction } from '../../shared/use-cases/supervision.ts';
import { supervisionDeps } from '../../shared/wiring/supervision.ts';

const deps = supervisionDeps();
const processor = new BatchProcessor(EventType.SQS);
/** stop taking new pages this long before the function's timeout */
const SAFETY_MS = 30_000;

export const handler = (event: SQSEvent, context: Context) => {
  const outOfTime = () => typeof context.getRemainingTimeInMillis === 'function' && context.getRemainingTimeInMillis() < SAFETY_MS;
  const sweepRecord = async (record: SQSRecord) => {
    const message = sweepMessage.parse(JSON.parse(record.body));
    try {
      const report = await sweepJurisdiction({ ...deps, outOfTime }, message.jurisdictionId, message.day);
      emitMetric('SweepCompleted', 1, { jurisdictionId: report.jurisdictionId, day: report.day });
    } catch (e) {
      if (e instanceof SweepInterruptedError) log('WARN', e.message, { ...message });
      else logError(e);
      throw e;
    }
  };
  // one message per batch: a failed sweep fails the invocation, so the errors alarm sees it and SQS retries it
  return processPartialResponse(event, sweepRecord, processor, { context, throwOnFullBatchFailure: true, processInParallel: false });
};
