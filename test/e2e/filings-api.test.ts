/** PUT /v1/decisions/{id}/filing: the synchronous contract (202, validation, lateness, conflicts, idempotency, ownership). */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import {
  LATE_DUE,
  doc,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  filingBody,
  latePenalty,
  notRequiredDecision,
  onTimePenalty,
  penaltyDocs,
  daysAgo,
  today,
  useFilingStack,
} from './filing-harness.ts';

const e2e = useFilingStack();
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const asFiled = e2e.asFiled;

/** ids of no uploaded document, for requests refused before the documents are looked at (a decision nothing can be uploaded to) */
const unknownRefs = (n = 3) => Array.from({ length: n }, () => ({ documentId: randomUUID() }));

describe('PUT /v1/decisions/{id}/filing', () => {
  test('an on-time filing -> 202 SUBMITTED with submittedAt, filedOn (Shanghai today), onTime, workingDaysLate 0; GET shows the filing', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    expect(d.status).toBe('AWAITING_FILING');
    const documents = await e2e.upload(token, d.id, penaltyDocs());
    const body = filingBody(documents, { contact: { name: '王五', phone: '022-12345678', email: 'wangwu@example.org' } });
    const before = Date.now();
    const dayBefore = today();
    const res = expectStatus(await e2e.file(token, d.id, body), 202);
    const dayAfter = today();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({ status: 'SUBMITTED', submittedAt: expect.stringMatching(ISO_INSTANT), filedOn: expect.any(String), onTime: true, workingDaysLate: 0 });
    expect([dayBefore, dayAfter]).toContain(res.json.filedOn);
    expect(Date.parse(res.json.submittedAt)).toBeGreaterThanOrEqual(before - 5_000);
    expect(Date.parse(res.json.submittedAt)).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(res.json.filedOn <= d.filingDueOn!).toBe(true);

    const got = await e2e.get(token, d.id);
    expect(['SUBMITTED', 'RECEIVED']).toContain(got.status);
    expect(got.filing).toMatchObject({
      documents: await asFiled(token, d.id, documents),
      contact: body.contact,
      submittedAt: res.json.submittedAt,
      filedOn: res.json.filedOn,
      onTime: true,
      workingDaysLate: 0,
    });
  });

  test('a late filing without lateReason -> 422 naming lateReason; nothing stored', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, latePenalty());
    expect(d.filingDueOn).toBe(LATE_DUE);
    const res = await e2e.file(token, d.id, filingBody(await e2e.upload(token, d.id, penaltyDocs())));
    const problem = expectProblem(res, 422);
    expect(problem.errors?.some((e) => e.field === 'lateReason'), res.text).toBe(true);
    const got = await e2e.get(token, d.id);
    expect(got.status).toBe('AWAITING_FILING');
    expect(got.filing).toBeUndefined();
  });

  test('a late filing with lateReason -> 202, onTime false, workingDaysLate as the national calendar counts from the due date', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, latePenalty());
    const promisedOn = today();
    const body = filingBody(await e2e.upload(token, d.id, penaltyDocs()), { lateReason: '案卷整理延误，材料补齐后报送', promisedOn });
    const res = expectStatus(await e2e.file(token, d.id, body), 202);
    const filedOn = res.json.filedOn as string;
    expect([promisedOn, today()]).toContain(filedOn);
    const expected = nationalCalendar().workingDaysBetween(LATE_DUE, filedOn).days;
    expect(expected).toBeGreaterThan(0);
    expect(res.json).toMatchObject({ status: 'SUBMITTED', onTime: false, workingDaysLate: expected });

    const got = await e2e.get(token, d.id);
    expect(got.filing).toMatchObject({ lateReason: body.lateReason, promisedOn, onTime: false, workingDaysLate: expected, filedOn });
  });

  test('filed on the due date itself -> on time (the period ends at 24:00 of the due date)', async () => {
    // a 1-working-day period and today made a working day: a decision of yesterday is due today
    const { token } = await e2e.setup({ jurisdiction: { filingPeriodWorkingDays: 1, extraWorkingDays: [today()] } });
    const d = await e2e.report(token, onTimePenalty({ decidedOn: daysAgo(1) }));
    expect(d.filingDueOn).toBe(today());
    const res = expectStatus(await e2e.file(token, d.id, filingBody(await e2e.upload(token, d.id, penaltyDocs()))), 202);
    expect(res.json).toMatchObject({ filedOn: today(), onTime: true, workingDaysLate: 0 });
  });

  test("filed one working day after the due date -> late by 1, counted on the jurisdiction's calendar; lateReason required", async () => {
    const { token } = await e2e.setup({ jurisdiction: { filingPeriodWorkingDays: 1, extraWorkingDays: [daysAgo(1), today()] } });
    const d = await e2e.report(token, onTimePenalty({ decidedOn: daysAgo(2) }));
    expect(d.filingDueOn).toBe(daysAgo(1));
    const documents = await e2e.upload(token, d.id, penaltyDocs());
    const problem = expectProblem(await e2e.file(token, d.id, filingBody(documents)), 422);
    expect(problem.errors?.map((e) => e.field)).toContain('lateReason');
    const res = expectStatus(await e2e.file(token, d.id, filingBody(documents, { lateReason: '系统故障' })), 202);
    expect(res.json).toMatchObject({ filedOn: today(), onTime: false, workingDaysLate: 1 });
  });

  // documents are no longer described inline (kind, title, sha256, sizeBytes): each is uploaded first and listed by id;
  // an inline one is refused, naming it, with how to upload (the fields of an upload are checked in documents.test.ts)
  const inline = (kind: string, over: Record<string, unknown> = {}) => ({ kind, title: '行政处罚决定书', sha256: 'a'.repeat(64), sizeBytes: 1024, ...over });
  test.each([
    ['the old inline form (kind, title, sha256, sizeBytes) for every document', 'documents.0', (b: any) => (b.documents = penaltyDocs().map((x) => inline(x.kind)))],
    ['an inline document with a sha256 of 63 hex characters', 'documents.0', (b: any) => (b.documents[0] = inline('DECISION_LETTER', { sha256: 'a'.repeat(63) }))],
    ['an inline document with a sha256 of 64 non-hex characters', 'documents.1', (b: any) => (b.documents[1] = inline('LEGAL_REVIEW_OPINION', { sha256: 'z'.repeat(64) }))],
    ['an inline document with a sha256 of 65 hex characters', 'documents.2', (b: any) => (b.documents[2] = inline('COLLECTIVE_DISCUSSION_RECORD', { sha256: 'b'.repeat(65) }))],
    ['an inline document of an unknown kind', 'documents.0', (b: any) => (b.documents[0] = inline('PHOTO'))],
    ['an inline document of sizeBytes 0', 'documents.0', (b: any) => (b.documents[0] = inline('DECISION_LETTER', { sizeBytes: 0 }))],
    ['an inline document with an empty title', 'documents.0', (b: any) => (b.documents[0] = inline('DECISION_LETTER', { title: '' }))],
    ['a documentId that is no id', 'documents.0.documentId', (b: any) => (b.documents[0] = { documentId: 'letter.pdf' })],
    ['a document without its documentId', 'documents.1.documentId', (b: any) => (b.documents[1] = {})],
    ['no documents', 'documents', (b: any) => (b.documents = [])],
    ['no contact name', 'contact.name', (b: any) => delete b.contact.name],
    ['a bad contact email', 'contact.email', (b: any) => (b.contact.email = 'not-an-email')],
  ])('%s -> 400 naming %s; nothing stored', async (_label, field, spoil) => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const body = filingBody(await e2e.upload(token, d.id, penaltyDocs())) as any;
    spoil(body);
    const problem = expectFieldErrors(await e2e.file(token, d.id, body), 'body', [field]);
    if (/^documents\.\d$/.test(field)) expect(problem.errors!.find((e) => e.field === field)!.reason, 'says how to upload').toContain('POST /v1/decisions/');
    expect((await e2e.get(token, d.id)).status).toBe('AWAITING_FILING');
  });

  test('every document kind is accepted (DECISION_LETTER, LEGAL_REVIEW_OPINION, COLLECTIVE_DISCUSSION_RECORD, HEARING_RECORD, OTHER)', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const specs = [...penaltyDocs(), doc('HEARING_RECORD'), doc('OTHER')];
    const documents = await e2e.upload(token, d.id, specs);
    expectStatus(await e2e.file(token, d.id, filingBody(documents)), 202);
    const filed = (await e2e.get(token, d.id)).filing?.documents;
    expect(filed?.map((x) => x.kind)).toEqual(specs.map((x) => x.kind));
    expect(filed).toEqual(await asFiled(token, d.id, documents));
  });

  test('a decision that needs no filing (a WARNING, NOT_REQUIRED) -> 409 with currentStatus NOT_REQUIRED', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, notRequiredDecision({ decidedOn: today() }));
    expect(d.status).toBe('NOT_REQUIRED');
    // nothing can be uploaded to it (documents.test.ts: 409): the status is what refuses the filing
    const problem = expectProblem(await e2e.file(token, d.id, filingBody(unknownRefs())), 409);
    expect(problem.currentStatus).toBe('NOT_REQUIRED');
    const got = await e2e.get(token, d.id);
    expect(got.status).toBe('NOT_REQUIRED');
    expect(got.filing).toBeUndefined();
  });

  test('a decision already registered (RECEIVED) -> 409 with currentStatus RECEIVED; its filing is unchanged', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const documents = await e2e.upload(token, d.id, penaltyDocs());
    expectStatus(await e2e.file(token, d.id, filingBody(documents)), 202);
    const received = await e2e.waitForStatus(token, d.id, ['RECEIVED']);
    const problem = expectProblem(await e2e.file(token, d.id, filingBody(documents)), 409);
    expect(problem.currentStatus).toBe('RECEIVED');
    const got = await e2e.get(token, d.id);
    expect(got.status).toBe('RECEIVED');
    expect(got.filing).toEqual(received.filing);
  });

  test('the same Idempotency-Key and body -> the same 202 body replayed (while processing and after registration); one submission', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const body = filingBody(await e2e.upload(token, d.id, penaltyDocs()));
    const key = randomUUID();
    const first = expectStatus(await e2e.file(token, d.id, body, { 'idempotency-key': key }), 202);
    const again = expectStatus(await e2e.file(token, d.id, body, { 'idempotency-key': key }), 202);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const received = await e2e.waitForStatus(token, d.id, ['RECEIVED']);
    const late = expectStatus(await e2e.file(token, d.id, body, { 'idempotency-key': key }), 202);
    expect(late.json).toEqual(first.json);
    expect(received.filing?.submittedAt).toBe(first.json.submittedAt);
    expect(received.filing?.submissions).toBe(1);
  });

  test('the same Idempotency-Key with another body -> 422; the first submission stands', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const key = randomUUID();
    // two sets of files, uploaded while the filing is open: the second body lists other documents and another contact
    const [mine, others] = await Promise.all([e2e.upload(token, d.id, penaltyDocs()), e2e.upload(token, d.id, penaltyDocs())]);
    const first = expectStatus(await e2e.file(token, d.id, filingBody(mine), { 'idempotency-key': key }), 202);
    const other = filingBody(others, { contact: { name: '赵六' } });
    expectProblem(await e2e.file(token, d.id, other, { 'idempotency-key': key }), 422);
    const got = await e2e.get(token, d.id);
    expect(got.filing?.submittedAt).toBe(first.json.submittedAt);
    expect(got.filing?.contact.name).toBe('王五');
  });

  test('a client retrying: bursts of identical PUTs with one Idempotency-Key -> every one 202 with the same body; one submission', async () => {
    const { token } = await e2e.setup();
    // 6 decisions, 30 retries each, started 0-58 ms apart so that some arrive while the first submission is being written
    for (let round = 0; round < 6; round++) {
      const d = await e2e.report(token, onTimePenalty());
      const body = filingBody(await e2e.upload(token, d.id, penaltyDocs()));
      const key = randomUUID();
      const all = await Promise.all(
        Array.from({ length: 30 }, (_, i) => new Promise((r) => setTimeout(r, i * 2)).then(() => e2e.file(token, d.id, body, { 'idempotency-key': key }))),
      );
      const refused = all.filter((r) => r.status !== 202);
      expect(refused.map((r) => `${r.status} ${r.text}`), `round ${round}: retries with the same key and body refused`).toEqual([]);
      expect(new Set(all.map((r) => r.text)).size).toBe(1);
      const received = await e2e.waitForStatus(token, d.id, ['RECEIVED']);
      expect(received.filing?.submissionId).toBe(all[0]!.json.submissionId);
      expect(received.filing?.submissions).toBe(1);
    }
  });

  test('20 concurrent PUTs without a key -> exactly one 202, the others 409 with the current status; one submission', async () => {
    const { token } = await e2e.setup();
    const d = await e2e.report(token, onTimePenalty());
    const documents = await e2e.upload(token, d.id, penaltyDocs());
    const all = await Promise.all(Array.from({ length: 20 }, () => e2e.file(token, d.id, filingBody(documents))));
    const accepted = all.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    for (const r of all.filter((x) => x.status !== 202)) {
      const problem = expectProblem(r, 409);
      expect(['SUBMITTED', 'RECEIVED']).toContain(problem.currentStatus);
    }
    const received = await e2e.waitForStatus(token, d.id, ['RECEIVED']);
    expect(received.filing?.submissionId).toBe(accepted[0]!.json.submissionId);
    expect(received.filing?.submissions).toBe(1);
  });

  test("another agency's decision -> 404, and it is left untouched; an unknown decision -> 404", async () => {
    const owner = await e2e.setup();
    const other = await e2e.addAgency(owner.jurisdictionId, owner.prefix);
    const d = await e2e.report(owner.token, onTimePenalty());
    const documents = await e2e.upload(owner.token, d.id, penaltyDocs());
    expectProblem(await e2e.file(other.token, d.id, filingBody(documents)), 404);
    const got = await e2e.get(owner.token, d.id);
    expect(got.status).toBe('AWAITING_FILING');
    expect(got.filing).toBeUndefined();
    expectProblem(await e2e.file(owner.token, randomUUID(), filingBody(documents)), 404);

    // the owner's Idempotency-Key gives the other agency nothing: still 404, not the owner's stored response
    const key = randomUUID();
    const body = filingBody(documents);
    expectStatus(await e2e.file(owner.token, d.id, body, { 'idempotency-key': key }), 202);
    expectProblem(await e2e.file(other.token, d.id, body, { 'idempotency-key': key }), 404);
  });
});
