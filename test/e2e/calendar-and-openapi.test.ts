/** Spec 6 (working-days calculator) and 8 (the public API document). */
import { describe, expect, test } from 'vitest';
import { routeKeys } from '../../functions/api/route-keys.ts';
import { expectFieldErrors, expectProblem, expectStatus, requiredDecision, uid, useStack } from './harness.ts';

const e2e = useStack();

const workingDays = async (token: string, query: Record<string, string>) =>
  e2e.api('GET', `/v1/calendar/working-days?${new URLSearchParams(query)}`, { token });

describe('GET /v1/calendar/working-days', () => {
  test.each([
    ['2026-09-28', 10, '2026-10-16', false], // DOMAIN.md worked example: 国庆 off, Sat 10 Oct works
    ['2026-11-27', 10, '2026-12-11', false], // ordinary weeks
    ['2026-02-13', 1, '2026-02-14', false], // Sat 14 Feb 2026 is a make-up working day
    ['2026-09-30', 1, '2026-10-08', false], // 国庆 1-7 Oct off: the next working day is Thu 8 Oct
    ['2026-10-01', 1, '2026-10-08', false], // decided on a holiday: counting starts at the next working day
    ['2026-09-28', 0, '2026-09-28', false],
    ['2026-12-25', 10, '2027-01-11', true], // reaches 2027, not loaded: weekends + 1 Jan only, marked provisional
  ])('%s + %i working days -> %s (provisional %s)', async (from, count, dueOn, provisional) => {
    const res = expectStatus(await workingDays(await e2e.admin(), { from, count: String(count) }), 200);
    expect(res.json).toMatchObject({ from, count, dueOn, provisional });
  });

  test('every role may call it, even the token of an agency that is not registered yet', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const tokens = [await e2e.admin(), await e2e.reviewer(jurisdictionId), await e2e.agency(uid('not-registered'))];
    for (const token of tokens) {
      const res = expectStatus(await workingDays(token, { from: '2026-09-28', count: '10' }), 200);
      expect(res.json).toMatchObject({ from: '2026-09-28', count: 10, dueOn: '2026-10-16', provisional: false });
    }
  });

  test("a jurisdiction's extra off days and extra working days move the date", async () => {
    const admin = await e2e.admin();
    const national = expectStatus(await workingDays(admin, { from: '2026-11-27', count: '10' }), 200);
    expect(national.json.dueOn).toBe('2026-12-11');

    const offDays = await e2e.newJurisdiction({ extraOffDays: ['2026-12-01', '2026-12-02'] });
    const later = expectStatus(await workingDays(admin, { from: '2026-11-27', count: '10', jurisdictionId: offDays }), 200);
    expect(later.json).toMatchObject({ from: '2026-11-27', count: 10, dueOn: '2026-12-15', provisional: false });

    const workDays = await e2e.newJurisdiction({ extraWorkingDays: ['2026-12-05'] }); // a Saturday
    const earlier = expectStatus(await workingDays(admin, { from: '2026-11-27', count: '10', jurisdictionId: workDays }), 200);
    expect(earlier.json.dueOn).toBe('2026-12-10');
  });

  test("a decision in a jurisdiction with extra off days is due later (the same calendar is used)", async () => {
    const { token } = await e2e.newAgencyAndJurisdiction({ extraOffDays: ['2026-12-01'] });
    const d = await e2e.report(token, requiredDecision({ decidedOn: '2026-11-27' }));
    expect(d.filingDueOn).toBe('2026-12-14');
  });

  test("updating a jurisdiction's extra days changes later answers", async () => {
    const admin = await e2e.admin();
    const id = await e2e.newJurisdiction();
    expect(expectStatus(await workingDays(admin, { from: '2026-11-27', count: '10', jurisdictionId: id }), 200).json.dueOn).toBe('2026-12-11');
    expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: { name: 'Now with a local holiday', extraOffDays: ['2026-12-03'] } }), 200);
    expect(expectStatus(await workingDays(admin, { from: '2026-11-27', count: '10', jurisdictionId: id }), 200).json.dueOn).toBe('2026-12-14');
  });

  test('an unknown jurisdiction -> 404', async () => {
    expectProblem(await workingDays(await e2e.admin(), { from: '2026-09-28', count: '10', jurisdictionId: uid('nope') }), 404);
  });

  test.each([
    [{ from: '2026-02-30', count: '10' }, ['from']],
    [{ from: '2026-9-28', count: '10' }, ['from']],
    [{ from: '2026-09-28', count: 'ten' }, ['count']],
    [{ from: '2026-09-28', count: '-1' }, ['count']],
    [{ from: '2026-09-28', count: '1001' }, ['count']],
    [{ count: '10' }, ['from']],
    [{ from: '2026-09-28' }, ['count']],
    [{ from: '2026-09-28', count: '10', jurisdictionId: 'Bad_Id' }, ['jurisdictionId']],
    [{ from: '2026-09-28', count: '10', extra: '1' }, ['extra']],
  ])('%j -> 400 naming %j', async (query, fields) => {
    expectFieldErrors(await workingDays(await e2e.admin(), query), 'query', fields);
  });

  test('without a token -> 401', async () => {
    expectProblem(await e2e.api('GET', '/v1/calendar/working-days?from=2026-09-28&count=10'), 401);
  });
});

