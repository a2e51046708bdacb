/**
 * Spec 7: problem details for every bad request, nothing stored, never a 500; 401 for missing or bad
 * tokens, 403 for the wrong role; and party names never reach the logs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { type JWK, SignJWT, generateKeyPair, importJWK } from 'jose';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LOCAL_ISSUER, LOCAL_WEB_CLIENT } from '../../infra/local/jwt.ts';
import { AGENCY_SCOPE } from '../../shared/auth/caller.ts';
import { routeKeys } from '../../functions/api/route-keys.ts';
import {
  type DecisionInput,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  jurisdictionBody,
  notRequiredDecision,
  requiredDecision,
  shanghaiTomorrow,
  uid,
  useStack,
} from './harness.ts';

const e2e = useStack();

/** A registered agency (in a fresh jurisdiction). */
const freshAgency = () => e2e.newAgencyAndJurisdiction();

/** One registered agency for bad requests, which must never store anything. */
let shared: Promise<{ agencyId: string; token: string }> | undefined;
const sharedAgency = () => (shared ??= e2e.newAgencyAndJurisdiction());

/** The ids of the agency's decisions. */
async function storedIds(agency: { agencyId: string; token: string }) {
  return (await e2e.listAll(agency.token)).map((d) => d.id).sort();
}

/** POSTs a bad decision as the shared agency; `stored.expectUnchanged()` checks nothing was stored. */
async function postBad(input: { body?: unknown; rawBody?: string; headers?: Record<string, string> }) {
  const agency = await sharedAgency();
  const before = await storedIds(agency);
  const res = await e2e.api('POST', '/v1/decisions', { token: agency.token, ...input });
  return { res, stored: { expectUnchanged: async () => expect(await storedIds(agency)).toEqual(before) } };
}

