/**
 * Dead letters of the filings queue:
 *   npm run -s dlq -- list                 show what is in the dead-letter queue (the local stack must run)
 *   npm run -s dlq -- redrive              move every dead letter back to its queue for another try
 * In AWS (credentials from the usual AWS environment or profile), name the queues from the stack outputs:
 *   npm run -s dlq -- list --queue-url URL --dlq-url URL
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { defaultStateDir } from '../infra/local/paths.ts';

interface Target {
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
  if (!existsSync(file)) throw new Error('the local stack is not running (no .local/stack.json): start it with `npm start`, or pass --queue-url and --dlq-url for AWS');
  const stack = JSON.parse(readFileSync(file, 'utf8')) as { sqsEndpoint: string; queues: Record<string, { url: string; dlqUrl: string }> };
  const queue = stack.queues[values.queue ?? 'filings'];
  if (!queue) throw new Error(`no queue ${values.queue}; known: ${Object.keys(stack.queues).join(', ')}`);
  const client = new SQSClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { client, queueUrl: queue.url, dlqUrl: queue.dlqUrl };
}

async function receive(t: Target, visibilityTimeout: number): Promise<Message[]> {
  const out = await t.client.send(
    new ReceiveMessageCommand({ QueueUrl: t.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilityTimeout, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
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

/** Moves every dead letter back to its queue: sent first, then deleted, so none is lost on the way. */
export async function redrive(t: Target, onMoved: (m: Message) => void = () => {}): Promise<number> {
  let moved = 0;
  for (let batch = await receive(t, 60); batch.length; batch = await receive(t, 60)) {
    for (const m of batch) {
      await t.client.send(new SendMessageCommand({ QueueUrl: t.queueUrl, MessageBody: m.Body ?? '' }));
      await t.client.send(new DeleteMessageCommand({ QueueUrl: t.dlqUrl, ReceiptHandle: m.ReceiptHandle! }));
      moved++;
      onMoved(m);
    }
  }
  return moved;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { queue: { type: 'string' }, 'queue-url': { type: 'string' }, 'dlq-url': { type: 'string' } },
  });
  const command = positionals[0];
  if (command !== 'list' && command !== 'redrive') throw new Error('usage: npm run -s dlq -- list|redrive [--queue-url URL --dlq-url URL]');
  const t = target(values);
  if (command === 'list') {
    const letters = await listDeadLetters(t);
    console.log(`${letters.length} dead letter(s) in ${t.dlqUrl}`);
    for (const m of letters) {
      const sent = m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : '?';
      console.log(`- ${m.MessageId}  received ${m.Attributes?.ApproximateReceiveCount ?? '?'}x  first sent ${sent}\n  ${m.Body}`);
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
