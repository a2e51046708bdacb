import { CORRELATION_ATTRIBUTE, correlationId } from '../observability/correlation.ts';
import type { FilingMessage } from '../schemas/filing.ts';
import type { FilingQueue } from '../use-cases/filings.ts';

export interface Queue<M> {
  /** `delaySeconds` (0-900): the message becomes visible that much later */
  enqueue(message: M, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * A queue on SQS, one JSON message per enqueue. `endpoint` points at the local SQS emulator; unset in AWS.
 * The SQS client is loaded at the first send, not at start: most API requests never send, and a cold
 * start should not pay for it.
 */
export function sqsQueue<M>(config: { queueUrl: string; endpoint?: string | undefined }): Queue<M> {
  let client: Promise<{ send: (m: M, delaySeconds?: number) => Promise<unknown> }> | undefined;
  const connect = async () => {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({ ...(config.endpoint && { endpoint: config.endpoint }), maxAttempts: 2 });
    return {
      send: (m: M, delaySeconds?: number) => {
        // the id of the request (or record) that queues it travels along, for the consumer's log lines
        const id = correlationId();
        return sqs.send(
          new SendMessageCommand({
            QueueUrl: config.queueUrl,
            MessageBody: JSON.stringify(m),
            ...(delaySeconds && { DelaySeconds: delaySeconds }),
            ...(id && { MessageAttributes: { [CORRELATION_ATTRIBUTE]: { DataType: 'String', StringValue: id } } }),
          }),
        );
      },
    };
  };
  return {
    async enqueue(message, options) {
      client ??= connect();
      await (await client).send(message, options?.delaySeconds);
    },
  };
}

export const sqsFilingQueue = (config: { queueUrl: string; endpoint?: string | undefined }): FilingQueue => sqsQueue<FilingMessage>(config);
