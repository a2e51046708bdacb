/**
 * Issue 8: the review of received filings (予以备案 / 责令纠正), the correction cycle, the review queue,
 * a decision's history, and the sweep on corrections (整改提醒 / 逾期未整改), end to end on the local stack.
 */
import { describe, expect, test, vi } from 'vitest';
import { LOCAL_WEB_CLIENT, signClaims } from '../../infra/local/jwt.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import {
  type Agency,
  type ApiResponse,
  type StoredMail,
  LATE_DECIDED,
  daysAgo,
  doc,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  filingBody,
  notRequiredDecision,
  onTimePenalty,
  penaltyDocs,
  requiredDecision,
  today,
  uid,
  useFilingStack,
} from './filing-harness.ts';
import { shanghaiDateOf } from './harness.ts';
import { sweep } from './supervision-harness.ts';

const e2e = useFilingStack();

// ---------- the contract's shapes (the record types may not carry them yet) ----------

type Outcome = 'ACCEPTED' | 'CORRECTION_REQUIRED';
interface Review {
  outcome: Outcome;
  comments?: string | null;
  reviewedAt: string;
  reviewedOn: string;
  reviewer: string;
}
type Decision = Omit<DecisionRecord, 'status'> & {
  status: string;
  review?: Review;
  correctionDueOn?: string;
  correctionDueProvisional?: boolean;
  correctionOverdueSince?: string;
};
interface HistoryEvent {
  at: string;
  on: string;
  kind: string;
  actor: { role: 'agency' | 'reviewer' | 'admin' | 'system'; subject: string; agencyId?: string };
  statusBefore: string | null;
  statusAfter: string | null;
  detail: string;
}
interface QueueItem {
  id: string;
  agencyId: string;
  jurisdictionId: string;
  caseNumber: string;
  status: string;
  decidedOn: string;
}

const KINDS = [
  'REPORTED', 'FILING_SUBMITTED', 'CORRECTION_SUBMITTED', 'RECEIVED', 'INCOMPLETE', 'OVERDUE', 'ESCALATED', 'CORRECTION_OVERDUE',
  'LATE_EXPLANATION', 'NOTICE_WRITTEN', 'NOTICE_SENT', 'ACCEPTED', 'CORRECTION_REQUIRED', 'DEADLINE_RECOMPUTED',
  'DOCUMENT_DECLARED', 'DOCUMENT_VERIFIED', 'DOCUMENT_REJECTED',
];
const SUBJECT = {
  ACCEPTED: '【予以备案】',
  CORRECTION_REQUIRED: '【责令纠正】',
  correctionReminder: '【整改提醒】',
  correctionOverdue: '【逾期未整改】',
  filingReminder: '【备案提醒】',
  filingOverdue: '【逾期未备案】',
} as const;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

// ---------- helpers ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the `sub` claim of a token (what the API records as the actor's subject) */
const subjectOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub;
/** the calendar day after an ISO date */
const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const reviewerOf = (jurisdictionId: string) => e2e.token({ role: 'reviewer', jurisdiction: jurisdictionId });
/** a reviewer of the jurisdiction with a subject of its own (two people reviewing at once) */
const reviewerAs = (jurisdictionId: string, sub: string) =>
  signClaims(
    e2e.stack.stateDir,
    { sub, aud: LOCAL_WEB_CLIENT, token_use: 'id', 'cognito:groups': ['reviewer'], 'custom:jurisdictionId': jurisdictionId },
    { ttlSeconds: 3600 },
  );

const review = (token: string, id: string, body: unknown) => e2e.api<Decision>('POST', `/v1/decisions/${id}/review`, { token, body });
const getDecision = async (token: string, id: string) => (await e2e.get(token, id)) as unknown as Decision;
const queue = (token: string, query: Record<string, string> = {}) =>
  e2e.api<{ items: QueueItem[]; nextCursor: string | null }>('GET', `/v1/reviews/queue?${new URLSearchParams(query)}`, { token });

