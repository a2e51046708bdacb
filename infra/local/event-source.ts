/**
 * What a Lambda SQS event source mapping does, for the local stack: long-poll the queue, hand batches
 * of up to `batchSize` records to the function, delete the records it did not report as failed
 * (ReportBatchItemFailures), and leave the failed ones to reappear after the visibility timeout, until
 * the queue's redrive policy moves them to the dead-letter queue.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LocalQueue } from './queues.ts';

export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSource {
  stop(): Promise<void>;
  /** batches handed to the function so far */
  readonly batches: number;
}

export function pollQueue(
  sqs: SQSClient,
  queue: LocalQueue,
  handler: QueueHandler,
  options: { batchSize: number; concurrency?: number; onError?: (e: unknown) => void },
): EventSource {
  let running = true;
  let batches = 0;
  const worker = async () => {
    while (running) {
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (!messages.length || !running) continue;
        batches++;
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId!,
            receiptHandle: m.ReceiptHandle!,
            body: m.Body ?? '',
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: m.Attributes?.SenderId ?? 'local',
              ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
            },
            // as Lambda hands them over: { stringValue, dataType } per attribute
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [name, { dataType: a.DataType ?? 'String', ...(a.StringValue !== undefined && { stringValue: a.StringValue }) }]),
            ),
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: queue.arn,
            awsRegion: 'us-east-1',
          })),
        };
        let failed = new Set<string>(messages.map((m) => m.MessageId!));
        try {
          const response = await handler(event, { awsRequestId: `local-${Date.now()}`, functionName: `local-${queue.name}` } as Context);
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (e) {
          options.onError?.(e); // the whole batch failed: every record comes back
        }
        const done = messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        }
      } catch (e) {
        if (running) {
          options.onError?.(e);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 2 }, worker);
  return {
    get batches() {
      return batches;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
