/**
 * A decision filed with a verified decision letter, ready for the processor to register and write its
 * receipt to the outbox: what the receipt-delivery tests (SES and SMTP) start from.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { documentKey } from '../../shared/domain/documents.ts';
import { DocumentStore } from '../../shared/store/document-store.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import { SYSTEM, historyEvent, reportedEvent } from '../../shared/store/history.ts';
import { type DecisionRecord, type DocumentRecord, type FiledDocument, filedDocument } from '../../shared/store/records.ts';
import type { ProcessorDeps } from '../../shared/use-cases/filings.ts';
import type { DynamoHarness } from './dynamo-harness.ts';

export async function submittedDecision(db: DynamoHarness, contact: string) {
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

export function processorDeps(db: DynamoHarness, filings: FilingStore): ProcessorDeps {
  return {
    store: db.store, filings, now: () => new Date(), log: () => {},
    documents: new DocumentStore(db.doc, db.tableName),
    queue: { enqueue: async () => { throw new Error('the documents are verified: nothing should wait'); } },
    registry: { jurisdiction: (id) => db.store.getJurisdiction(id), agency: (id) => db.store.getAgency(id) },
  };
}