/** every queue item the token sees with the query, following nextCursor to the end */
async function queueAll(token: string, query: Record<string, string> = {}, limit = 100): Promise<QueueItem[]> {
  const items: QueueItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page++) {
    const res: ApiResponse<{ items: QueueItem[]; nextCursor: string | null }> = expectStatus(
      await queue(token, { ...query, limit: String(limit), ...(cursor && { cursor }) }),
      200,
    );
    expect(Array.isArray(res.json.items)).toBe(true);
    expect(res.json.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('queueAll: more than 500 pages');
}
const ids = (items: { id: string }[]) => items.map((d) => d.id);
/** waits until the reviewer's queue (with the query) holds exactly these ids, in this order */
const expectQueue = (token: string, query: Record<string, string>, expected: string[]) =>
  vi.waitFor(async () => expect(ids(await queueAll(token, query))).toEqual(expected), { timeout: 10_000, interval: 100 });

/** the date `count` working days after `from` on the jurisdiction's calendar, as the API's calendar says */
async function workingDaysAfter(from: string, count: number, jurisdictionId?: string): Promise<{ dueOn: string; provisional: boolean }> {
  const query = new URLSearchParams({ from, count: String(count), ...(jurisdictionId && { jurisdictionId }) });
  const res = expectStatus(await e2e.api('GET', `/v1/calendar/working-days?${query}`, { token: await e2e.admin() }), 200);
  return { dueOn: res.json.dueOn, provisional: res.json.provisional };
}

/** uploads a penalty's documents, files the decision with them (202) and waits until the processor has RECEIVED it */
async function fileAndReceive(agency: Agency, id: string, extra: Record<string, unknown> = {}): Promise<Decision> {
  const res = expectStatus(await e2e.file(agency.token, id, filingBody(await e2e.upload(agency.token, id, penaltyDocs()), extra)), 202);
  expect(res.json).toMatchObject({ status: 'SUBMITTED' });
  const got = (await e2e.waitForStatus(agency.token, id, ['RECEIVED', 'INCOMPLETE'])) as unknown as Decision;
  expect(got.status, `decision ${id} after filing`).toBe('RECEIVED');
  return got;
}

/** a decision of the agency, reported and RECEIVED */
async function received(agency: Agency, overrides: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Decision> {
  const d = await e2e.report(agency.token, onTimePenalty(overrides));
  return fileAndReceive(agency, d.id, extra);
}

/** the decision's history as the token sees it, every event checked against the contract's shape */
async function historyOf(token: string, id: string): Promise<HistoryEvent[]> {
  const res = expectStatus(await e2e.api('GET', `/v1/decisions/${id}/history`, { token }), 200);
  expect(Array.isArray(res.json?.items), `items[] in ${res.text}`).toBe(true);
  const items = res.json.items as HistoryEvent[];
  for (const e of items) {
    expect(e).toMatchObject({
      at: expect.stringMatching(ISO_INSTANT),
      on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      kind: expect.any(String),
      actor: { role: expect.stringMatching(/^(agency|reviewer|admin|system)$/), subject: expect.any(String) },
      detail: expect.any(String),
    });
    expect(KINDS, `a known kind: ${JSON.stringify(e)}`).toContain(e.kind);
    expect(e.on, `on is the Shanghai date of at: ${JSON.stringify(e)}`).toBe(shanghaiDateOf(new Date(e.at)));
    expect(e).toHaveProperty('statusBefore');
    expect(e).toHaveProperty('statusAfter');
    expect(e.statusBefore === null || typeof e.statusBefore === 'string').toBe(true);
    expect(e.statusAfter === null || typeof e.statusAfter === 'string').toBe(true);
    expect(e.actor.subject.length).toBeGreaterThan(0);
  }
  for (let i = 1; i < items.length; i++) {
    expect(Date.parse(items[i]!.at), `events in order of at: ${items[i - 1]!.at} then ${items[i]!.at}`).toBeGreaterThanOrEqual(Date.parse(items[i - 1]!.at));
  }
  return items;
}
const ofKinds = (items: HistoryEvent[], kinds: readonly string[]) => items.filter((e) => kinds.includes(e.kind));

const toAgency = (agency: Agency) => (m: StoredMail) => m.destination.to.some((a) => agency.contactEmails.includes(a));
/** the agency's mails whose subject starts with one of `prefixes`: waits for `count`, then 1.5 s more so a duplicate would show */
async function settledMails(agency: Agency, prefixes: readonly string[], count: number): Promise<StoredMail[]> {
  const pick = async () => (await e2e.mails()).filter((m) => toAgency(agency)(m) && prefixes.some((p) => m.subject.startsWith(p)));
  await vi.waitFor(async () => expect((await pick()).length).toBeGreaterThanOrEqual(count), { timeout: 30_000, interval: 200 });
  await sleep(1_500);
  return pick();
}

const NO_MAIL = Object.fromEntries(Object.keys(SUBJECT).map((k) => [k, 0])) as Record<keyof typeof SUBJECT, number>;
/** how many of the mails start with each subject prefix */
const prefixCounts = (mails: StoredMail[]) => {
  const counts = { ...NO_MAIL };
  for (const m of mails) for (const k of Object.keys(SUBJECT) as (keyof typeof SUBJECT)[]) if (m.subject.startsWith(SUBJECT[k])) counts[k]++;
  return counts;
};

function expectOutcomeMail(mail: StoredMail, agency: Agency, outcome: Outcome, caseNumber: string) {
  expect(mail.subject.startsWith(SUBJECT[outcome]), mail.subject).toBe(true);
  expect(mail.subject, 'no case number in a subject').not.toContain(caseNumber);
  expect(new Set(mail.destination.to)).toEqual(new Set(agency.contactEmails));
}

function expectReview(r: Review | undefined, outcome: Outcome, reviewer: string, since: number) {
  expect(r, 'the decision carries its review').toBeDefined();
  expect(r).toMatchObject({ outcome, reviewer, reviewedOn: today(), reviewedAt: expect.stringMatching(ISO_INSTANT) });
  expect(Date.parse(r!.reviewedAt)).toBeGreaterThanOrEqual(since - 2_000);
  expect(Date.parse(r!.reviewedAt)).toBeLessThanOrEqual(Date.now() + 2_000);
}

// ---------- POST /v1/decisions/{id}/review ----------

describe('POST /v1/decisions/{id}/review', () => {
  test('ACCEPTED (予以备案): 200 with the decision as GET shows it, the review by the token subject; one 【予以备案】 mail to the contacts per outcome', async () => {
    const agency = await e2e.setup();
    const reviewer = await reviewerOf(agency.jurisdictionId);
    const withComments = await received(agency);
    const without = await received(agency);
    const comments = `材料齐全，予以备案。${uid('ok')}`;

    const t0 = Date.now();
    const res = expectStatus(await review(reviewer, withComments.id, { outcome: 'ACCEPTED', comments }), 200);
    expect(res.json).toMatchObject({ id: withComments.id, status: 'ACCEPTED', caseNumber: withComments.caseNumber, agencyId: agency.agencyId });
    expectReview(res.json.review, 'ACCEPTED', subjectOf(reviewer), t0);
    expect(res.json.review!.comments).toBe(comments);
    expect(res.json.filing).toMatchObject({ filingNumber: withComments.filing!.filingNumber });
    expect(await getDecision(reviewer, withComments.id)).toEqual(res.json);
    expect((await getDecision(agency.token, withComments.id)).status).toBe('ACCEPTED');

    // comments are optional for an acceptance
    const bare = expectStatus(await review(reviewer, without.id, { outcome: 'ACCEPTED' }), 200);
    expect(bare.json.status).toBe('ACCEPTED');
    expectReview(bare.json.review, 'ACCEPTED', subjectOf(reviewer), t0);

    const mails = await settledMails(agency, [SUBJECT.ACCEPTED, SUBJECT.CORRECTION_REQUIRED], 2);
    expect(mails).toHaveLength(2);
    for (const m of mails) expect(m.subject.startsWith(SUBJECT.ACCEPTED), m.subject).toBe(true);
    const withText = mails.filter((m) => m.body.text?.includes(comments));
    expect(withText, 'exactly one mail carries the comments').toHaveLength(1);
    expectOutcomeMail(withText[0]!, agency, 'ACCEPTED', withComments.caseNumber);
    expectOutcomeMail(mails.find((m) => m !== withText[0])!, agency, 'ACCEPTED', without.caseNumber);
  });

  test('CORRECTION_REQUIRED (责令纠正): correctionDueOn N working days after today on the jurisdiction’s calendar (default 10), provisional as the calendar says; one 【责令纠正】 mail with comments and due date', async () => {
    // the jurisdiction takes the next national working day off: the due date must count on its own calendar
    const nextNational = (await workingDaysAfter(today(), 1)).dueOn;
    const agency = await e2e.setup({ jurisdiction: { extraOffDays: [nextNational] } });
    const j = agency.jurisdictionId;
    const reviewer = await reviewerOf(j);
    const expected10 = await workingDaysAfter(today(), 10, j);
    expect(expected10.dueOn, 'the extra off day moves the date (test setup)').not.toBe((await workingDaysAfter(today(), 10)).dueOn);

    const cases = [
      { n: undefined, expected: expected10 },
      { n: 1, expected: await workingDaysAfter(today(), 1, j) },
      { n: 60, expected: await workingDaysAfter(today(), 60, j) }, // reaches into a year whose notice may not be loaded
    ];
    const t0 = Date.now();
    const reviewed: { d: Decision; comments: string; dueOn: string }[] = [];
    for (const c of cases) {
      const d = await received(agency);
      const comments = `决定书未载明法律依据，请补正后重新报送。${uid('fix')}`;
      const body = { outcome: 'CORRECTION_REQUIRED', comments, ...(c.n !== undefined && { correctionDueInWorkingDays: c.n }) };
      const res = expectStatus(await review(reviewer, d.id, body), 200);
      expect(res.json, `correctionDueInWorkingDays ${c.n ?? 'default'}`).toMatchObject({
        id: d.id,
        status: 'CORRECTION_REQUIRED',
        correctionDueOn: c.expected.dueOn,
        correctionDueProvisional: c.expected.provisional,
      });
      expect(typeof res.json.correctionDueProvisional).toBe('boolean');
      expectReview(res.json.review, 'CORRECTION_REQUIRED', subjectOf(reviewer), t0);
      expect(res.json.review!.comments).toBe(comments);
      expect(await getDecision(reviewer, d.id)).toEqual(res.json);
      reviewed.push({ d, comments, dueOn: c.expected.dueOn });
    }

    const mails = await settledMails(agency, [SUBJECT.ACCEPTED, SUBJECT.CORRECTION_REQUIRED], reviewed.length);
    expect(mails).toHaveLength(reviewed.length);
    for (const r of reviewed) {
      const mine = mails.filter((m) => m.body.text?.includes(r.comments));
      expect(mine, `one correction mail for ${r.d.caseNumber}`).toHaveLength(1);
      expectOutcomeMail(mine[0]!, agency, 'CORRECTION_REQUIRED', r.d.caseNumber);
      expect(mine[0]!.body.text).toContain(r.dueOn);
    }
  });

  test('a bad body -> 400 naming the field, and the decision stays RECEIVED; comments of 2000 characters are taken', async () => {
    const agency = await e2e.setup();
    const reviewer = await reviewerOf(agency.jurisdictionId);
    const d = await received(agency);
    const bad: [unknown, string][] = [
      [{}, 'outcome'],
      [{ outcome: 'REJECTED', comments: '不予备案' }, 'outcome'],
      [{ outcome: 'accepted' }, 'outcome'],
      [{ outcome: 'CORRECTION_REQUIRED' }, 'comments'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '' }, 'comments'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '请'.repeat(2001) }, 'comments'],
      [{ outcome: 'ACCEPTED', correctionDueInWorkingDays: 5 }, 'correctionDueInWorkingDays'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '请补正', correctionDueInWorkingDays: 0 }, 'correctionDueInWorkingDays'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '请补正', correctionDueInWorkingDays: 61 }, 'correctionDueInWorkingDays'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '请补正', correctionDueInWorkingDays: 2.5 }, 'correctionDueInWorkingDays'],
      [{ outcome: 'CORRECTION_REQUIRED', comments: '请补正', correctionDueInWorkingDays: '5' }, 'correctionDueInWorkingDays'],
    ];
    for (const [body, field] of bad) {
      const res = await review(reviewer, d.id, body);
      expectFieldErrors(res, 'body', [field]);
    }
    const after = await getDecision(reviewer, d.id);
    expect(after.status).toBe('RECEIVED');
    expect(after.review).toBeUndefined();
    expect(ofKinds(await historyOf(reviewer, d.id), ['ACCEPTED', 'CORRECTION_REQUIRED'])).toEqual([]);

    const long = '请'.repeat(2000);
    const ok = expectStatus(await review(reviewer, d.id, { outcome: 'CORRECTION_REQUIRED', comments: long, correctionDueInWorkingDays: 60 }), 200);
    expect(ok.json).toMatchObject({ status: 'CORRECTION_REQUIRED', review: { comments: long } });
  });

  test('a decision not RECEIVED -> 409 problem with currentStatus, nothing changes', async () => {
    const agency = await e2e.setup();
    const reviewer = await reviewerOf(agency.jurisdictionId);
    const awaiting = await e2e.report(agency.token, onTimePenalty());
    const notRequired = await e2e.report(agency.token, notRequiredDecision({ decidedOn: daysAgo(1) }));
    const incomplete = await e2e.report(agency.token, onTimePenalty());
    expectStatus(await e2e.file(agency.token, incomplete.id, filingBody(await e2e.upload(agency.token, incomplete.id, [doc('DECISION_LETTER')]))), 202);
    expect((await e2e.waitForStatus(agency.token, incomplete.id, ['RECEIVED', 'INCOMPLETE'])).status).toBe('INCOMPLETE');
    const accepted = await received(agency);
    expectStatus(await review(reviewer, accepted.id, { outcome: 'ACCEPTED' }), 200);
    const corrected = await received(agency);
    expectStatus(await review(reviewer, corrected.id, { outcome: 'CORRECTION_REQUIRED', comments: '请补正' }), 200);

    const cases: [string, string][] = [
      [awaiting.id, 'AWAITING_FILING'],
      [notRequired.id, 'NOT_REQUIRED'],
      [incomplete.id, 'INCOMPLETE'],
      [accepted.id, 'ACCEPTED'],
      [corrected.id, 'CORRECTION_REQUIRED'],
    ];
    for (const [id, status] of cases) {
      for (const body of [{ outcome: 'ACCEPTED' }, { outcome: 'CORRECTION_REQUIRED', comments: '再次审查' }]) {
        const problem = expectProblem(await review(reviewer, id, body), 409);
        expect(problem.currentStatus, `${status}: ${JSON.stringify(problem)}`).toBe(status);
      }
      expect((await getDecision(reviewer, id)).status).toBe(status);
    }
    // only the two real reviews were mailed
    const mails = await settledMails(agency, [SUBJECT.ACCEPTED, SUBJECT.CORRECTION_REQUIRED], 2);
    expect(prefixCounts(mails)).toEqual({ ...NO_MAIL, ACCEPTED: 1, CORRECTION_REQUIRED: 1 });
  });

  test('two reviewers deciding one RECEIVED filing at once: exactly one 200, the other 409 with the winner’s status; one review, one mail', async () => {
    const agency = await e2e.setup();
    const j = agency.jurisdictionId;
    const zhang = await reviewerAs(j, `reviewer-zhang-${uid('s')}`);
    const li = await reviewerAs(j, `reviewer-li-${uid('s')}`);
    const decisions = await Promise.all([0, 1, 2].map(() => received(agency)));

    const outcomes = await Promise.all(
      decisions.map(async (d) => {
        const accept = `同意备案 ${uid('a')}`;
        const correct = `请补正 ${uid('c')}`;
        const [a, c] = await Promise.all([
          review(zhang, d.id, { outcome: 'ACCEPTED', comments: accept }),
          review(li, d.id, { outcome: 'CORRECTION_REQUIRED', comments: correct }),
        ]);
        return { d, a, c, accept, correct };
      }),
    );
    for (const { d, a, c, accept, correct } of outcomes) {
      expect([a.status, c.status].sort(), `${a.text} / ${c.text}`).toEqual([200, 409]);
      const [winner, loser, winnerToken, winnerComments, loserComments]: [ApiResponse<Decision>, ApiResponse<Decision>, string, string, string] =
        a.status === 200 ? [a, c, zhang, accept, correct] : [c, a, li, correct, accept];
      const winnerStatus = a.status === 200 ? 'ACCEPTED' : 'CORRECTION_REQUIRED';
      expect(winner.json.status).toBe(winnerStatus);
      expect(expectProblem(loser, 409).currentStatus).toBe(winnerStatus);
      const now = await getDecision(agency.token, d.id);
      expect(now.status).toBe(winnerStatus);
      expect(now.review).toMatchObject({ outcome: winnerStatus, reviewer: subjectOf(winnerToken), comments: winnerComments });
      const reviews = ofKinds(await historyOf(agency.token, d.id), ['ACCEPTED', 'CORRECTION_REQUIRED']);
      expect(reviews.map((e) => e.kind)).toEqual([winnerStatus]);
      expect(reviews[0]!.actor).toMatchObject({ role: 'reviewer', subject: subjectOf(winnerToken) });
      expect(now.review!.comments).not.toBe(loserComments);
    }

    const mails = await settledMails(agency, [SUBJECT.ACCEPTED, SUBJECT.CORRECTION_REQUIRED], decisions.length);
    expect(mails, 'one outcome mail per decision').toHaveLength(decisions.length);
    for (const { d, a, accept, correct } of outcomes) {
      const [won, lost] = a.status === 200 ? [accept, correct] : [correct, accept];
      expect(mails.filter((m) => m.body.text?.includes(won)), `the winner's mail for ${d.caseNumber}`).toHaveLength(1);
      expect(mails.filter((m) => m.body.text?.includes(lost)), `no mail for the loser of ${d.caseNumber}`).toHaveLength(0);
    }
  });

  test('who may review: an agency (even of its own decision) 403, an admin 403, a reviewer of another jurisdiction 404, an unknown id 404', async () => {
    const agency = await e2e.setup();
    const other = await e2e.setup();
    const d = await received(agency);
    const body = { outcome: 'ACCEPTED' };
    expectProblem(await review(agency.token, d.id, body), 403);
    expectProblem(await review(other.token, d.id, body), 403);
    expectProblem(await review(await e2e.admin(), d.id, body), 403);
    expectProblem(await review(await reviewerOf(other.jurisdictionId), d.id, body), 404);
    expectProblem(await review(await reviewerOf(agency.jurisdictionId), crypto.randomUUID(), body), 404);
    expectProblem(await e2e.api('POST', `/v1/decisions/${d.id}/review`, { body }), 401);
    expect((await getDecision(agency.token, d.id)).status).toBe('RECEIVED');
    // and the jurisdiction's own reviewer may
    expect(expectStatus(await review(await reviewerOf(agency.jurisdictionId), d.id, body), 200).json.status).toBe('ACCEPTED');
  });
});

