/**
 * Sweeps queue -> the deadline sweep of one jurisdiction for one day. A sweep that fails, or stops short
 * of the function's timeout, leaves its message to come back; the rerun resumes where it stopped and
 * never writes a notice twice (see shared/use-cases/supervision.ts). After maxReceiveCount failures the
 * message waits in the dead-letter queue. A completed sweep emits the SweepCompleted heartbeat.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { sweepMessage } from '../../shared/schemas/sweep.ts';
import { log, logError } from '../../shared/observability/logger.ts';
import { telemetry } from '../../shared/observability/metrics-emitter.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { withCorrelation } from '../../shared/observability/correlation.ts';
import { SweepInterruptedError, sweepJurisdiction } from '../../shared/use-cases/supervision.ts';
import { supervisionDeps } from '../../shared/wiring/supervision.ts';

const deps = supervisionDeps();
const processor = new BatchProcessor(EventType.SQS);
/** stop taking new pages this long before the function's timeout */
const SAFETY_MS = 30_000;
const metrics = telemetry();

export const handler = lambda(async (event: SQSEvent, context: Context) => {
  const outOfTime = () => typeof context.getRemainingTimeInMillis === 'function' && context.getRemainingTimeInMillis() < SAFETY_MS;
  // the correlation id of a sweep: its jurisdiction and day, the same on every retry of the message
  const sweepRecord = async (record: SQSRecord) => {
    const message = sweepMessage.parse(JSON.parse(record.body));
    await withCorrelation(`sweep:${message.jurisdictionId}:${message.day}`, async () => {
      try {
        const report = await sweepJurisdiction({ ...deps, outOfTime }, message.jurisdictionId, message.day);
        // the heartbeat (SweepCompleted) and what this run did; a resumed run counts only its own part
        metrics.record('Reminders', report.reminders);
        metrics.record('OverdueFlagged', report.overdueFlagged);
        metrics.record('Escalations', report.escalations);
        metrics.record('SweepCompleted');
        log('INFO', 'sweep completed', { jurisdictionId: report.jurisdictionId, day: report.day, reminders: report.reminders, overdueFlagged: report.overdueFlagged, escalations: report.escalations });
      } catch (e) {
        if (e instanceof SweepInterruptedError) log('WARN', e.message, { ...message });
        else logError(e);
        throw e;
      }
    });
  };
  // one message per batch: a failed sweep fails the invocation, so the errors alarm sees it and SQS retries it
  return processPartialResponse(event, sweepRecord, processor, { context, throwOnFullBatchFailure: true, processInParallel: false });
});
