import type { FilingMessage } from '../schemas/filing.ts';

export interface Queue<M> {
  enqueue(message: M): Promise<void>;
}
export type FilingQueue = Queue<FilingMessage>;

/**
 * A queue on SQS, one JSON message per enqueue. `endpoint` points at the local SQS emulator; unset in AWS.
 * The SQS client is loaded at the first send, not at start: most API requests never send, and a cold
 * start should not pay for it.
 */
export function sqsQueue<M>(config: { queueUrl: string; endpoint?: string | undefined }): Queue<M> {
  let client: Promise<{ send: (m: M) => Promise<unknown> }> | undefined;
  const connect = async () => {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({ ...(config.endpoint && { endpoint: config.endpoint }), maxAttempts: 2 });
    return { send: (m: M) => sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify(m) })) };
  };
  return {
    async enqueue(message) {
      client ??= connect();
      await (await client).send(message);
    },
  };
}

export const sqsFilingQueue = (config: { queueUrl: string; endpoint?: string | undefined }): FilingQueue => sqsQueue<FilingMessage>(config);
