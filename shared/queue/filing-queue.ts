import type { FilingMessage } from '../schemas/filing.ts';

export interface FilingQueue {
  enqueue(message: FilingMessage): Promise<void>;
}

/**
 * The filings queue on SQS. `endpoint` points at the local SQS emulator; unset in AWS. The SQS client is
 * loaded at the first send, not at start: most API requests never send, and a cold start should not pay
 * for it.
 */
export function sqsFilingQueue(config: { queueUrl: string; endpoint?: string | undefined }): FilingQueue {
  let client: Promise<{ send: (m: FilingMessage) => Promise<unknown> }> | undefined;
  const connect = async () => {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({ ...(config.endpoint && { endpoint: config.endpoint }), maxAttempts: 2 });
    return { send: (m: FilingMessage) => sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify(m) })) };
  };
  return {
    async enqueue(message) {
      client ??= connect();
      await (await client).send(message);
    },
  };
}
