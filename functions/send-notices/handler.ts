/**
 * The outbox sender: each notice written PENDING (a receipt, in the same transaction as the registration
 * it reports) reaches this function through the table's stream, and is sent once: claim, send, mark sent.
 * A record whose notice another delivery is sending waits for that claim to lapse (the other delivery
 * died) and then sends it; a record that still fails is retried by the stream, then dead-lettered.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CORRELATION_ATTRIBUTE, cleanCorrelationId, withCorrelation } from '../../shared/observability/correlation.ts';
import { log, logError } from '../../shared/observability/logger.ts';
import { telemetry } from '../../shared/observability/metrics-emitter.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { NoticeBusyError, deliverNotice } from '../../shared/use-cases/notices.ts';
import { noticeDeps } from '../../shared/wiring/notices.ts';

const deps = noticeDeps();
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const metrics = telemetry();
const NOTICE_PREFIX = 'NOTICE#';

/** Each notice under the correlation id of the request that caused it (its own id for a sweep's digests). */
function sendRecord(record: DynamoDBRecord) {
  const image = record.dynamodb?.NewImage;
  const pk = image?.pk?.S ?? '';
  if (!pk.startsWith(NOTICE_PREFIX)) return Promise.resolve(); // the mapping's filter lets only notices through; be sure
  const noticeId = pk.slice(NOTICE_PREFIX.length);
  return withCorrelation(cleanCorrelationId(image?.[CORRELATION_ATTRIBUTE]?.S) ?? noticeId, () => sendOne(noticeId, image?.createdAt?.S));
}

async function sendOne(noticeId: string, createdAt: string | undefined) {
  let outcome: 'sent' | 'none';
  try {
    outcome = await deliverAfterClaim(noticeId);
  } catch (e) {
    // a failed delivery is counted and logged; the record is retried by the stream (the notice stays in the
    // outbox). A claim still held elsewhere is no failure: that delivery sends it.
    if (!(e instanceof NoticeBusyError)) {
      metrics.record('NoticesFailed');
      logError(e, `notice ${noticeId} could not be sent; the stream retries it`);
    }
    throw e;
  }
  if (outcome === 'sent') {
    log('INFO', 'notice sent', { noticeId });
    metrics.record('NoticesSent');
    const created = createdAt ? Date.parse(createdAt) : NaN;
    if (Number.isFinite(created)) metrics.record('NoticeSendLatency', Math.max(0, deps.now().getTime() - created));
  }
}

/** Delivers; while another delivery holds the claim (at most 25 s more), waits for it to lapse and tries once more. */
async function deliverAfterClaim(noticeId: string): Promise<'sent' | 'none'> {
  try {
    return await deliverNotice(deps, noticeId);
  } catch (e) {
    if (!(e instanceof NoticeBusyError)) throw e;
    const wait = Date.parse(e.claimedUntil) - deps.now().getTime() + 100;
    if (wait > 25_000) throw e;
    await new Promise((r) => setTimeout(r, Math.max(wait, 0)));
    return deliverNotice(deps, noticeId);
  }
}

export const handler = lambda((event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, sendRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false }),
);
