/**
 * The receipt goes out exactly once even when SES fails or two deliveries race: DynamoDB Local and the
 * SES emulator, with the processor's use case called directly. "SES down" is a port nothing listens on.
 */
import { SYSTEM, historyEvent, reportedEvent } from '../../shared/store/history.ts';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMail } from '../../infra/local/mail.ts';
import { freePort } from '../../infra/local/processes.ts';
import { sesMailer } from '../../shared/mail/mailer.ts';
import { documentKey } from '../../shared/domain/documents.ts';
import { DocumentStore } from '../../shared/store/document-store.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import { type DecisionRecord, type DocumentRecord, type FiledDocument, filedDocument } from '../../shared/store/records.ts';
import { type ProcessorDeps, processFiling, receiptNoticeId } from '../../shared/use-cases/filings.ts';
import { NOTICE_LEASE_SECONDS, type NoticeDeps, NoticeBusyError, deliverNotice } from '../../shared/use-cases/notices.ts';
import { useDynamo } from './dynamo-harness.ts';
import { expectGranted } from './iam.ts';

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

async function submittedDecision(contact: string) {
  const at = new Date().toISOString();
  const jurisdictionId = `j-${randomUUID().slice(0, 8)}`;
  await db.store.putJurisdiction(jurisdictionId, { name: '测试区', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [], filingNumberPrefix: '测备' }, at);
  await db.store.putAgency(`a-${jurisdictionId}`, { name: '测试局', jurisdictionId, contactEmails: [contact], clientIds: [] }, at);
  const decision: DecisionRecord = {
    id: randomUUID(), agencyId: `a-${jurisdictionId}`, jurisdictionId, caseNumber: `R-${randomUUID()}`, kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'],
    party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-11-20', status: 'AWAITING_FILING', filingRequired: true, filingReasons: [], filingDueOn: '2026-12-04',
    dueProvisional: false, createdAt: at, updatedAt: at,
  };
  expect((await db.store.createDecision(decision, reportedEvent(decision, SYSTEM.processor))).kind).toBe('created');
  // the decision letter, declared and verified as the API and the verifier would
  const documents = new DocumentStore(db.doc, db.tableName);
  const letter: DocumentRecord = {
    documentId: randomUUID(), decisionId: decision.id, agencyId: decision.agencyId, key: '', kind: 'DECISION_LETTER', title: '决定书', fileName: '决定书.pdf',
    contentType: 'application/pdf', sizeBytes: 10, sha256: 'b'.repeat(64), status: 'PENDING', createdAt: at, uploadExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  };
  letter.key = documentKey(decision.id, letter.documentId);
  expect((await documents.declare(letter, historyEvent('DOCUMENT_DECLARED', at, { role: 'agency', subject: 'filer', agencyId: decision.agencyId }, decision.status, decision.status, 'declared'))).kind).toBe('created');
  expect(await documents.settle(letter, { status: 'VERIFIED' }, at, historyEvent('DOCUMENT_VERIFIED', at, SYSTEM.verifier, null, null, 'verified'))).toBe(true);
  const filed: FiledDocument = filedDocument(letter);
  const filings = new FilingStore(db.doc, db.tableName);
  const submissionId = randomUUID();
  const submitted = await filings.submit(decision, {
    documents: [filed], contact: { name: '联系人' },
    submissionId, submittedAt: at, filedOn: '2026-11-27', onTime: true, workingDaysLate: 0, submissions: 1,
  }, { filingDueOn: '2026-12-04', dueProvisional: false }, []);
  expect(submitted.kind).toBe('created');
  return { message: { decisionId: decision.id, submissionId }, filings };
}

function processorDeps(filings: FilingStore): ProcessorDeps {
  return {
    store: db.store, filings, now: () => new Date(), log: () => {},
    documents: new DocumentStore(db.doc, db.tableName),
    queue: { enqueue: async () => { throw new Error('the documents are verified: nothing should wait'); } },
    registry: { jurisdiction: (id) => db.store.getJurisdiction(id), agency: (id) => db.store.getAgency(id) },
  };
}

function deps(filings: FilingStore, sesEndpoint: string): NoticeDeps {
  return { filings, now: () => new Date(), log: () => {}, mailer: sesMailer({ from: 'beian@example.gov.cn', endpoint: sesEndpoint }) };
}

describe('receipt delivery', () => {
  it('registration writes the receipt to the outbox; a failed send gives the claim back; it goes out once', async () => {
    const contact = `${randomUUID()}@example.org`;
    const { message, filings } = await submittedDecision(contact);
    db.sent.length = 0;
    expect(await processFiling(processorDeps(filings), message)).toBe('registered');
    expect(await processFiling(processorDeps(filings), message)).toBe('stale'); // redelivered: nothing more
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
    const { message, filings } = await submittedDecision(contact);
    await processFiling(processorDeps(filings), message);
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