// ---------- the correction cycle and its history ----------

describe('the correction cycle', () => {
  test('reported -> filed -> received -> correction ordered -> resubmitted -> received -> accepted: the history tells it in order', async () => {
    const agency = await e2e.setup();
    const reviewerToken = await reviewerOf(agency.jurisdictionId);
    const reviewer = subjectOf(reviewerToken);
    const agencySubject = subjectOf(agency.token);
    const d = await e2e.report(agency.token, onTimePenalty());
    expect(d.status).toBe('AWAITING_FILING');

    const first = await fileAndReceive(agency, d.id);
    expect(first.filing!.submissions).toBe(1);

    const comments = `集体讨论记录缺少参会人员签字，请补正。${uid('fix')}`;
    const ordered = expectStatus(await review(reviewerToken, d.id, { outcome: 'CORRECTION_REQUIRED', comments }), 200).json;
    expect(ordered).toMatchObject({ status: 'CORRECTION_REQUIRED', correctionDueOn: (await workingDaysAfter(today(), 10, agency.jurisdictionId)).dueOn });

    // the agency answers through the filing endpoint with corrected files: SUBMITTED, then RECEIVED again
    const res = expectStatus(await e2e.file(agency.token, d.id, filingBody(await e2e.upload(agency.token, d.id, penaltyDocs()))), 202);
    expect(res.json).toMatchObject({ status: 'SUBMITTED' });
    const again = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED', 'INCOMPLETE']);
    expect(again.status).toBe('RECEIVED');
    expect(again.filing!.submissions).toBe(2);
    expect(again.filing!.submissionId).toBe(res.json.submissionId);

    const t0 = Date.now();
    const accepted = expectStatus(await review(reviewerToken, d.id, { outcome: 'ACCEPTED', comments: '已整改，予以备案。' }), 200).json;
    expect(accepted.status).toBe('ACCEPTED');
    expectReview(accepted.review, 'ACCEPTED', reviewer, t0);

    const FLOW = ['REPORTED', 'FILING_SUBMITTED', 'RECEIVED', 'CORRECTION_REQUIRED', 'CORRECTION_SUBMITTED', 'RECEIVED', 'ACCEPTED'];
    const items = await historyOf(agency.token, d.id);
    const flow = ofKinds(items, FLOW);
    expect(flow.map((e) => e.kind)).toEqual(FLOW);
    expect(flow.map((e) => [e.statusBefore, e.statusAfter])).toEqual([
      [null, 'AWAITING_FILING'],
      ['AWAITING_FILING', 'SUBMITTED'],
      ['SUBMITTED', 'RECEIVED'],
      ['RECEIVED', 'CORRECTION_REQUIRED'],
      ['CORRECTION_REQUIRED', 'SUBMITTED'],
      ['SUBMITTED', 'RECEIVED'],
      ['RECEIVED', 'ACCEPTED'],
    ]);
    for (let i = 1; i < flow.length; i++) expect(flow[i]!.statusBefore, `${flow[i]!.kind} follows ${flow[i - 1]!.kind}`).toBe(flow[i - 1]!.statusAfter);
    const [reported, submitted, receivedFirst, correction, resubmitted, receivedAgain, acceptance] = flow;
    for (const e of [reported, submitted, resubmitted]) expect(e!.actor, e!.kind).toMatchObject({ role: 'agency', subject: agencySubject, agencyId: agency.agencyId });
    for (const e of [correction, acceptance]) expect(e!.actor, e!.kind).toMatchObject({ role: 'reviewer', subject: reviewer });
    for (const e of [receivedFirst, receivedAgain]) expect(e!.actor.role, e!.kind).toBe('system');
    for (const e of flow) expect(e.on).toBe(today());

    // each submission's three files: declared by the agency (the status unchanged) and verified by the system before it was filed
    const DOCS = ['DOCUMENT_DECLARED', 'DOCUMENT_VERIFIED'];
    const docEvents = ofKinds(items, DOCS);
    expect(ofKinds(items, ['DOCUMENT_REJECTED'])).toEqual([]);
    const before = (e: HistoryEvent, other: HistoryEvent) => items.indexOf(e) < items.indexOf(other);
    const forFirst = docEvents.filter((e) => before(e, submitted!));
    const forCorrection = docEvents.filter((e) => before(correction!, e) && before(e, resubmitted!));
    expect(forFirst.length + forCorrection.length, 'every document event belongs to a submission').toBe(docEvents.length);
    for (const [events, status] of [[forFirst, 'AWAITING_FILING'], [forCorrection, 'CORRECTION_REQUIRED']] as const) {
      expect(events.map((e) => e.kind).sort()).toEqual([...Array(3).fill('DOCUMENT_DECLARED'), ...Array(3).fill('DOCUMENT_VERIFIED')]);
      for (const e of ofKinds(events, ['DOCUMENT_DECLARED'])) {
        expect(e).toMatchObject({ statusBefore: status, statusAfter: status, actor: { role: 'agency', subject: agencySubject, agencyId: agency.agencyId } });
      }
      for (const e of ofKinds(events, ['DOCUMENT_VERIFIED'])) expect(e.actor.role).toBe('system');
    }

    // the two receipts and the two outcome mails are written and, eventually, sent
    const settled = await vi.waitFor(
      async () => {
        const all = await historyOf(agency.token, d.id);
        expect(ofKinds(all, ['NOTICE_SENT']).length).toBeGreaterThanOrEqual(4);
        return all;
      },
      { timeout: 30_000, interval: 250 },
    );
    for (const e of ofKinds(settled, ['NOTICE_SENT'])) expect(e.actor.role).toBe('system');
    // the statuses of the flow did not move
    expect(ofKinds(settled, FLOW)).toEqual(flow);
    // the jurisdiction's reviewers and admins read the same history
    expect(await historyOf(reviewerToken, d.id)).toEqual(settled);
    expect(await historyOf(await e2e.admin(), d.id)).toEqual(settled);

    // one mail per outcome
    const mails = await settledMails(agency, [SUBJECT.ACCEPTED, SUBJECT.CORRECTION_REQUIRED], 2);
    expect(prefixCounts(mails)).toEqual({ ...NO_MAIL, ACCEPTED: 1, CORRECTION_REQUIRED: 1 });
    const correctionMail = mails.find((m) => m.subject.startsWith(SUBJECT.CORRECTION_REQUIRED))!;
    expect(correctionMail.body.text).toContain(comments);
    expect(correctionMail.body.text).toContain(ordered.correctionDueOn!);
    for (const m of mails) expectOutcomeMail(m, agency, m.subject.startsWith(SUBJECT.ACCEPTED) ? 'ACCEPTED' : 'CORRECTION_REQUIRED', d.caseNumber);
  }, 120_000);
});