describe('POST /v1/decisions: each bad body -> 400 problem listing the bad fields, nothing stored', () => {
  const cases: [string, DecisionInput, (string | RegExp)[]][] = [
    ['an unknown top-level field', { ...requiredDecision(), filedBy: 'me' }, ['filedBy']],
    ['an unknown field in party', requiredDecision({ party: { type: 'INDIVIDUAL', name: '张三', idNumber: '120101199001011234' } }), ['party.idNumber']],
    ['caseNumber as a number', requiredDecision({ caseNumber: 123 }), ['caseNumber']],
    ['measures as a string', requiredDecision({ measures: 'REVOKE_PERMIT' }), ['measures']],
    ['party as a string', requiredDecision({ party: 'ACME' }), ['party']],
    ['fineAmount as a number', requiredDecision({ measures: ['FINE'], fineAmount: 5000 }), ['fineAmount']],
    ['an unknown kind', requiredDecision({ kind: 'REWARD' }), ['kind']],
    ['an unknown measure', requiredDecision({ measures: ['BEHEAD'] }), [/^measures/]],
    ['no measures', requiredDecision({ measures: [] }), ['measures']],
    ['an unknown party type', requiredDecision({ party: { type: 'ROBOT', name: 'R2' } }), ['party.type']],
    ['an empty case number', requiredDecision({ caseNumber: '   ' }), ['caseNumber']],
    ['an impossible date 2026-02-30', requiredDecision({ decidedOn: '2026-02-30' }), ['decidedOn']],
    ['a date not in YYYY-MM-DD form', requiredDecision({ decidedOn: '2026-9-28' }), ['decidedOn']],
    ['a timestamp for a date', requiredDecision({ decidedOn: '2026-09-28T10:00:00Z' }), ['decidedOn']],
    ['a fine of "12.345"', requiredDecision({ measures: ['FINE'], fineAmount: '12.345' }), ['fineAmount']],
    ['a fine of "-1"', requiredDecision({ measures: ['FINE'], fineAmount: '-1' }), ['fineAmount']],
    ['a fine of "1e5"', requiredDecision({ measures: ['FINE'], fineAmount: '1e5' }), ['fineAmount']],
    ['a fine of ""', requiredDecision({ measures: ['FINE'], fineAmount: '' }), ['fineAmount']],
    ['a fine of "1,000"', requiredDecision({ measures: ['FINE'], fineAmount: '1,000' }), ['fineAmount']],
    ['a confiscated value of "0x10"', requiredDecision({ measures: ['CONFISCATION'], confiscatedValue: '0x10' }), ['confiscatedValue']],
    ['PENALTY with SEAL_UP', requiredDecision({ kind: 'PENALTY', measures: ['SEAL_UP'] }), [/^measures/]],
    ['COERCIVE with FINE', requiredDecision({ kind: 'COERCIVE', measures: ['FINE'], fineAmount: '100' }), [/^measures/]],
    ['FINE without fineAmount', requiredDecision({ measures: ['FINE'] }), ['fineAmount']],
    ['fineAmount without FINE', requiredDecision({ measures: ['REVOKE_PERMIT'], fineAmount: '100' }), ['fineAmount']],
    ['majorReasons on a PENALTY', requiredDecision({ majorReasons: ['PUBLIC_INTEREST'] }), ['majorReasons']],
    ['a measure listed twice', requiredDecision({ measures: ['REVOKE_PERMIT', 'REVOKE_PERMIT'] }), [/^measures/]],
    ['a summary over 2000 characters', requiredDecision({ summary: 'x'.repeat(2001) }), ['summary']],
    ['several bad fields at once', requiredDecision({ caseNumber: 1, decidedOn: '2026-02-30', kind: 'X' }), ['caseNumber', 'decidedOn', 'kind']],
  ];
  test.each(cases)('%s', async (_label, body, fields) => {
    const { res, stored } = await postBad({ body });
    expectFieldErrors(res, 'body', fields);
    await stored.expectUnchanged();
  });

  test('missing required fields are each listed', async () => {
    const { res, stored } = await postBad({ body: {} });
    expectFieldErrors(res, 'body', ['caseNumber', 'kind', 'measures', 'party', 'decidedOn']);
    await stored.expectUnchanged();
  });

  test('a decision dated in the future (tomorrow in Asia/Shanghai) -> 400 naming decidedOn', async () => {
    const { res, stored } = await postBad({ body: requiredDecision({ decidedOn: shanghaiTomorrow() }) });
    expectFieldErrors(res, 'body', ['decidedOn']);
    await stored.expectUnchanged();
  });

  test('a decision dated far in the future -> 400', async () => {
    const { res, stored } = await postBad({ body: notRequiredDecision({ decidedOn: '2099-01-01' }) });
    expectFieldErrors(res, 'body', ['decidedOn']);
    await stored.expectUnchanged();
  });

  test('a body over 64 KB -> 400', async () => {
    const body = { ...requiredDecision(), padding: 'x'.repeat(70 * 1024) };
    const { res, stored } = await postBad({ body });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });

  test('a valid decision padded with JSON whitespace to over 64 KB -> 400', async () => {
    const raw = JSON.stringify(requiredDecision()).replace('{', `{${' '.repeat(64 * 1024)}`);
    expect(Buffer.byteLength(raw)).toBeGreaterThan(64 * 1024);
    const { res, stored } = await postBad({ rawBody: raw });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });

  test('a valid decision padded to exactly 64 KB is not "over 64 KB": 201', async () => {
    const { token } = await freshAgency();
    const compact = JSON.stringify(requiredDecision());
    const raw = compact.replace('{', `{${' '.repeat(64 * 1024 - Buffer.byteLength(compact))}`);
    expect(Buffer.byteLength(raw)).toBe(64 * 1024);
    expectStatus(await e2e.api('POST', '/v1/decisions', { token, rawBody: raw }), 201);
  });

  test.each([
    ['not JSON at all', 'caseNumber=1&kind=PENALTY', {}],
    ['truncated JSON', JSON.stringify(requiredDecision()).slice(0, 40), {}],
    ['JSON sent as text/plain', JSON.stringify(requiredDecision()), { 'content-type': 'text/plain' }],
    ['JSON sent as form data', JSON.stringify(requiredDecision()), { 'content-type': 'application/x-www-form-urlencoded' }],
    ['JSON null', 'null', {}],
    ['a JSON array', JSON.stringify([requiredDecision()]), {}],
    ['a JSON string', '"hello"', {}],
    ['a JSON number', '42', {}],
  ])('a non-JSON or non-object body (%s) -> 400', async (_label, rawBody, headers) => {
    const { res, stored } = await postBad({ rawBody, headers });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });

  test.each([
    ['no body', undefined],
    ['an empty body', ''],
    ['whitespace only', '  \n '],
  ])('%s -> 400', async (_label, rawBody) => {
    const { res, stored } = await postBad(rawBody === undefined ? {} : { rawBody });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });
});

