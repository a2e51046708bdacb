/** The processor: document checks, RECEIVED with a gapless number or INCOMPLETE, resubmission, the receipt mail, duplicates. */
import { describe, expect, test } from 'vitest';
import type { DocumentKind } from '../../shared/schemas/filing.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import {
  type Agency,
  type DocSpec,
  type StoredMail,
  doc,
  escapeRegExp,
  expectStatus,
  filingBody,
  filingNumber,
  latePenalty,
  onTimePenalty,
  penaltyDocs,
  requiredDecision,
  today,
  useFilingStack,
  yesterday,
} from './filing-harness.ts';

const e2e = useFilingStack();
const CHINESE = /[\u4e00-\u9fff]/;

/** Uploads a file for each spec (only those: an incomplete package lacks the others), files the decision and waits for the processor's outcome. */
async function fileAndWait(agency: Agency, decisionId: string, specs: DocSpec[], extra: Record<string, unknown> = {}): Promise<DecisionRecord> {
  const documents = await e2e.upload(agency.token, decisionId, specs);
  expectStatus(await e2e.file(agency.token, decisionId, filingBody(documents, extra)), 202);
  return e2e.waitForStatus(agency.token, decisionId, ['RECEIVED', 'INCOMPLETE']);
}

const asFiled = e2e.asFiled;

/** missingDocuments as the processor writes them for kinds no document was listed of, in kind order */
const notListed = (kinds: readonly DocumentKind[]) => [...kinds].sort().map((kind) => ({ kind, reason: 'not listed' }));
const byKind = (missing: readonly { kind: string }[] | undefined) => [...(missing ?? [])].sort((a, b) => a.kind.localeCompare(b.kind));

const receiptsFor = (agency: Agency, caseNumber: string) => (all: StoredMail[]) =>
  all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!) && `${m.subject}\n${m.body.text}`.includes(caseNumber));