describe('GET /v1/openapi.json', () => {
  test('is public: 200 without a token, OpenAPI 3.1.0, with every route of route-keys.ts', async () => {
    const res = expectStatus(await e2e.api('GET', '/v1/openapi.json'), 200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(res.json.openapi).toBe('3.1.0');
    for (const { method, path, authorized } of routeKeys) {
      const operation = res.json.paths?.[path]?.[method.toLowerCase()];
      expect(operation, `${method} ${path} in the document`).toBeDefined();
      // secured routes name the bearer scheme; the public one says no security
      expect(operation.security, `${method} ${path} security`).toEqual(authorized ? [{ bearer: [] }] : []);
    }
    expect(res.json.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('a token does not change the answer', async () => {
    const anonymous = expectStatus(await e2e.api('GET', '/v1/openapi.json'), 200);
    const withToken = expectStatus(await e2e.api('GET', '/v1/openapi.json', { token: await e2e.admin() }), 200);
    expect(withToken.json).toEqual(anonymous.json);
  });
});

describe('review fixes, over HTTP', () => {
  test("the calendar of another jurisdiction is not shown to an agency or a reviewer (404), only to its own and to admins", async () => {
    const mine = await e2e.newAgencyAndJurisdiction({ extraOffDays: ['2026-10-12'] });
    const other = await e2e.newJurisdiction({ extraOffDays: ['2026-10-13'] });
    const path = (j: string) => `/v1/calendar/working-days?from=2026-09-28&count=10&jurisdictionId=${j}`;
    expectProblem(await e2e.api('GET', path(other), { token: mine.token }), 404);
    expectProblem(await e2e.api('GET', path(other), { token: await e2e.reviewer(mine.jurisdictionId) }), 404);
    expect(expectStatus(await e2e.api('GET', path(mine.jurisdictionId), { token: mine.token }), 200).json.dueOn).toBe('2026-10-19');
    expect(expectStatus(await e2e.api('GET', path(other), { token: await e2e.admin() }), 200).json.dueOn).toBe('2026-10-19');
  });

  test('an app client listed twice for an agency is a 400 naming clientIds, not a 500', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const res = await e2e.api('PUT', `/v1/agencies/${uid('ag')}`, { token: await e2e.admin(), body: { name: 'A', jurisdictionId, clientIds: ['abc', 'abc'] } });
    expectFieldErrors(res, 'body', ['clientIds']);
  });

  test('dates outside 1990-2199 are refused with the field named', async () => {
    const res = await e2e.api('GET', '/v1/calendar/working-days?from=9999-12-31&count=10', { token: await e2e.admin() });
    expectFieldErrors(res, 'query', ['from']);
  });
});