// ---------- GET /v1/decisions/{id}/history ----------

describe('GET /v1/decisions/{id}/history', () => {
  test('a new decision: one REPORTED event; seen by its agency, the jurisdiction’s reviewers and admins; 404 to another agency, another jurisdiction’s reviewer, an unknown id', async () => {
    const agency = await e2e.setup();
    const neighbour = await e2e.addAgency(agency.jurisdictionId, agency.prefix);
    const elsewhere = await e2e.setup();
    const d = await e2e.report(agency.token, requiredDecision({ decidedOn: daysAgo(1) }));
    const warning = await e2e.report(agency.token, notRequiredDecision({ decidedOn: daysAgo(1) }));

    const items = await historyOf(agency.token, d.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'REPORTED', statusBefore: null, statusAfter: 'AWAITING_FILING', actor: { role: 'agency', subject: subjectOf(agency.token), agencyId: agency.agencyId }, on: today() });
    expect(ofKinds(await historyOf(agency.token, warning.id), ['REPORTED'])).toMatchObject([{ statusBefore: null, statusAfter: 'NOT_REQUIRED' }]);

    expect(await historyOf(await reviewerOf(agency.jurisdictionId), d.id)).toEqual(items);
    expect(await historyOf(await e2e.admin(), d.id)).toEqual(items);

    const path = `/v1/decisions/${d.id}/history`;
    expectProblem(await e2e.api('GET', path, { token: neighbour.token }), 404);
    expectProblem(await e2e.api('GET', path, { token: elsewhere.token }), 404);
    expectProblem(await e2e.api('GET', path, { token: await reviewerOf(elsewhere.jurisdictionId) }), 404);
    expectProblem(await e2e.api('GET', `/v1/decisions/${crypto.randomUUID()}/history`, { token: await e2e.admin() }), 404);
    expectProblem(await e2e.api('GET', path), 401);
  });
});

