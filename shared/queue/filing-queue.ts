import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FilingMessage } from '../schemas/filing.ts';

export interface FilingQueue {
  enqueue(message: FilingMessage): Promise<void>;
}

/** The filings queue on SQS. `endpoint` points at the local SQS emulator; unset in AWS. */
export function sqsFilingQueue(config: { queueUrl: string; endpoint?: string | undefined }): FilingQueue {
  const client = new SQSClient({ ...(config.endpoint && { endpoint: config.endpoint }), maxAttempts: 2 });
  return {
    async enqueue(message) {
      await client.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify(message) }));
    },
  };
}