describe('PUT /v1/jurisdictions: bad bodies -> 400, nothing stored', () => {
  test.each([
    ['non-JSON', 'name=x'],
    ['empty', ''],
    ['over 64 KB', JSON.stringify({ ...jurisdictionBody(), name: 'x'.repeat(70 * 1024) })],
  ])('%s body', async (_label, rawBody) => {
    const admin = await e2e.admin();
    const id = uid('jur');
    expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, rawBody }), 400);
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: admin }), 404);
  });
});

describe('authentication: no token or a bad one -> 401', () => {
  const samplePath = (path: string) =>
    path
      .replace('{jurisdictionId}', 'some-jur')
      .replace('{agencyId}', 'some-agency')
      .replace('{id}', '00000000-0000-4000-8000-000000000000') + (path === '/v1/calendar/working-days' ? '?from=2026-09-28&count=10' : '');

  test.each(routeKeys.filter((r) => r.authorized).map((r) => [r.method, r.path] as const))('%s %s without a token -> 401 problem', async (method, path) => {
    const body = method === 'GET' ? undefined : method === 'POST' ? requiredDecision() : jurisdictionBody();
    const res = await e2e.api(method, samplePath(path), { ...(body && { body }) });
    expectProblem(res, 401);
  });

  async function rejects(authorization: string) {
    const res = await e2e.api('GET', '/v1/jurisdictions', { headers: { authorization } });
    expectProblem(res, 401);
  }

  test('garbage tokens -> 401', async () => {
    await rejects('Bearer garbage');
    await rejects('Bearer a.b.c');
    await rejects('Bearer ');
    await rejects('Basic YWRtaW46YWRtaW4=');
    await rejects(`Token ${await e2e.admin()}`);
  });

  test('an expired token -> 401', async () => {
    const expired = await e2e.token({ role: 'admin', ttlSeconds: -60 });
    await rejects(`Bearer ${expired}`);
  });

  test('a token signed with another key -> 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sub: 'local-admin', aud: LOCAL_WEB_CLIENT, token_use: 'id', 'cognito:groups': ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'local' })
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await rejects(`Bearer ${forged}`);
    // and a valid token's payload swapped for an admin's keeps the old signature: rejected too
    const agencyToken = await e2e.agency(uid('ag'));
    const [header, , signature] = agencyToken.split('.');
    const adminPayload = (await e2e.admin()).split('.')[1];
    await rejects(`Bearer ${header}.${adminPayload}.${signature}`);
  });

  test('an unsigned token (alg none) -> 401', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'x', iss: LOCAL_ISSUER, aud: LOCAL_WEB_CLIENT, token_use: 'id', 'cognito:groups': ['admin'], iat: now, exp: now + 3600 })}.`;
    await rejects(`Bearer ${token}`);
  });

  test('a token from another issuer or for another audience -> 401', async () => {
    await e2e.admin(); // the stack's signing key exists once a token was minted
    const jwk = JSON.parse(readFileSync(join(e2e.stack.stateDir, 'jwt-key.json'), 'utf8')) as JWK;
    const key = await importJWK(jwk, 'ES256');
    const sign = (claims: Record<string, unknown>, issuer: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'local' }).setIssuer(issuer).setIssuedAt().setExpirationTime('1h').sign(key);
    await rejects(`Bearer ${await sign({ sub: 'a', aud: LOCAL_WEB_CLIENT, token_use: 'id', 'cognito:groups': ['admin'] }, 'https://evil.example/issuer')}`);
    await rejects(`Bearer ${await sign({ sub: 'a', aud: 'another-client', token_use: 'id', 'cognito:groups': ['admin'] }, LOCAL_ISSUER)}`);
    await rejects(`Bearer ${await sign({ sub: 'a', token_use: 'access', scope: AGENCY_SCOPE }, LOCAL_ISSUER)}`);
  });

  test('nothing is stored by an unauthenticated write', async () => {
    const id = uid('jur');
    expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { body: jurisdictionBody() }), 401);
    expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { body: jurisdictionBody(), headers: { authorization: 'Bearer garbage' } }), 401);
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: await e2e.admin() }), 404);
  });
});

describe('authorization: the wrong role -> 403', () => {
  test('an agency calling PUT /v1/jurisdictions -> 403, nothing stored', async () => {
    const { token } = await freshAgency();
    const id = uid('jur');
    const problem = expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token, body: jurisdictionBody() }), 403);
    expect(problem.detail.length).toBeGreaterThan(0);
    expectProblem(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: await e2e.admin() }), 404);
  });

  test('a reviewer calling PUT /v1/jurisdictions -> 403, nothing changed', async () => {
    const id = await e2e.newJurisdiction({ name: 'Original' });
    expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: await e2e.reviewer(id), body: jurisdictionBody({ name: 'Hijacked' }) }), 403);
    expect(expectStatus(await e2e.api('GET', `/v1/jurisdictions/${id}`, { token: await e2e.admin() }), 200).json.name).toBe('Original');
  });

  test('an admin or a reviewer calling POST /v1/decisions -> 403, nothing stored', async () => {
    const jurisdictionId = await e2e.newJurisdiction();
    const admin = await e2e.admin();
    const before = expectStatus(await e2e.api('GET', '/v1/decisions?limit=100', { token: admin }), 200).json.items.length;
    expectProblem(await e2e.api('POST', '/v1/decisions', { token: admin, body: requiredDecision() }), 403);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token: await e2e.reviewer(jurisdictionId), body: requiredDecision() }), 403);
    const after = expectStatus(await e2e.api('GET', '/v1/decisions?limit=100', { token: admin }), 200).json.items.length;
    expect(after).toBe(before);
  });

  test('an agency token for an unregistered agency posting a decision -> 403 saying how to register it', async () => {
    const agencyId = uid('unregistered');
    const token = await e2e.agency(agencyId);
    const problem = expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision() }), 403);
    expect(problem.detail).toContain(`PUT /v1/agencies/${agencyId}`);
    expect(expectStatus(await e2e.api('GET', `/v1/decisions?agencyId=${agencyId}`, { token: await e2e.admin() }), 200).json.items).toEqual([]);

    // once registered, the same token works
    const jurisdictionId = await e2e.newJurisdiction();
    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: await e2e.admin(), body: { name: 'Late', jurisdictionId } }), 200);
    const d = await e2e.report(token, requiredDecision());
    expect(d).toMatchObject({ agencyId, jurisdictionId });
  });
});

describe('never a 500 for bad input', () => {
  test.each([
    ['GET', '/v1/calendar/working-days?from=9999-12-31&count=1000'],
    ['GET', '/v1/calendar/working-days?from=0001-01-01&count=1000'],
    ['GET', '/v1/calendar/working-days?from=0000-01-01&count=10'],
    ['GET', '/v1/decisions?decidedFrom=9999-12-31&decidedTo=0000-01-01'],
    ['GET', '/v1/decisions?dueBefore=0000-01-01'],
  ])('%s %s -> no 500 (a 4xx is a problem document)', async (method, path) => {
    const { token } = await sharedAgency();
    const asAdmin = method === 'PUT' || path.startsWith('/v1/jurisdictions');
    const res = await e2e.api(method, path, { token: asAdmin ? await e2e.admin() : token, ...(method === 'PUT' && { body: { name: 'x', jurisdictionId: 'nope' } }) });
    expect(res.status, res.text).toBeLessThan(500);
    if (res.status >= 400) expectProblem(res, res.status);
  });

  test.each([
    ['GET', '/v1/decisions/%E0%A4%A'],
    ['GET', '/v1/decisions/..%2F..%2Fetc'],
    ['GET', `/v1/decisions/${'a'.repeat(5000)}`],
    ['GET', '/v1/decisions?limit=1&limit=2'],
    ['GET', `/v1/decisions?cursor=${'x'.repeat(3000)}`],
    ['GET', '/v1/decisions?cursor=%00%01'],
    ['GET', '/v1/calendar/working-days?from=2026-09-28&count=99999999'],
    ['GET', '/v1/jurisdictions/%00'],
    ['PUT', '/v1/agencies/a%2Fb'],
    ['GET', '/v1/nothing-here'],
    ['DELETE', '/v1/decisions'],
  ])('%s %s -> a 4xx problem', async (method, path) => {
    const { token } = await sharedAgency();
    const asAdmin = method === 'PUT' || path.startsWith('/v1/jurisdictions');
    const res = await e2e.api(method, path, { token: asAdmin ? await e2e.admin() : token, ...(method === 'PUT' && { body: { name: 'x', jurisdictionId: 'nope' } }) });
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text).toBeLessThan(500);
    expectProblem(res, res.status);
  });

  test('deeply nested JSON -> 400, not a crash', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const { res, stored } = await postBad({ rawBody: deep });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });

  test('a JSON body with a prototype-polluting key -> 400, nothing stored', async () => {
    const raw = JSON.stringify(requiredDecision()).replace('{', '{"__proto__":{"admin":true},');
    const { res, stored } = await postBad({ rawBody: raw });
    expectProblem(res, 400);
    await stored.expectUnchanged();
  });
});

describe('personal data is never logged', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('a full flow, errors included, never writes a party name to stdout, stderr or the console', async () => {
    const partyName = `隐私当事人-${uid('p')}`;
    const captured: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        captured.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write);
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method].bind(console);
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        captured.push(format(...args));
        original(...args);
      });
    }
    // the capture itself works (so the test can fail)
    console.error('capture-probe-1');
    process.stderr.write('capture-probe-2\n');
    expect(captured.join('\n')).toContain('capture-probe-1');
    expect(captured.join('\n')).toContain('capture-probe-2');

    const { token, agencyId } = await freshAgency();
    const party = { type: 'INDIVIDUAL', name: partyName };
    const headers = { 'Idempotency-Key': uid('key') };
    const body = requiredDecision({ party, measures: ['FINE'], fineAmount: '20000' });
    const d = await e2e.report(token, body, headers);
    expect(d.party.name).toBe(partyName);
    expectStatus(await e2e.api('POST', '/v1/decisions', { token, body, headers }), 201); // replay
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: { ...body, summary: 'changed' }, headers }), 422);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body }), 409);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: { ...body, unknown: partyName } }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ party: { type: 'ALIEN', name: partyName } }) }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ party: { type: 'INDIVIDUAL', name: partyName.repeat(50) } }) }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, rawBody: `{"party":{"name":"${partyName}"` }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ party, decidedOn: shanghaiTomorrow() }) }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: { ...body, padding: partyName.repeat(4000) } }), 400);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token: await e2e.admin(), body }), 403);
    expectProblem(await e2e.api('POST', '/v1/decisions', { token: await e2e.agency(uid('unregistered')), body }), 403);
    expectProblem(await e2e.api('POST', '/v1/decisions', { body }), 401);
    expectStatus(await e2e.api('GET', `/v1/decisions/${d.id}`, { token }), 200);
    expectStatus(await e2e.api('GET', `/v1/decisions?agencyId=${agencyId}`, { token: await e2e.admin() }), 200);
    // requests that have made the server log an error (whatever their status now)
    await e2e.api('GET', `/v1/decisions?agencyId=${agencyId}&decidedFrom=2026-12-31&decidedTo=2026-01-01`, { token: await e2e.admin() });
    await e2e.api('GET', '/v1/decisions/%E0%A4%A', { token });

    const output = captured.join('\n');
    expect(output).not.toContain(partyName);
    // nor in JSON's \u escapes
    const escaped = partyName.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(output.toLowerCase()).not.toContain(escaped.toLowerCase());
  });
});