// ---------- GET /v1/reviews/queue ----------

describe('GET /v1/reviews/queue', () => {
  test('RECEIVED decisions of the reviewer’s jurisdiction, oldest decidedOn first; agencyId; admin scope; paging; a reviewed decision leaves, a resubmitted correction comes back', async () => {
    const a = await e2e.setup();
    const j = a.jurisdictionId;
    const b = await e2e.addAgency(j, a.prefix);
    const elsewhere = await e2e.setup();
    const reviewer = await reviewerOf(j);
    const admin = await e2e.admin();

    // received in an order other than their decision dates
    const b1 = await received(b, { decidedOn: daysAgo(1) });
    const a1 = await received(a, { decidedOn: daysAgo(2) });
    const a2 = await received(a, { decidedOn: LATE_DECIDED }, { lateReason: '案卷整理延误' });
    const c1 = await received(elsewhere, { decidedOn: daysAgo(3) });
    // not in the queue: awaiting a filing, incomplete
    await e2e.report(a.token, onTimePenalty({ decidedOn: daysAgo(4) }));
    const incomplete = await e2e.report(a.token, onTimePenalty({ decidedOn: daysAgo(5) }));
    expectStatus(await e2e.file(a.token, incomplete.id, filingBody(await e2e.upload(a.token, incomplete.id, [doc('DECISION_LETTER')]))), 202);
    expect((await e2e.waitForStatus(a.token, incomplete.id, ['RECEIVED', 'INCOMPLETE'])).status).toBe('INCOMPLETE');

    const expected = [a2.id, a1.id, b1.id];
    await expectQueue(reviewer, {}, expected);
    const page = expectStatus(await queue(reviewer), 200).json;
    expect(page.nextCursor ?? null).toBeNull();
    for (const [item, d] of page.items.map((item, i) => [item, [a2, a1, b1][i]!] as const)) {
      expect(item).toMatchObject({ id: d.id, agencyId: d.agencyId, jurisdictionId: j, caseNumber: d.caseNumber, status: 'RECEIVED', decidedOn: d.decidedOn });
    }
    await expectQueue(reviewer, { agencyId: a.agencyId }, [a2.id, a1.id]);
    await expectQueue(reviewer, { agencyId: b.agencyId }, [b1.id]);
    await expectQueue(admin, { jurisdictionId: j }, expected);
    await expectQueue(admin, { jurisdictionId: elsewhere.jurisdictionId }, [c1.id]);
    await expectQueue(admin, { agencyId: a.agencyId }, [a2.id, a1.id]);

    // admin, all jurisdictions: every item RECEIVED, oldest first, ours among them
    const all = await queueAll(admin);
    for (const item of all) expect(item.status).toBe('RECEIVED');
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.decidedOn <= all[i]!.decidedOn, `${all[i - 1]!.decidedOn} before ${all[i]!.decidedOn}`).toBe(true);
    expect(ids(all)).toEqual(expect.arrayContaining([...expected, c1.id]));
    expect(new Set(ids(all)).size).toBe(all.length);

    // paging one at a time returns each once, in order
    expect(ids(await queueAll(reviewer, {}, 1))).toEqual(expected);
    const first = expectStatus(await queue(reviewer, { limit: '1' }), 200).json;
    expect(ids(first.items)).toEqual([a2.id]);
    expect(first.nextCursor).toEqual(expect.any(String));

    // a reviewed decision leaves the queue
    expectStatus(await review(reviewer, a1.id, { outcome: 'ACCEPTED' }), 200);
    await expectQueue(reviewer, {}, [a2.id, b1.id]);
    expectStatus(await review(reviewer, b1.id, { outcome: 'CORRECTION_REQUIRED', comments: '请补充法制审核意见' }), 200);
    await expectQueue(reviewer, {}, [a2.id]);
    await expectQueue(reviewer, { agencyId: b.agencyId }, []);
    // the correction, resubmitted and received again, comes back
    const back = await fileAndReceive(b, b1.id);
    expect(back.filing!.submissions).toBe(2);
    await expectQueue(reviewer, {}, [a2.id, b1.id]);
  }, 120_000);

  test('who may read it: an agency 403; a reviewer naming another jurisdiction’s agency 404; limit outside 1-100 400', async () => {
    const a = await e2e.setup();
    const elsewhere = await e2e.setup();
    const reviewer = await reviewerOf(a.jurisdictionId);
    expectProblem(await queue(a.token), 403);
    expectProblem(await queue(a.token, { agencyId: a.agencyId }), 403);
    expectProblem(await queue(reviewer, { agencyId: elsewhere.agencyId }), 404);
    expectProblem(await e2e.api('GET', '/v1/reviews/queue'), 401);
    for (const limit of ['0', '101', 'ten']) expectFieldErrors(await queue(reviewer, { limit }), 'query', ['limit']);
    const empty = expectStatus(await queue(reviewer, { limit: '100' }), 200).json;
    expect(empty).toMatchObject({ items: [] });
    expect(empty.nextCursor ?? null).toBeNull();
  });
});

