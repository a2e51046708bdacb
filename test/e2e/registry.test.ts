/** Spec 1 and 2: the admin registers jurisdictions and agencies; others read their own part. */
import { describe, expect, test } from 'vitest';
import { THRESHOLDS, agencyBody, expectFieldErrors, expectProblem, expectStatus, jurisdictionBody, uid, useStack } from './harness.ts';

const e2e = useStack();

describe('PUT/GET /v1/jurisdictions', () => {
  test('PUT returns 200 with the stored record; GET of the path and the list return it', async () => {
    const admin = await e2e.admin();
    const id = uid('jur');
    const body = jurisdictionBody({
      name: '宝坻区',
      filingPeriodWorkingDays: 12,
      escalationEmails: ['a@example.org', 'b@example.org'],
      extraOffDays: ['2026-12-01'],
      extraWorkingDays: ['2026-12-05'],
    });
    const put = expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body }), 200);
    expect(put.headers.get('content-type')).toMatch(/^application\/json/);
    expect(put.json).toMatchObject({ ...body, jurisdictionId: id, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(put.json.createdAt))).toBe(false);

    const got = expectStatus(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: admin }), 200);
    expect(got.json).toEqual(put.json);

    const list = expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: admin }), 200);
    expect(Array.isArray(list.json.items)).toBe(true);
    expect(list.json.items).toContainEqual(put.json);
  });

  test('defaults: filing period 10 working days, no thresholds, no extra days', async () => {
    const id = uid('jur');
    const put = expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: await e2e.admin(), body: { name: 'Minimal' } }), 200);
    expect(put.json).toMatchObject({ jurisdictionId: id, name: 'Minimal', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] });
  });

  test('PUT again updates the record (the GET shows the new values, createdAt is kept)', async () => {
    const admin = await e2e.admin();
    const id = uid('jur');
    const first = expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: jurisdictionBody({ name: 'Before' }) }), 200);
    const second = expectStatus(
      await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: jurisdictionBody({ name: 'After', hearingThresholds: [THRESHOLDS[0]] }) }),
      200,
    );
    expect(second.json).toMatchObject({ name: 'After', hearingThresholds: [THRESHOLDS[0]], createdAt: first.json.createdAt });
    const got = expectStatus(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: admin }), 200);
    expect(got.json.name).toBe('After');
    const list = expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: admin }), 200);
    expect(list.json.items.filter((j: { jurisdictionId: string }) => j.jurisdictionId === id)).toHaveLength(1);
  });

  test('an unknown jurisdiction -> 404', async () => {
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${uid('nope')}`, { token: await e2e.admin() }), 404);
  });

  test('a reviewer sees its own jurisdiction, not another', async () => {
    const mine = await e2e.newJurisdiction();
    const other = await e2e.newJurisdiction();
    const reviewer = await e2e.reviewer(mine);
    expectStatus(await e2e.api('GET', `/v1/jurisdictions/${mine}`, { token: reviewer }), 200);
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${other}`, { token: reviewer }), 404);
    const list = expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: reviewer }), 200);
    expect(list.json.items.map((j: { jurisdictionId: string }) => j.jurisdictionId)).toEqual([mine]);
  });

  test.each([
    ['upper case', 'Bad-Id'],
    ['underscore', 'bad_id'],
    ['too short', 'a'],
    ['too long', 'a'.repeat(65)],
    ['non-ASCII', encodeURIComponent('宝坻')],
  ])('a jurisdiction id that is not [a-z0-9-]{2,64} (%s) -> 400 naming the path parameter, nothing stored', async (_label, id) => {
    const admin = await e2e.admin();
    const res = await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: jurisdictionBody() });
    expectFieldErrors(res, 'path', ['jurisdictionId']);
    const list = expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: admin }), 200);
    expect(list.json.items.map((j: { jurisdictionId: string }) => j.jurisdictionId)).not.toContain(decodeURIComponent(id));
  });

  test('ids of exactly 2 and 64 characters are accepted', async () => {
    const admin = await e2e.admin();
    for (const id of ['z9', `j-${'0'.repeat(62)}`]) {
      expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: jurisdictionBody() }), 200);
    }
  });

  test.each([
    ['an unknown field', { extra: 1 }, 'extra'],
    ['a wrong type', { filingPeriodWorkingDays: '10' }, 'filingPeriodWorkingDays'],
    ['a period of 0', { filingPeriodWorkingDays: 0 }, 'filingPeriodWorkingDays'],
    ['an impossible date', { extraOffDays: ['2026-02-30'] }, 'extraOffDays.0'],
    ['a bad money string', { hearingThresholds: [{ partyType: 'INDIVIDUAL', amount: '1e5', effectiveFrom: '2020-01-01' }] }, 'hearingThresholds.0.amount'],
    ['an unknown party type', { hearingThresholds: [{ partyType: 'ROBOT', amount: '1', effectiveFrom: '2020-01-01' }] }, 'hearingThresholds.0.partyType'],
    ['a bad email', { escalationEmails: ['not-an-email'] }, 'escalationEmails.0'],
    ['an empty name', { name: '  ' }, 'name'],
  ])('PUT jurisdiction with %s -> 400 listing the field, nothing stored', async (_label, overrides, field) => {
    const admin = await e2e.admin();
    const id = uid('jur');
    expectFieldErrors(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: jurisdictionBody(overrides) }), 'body', [field]);
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: admin }), 404);
  });
});

