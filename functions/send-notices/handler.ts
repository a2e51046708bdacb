/**
 * The outbox sender: each notice written PENDING (a receipt, in the same transaction as the registration
 * it reports) reaches this function through the table's stream, and is sent once: claim, send, mark sent.
 * A record whose notice another delivery is sending waits for that claim to lapse (the other delivery
 * died) and then sends it; a record that still fails is retried by the stream, then dead-lettered.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { NoticeBusyError, deliverNotice } from '../../shared/use-cases/notices.ts';
import { noticeDeps } from '../../shared/wiring/notices.ts';

const deps = noticeDeps();
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const NOTICE_PREFIX = 'NOTICE#';

async function sendRecord(record: DynamoDBRecord) {
  const pk = record.dynamodb?.NewImage?.pk?.S ?? '';
  if (!pk.startsWith(NOTICE_PREFIX)) return; // the mapping's filter lets only notices through; be sure
  const noticeId = pk.slice(NOTICE_PREFIX.length);
  try {
    await deliverNotice(deps, noticeId);
  } catch (e) {
    if (!(e instanceof NoticeBusyError)) throw e;
    const wait = Date.parse(e.claimedUntil) - deps.now().getTime() + 100;
    if (wait > 25_000) throw e;
    await new Promise((r) => setTimeout(r, Math.max(wait, 0)));
    await deliverNotice(deps, noticeId);
  }
}

export const handler = (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, sendRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
