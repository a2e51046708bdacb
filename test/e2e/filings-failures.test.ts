/**
 * The queue side: 100 concurrent filings (gapless numbers under contention), poison messages and the dead-letter
 * queue, redrive, the queue unreachable after the durable write, the reconciler.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, test, vi } from 'vitest';
import { listDeadLetters, redrive } from '../../scripts/dlq.ts';
import { reconcileFilings } from '../../shared/use-cases/filings.ts';
import { reconcilerDeps } from '../../shared/wiring/reconciler.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import {
  type Agency,
  type StoredMail,
  expectProblem,
  expectStatus,
  filingBody,
  filingNumber,
  inChunks,
  onTimePenalty,
  penaltyDocs,
  today,
  useFilingStack,
} from './filing-harness.ts';

const e2e = useFilingStack();

const target = () => ({ client: e2e.sqs, queueUrl: e2e.filingsQueue.url, dlqUrl: e2e.filingsQueue.dlqUrl });
const receiptsFor = (agency: Agency, caseNumber: string) => (all: StoredMail[]) =>
  all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!) && m.body.text!.includes(caseNumber));

/** Polls the DLQ (with listDeadLetters, which leaves the letters in place) until every body is there. */
async function waitForDeadLetters(bodies: string[], exclude: Set<string> = new Set(), timeout = 30_000): Promise<Message[]> {
  return vi.waitFor(
    async () => {
      const letters = (await listDeadLetters(target())).filter((m) => !exclude.has(m.MessageId!));
      for (const body of bodies) expect(letters.map((m) => m.Body), 'bodies in the DLQ').toContain(body);
      return letters.filter((m) => bodies.includes(m.Body!));
    },
    { timeout, interval: 500 },
  );
}