// ---------- the sweep on corrections ----------

describe('the sweep on corrections', () => {
  test('【整改提醒】 on the due day, CORRECTION_OVERDUE and 【逾期未整改】 on the next working day, each once; the overdue correction is still answered', async () => {
    const agency = await e2e.setup();
    const j = agency.jurisdictionId;
    const reviewerToken = await reviewerOf(j);
    const d = await received(agency);
    const ordered = expectStatus(
      await review(reviewerToken, d.id, { outcome: 'CORRECTION_REQUIRED', comments: '请补正听证告知材料', correctionDueInWorkingDays: 3 }),
      200,
    ).json;
    const due = ordered.correctionDueOn!;
    expect(due).toBe((await workingDaysAfter(today(), 3, j)).dueOn);
    const nextWorkingDay = (await workingDaysAfter(due, 1, j)).dueOn;
    await settledMails(agency, [SUBJECT.CORRECTION_REQUIRED], 1);

    // the due day (a working day by construction): a reminder, and still CORRECTION_REQUIRED
    await sweep(j, due);
    expect((await sweep(j, due)).noticesWritten, 'the same sweep again writes nothing').toBe(0);
    expect((await getDecision(agency.token, d.id)).status).toBe('CORRECTION_REQUIRED');
    const [reminder] = await settledMails(agency, [SUBJECT.correctionReminder], 1);
    expect(reminder!.subject).not.toContain(d.caseNumber);
    expect(reminder!.body.text).toContain(d.caseNumber);

    // the first working day after it: flagged, and the agency is told
    await sweep(j, nextWorkingDay);
    expect((await sweep(j, nextWorkingDay)).noticesWritten, 'the same sweep again writes nothing').toBe(0);
    const flagged = await getDecision(agency.token, d.id);
    expect(flagged).toMatchObject({ status: 'CORRECTION_OVERDUE', correctionOverdueSince: dayAfter(due), correctionDueOn: due });
    const [overdue] = await settledMails(agency, [SUBJECT.correctionOverdue], 1);
    expect(overdue!.subject).not.toContain(d.caseNumber);
    expect(overdue!.body.text).toContain(d.caseNumber);
    expect(new Set(overdue!.destination.to)).toEqual(new Set(agency.contactEmails));

    const items = await historyOf(agency.token, d.id);
    const flags = ofKinds(items, ['CORRECTION_OVERDUE']);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ statusBefore: 'CORRECTION_REQUIRED', statusAfter: 'CORRECTION_OVERDUE', actor: { role: 'system' } });

    // each once: nothing more reached the agency
    const mails = await settledMails(agency, Object.values(SUBJECT), 3);
    expect(prefixCounts(mails)).toEqual({ ...NO_MAIL, CORRECTION_REQUIRED: 1, correctionReminder: 1, correctionOverdue: 1 });
    expect(ofKinds(await historyOf(agency.token, d.id), ['CORRECTION_OVERDUE'])).toHaveLength(1);

    // no review of an overdue correction; the agency still answers it, and it comes back RECEIVED
    expect(expectProblem(await review(reviewerToken, d.id, { outcome: 'ACCEPTED' }), 409).currentStatus).toBe('CORRECTION_OVERDUE');
    const back = await fileAndReceive(agency, d.id);
    expect(back.filing!.submissions).toBe(2);
    const answered = ofKinds(await historyOf(agency.token, d.id), ['CORRECTION_SUBMITTED']);
    expect(answered).toMatchObject([{ statusBefore: 'CORRECTION_OVERDUE', statusAfter: 'SUBMITTED', actor: { role: 'agency', agencyId: agency.agencyId } }]);
    expect(expectStatus(await review(reviewerToken, d.id, { outcome: 'ACCEPTED' }), 200).json.status).toBe('ACCEPTED');
  }, 120_000);
});
