/**
 * One agency cannot use up everyone's API (security review, issue 12 item 2): a limit per caller, kept
 * in the table so it holds across function instances, answered 429 problem+json with Retry-After.
 */
process.env.CALLER_RATE_LIMIT = '20/60';
import { expect, test } from 'vitest';
import { expectProblem, requiredDecision, useStack } from './harness.ts';

const e2e = useStack();

test("a flood from one agency is answered 429 with Retry-After, stores nothing refused, and another agency's requests go through", async () => {
  const { jurisdictionId, agencyId, token: flooder } = await e2e.newAgencyAndJurisdiction();
  const other = await e2e.newAgency(jurisdictionId);
  const statuses: number[] = [];
  let refused: Awaited<ReturnType<typeof e2e.api>> | undefined;
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