describe('filing failures', () => {
  test('the queue unreachable after the durable write -> 202 SUBMITTED, stays SUBMITTED (409 to a second PUT); the reconciler re-queues it -> RECEIVED', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    // uploaded and verified before SQS goes away (the verifier hears of uploads through a queue)
    const documents = await e2e.upload(agency.token, d.id, penaltyDocs());
    e2e.stack.sqsFault.setReachable(false);
    let res;
    try {
      res = await e2e.file(agency.token, d.id, filingBody(documents));
    } finally {
      e2e.stack.sqsFault.setReachable(true);
    }
    expectStatus(res, 202);
    expect(res.json).toMatchObject({ status: 'SUBMITTED', onTime: true });
    expect((await e2e.get(agency.token, d.id)).status).toBe('SUBMITTED');

    // nothing reached the queue: once it is drained the decision is still SUBMITTED, and a second filing is refused
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    const stuck = await e2e.get(agency.token, d.id);
    expect(stuck.status).toBe('SUBMITTED');
    expect(stuck.filing?.filingNumber).toBeUndefined();
    const problem = expectProblem(await e2e.file(agency.token, d.id, filingBody(documents)), 409);
    expect(problem.currentStatus).toBe('SUBMITTED');

    const requeued = await reconcileFilings(reconcilerDeps(), 0);
    expect(requeued).toBeGreaterThanOrEqual(1);
    const received = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);
    expect(received.filing!.filingNumber).toBe(filingNumber(agency.prefix, received.filing!.filedOn.slice(0, 4), 1));
    expect(received.filing!.submittedAt).toBe(res.json.submittedAt);
    await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);
  });

  test("the scheduled reconciler (runSchedule('reconcile-filings')) returns { requeued: number }", async () => {
    const out = await e2e.stack.runSchedule('reconcile-filings');
    expect(out).toEqual({ requeued: expect.any(Number) });
    expect(Number.isInteger((out as { requeued: number }).requeued)).toBe(true);
  });

  test('a batch with poison messages: the good filings are RECEIVED, the bad ones are dead-lettered after 3 receives; redrive moves them back and they end in the DLQ again', async () => {
    const agency = await e2e.setup();
    const decisions = await Promise.all(Array.from({ length: 4 }, () => e2e.report(agency.token, onTimePenalty())));
    const documents = await Promise.all(decisions.map((d) => e2e.upload(agency.token, d.id, penaltyDocs())));
    // stored but not queued (queue unreachable for the API), so that they can travel in one batch with the poison
    e2e.stack.sqsFault.setReachable(false);
    let submitted;
    try {
      submitted = await Promise.all(decisions.map((d, i) => e2e.file(agency.token, d.id, filingBody(documents[i]!))));
    } finally {
      e2e.stack.sqsFault.setReachable(true);
    }
    for (const r of submitted) expectStatus(r, 202);
    const notJson = `not json ${Date.now()} {`;
    const notFiling = JSON.stringify({ decisionId: 'nope', hello: 'world', at: Date.now() });
    const good = decisions.map((d, i) => JSON.stringify({ decisionId: d.id, submissionId: submitted[i]!.json.submissionId }));
    await e2e.sendBatch([good[0]!, notJson, good[1]!, good[2]!, notFiling, good[3]!]);

    for (const d of decisions) {
      const got = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE']);
      expect(got.status).toBe('RECEIVED');
    }
    const registered = await Promise.all(decisions.map((d) => e2e.get(agency.token, d.id)));
    const year = registered[0]!.filing!.filedOn.slice(0, 4);
    expect(registered.map((d) => d.filing!.filingNumber!).sort()).toEqual([1, 2, 3, 4].map((n) => filingNumber(agency.prefix, year, n)));

    const dead = await waitForDeadLetters([notJson, notFiling]);
    expect(dead).toHaveLength(2);
    for (const m of dead) expect(Number(m.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(3);
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    const goodDead = (await listDeadLetters(target())).filter((m) => good.includes(m.Body!));
    expect(goodDead).toEqual([]);

    const moved = await redrive(target());
    expect(moved).toBeGreaterThanOrEqual(2);
    // the DLQ is empty right after the redrive (the messages need 3 receives, 1 s apart, to come back)
    expect(await e2e.queueCounts(e2e.filingsQueue.dlqUrl)).toMatchObject({ visible: 0, inFlight: 0 });

    // received again by the processor, failing again, and dead-lettered again (as new messages)
    const firstIds = new Set(dead.map((m) => m.MessageId!));
    const again = await waitForDeadLetters([notJson, notFiling], firstIds);
    expect(again).toHaveLength(2);
    for (const m of again) expect(Number(m.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(3);
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);

    // the good filings were not touched by any of this
    for (const d of decisions) expect((await e2e.get(agency.token, d.id)).status).toBe('RECEIVED');
    expect(await e2e.mailsTo(agency.contactEmails[0]!)).toHaveLength(4);
  });
});

const N = 100;

async function listReceived(token: string): Promise<DecisionRecord[]> {
  const items: DecisionRecord[] = [];
  let cursor: string | null = null;
  do {
    const qs: URLSearchParams = new URLSearchParams({ status: 'RECEIVED', limit: '100', ...(cursor && { cursor }) });
    const res = expectStatus(await e2e.api('GET', `/v1/decisions?${qs}`, { token }), 200);
    items.push(...(res.json.items as DecisionRecord[]));
    cursor = res.json.nextCursor;
  } while (cursor);
  return items;
}

describe('numbering under load', () => {
  test(`${N} concurrent filings in one jurisdiction -> numbers 0001..${String(N).padStart(4, '0')}, no gap, no duplicate; one receipt each`, { timeout: 120_000 }, async () => {
    const agency = await e2e.setup({ prefix: '蓟州备' });
    const decisions = await inChunks(Array.from({ length: N }), 20, () => e2e.report(agency.token, onTimePenalty()));
    // the files first (a few decisions at a time), so that the filings themselves still come all at once
    const documents = await inChunks(decisions, 10, (d) => e2e.upload(agency.token, d.id, penaltyDocs()));
    const dayBefore = today();

    const responses = await Promise.all(decisions.map((d, i) => e2e.file(agency.token, d.id, filingBody(documents[i]!))));
    for (const r of responses) expectStatus(r, 202);
    const year = responses[0]!.json.filedOn.slice(0, 4) as string;
    expect([dayBefore, today()]).toContain(responses[0]!.json.filedOn);

    await vi.waitFor(async () => expect((await listReceived(agency.token)).length).toBe(N), { timeout: 90_000, interval: 500 });

    // read each back by GET, not from the listing index
    const got = await inChunks(decisions, 20, (d) => e2e.get(agency.token, d.id));
    expect(got.map((d) => d.status)).toEqual(Array(N).fill('RECEIVED'));
    const numbers = got.map((d) => d.filing!.filingNumber!);
    expect(new Set(numbers).size).toBe(N);
    expect([...numbers].sort()).toEqual(Array.from({ length: N }, (_, i) => filingNumber('蓟州备', year, i + 1)));

    // one receipt per decision, each naming its own number
    await vi.waitFor(async () => expect((await e2e.mailsTo(agency.contactEmails[0]!)).length).toBeGreaterThanOrEqual(N), { timeout: 30_000, interval: 250 });
    await e2e.waitQueueEmpty(e2e.filingsQueue.url, 30_000);
    const receipts = await e2e.mailsTo(agency.contactEmails[0]!);
    expect(receipts).toHaveLength(N);
    for (const d of got) {
      const mine = receipts.filter((m) => m.body.text!.includes(d.caseNumber));
      expect(mine, `receipts for ${d.caseNumber}`).toHaveLength(1);
      expect(mine[0]!.body.text).toContain(d.filing!.filingNumber!);
    }
  });
});
