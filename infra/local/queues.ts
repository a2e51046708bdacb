/** The SQS emulator (fauxqs, in this process) with every queue of the manifest and its dead-letter queue. */
import { type FauxqsServer, startFauxqs } from 'fauxqs';
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

export const dlqName = (name: string) => `${name}-dlq`;

export async function startQueues(port: number, options: { visibilityTimeoutSeconds?: number } = {}) {
  const server: FauxqsServer = await startFauxqs({ port, logger: false, host: 'localhost' });
  const created = new Map<QueueName, LocalQueue>();
  for (const spec of queues) {
    const dlq = server.createQueue(dlqName(spec.name), { attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) } });
    const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds;
    const queue = server.createQueue(spec.name, {
      attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(spec.maxReceiveCount) }),
      },
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
  return { server, queues: created, endpoint: `http://127.0.0.1:${server.port}` };
}