describe('processing a filing', () => {
  test('a complete penalty filing -> RECEIVED with 宝坻备〔year〕0001; GET shows number, documents and timeliness; one receipt to the contacts', async () => {
    const agency = await e2e.setup({ prefix: '宝坻备' });
    const d = await e2e.report(agency.token, onTimePenalty());
    const documents = await e2e.upload(agency.token, d.id, penaltyDocs());
    expectStatus(await e2e.file(agency.token, d.id, filingBody(documents)), 202);
    const got = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE']);
    expect(got.status).toBe('RECEIVED');
    const year = got.filing!.filedOn.slice(0, 4);
    expect(got.filing).toMatchObject({ filingNumber: filingNumber('宝坻备', year, 1), documents: await asFiled(agency.token, d.id, documents), onTime: true, workingDaysLate: 0, filedOn: today() });
    expect(got.filing!.missingDocuments ?? []).toEqual([]);

    const [mail, ...more] = await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    expect(more).toEqual([]);
    expect(new Set(mail!.destination.to)).toEqual(new Set(agency.contactEmails));
    expect(`${mail!.subject}\n${mail!.body.text}`).toContain('备案回执');
    for (const part of [mail!.body.text!, mail!.body.html!]) {
      expect(part).toMatch(CHINESE);
      expect(part).toContain(d.caseNumber);
      expect(part).toContain(got.filing!.filingNumber!);
      expect(part).toContain(got.filing!.filedOn);
      expect(part).toContain('按期备案');
      expect(part).not.toContain('逾期备案');
    }
    // each file of the filing, with its SHA-256
    for (const f of got.filing!.documents) expect(mail!.body.text).toContain(f.sha256);
    expect(mail!.body.html).toMatch(/<html|<p|<table|<br/i);
    expect(mail!.body.text).not.toMatch(/<[a-z]+[ >]/i);

    // the queue settles and still one receipt
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);
  });

  test('a late filing -> RECEIVED; the receipt says 逾期备案', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, latePenalty());
    const got = await fileAndWait(agency, d.id, penaltyDocs(), { lateReason: '执法人员外出办案，材料整理延误' });
    expect(got.status).toBe('RECEIVED');
    expect(got.filing).toMatchObject({ onTime: false, filingNumber: expect.stringContaining(agency.prefix) });
    expect(got.filing!.workingDaysLate).toBeGreaterThan(0);
    const [mail] = await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    for (const part of [mail!.body.text!, mail!.body.html!]) {
      expect(part).toContain('逾期备案');
      expect(part).not.toContain('按期备案');
      expect(part).toContain(got.filing!.filingNumber!);
      expect(part).toContain(got.filing!.filedOn);
    }
  });

  const L = 'DECISION_LETTER', R = 'LEGAL_REVIEW_OPINION', C = 'COLLECTIVE_DISCUSSION_RECORD', H = 'HEARING_RECORD', O = 'OTHER';
  test.each<[string, DocumentKind[], Record<string, unknown>, DocumentKind[]]>([
    ['a penalty with the decision letter only', [R, C], {}, [L]],
    ['a penalty without the collective discussion record', [C], {}, [L, R]],
    ['a penalty without the decision letter', [L], {}, [O, R, C]],
    ['a penalty whose party requested a hearing, without the hearing record', [H], { hearingRequested: true }, [L, R, C]],
    ['a penalty whose party requested a hearing, with the hearing record', [], { hearingRequested: true }, [L, R, C, H]],
    ['a penalty whose party did not request a hearing', [], { hearingRequested: false }, [L, R, C]],
    ['a major coercive decision (public interest) with the decision letter', [], { kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'] }, [L]],
    ['a coercive decision after a hearing, without the hearing record', [H], { kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['HEARING_HELD'] }, [L, O]],
    ['a coercive decision after a hearing, with the hearing record', [], { kind: 'COERCIVE', measures: ['FREEZE'], majorReasons: ['HEARING_HELD', 'COMPLEX_CASE'] }, [L, H]],
    ['a coercive decision whose party requested a hearing', [H], { kind: 'COERCIVE', measures: ['SEIZE'], majorReasons: ['PUBLIC_INTEREST'], hearingRequested: true }, [L]],
  ])('%s -> missing %j', async (_label, missing, overrides, kinds) => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, requiredDecision({ decidedOn: yesterday(), ...overrides }));
    expect(d.status).toBe('AWAITING_FILING');
    const got = await fileAndWait(agency, d.id, kinds.map((k) => doc(k)));
    if (missing.length) {
      expect(got.status).toBe('INCOMPLETE');
      expect(byKind(got.filing!.missingDocuments)).toEqual(notListed(missing));
      expect(got.filing!.filingNumber).toBeUndefined();
    } else {
      expect(got.status).toBe('RECEIVED');
      expect(got.filing!.filingNumber).toBe(filingNumber(agency.prefix, got.filing!.filedOn.slice(0, 4), 1));
      expect(got.filing!.missingDocuments ?? []).toEqual([]);
    }
  });

  test('an INCOMPLETE filing is resubmitted through the same endpoint -> SUBMITTED, then RECEIVED; one receipt, stating the number', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const incomplete = await fileAndWait(agency, d.id, [doc('DECISION_LETTER')]);
    expect(incomplete.status).toBe('INCOMPLETE');
    expect(byKind(incomplete.filing!.missingDocuments)).toEqual(notListed(['COLLECTIVE_DISCUSSION_RECORD', 'LEGAL_REVIEW_OPINION']));
    expect(incomplete.filing!.filingNumber).toBeUndefined();

    // the resubmission lists the letter filed before and the two documents uploaded since
    const letter = incomplete.filing!.documents.map(({ documentId }) => ({ documentId }));
    const documents = [...letter, ...(await e2e.upload(agency.token, d.id, [doc('LEGAL_REVIEW_OPINION'), doc('COLLECTIVE_DISCUSSION_RECORD')]))];
    const res = expectStatus(await e2e.file(agency.token, d.id, filingBody(documents)), 202);
    expect(res.json).toMatchObject({ status: 'SUBMITTED', onTime: true, workingDaysLate: 0 });
    const received = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE']);
    expect(received.status).toBe('RECEIVED');
    expect(received.filing).toMatchObject({ documents: await asFiled(agency.token, d.id, documents), submittedAt: res.json.submittedAt, filingNumber: filingNumber(agency.prefix, received.filing!.filedOn.slice(0, 4), 1) });
    expect(received.filing!.missingDocuments ?? []).toEqual([]);

    const mails = await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);
    expect(mails[0]!.body.text).toContain(received.filing!.filingNumber!);

    // a late redelivery of the first (incomplete) submission's message changes nothing
    await e2e.send(JSON.stringify({ decisionId: d.id, submissionId: incomplete.filing!.submissionId }));
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    expect(await e2e.get(agency.token, d.id)).toEqual(received);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);
  });

  test('numbers are gapless per jurisdiction, in order of registration; incomplete filings take none; another jurisdiction counts on its own with its prefix', async () => {
    const a = await e2e.setup({ prefix: '宝坻备' });
    const b = await e2e.setup({ prefix: '武清备' });
    const numbers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const incomplete = await e2e.report(a.token, onTimePenalty());
      expect((await fileAndWait(a, incomplete.id, [doc('DECISION_LETTER')])).status).toBe('INCOMPLETE');
      const d = await e2e.report(a.token, onTimePenalty());
      const got = await fileAndWait(a, d.id, penaltyDocs());
      expect(got.status).toBe('RECEIVED');
      numbers.push(got.filing!.filingNumber!);
    }
    const year = today().slice(0, 4);
    expect(numbers).toEqual([1, 2, 3].map((n) => filingNumber('宝坻备', year, n)));

    const inB = await e2e.report(b.token, onTimePenalty());
    const gotB = await fileAndWait(b, inB.id, penaltyDocs());
    expect(gotB.filing!.filingNumber).toBe(filingNumber('武清备', year, 1));
    expect(gotB.filing!.filingNumber).toMatch(new RegExp(`^${escapeRegExp('武清备〔')}\\d{4}〕\\d{4}$`));
  });

  test('the same message delivered twice -> still one number and exactly one receipt; the next filing takes the next number', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const res = expectStatus(await e2e.file(agency.token, d.id, filingBody(await e2e.upload(agency.token, d.id, penaltyDocs()))), 202);
    const first = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);
    await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);

    const submissionId = res.json.submissionId ?? first.filing!.submissionId;
    expect(submissionId).toBe(first.filing!.submissionId);
    const message = JSON.stringify({ decisionId: d.id, submissionId });
    await e2e.send(message);
    await e2e.send(message);
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    expect(await e2e.queueCounts(e2e.filingsQueue.dlqUrl)).toMatchObject({ visible: 0, inFlight: 0 });

    const after = await e2e.get(agency.token, d.id);
    expect(after.status).toBe('RECEIVED');
    expect(after.filing!.filingNumber).toBe(first.filing!.filingNumber);
    expect(after.filing!.registeredAt).toBe(first.filing!.registeredAt);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);

    const next = await e2e.report(agency.token, onTimePenalty());
    const gotNext = await fileAndWait(agency, next.id, penaltyDocs());
    expect(gotNext.filing!.filingNumber).toBe(filingNumber(agency.prefix, gotNext.filing!.filedOn.slice(0, 4), 2));
  });

  test('duplicates delivered while the first delivery is still in flight -> one number, exactly one receipt', async () => {
    const agency = await e2e.setup();
    const d = await e2e.report(agency.token, onTimePenalty());
    const res = expectStatus(await e2e.file(agency.token, d.id, filingBody(await e2e.upload(agency.token, d.id, penaltyDocs()))), 202);
    const message = JSON.stringify({ decisionId: d.id, submissionId: res.json.submissionId });
    await e2e.sendBatch([message, message, message]);
    const got = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);
    await e2e.waitForMails(receiptsFor(agency, d.caseNumber));
    await e2e.waitQueueEmpty(e2e.filingsQueue.url);
    const after = await e2e.get(agency.token, d.id);
    expect(after.filing!.filingNumber).toBe(filingNumber(agency.prefix, got.filing!.filedOn.slice(0, 4), 1));
    expect(after.filing!.registeredAt).toBe(got.filing!.registeredAt);
    expect(receiptsFor(agency, d.caseNumber)(await e2e.mails())).toHaveLength(1);
  });
});
