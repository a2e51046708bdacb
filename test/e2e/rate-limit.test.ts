/**
 * One agency cannot use up everyone's API (security review, issue 12 item 2): a limit per caller, kept
 * in the table so it holds across function instances, answered 429 problem+json with Retry-After.
 */
process.env.CALLER_RATE_LIMIT = '20/60';
import { expect, test } from 'vitest';
import { expectProblem, expectStatus, requiredDecision, useStack } from './harness.ts';

const e2e = useStack();

test("a flood from one agency is answered 429 with Retry-After, stores nothing refused, and another agency's requests go through", { timeout: 120_000 }, async () => {
  const { jurisdictionId, agencyId, token: flooder } = await e2e.newAgencyAndJurisdiction();
  const other = await e2e.newAgency(jurisdictionId);
  const statuses: number[] = [];
  let refused: Awaited<ReturnType<typeof e2e.api>> | undefined;
  // windows are whole minutes: start the flood with at least 30 s of one ahead, so a slow machine does not
  // split it over two windows (20 + 20 would let all 30 through)
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 50));
  for (let i = 0; i < 30; i++) {
    const res = await e2e.api('POST', '/v1/decisions', { token: flooder, body: requiredDecision() });
    statuses.push(res.status);
    if (res.status === 429) refused ??= res;
  }
  // the window may turn over during the run: at least 20 pass, and some are refused
  const created = statuses.filter((s) => s === 201).length;
  expect(created).toBeGreaterThanOrEqual(20);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
  const problem = expectProblem(refused!, 429);
  const retryAfter = Number(refused!.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(problem).toMatchObject({ type: 'urn:beian:problem:rate-limited', retryAfterSeconds: retryAfter });
  expect(problem.detail).toMatch(/20 requests in 60 s; try again in \d+ s/);
  // another caller has its own allowance
  expect((await e2e.api('GET', '/v1/decisions?limit=1', { token: other.token })).status).toBe(200);
  // exactly the accepted reports are stored (read by an admin, whose allowance is its own)
  expect(await e2e.listAll(await e2e.admin(), { agencyId })).toHaveLength(created);
});

test('the API document stays public and unlimited', async () => {
  for (let i = 0; i < 25; i++) expect((await e2e.api('GET', '/v1/openapi.json')).status).toBe(200);
});

test('daily quotas per agency, set on the jurisdiction: reports, uploads and filings past the quota -> 429 until midnight in Shanghai, nothing stored', async () => {
  const { agencyId, token } = await e2e.newAgencyAndJurisdiction({ dailyQuotaPerAgency: { decisions: 3, filings: 1, uploads: 2 } });
  const first = await e2e.report(token, requiredDecision());
  // a refused duplicate is not counted: the count moves in the write's own transaction
  const dup = await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ caseNumber: first.caseNumber }) });
  expect(dup.status).toBe(409);
  const second = await e2e.report(token, requiredDecision());
  await e2e.report(token, requiredDecision());
  const over = await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision() });
  const problem = expectProblem(over, 429);
  expect(problem).toMatchObject({ type: 'urn:beian:problem:daily-quota-exceeded', retryAfterSeconds: Number(over.headers.get('retry-after')) });
  expect(problem.retryAfterSeconds).toBeLessThanOrEqual(86_400);
  expect(problem.detail).toMatch(/may make 3 decisions a day/);
  expect(await e2e.listAll(await e2e.admin(), { agencyId })).toHaveLength(3);
  // a retry of a report already made, once the quota is used up, learns that it exists (409), not to wait
  expect(expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ caseNumber: first.caseNumber }) }), 409)).toMatchObject({ existingId: first.id });

  // issue 12: documents declared (each an upload URL of up to 50 MB) count against the uploads quota
  const declare = (id: string) =>
    e2e.api('POST', `/v1/decisions/${id}/documents`, {
      token,
      body: { kind: 'DECISION_LETTER', title: '决定书', fileName: '决定书.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'a'.repeat(64) },
    });
  const firstDocument = expectStatus(await declare(first.id), 201).json.documentId as string;
  const secondDocument = expectStatus(await declare(second.id), 201).json.documentId as string;
  const overUploads = expectProblem(await declare(second.id), 429);
  expect(overUploads).toMatchObject({ type: 'urn:beian:problem:daily-quota-exceeded' });
  expect(overUploads.detail).toMatch(/may make 2 uploads a day/);
  expect((await e2e.api('GET', `/v1/decisions/${second.id}/documents`, { token })).json.items).toHaveLength(1);

  const filing = (id: string, documentId: string) =>
    e2e.api('PUT', `/v1/decisions/${id}/filing`, { token, body: { documents: [{ documentId }], contact: { name: '李四' }, lateReason: '延误' } });
  expect((await filing(first.id, firstDocument)).status).toBe(202);
  const refused = await filing(second.id, secondDocument);
  expect(expectProblem(refused, 429).detail).toMatch(/may make 1 filings a day/);
  expect((await e2e.api('GET', `/v1/decisions/${second.id}`, { token })).json.status).toBe('AWAITING_FILING');
});

test('the quota renews at midnight in Asia/Shanghai: Retry-After counts to it', async () => {
  const { quotaExceeded } = await import('../../shared/errors.ts');
  // 23:59 in Shanghai is 15:59 UTC
  expect(quotaExceeded('decisions', 5, new Date('2026-12-01T15:59:00Z')).details.retryAfterSeconds).toBe(60);
  expect(quotaExceeded('filings', 5, new Date('2026-12-01T16:00:00Z')).details.retryAfterSeconds).toBe(86_400);
});

test('requests refused for their role count against the limit too', async () => {
  const { token } = await e2e.newAgencyAndJurisdiction();
  const statuses: number[] = [];
  // an agency may not register jurisdictions: 403, counted all the same
  for (let i = 0; i < 25; i++) statuses.push((await e2e.api('PUT', '/v1/jurisdictions/not-mine', { token, body: { name: 'x' } })).status);
  expect(statuses.filter((s) => s === 403).length).toBeGreaterThanOrEqual(1);
  expect(statuses).toContain(429);
  expect(statuses.every((s) => s === 403 || s === 429)).toBe(true);
});
