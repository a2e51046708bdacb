/** Spec 3 and 4: reporting decisions (classification, deadline, duplicates, idempotency, concurrency) and reading them. */
import { describe, expect, test } from 'vitest';
import type { DecisionRecord } from '../../shared/store/records.ts';
import {
  WORKED_DECIDED,
  WORKED_DUE,
  eventually,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  notRequiredDecision,
  requiredDecision,
  shanghaiToday,
  uid,
  useStack,
} from './harness.ts';

const e2e = useStack();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /v1/decisions', () => {
  test('a decision that must be filed -> 201, AWAITING_FILING, due on the 10th working day (2026-09-28 -> 2026-10-16)', async () => {
    const { agencyId, jurisdictionId, token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const before = Date.now();
    const res = expectStatus(await e2e.api<DecisionRecord>('POST', '/v1/decisions', { token, body }), 201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const d = res.json;
    expect(d).toMatchObject({
      ...body,
      id: expect.stringMatching(UUID),
      agencyId,
      jurisdictionId,
      caseNumber: body.caseNumber,
      status: 'AWAITING_FILING',
      decidedOn: WORKED_DECIDED,
      filingRequired: true,
      filingDueOn: WORKED_DUE,
      dueProvisional: false,
      createdAt: expect.any(String),
    });
    expect(d.filingReasons.map((r) => r.code)).toEqual(['REVOKE_PERMIT']);
    expect(d.filingReasons[0]!.text.length).toBeGreaterThan(0);
    expect(Date.parse(d.createdAt)).toBeGreaterThanOrEqual(before - 5_000);
    expect(res.headers.get('location')).toBe(`/v1/decisions/${d.id}`);

    const got = expectStatus(await e2e.api('GET', `/v1/decisions/${d.id}`, { token }), 200);
    expect(got.json).toEqual(d);
  });

  test('a decision that need not be filed -> 201, NOT_REQUIRED, still recorded', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const d = await e2e.report(token, notRequiredDecision());
    expect(d).toMatchObject({ status: 'NOT_REQUIRED', filingRequired: false, filingReasons: [], filingDueOn: null, dueProvisional: false });
    expectStatus(await e2e.api('GET', `/v1/decisions/${d.id}`, { token }), 200);
    const listed = await eventually(async () => {
      const items = await e2e.listAll(token);
      expect(items).toHaveLength(1);
      return items;
    });
    expect(listed[0]!.id).toBe(d.id);
  });

  test.each([
    ['a fine at the organisation threshold (reaching it)', { measures: ['FINE'], fineAmount: '100000' }, 'AWAITING_FILING', ['FINE_REACHES_HEARING_THRESHOLD']],
    ['a fine 0.01 below the organisation threshold', { measures: ['FINE'], fineAmount: '99999.99' }, 'NOT_REQUIRED', []],
    ['a fine above the individual threshold', { measures: ['FINE'], fineAmount: '5000.01', party: { type: 'INDIVIDUAL', name: '张三' } }, 'AWAITING_FILING', ['FINE_REACHES_HEARING_THRESHOLD']],
    ['a confiscation above the threshold', { measures: ['CONFISCATION'], confiscatedValue: '250000.50' }, 'AWAITING_FILING', ['CONFISCATION_REACHES_HEARING_THRESHOLD']],
    ['a suspension of business', { measures: ['WARNING', 'SUSPEND_PRODUCTION_OR_BUSINESS'] }, 'AWAITING_FILING', ['SUSPEND_PRODUCTION_OR_BUSINESS']],
    ['a major coercive decision', { kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'] }, 'AWAITING_FILING', ['MAJOR_COERCIVE_PUBLIC_INTEREST']],
    ['a coercive decision that is not major', { kind: 'COERCIVE', measures: ['SEIZE'] }, 'NOT_REQUIRED', []],
  ])('%s -> %s', async (_label, overrides, status, codes) => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const d = await e2e.report(token, requiredDecision(overrides));
    expect(d.status).toBe(status);
    expect(d.filingRequired).toBe(status === 'AWAITING_FILING');
    expect(d.filingReasons.map((r) => r.code)).toEqual(codes);
    expect(d.filingDueOn).toBe(status === 'AWAITING_FILING' ? WORKED_DUE : null);
  });

  test("the jurisdiction's filing period is used (5 working days after 2026-11-27 -> 2026-12-04)", async () => {
    const { token } = await e2e.newAgencyAndJurisdiction({ filingPeriodWorkingDays: 5 });
    const d = await e2e.report(token, requiredDecision({ decidedOn: '2026-11-27' }));
    expect(d.filingDueOn).toBe('2026-12-04');
  });

  test('a decision dated today in Asia/Shanghai is accepted (not in the future)', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const d = await e2e.report(token, requiredDecision({ decidedOn: shanghaiToday() }));
    expect(d.decidedOn).toBe(shanghaiToday());
  });

  test('the agency and jurisdiction come from the token: they cannot be set in the body', async () => {
    const { agencyId, jurisdictionId, token } = await e2e.newAgencyAndJurisdiction();
    const other = await e2e.newAgencyAndJurisdiction();
    const res = await e2e.api('POST', '/v1/decisions', { token, body: { ...requiredDecision(), agencyId: other.agencyId, jurisdictionId: other.jurisdictionId } });
    expectFieldErrors(res, 'body', ['agencyId', 'jurisdictionId']);
    const d = await e2e.report(token, requiredDecision());
    expect(d).toMatchObject({ agencyId, jurisdictionId });
    expect(await e2e.listAll(other.token)).toEqual([]);
  });

  test('the same case number from the same agency -> 409 naming the existing decision (existingId); nothing new stored', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const first = await e2e.report(token, body);
    // also with a different body: the case number is what must be unique
    for (const again of [body, { ...body, measures: ['CLOSURE'], summary: 'other' }]) {
      const problem = expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: again }), 409);
      expect(problem.existingId).toBe(first.id);
      expect(problem.detail).toContain(first.id);
    }
    const items = await eventually(async () => {
      const all = await e2e.listAll(token);
      expect(all.length).toBeGreaterThanOrEqual(1);
      return all;
    });
    expect(items.map((d) => d.id)).toEqual([first.id]);
  });

  test('the same case number from two agencies -> two decisions', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const a = await e2e.newAgency(jurisdictionId);
    const b = await e2e.newAgency(jurisdictionId);
    const body = requiredDecision();
    const da = await e2e.report(a.token, body);
    const db = await e2e.report(b.token, body);
    expect(da.id).not.toBe(db.id);
  });

  test('a retry with the same Idempotency-Key and body -> the original 201 response (same id), one record', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const headers = { 'Idempotency-Key': uid('key') };
    const first = expectStatus(await e2e.api<DecisionRecord>('POST', '/v1/decisions', { token, body, headers }), 201);
    const retry = expectStatus(await e2e.api<DecisionRecord>('POST', '/v1/decisions', { token, body, headers }), 201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    const items = await eventually(async () => {
      const all = await e2e.listAll(token);
      expect(all.length).toBeGreaterThanOrEqual(1);
      return all;
    });
    expect(items.map((d) => d.id)).toEqual([first.json.id]);
  });

  test('a retry whose JSON lists the same members in another order is the same body: replayed', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const reversed = Object.fromEntries(Object.entries(body).reverse());
    const headers = { 'Idempotency-Key': uid('key') };
    const first = await e2e.report(token, body, headers);
    const retry = await e2e.report(token, reversed, headers);
    expect(retry.id).toBe(first.id);
  });

  test('the same Idempotency-Key with a different body -> 422, nothing new stored', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const headers = { 'Idempotency-Key': uid('key') };
    const first = await e2e.report(token, requiredDecision(), headers);
    const problem = expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision(), headers }), 422);
    expect(problem.detail.length).toBeGreaterThan(0);
    const items = await e2e.listAll(token);
    expect(items.map((d) => d.id)).toEqual([first.id]);
  });

  test('Idempotency-Keys are per agency: the same key from another agency creates its own decision', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const a = await e2e.newAgency(jurisdictionId);
    const b = await e2e.newAgency(jurisdictionId);
    const headers = { 'Idempotency-Key': uid('key') };
    const body = requiredDecision();
    const da = await e2e.report(a.token, body, headers);
    const db = await e2e.report(b.token, body, headers);
    expect(db.id).not.toBe(da.id);
    expect(db.agencyId).toBe(b.agencyId);
  });

  test('an Idempotency-Key that is not 1-200 visible ASCII characters -> 400 naming the header', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    for (const key of ['has space', 'k'.repeat(201)]) {
      expectFieldErrors(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision(), headers: { 'Idempotency-Key': key } }), 'header', ['Idempotency-Key']);
    }
    expect(await e2e.listAll(token)).toEqual([]);
  });

  test('50 concurrent identical POSTs without a key -> exactly one 201 and 49 x 409 naming the same id; one decision', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const responses = await Promise.all(Array.from({ length: 50 }, () => e2e.api('POST', '/v1/decisions', { token, body })));
    const statuses = responses.map((r) => r.status);
    const created = responses.filter((r) => r.status === 201);
    const conflicts = responses.filter((r) => r.status === 409);
    expect({ created: created.length, conflicts: conflicts.length, other: statuses.filter((s) => s !== 201 && s !== 409) }).toEqual({
      created: 1,
      conflicts: 49,
      other: [],
    });
    const id = created[0]!.json.id as string;
    expect(new Set(conflicts.map((r) => r.json.existingId))).toEqual(new Set([id]));
    const items = await eventually(async () => {
      const all = await e2e.listAll(token);
      expect(all.length).toBeGreaterThanOrEqual(1);
      return all;
    });
    expect(items.map((d) => d.id)).toEqual([id]);
  });

  test('50 concurrent identical POSTs with the same Idempotency-Key -> all 201 with the same id; one decision', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const body = requiredDecision();
    const headers = { 'Idempotency-Key': uid('key') };
    const responses = await Promise.all(Array.from({ length: 50 }, () => e2e.api<DecisionRecord>('POST', '/v1/decisions', { token, body, headers })));
    const bad = responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text}`);
    expect(bad).toEqual([]);
    const ids = new Set(responses.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    for (const r of responses) expect(r.json).toEqual(responses[0]!.json);
    const items = await eventually(async () => {
      const all = await e2e.listAll(token);
      expect(all.length).toBeGreaterThanOrEqual(1);
      return all;
    });
    expect(items.map((d) => d.id)).toEqual([id]);
  });
});

describe('GET /v1/decisions/{id}: who sees what', () => {
  test('an agency sees its own only; a reviewer its jurisdiction only; an admin all', async () => {
    const j1 = await e2e.newJurisdiction();
    const j2 = await e2e.newJurisdiction();
    const a1 = await e2e.newAgency(j1);
    const a2 = await e2e.newAgency(j1);
    const b1 = await e2e.newAgency(j2);
    const d1 = await e2e.report(a1.token, requiredDecision());
    const d2 = await e2e.report(a2.token, requiredDecision());
    const d3 = await e2e.report(b1.token, notRequiredDecision());

    const get = async (token: string, id: string) => (await e2e.api('GET', `/v1/decisions/${id}`, { token })).status;
    // agency: own only; another's decision is "not found", not "forbidden"
    expect(await get(a1.token, d1.id)).toBe(200);
    expect(await get(a1.token, d2.id)).toBe(404);
    expect(await get(a1.token, d3.id)).toBe(404);
    // reviewer: its jurisdiction
    const r1 = await e2e.reviewer(j1);
    expect(await get(r1, d1.id)).toBe(200);
    expect(await get(r1, d2.id)).toBe(200);
    expect(await get(r1, d3.id)).toBe(404);
    const r2 = await e2e.reviewer(j2);
    expect(await get(r2, d3.id)).toBe(200);
    expect(await get(r2, d1.id)).toBe(404);
    // admin: all
    const admin = await e2e.admin();
    for (const d of [d1, d2, d3]) {
      const res = expectStatus(await e2e.api('GET', `/v1/decisions/${d.id}`, { token: admin }), 200);
      expect(res.json).toEqual(d);
    }
    expectProblem(await e2e.api('GET', `/v1/decisions/${d2.id}`, { token: a1.token }), 404);
  });

  test('an unknown id -> 404; a malformed id -> 400', async () => {
    const admin = await e2e.admin();
    expectProblem(await e2e.api('GET', '/v1/decisions/00000000-0000-4000-8000-000000000000', { token: admin }), 404);
    expectFieldErrors(await e2e.api('GET', '/v1/decisions/not-a-decision-id', { token: admin }), 'path', ['id']);
  });
});