describe('PUT/GET /v1/agencies', () => {
  test('PUT returns 200 with the record; GET of the path and the list return it', async () => {
    const admin = await e2e.admin();
    const jurisdictionId = await e2e.newJurisdiction();
    const id = uid('ag');
    const body = agencyBody(jurisdictionId, { contactEmails: ['x@example.org'] });
    const put = expectStatus(await e2e.api('PUT', `/v1/agencies/${id}`, { token: admin, body }), 200);
    expect(put.json).toMatchObject({ ...body, agencyId: id, createdAt: expect.any(String), updatedAt: expect.any(String) });

    const got = expectStatus(await e2e.api('GET', `/v1/agencies/${id}`, { token: admin }), 200);
    expect(got.json).toMatchObject({ ...body, agencyId: id });
    const list = expectStatus(await e2e.api('GET', '/v1/agencies', { token: admin }), 200);
    expect(list.json.items.find((a: { agencyId: string }) => a.agencyId === id)).toMatchObject({ ...body, agencyId: id });
  });

  test('PUT again updates the agency', async () => {
    const admin = await e2e.admin();
    const jurisdictionId = await e2e.newJurisdiction();
    const { agencyId } = await e2e.newAgency(jurisdictionId);
    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: admin, body: agencyBody(jurisdictionId, { name: 'Renamed' }) }), 200);
    const got = expectStatus(await e2e.api('GET', `/v1/agencies/${agencyId}`, { token: admin }), 200);
    expect(got.json.name).toBe('Renamed');
    const list = expectStatus(await e2e.api('GET', '/v1/agencies', { token: admin }), 200);
    expect(list.json.items.filter((a: { agencyId: string }) => a.agencyId === agencyId)).toHaveLength(1);
  });

  test('an unknown jurisdiction -> 422, nothing stored', async () => {
    const admin = await e2e.admin();
    const id = uid('ag');
    const res = await e2e.api('PUT', `/v1/agencies/${id}`, { token: admin, body: agencyBody(uid('nojur')) });
    expectProblem(res, 422);
    expectProblem(await e2e.api('GET', `/v1/agencies/${id}`, { token: admin }), 404);
    const list = expectStatus(await e2e.api('GET', '/v1/agencies', { token: admin }), 200);
    expect(list.json.items.map((a: { agencyId: string }) => a.agencyId)).not.toContain(id);
  });

  test.each([
    ['upper case', 'Bad-Agency'],
    ['a dot', 'bad.agency'],
    ['too short', 'x'],
    ['too long', 'a'.repeat(65)],
  ])('an agency id that is not [a-z0-9-]{2,64} (%s) -> 400, nothing stored', async (_label, id) => {
    const admin = await e2e.admin();
    const jurisdictionId = await e2e.newJurisdiction();
    expectFieldErrors(await e2e.api('PUT', `/v1/agencies/${id}`, { token: admin, body: agencyBody(jurisdictionId) }), 'path', ['agencyId']);
    const list = expectStatus(await e2e.api('GET', '/v1/agencies', { token: admin }), 200);
    expect(list.json.items.filter((a: { jurisdictionId: string }) => a.jurisdictionId === jurisdictionId)).toEqual([]);
  });

  test.each([
    ['an unknown field', { agencyId: 'someone-else' }, 'agencyId'],
    ['a bad jurisdiction id', { jurisdictionId: 'Not_An_Id' }, 'jurisdictionId'],
    ['a bad email', { contactEmails: ['nope'] }, 'contactEmails.0'],
    ['a wrong type', { name: 42 }, 'name'],
  ])('PUT agency with %s -> 400 listing the field, nothing stored', async (_label, overrides, field) => {
    const admin = await e2e.admin();
    const jurisdictionId = await e2e.newJurisdiction();
    const id = uid('ag');
    expectFieldErrors(await e2e.api('PUT', `/v1/agencies/${id}`, { token: admin, body: agencyBody(jurisdictionId, overrides) }), 'body', [field]);
    expectProblem(await e2e.api('GET', `/v1/agencies/${id}`, { token: admin }), 404);
  });

  test('scoping: a reviewer sees the agencies of its jurisdiction, an agency itself only', async () => {
    const j1 = await e2e.newJurisdiction();
    const j2 = await e2e.newJurisdiction();
    const a1 = await e2e.newAgency(j1);
    const a2 = await e2e.newAgency(j1);
    const b1 = await e2e.newAgency(j2);
    const reviewer = await e2e.reviewer(j1);

    const seenByReviewer = expectStatus(await e2e.api('GET', '/v1/agencies', { token: reviewer }), 200);
    expect(seenByReviewer.json.items.map((a: { agencyId: string }) => a.agencyId).sort()).toEqual([a1.agencyId, a2.agencyId].sort());
    expectStatus(await e2e.api('GET', `/v1/agencies/${a1.agencyId}`, { token: reviewer }), 200);
    expectProblem(await e2e.api('GET', `/v1/agencies/${b1.agencyId}`, { token: reviewer }), 404);

    const seenByAgency = expectStatus(await e2e.api('GET', '/v1/agencies', { token: a1.token }), 200);
    expect(seenByAgency.json.items.map((a: { agencyId: string }) => a.agencyId)).toEqual([a1.agencyId]);
    expectStatus(await e2e.api('GET', `/v1/agencies/${a1.agencyId}`, { token: a1.token }), 200);
    expectProblem(await e2e.api('GET', `/v1/agencies/${a2.agencyId}`, { token: a1.token }), 404);
  });

  test('only an admin registers: a reviewer or an agency PUTting an agency -> 403, nothing stored', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const { token: agencyToken } = await e2e.newAgency(jurisdictionId);
    const id = uid('ag');
    expectProblem(await e2e.api('PUT', `/v1/agencies/${id}`, { token: await e2e.reviewer(jurisdictionId), body: agencyBody(jurisdictionId) }), 403);
    expectProblem(await e2e.api('PUT', `/v1/agencies/${id}`, { token: agencyToken, body: agencyBody(jurisdictionId) }), 403);
    expectProblem(await e2e.api('GET', `/v1/agencies/${id}`, { token: await e2e.admin() }), 404);
  });
});
