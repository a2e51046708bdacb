/**
 * Dead letters of the filings queue:
 *   npm run -s dlq -- list                 show what is in the dead-letter queue (the local stack must run)
 *   npm run -s dlq -- redrive              move every dead letter back to its queue for another try
 * In AWS, any partition (credentials and region from the usual AWS environment or profile), name the queues
 * from the stack's resources:
 *   npm run -s dlq -- list --queue-url URL --dlq-url URL
 *   npm run -s dlq -- redrive --queue-url URL --dlq-url URL
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { defaultStateDir } from '../infra/local/paths.ts';

export interface Target {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
}

function target(values: { 'queue-url'?: string; 'dlq-url'?: string; queue?: string }): Target {
  if (values['queue-url'] || values['dlq-url']) {
    if (!values['queue-url'] || !values['dlq-url']) throw new Error('give both --queue-url and --dlq-url (see the stack outputs)');
    return { client: new SQSClient({}), queueUrl: values['queue-url'], dlqUrl: values['dlq-url'] };
  }
  const file = join(defaultStateDir, 'stack.json');
  if (!existsSync(file)) throw new Error(`the local stack is not running (no ${file}; BEIAN_STATE_DIR chooses the folder): start it with \`npm start\`, or pass --queue-url and --dlq-url for AWS`);
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { sqsEndpoint: string; queues: Record<string, { url: string; dlqUrl: string }> };
  const queue = stack.queues[values.queue ?? 'filings'];
  if (!queue) throw new Error(`no queue ${values.queue}; known: ${Object.keys(stack.queues).join(', ')}`);
  const client = new SQSClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { client, queueUrl: queue.url, dlqUrl: queue.dlqUrl };
}

/** How long a dead letter being moved stays hidden: a redrive stopped midway leaves it visible again after this. */
export const REDRIVE_VISIBILITY_SECONDS = 60;

async function receive(t: Target, visibilityTimeout: number): Promise<Message[]> {
  const out = await t.client.send(
    new ReceiveMessageCommand({
      QueueUrl: t.dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibilityTimeout,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

/** Every dead letter, left in the queue (their visibility is given back at once). */
export async function listDeadLetters(t: Target): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let batch = await receive(t, 30); batch.length; batch = await receive(t, 30)) {
    for (const m of batch) seen.set(m.MessageId!, m);
  }
  const all = [...seen.values()];
  for (let i = 0; i < all.length; i += 10) {
    const chunk = all.slice(i, i + 10);
    await t.client.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: t.dlqUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }),
    );
  }
  return all;
}

/**
 * Moves every dead letter back to its queue by receive, send, delete: the one way that works in every
 * partition (the AWS China regions do not offer SQS's own redrive, StartMessageMoveTask). Ten at a time:
 * the batch is sent first (body and message attributes as they were) and only the messages whose send
 * succeeded are deleted, so an interruption never loses one. Stopped between the send and the delete, a
 * message is in both queues: its dead letter becomes visible again after `visibilitySeconds` and the
 * next run moves it once more. Its consumer then sees it twice, which every consumer here takes in its
 * stride (a filing is registered once per submission, a sweep resumes, a document is verified once).
 */
export async function redrive(t: Target, onMoved: (m: Message) => void = () => {}, visibilitySeconds = REDRIVE_VISIBILITY_SECONDS): Promise<number> {
  let moved = 0;
  for (let batch = await receive(t, visibilitySeconds); batch.length; batch = await receive(t, visibilitySeconds)) {
    const sent: Message[] = [];
    const failures: string[] = [];
    for (const group of bySize(batch)) {
      const out = await t.client.send(
        new SendMessageBatchCommand({
          QueueUrl: t.queueUrl,
          Entries: group.map((m, i) => ({
            Id: String(i),
            MessageBody: m.Body ?? '',
            ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length && { MessageAttributes: m.MessageAttributes }),
          })),
        }),
      );
      sent.push(...(out.Successful ?? []).map((entry) => group[Number(entry.Id)]!));
      failures.push(...(out.Failed ?? []).map((f) => `${f.Code}: ${f.Message ?? ''}`));
    }
    if (sent.length) {
      const deleted = await t.client.send(new DeleteMessageBatchCommand({ QueueUrl: t.dlqUrl, Entries: sent.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      // sent but not deleted: it comes back from the DLQ and would be sent a second time; say so
      for (const f of deleted.Failed ?? []) failures.push(`sent but not deleted from the dead-letter queue (it will be sent again by the next run): ${sent[Number(f.Id)]!.MessageId} ${f.Code}`);
      const notDeleted = new Set((deleted.Failed ?? []).map((f) => Number(f.Id)));
      for (const [i, m] of sent.entries()) {
        if (notDeleted.has(i)) continue;
        moved++;
        onMoved(m);
      }
    }
    if (failures.length) {
      // the rest stay dead letters (visible again after the timeout): say why, and let the operator rerun
      throw new Error(`${failures.length} message(s) could not be moved (${failures.join('; ')}); ${moved} moved so far. Those not sent are still in the dead-letter queue: run redrive again.`);
    }
  }
  return moved;
}

/** SendMessageBatch takes at most 1 MiB in all: a batch of large messages goes in several sends. */
const BATCH_BYTES = 1_000_000;
function bySize(messages: Message[]): Message[][] {
  const size = (m: Message) =>
    Buffer.byteLength(m.Body ?? '') +
    Object.entries(m.MessageAttributes ?? {}).reduce((n, [k, a]) => n + Buffer.byteLength(k) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? '') + (a.BinaryValue?.length ?? 0), 0);
  const groups: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (current.length && bytes + size(m) > BATCH_BYTES) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size(m);
  }
  if (current.length) groups.push(current);
  return groups;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const usage = 'usage: npm run -s dlq -- list|redrive [--queue filings|sweeps|documents] (the local stack), or [--queue-url URL --dlq-url URL] (AWS)';
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { queue: { type: 'string' }, 'queue-url': { type: 'string' }, 'dlq-url': { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help) return console.log(usage);
  if (command !== 'list' && command !== 'redrive') throw new Error(usage);
  const t = target(values);
  if (command === 'list') {
    const letters = await listDeadLetters(t);
    console.log(`${letters.length} dead letter(s) in ${t.dlqUrl}`);
    for (const m of letters) {
      const sent = m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : '?';
      // the count includes this tool's own receives (each list and redrive receives every message once)
      console.log(`- ${m.MessageId}  received ${m.Attributes?.ApproximateReceiveCount ?? '?'}x (this tool's looks included)  first sent ${sent}\n  ${m.Body}`);
    }
  } else {
    const moved = await redrive(t, (m) => console.log(`moved ${m.MessageId}`));
    console.log(`${moved} dead letter(s) moved back to ${t.queueUrl}`);
  }
  t.client.destroy();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    const refused = (e as { code?: string }).code === 'ECONNREFUSED';
    console.error(`dlq: ${refused ? 'the local SQS emulator does not answer: is `npm start` running?' : (e as Error).message}`);
    process.exitCode = 1;
  });
}
