/**
 * Issue 10: the dead-letter redrive works without SQS's StartMessageMoveTask (not offered in the AWS China
 * regions): receive, send, delete, on the local SQS emulator. Nothing is lost when it is interrupted, and
 * message attributes travel with the body. Faults are injected around the real client.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueue, startQueues } from '../../infra/local/queues.ts';
import { freePort } from '../../infra/local/processes.ts';
import { type Target, listDeadLetters, redrive } from '../../scripts/dlq.ts';

let server: Awaited<ReturnType<typeof startQueues>>;
let client: SQSClient;
let queue: LocalQueue;

beforeAll(async () => {
  server = await startQueues(await freePort(), { visibilityTimeoutSeconds: 1 });
  client = new SQSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  queue = server.queues.get('filings')!;
});
afterAll(async () => {
  client.destroy();
  await server.server.stop();
});

/** Empties both queues, then puts `n` dead letters (each with a correlation attribute) in the DLQ. */
async function deadLetters(n: number): Promise<string[]> {
  for (const url of [queue.url, queue.dlqUrl]) await drain(url);
  const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ decisionId: randomUUID(), i }));
  for (const body of bodies) {
    await client.send(
      new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: body, MessageAttributes: { correlationId: { DataType: 'String', StringValue: `corr-${JSON.parse(body).i}` } } }),
    );
  }
  return bodies;
}

/** Receives (and deletes) everything in a queue, waiting out in-flight messages up to `waitMs`. */
async function drain(url: string, waitMs = 0): Promise<Message[]> {
  const all: Message[] = [];
  const until = Date.now() + waitMs;
  for (;;) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    const got = out.Messages ?? [];
    if (got.length) {
      all.push(...got);
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      continue;
    }
    if (Date.now() >= until) return all;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The real client, with a fault before one kind of command. */
function faulty(fault: (command: unknown, call: number) => 'fail' | 'pass' | { sendOnly: number }): SQSClient {
  let call = 0;
  return {
    send: async (command: unknown) => {
      const what = fault(command, ++call);
      if (what === 'fail') throw new Error('injected: connection reset');
      if (typeof what === 'object' && command instanceof SendMessageBatchCommand) {
        // only the first entries get through; the others are reported failed, as SQS does per entry
        const entries = command.input.Entries!;
        const out = await client.send(new SendMessageBatchCommand({ ...command.input, Entries: entries.slice(0, what.sendOnly) }));
        return { ...out, Failed: entries.slice(what.sendOnly).map((e) => ({ Id: e.Id!, Code: 'InternalError', SenderFault: false, Message: 'injected' })) };
      }
      return client.send(command as never);
    },
  } as unknown as SQSClient;
}

const target = (c: SQSClient = client): Target => ({ client: c, queueUrl: queue.url, dlqUrl: queue.dlqUrl });

describe('npm run dlq -- redrive (receive, send, delete: every partition)', () => {
  it('moves every dead letter back once, with its message attributes, and empties the DLQ', async () => {
    const bodies = await deadLetters(23);
    const moved: string[] = [];
    expect(await redrive(target(), (m) => moved.push(m.Body!), 5)).toBe(23);
    expect(moved.sort()).toEqual([...bodies].sort());
    const back = await drain(queue.url);
    expect(back.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    for (const m of back) expect(m.MessageAttributes?.correlationId?.StringValue).toBe(`corr-${JSON.parse(m.Body!).i}`);
    expect(await listDeadLetters(target())).toEqual([]);
  });

  it('interrupted between the send and the delete: nothing lost; the next run moves the rest, and the interrupted batch comes back once more', async () => {
    const bodies = await deadLetters(15);
    const dying = faulty((command) => (command instanceof DeleteMessageBatchCommand ? 'fail' : 'pass'));
    await expect(redrive(target(dying), () => {}, 1)).rejects.toThrow(/injected/);
    // the first batch (10) is in the queue and, hidden for 1 s, still in the DLQ
    const firstBatch = await drain(queue.url);
    expect(firstBatch).toHaveLength(10);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await redrive(target(), () => {}, 5)).toBe(15);
    const second = await drain(queue.url);
    // every body arrived; the interrupted ten twice in all (the consumers are idempotent), the others once
    const counts = new Map<string, number>();
    for (const m of [...firstBatch, ...second]) counts.set(m.Body!, (counts.get(m.Body!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...bodies].sort());
    expect(firstBatch.every((m) => counts.get(m.Body!) === 2)).toBe(true);
    expect([...counts.values()].filter((c) => c === 1)).toHaveLength(5);
    expect(await listDeadLetters(target())).toEqual([]);
  });

  it('a send that fails for some entries deletes only the sent ones, says so, and a rerun finishes', async () => {
    const bodies = await deadLetters(4);
    const partly = faulty(() => ({ sendOnly: 3 }));
    const moved: string[] = [];
    await expect(redrive(target(partly), (m) => moved.push(m.Body!), 1)).rejects.toThrow(/1 message\(s\) could not be moved .*3 moved so far.*run redrive again/);
    expect(moved).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1_200));
    const left = await listDeadLetters(target());
    expect(left.map((m) => m.Body)).toEqual(bodies.filter((b) => !moved.includes(b)));
    expect(await redrive(target(), () => {}, 5)).toBe(1);
    expect((await drain(queue.url)).map((m) => m.Body).sort()).toEqual([...bodies].sort());
  });

  it('a batch larger than SendMessageBatch takes (1 MiB) goes in several sends: all moved', async () => {
    for (const url of [queue.url, queue.dlqUrl]) await drain(url);
    const big = Array.from({ length: 10 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(150_000) }));
    for (const body of big) await client.send(new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: body }));
    expect(await redrive(target(), () => {}, 5)).toBe(10);
    expect((await drain(queue.url)).map((m) => m.Body).sort()).toEqual([...big].sort());
  });

  it('a delete that fails after the send is reported, not counted as moved', async () => {
    const bodies = await deadLetters(2);
    const undeletable = faulty(() => 'pass');
    const real = undeletable.send.bind(undeletable);
    (undeletable as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
      if (command instanceof DeleteMessageBatchCommand) {
        const entries = command.input.Entries!;
        await real(new DeleteMessageBatchCommand({ ...command.input, Entries: entries.slice(1) }) as never);
        return { Successful: entries.slice(1).map((e) => ({ Id: e.Id! })), Failed: [{ Id: entries[0]!.Id!, Code: 'ReceiptHandleIsInvalid', SenderFault: true }] };
      }
      return real(command as never);
    };
    const moved: string[] = [];
    await expect(redrive(target(undeletable), (m) => moved.push(m.Body!), 1)).rejects.toThrow(/sent but not deleted .*ReceiptHandleIsInvalid.*1 moved so far/);
    expect(moved).toHaveLength(1);
    expect((await drain(queue.url)).map((m) => m.Body).sort()).toEqual([...bodies].sort());
  });

  it('a failing receive moves nothing and loses nothing', async () => {
    const bodies = await deadLetters(3);
    await expect(redrive(target(faulty(() => 'fail')))).rejects.toThrow(/injected/);
    expect((await listDeadLetters(target())).map((m) => m.Body).sort()).toEqual([...bodies].sort());
  });
});
