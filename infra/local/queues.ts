/** The SQS emulator (fauxqs, in this process) with every queue of the manifest and its dead-letter queue. */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { type QueueName, queues } from '../../functions/manifest.ts';

export interface LocalQueue {
  name: QueueName;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqName: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface LocalSqsServer {
  port: number;
  stop(): Promise<void>;
}

export const dlqName = (name: string) => `${name}-dlq`;

/**
 * fauxqs's own `startFauxqs` always listens on every interface; its `buildApp` is the same server, which
 * listens where we say (127.0.0.1 unless `host` says otherwise). Queue URLs name `sqs.REGION.localhost`,
 * as startFauxqs's with host 'localhost' do: clients always set `endpoint`.
 */
export async function startQueues(port: number, options: { visibilityTimeoutSeconds?: number; host?: string } = {}) {
  const app = buildApp({ logger: false, host: 'localhost' });
  await app.listen({ port, host: options.host ?? '127.0.0.1' });
  const actualPort = (app.server.address() as { port: number }).port;
  const server: LocalSqsServer = { port: actualPort, stop: () => app.close() };
  const endpoint = `http://127.0.0.1:${actualPort}`;
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  };
  const created = new Map<QueueName, LocalQueue>();
  try {
    for (const spec of queues) {
      const dlq = await create(dlqName(spec.name), { MessageRetentionPeriod: String(14 * 24 * 3600) });
      const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds;
      const queue = await create(spec.name, {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(spec.maxReceiveCount) }),
      });
      created.set(spec.name, {
        name: spec.name,
        url: queue.queueUrl,
        arn: queue.queueArn,
        dlqUrl: dlq.queueUrl,
        dlqName: dlqName(spec.name),
        visibilityTimeoutSeconds,
        maxReceiveCount: spec.maxReceiveCount,
      });
    }
  } catch (e) {
    await app.close();
    throw e;
  } finally {
    client.destroy();
  }
  return { server, queues: created, endpoint };
}
