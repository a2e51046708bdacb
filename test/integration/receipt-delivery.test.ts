/**
 * The receipt goes out exactly once even when SES fails or two deliveries race: DynamoDB Local and the
 * SES emulator, with the processor's use case called directly. "SES down" is a port nothing listens on.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMail } from '../../infra/local/mail.ts';
import { freePort } from '../../infra/local/processes.ts';
import { sesMailer } from '../../shared/mail/mailer.ts';
import type { FilingStore } from '../../shared/store/filing-store.ts';
import { processFiling, receiptNoticeId } from '../../shared/use-cases/filings.ts';
import { NOTICE_LEASE_SECONDS, type NoticeDeps, NoticeBusyError, deliverNotice } from '../../shared/use-cases/notices.ts';
import { useDynamo } from './dynamo-harness.ts';
import { expectGranted } from './iam.ts';
import { processorDeps, submittedDecision } from './receipt-fixture.ts';

const db = useDynamo('beian-receipts');
let mail: { server: Server; endpoint: string };
beforeAll(async () => {
  mail = await startMail(await freePort());
});
afterAll(() => new Promise((r) => mail.server.close(r)));

const sentTo = async (address: string) =>
  ((await (await fetch(`${mail.endpoint}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] }).emails.filter((e) =>
    e.destination.to.includes(address),
  );

function deps(filings: FilingStore, sesEndpoint: string): NoticeDeps {
  return { filings, now: () => new Date(), log: () => {}, mailer: sesMailer({ from: 'beian@example.gov.cn', endpoint: sesEndpoint }) };
}

describe('receipt delivery', () => {
  it('registration writes the receipt to the outbox; a failed send gives the claim back; it goes out once', async () => {
    const contact = `${randomUUID()}@example.org`;
    const { message, filings } = await submittedDecision(db, contact);
    db.sent.length = 0;
    expect(await processFiling(processorDeps(db, filings), message)).toBe('registered');
    expect(await processFiling(processorDeps(db, filings), message)).toBe('stale'); // redelivered: nothing more
    expectGranted('process-filing', db.sent);
    const id = receiptNoticeId(message);
    expect((await filings.getNotice(id))?.status).toBe('PENDING');

    const sesDown = `http://127.0.0.1:${await freePort()}`;
    await expect(deliverNotice(deps(filings, sesDown), id)).rejects.toThrow();
    expect((await filings.getNotice(id))?.status).toBe('PENDING'); // the claim was given back

    db.sent.length = 0;
    expect(await deliverNotice(deps(filings, mail.endpoint), id)).toBe('sent');
    expect(await deliverNotice(deps(filings, mail.endpoint), id)).toBe('none');
    expectGranted('send-notices', db.sent);
    const receipts = await sentTo(contact);
    expect(receipts).toHaveLength(1);
    const decision = await db.store.getDecision(message.decisionId);
    expect(receipts[0]!.subject).toContain(decision!.filing!.filingNumber!);
    expect((await filings.getNotice(id))?.status).toBe('SENT');
  });

  it('while another delivery holds the claim, this one is told until when; after it lapses, it sends', async () => {
    const contact = `${randomUUID()}@example.org`;
    const { message, filings } = await submittedDecision(db, contact);
    await processFiling(processorDeps(db, filings), message);
    const id = receiptNoticeId(message);
    const claimed = await filings.claimNotice(id, new Date(), NOTICE_LEASE_SECONDS);
    expect(claimed).toHaveProperty('status', 'SENDING'); // "another delivery" holds it now
    const busy = deliverNotice(deps(filings, mail.endpoint), id);
    await expect(busy).rejects.toBeInstanceOf(NoticeBusyError);
    await expect(busy).rejects.toHaveProperty('claimedUntil', (claimed as { claimedUntil: string }).claimedUntil);
    expect(await sentTo(contact)).toHaveLength(0);
    // the claim lapses (that delivery died): the next delivery sends it
    const later = deps(filings, mail.endpoint);
    later.now = () => new Date(Date.now() + (NOTICE_LEASE_SECONDS + 1) * 1000);
    expect(await deliverNotice(later, id)).toBe('sent');
    expect(await deliverNotice(later, id)).toBe('none');
    expect(await sentTo(contact)).toHaveLength(1);
  });
});
