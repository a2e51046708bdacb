/**
 * What a Lambda DynamoDB-stream event source mapping does, for the local stack: read every shard of the
 * table's stream from its start (a restart replays; the consumer is idempotent), keep the records whose
 * new image passes the filter, hand them to the function in batches, and retry from the first failed
 * record (ReportBatchItemFailures) up to `retryAttempts` times before giving the record up.
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

export interface StreamSource {
  stop(): Promise<void>;
}

const passes = (image: Record<string, AttributeValue> | undefined, filter: Record<string, readonly string[]>) =>
  !!image && Object.entries(filter).every(([name, values]) => values.includes(image[name]?.S ?? ''));

export function pollStream(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  handler: StreamHandler,
  options: { filter: Record<string, readonly string[]>; batchSize: number; retryAttempts: number; onError?: (e: unknown) => void },
): StreamSource {
  let running = true;
  const iterators = new Map<string, string | null>(); // shard -> next iterator (null: closed)

  const deliver = async (records: DynamoDBRecord[]) => {
    let pending = records;
    for (let attempt = 0; pending.length && attempt <= options.retryAttempts && running; attempt++) {
      let failedFrom = -1;
      try {
        const response = await handler({ Records: pending }, { awsRequestId: `local-${Date.now()}`, functionName: 'local-stream' } as Context);
        const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
        failedFrom = failed ? pending.findIndex((r) => r.dynamodb?.SequenceNumber === failed) : -1;
      } catch (e) {
        options.onError?.(e);
        failedFrom = 0;
      }
      if (failedFrom < 0) return;
      pending = pending.slice(failedFrom);
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
    if (pending.length) options.onError?.(new Error(`${pending.length} stream record(s) given up after ${options.retryAttempts} retries`));
  };

  const loop = async () => {
    while (running) {
      try {
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of StreamDescription?.Shards ?? []) {
          if (iterators.has(shard.ShardId!)) continue;
          const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
          iterators.set(shard.ShardId!, ShardIterator ?? null);
        }
        let got = 0;
        for (const [shardId, iterator] of iterators) {
          if (!iterator || !running) continue;
          const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
          iterators.set(shardId, out.NextShardIterator ?? null);
          const records = (out.Records ?? []).filter((r) => passes(r.dynamodb?.NewImage as never, options.filter)).map(toLambdaRecord(streamArn));
          got += out.Records?.length ?? 0;
          for (let i = 0; i < records.length; i += options.batchSize) await deliver(records.slice(i, i + options.batchSize));
        }
        if (!got) await new Promise((r) => setTimeout(r, 100));
      } catch (e) {
        if (running) {
          options.onError?.(e);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

const toLambdaRecord = (streamArn: string) => (r: _Record): DynamoDBRecord => ({
  eventID: r.eventID!,
  eventName: r.eventName as DynamoDBRecord['eventName'],
  eventVersion: r.eventVersion ?? '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: r.awsRegion ?? 'us-east-1',
  eventSourceARN: streamArn,
  dynamodb: {
    Keys: r.dynamodb?.Keys as never,
    NewImage: r.dynamodb?.NewImage as never,
    SequenceNumber: r.dynamodb?.SequenceNumber!,
    SizeBytes: r.dynamodb?.SizeBytes ?? 0,
    StreamViewType: 'NEW_IMAGE',
  },
});

export function streamsClient(endpoint: string) {
  return new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
