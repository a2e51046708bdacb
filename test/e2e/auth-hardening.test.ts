/**
 * Security review items 6 and 7, as the attacks that found them: tokens of the wrong kind, clients
 * without a link, a client linked twice, links removed, tokens without `exp`, `aud` arrays, and the
 * local services reached from another address of the machine.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, test } from 'vitest';
import { LOCAL_WEB_CLIENT, signClaims } from '../../infra/local/jwt.ts';
import { AGENCY_SCOPE } from '../../shared/auth/caller.ts';
import { DIRECTORY_TTL_MS } from '../../shared/auth/directory.ts';
import { agencyBody, eventually, expectProblem, expectStatus, requiredDecision, uid, useStack } from './harness.ts';

const e2e = useStack();

const sign = (claims: Record<string, unknown>, ttlSeconds: number | null = 3600) => signClaims(e2e.stack.stateDir, claims, { ttlSeconds });
const listAs = (token: string) => e2e.api('GET', '/v1/decisions?limit=1', { token });
/** An app client id as Cognito makes them (letters and digits, no hyphen). */
const newClientId = () => uid('client').replace('-', '');

describe('token_use: people by ID tokens, agencies by access tokens', () => {
  test('the local token command gives each kind its token_use, and both work', async () => {
    expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: await e2e.admin() }), 200);
    const { token } = await e2e.newAgencyAndJurisdiction();
    expectStatus(await listAs(token), 200);
  });

  test('an access token carrying the admin group -> 401', async () => {
    const token = await sign({ sub: 'someone', client_id: LOCAL_WEB_CLIENT, token_use: 'access', 'cognito:groups': ['admin'] });
    const problem = expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token }), 401);
    expect(problem.detail).toMatch(/cognito:groups count only in an ID token/);
  });

  test('an ID token carrying the agency scope and a registered agency id as client_id -> 401', async () => {
    const { agencyId } = await e2e.newAgencyAndJurisdiction();
    const token = await sign({ sub: agencyId, aud: LOCAL_WEB_CLIENT, client_id: agencyId, token_use: 'id', scope: AGENCY_SCOPE });
    const problem = expectProblem(await listAs(token), 401);
    expect(problem.detail).toMatch(/scope counts only in an access token/);
  });

  test('a token without token_use -> 401', async () => {
    const person = await sign({ sub: 'someone', aud: LOCAL_WEB_CLIENT, 'cognito:groups': ['admin'] });
    expect(expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token: person }), 401).detail).toMatch(/token_use/);
    const { agencyId } = await e2e.newAgencyAndJurisdiction();
    const client = await sign({ sub: agencyId, client_id: agencyId, scope: AGENCY_SCOPE });
    expect(expectProblem(await listAs(client), 401).detail).toMatch(/token_use/);
  });
});

describe('links between app clients and agencies', () => {
  // The local stack maps an unlinked client id to the (unregistered) agency of that id, so a local token
  // works at once; outside it an unlinked client is refused outright (test/unit/caller.test.ts).
  test('an unlinked client writes nothing; linked it writes at once as its agency; unlinked it stops within seconds', async () => {
    const { agencyId, jurisdictionId } = await e2e.newAgencyAndJurisdiction();
    const clientId = newClientId();
    const token = await e2e.token({ role: 'agency', client: clientId });
    const post = () => e2e.api('POST', '/v1/decisions', { token, body: requiredDecision() });
    expect(expectProblem(await post(), 403).detail).toMatch(`agency "${clientId}" is not registered yet`);

    const admin = await e2e.admin();
    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: admin, body: agencyBody(jurisdictionId, { clientIds: [clientId] }) }), 200);
    // "not linked" was not remembered: the link counts on the next request
    const decision = expectStatus(await post(), 201).json;
    expect(decision.agencyId).toBe(agencyId);
    expect((await e2e.listAll(token)).map((d) => d.id)).toEqual([decision.id]);

    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: admin, body: agencyBody(jurisdictionId, { clientIds: [] }) }), 200);
    const removedAt = Date.now();
    await eventually(async () => expectProblem(await post(), 403), DIRECTORY_TTL_MS + 3_000);
    expect(Date.now() - removedAt).toBeLessThan(DIRECTORY_TTL_MS + 3_000);
    expect(await e2e.listAll(token)).toEqual([]);
  });

  test('a client linked to one agency cannot be linked to another -> 409, and keeps its agency', async () => {
    const first = await e2e.newAgencyAndJurisdiction();
    const clientId = newClientId();
    const admin = await e2e.admin();
    expectStatus(await e2e.api('PUT', `/v1/agencies/${first.agencyId}`, { token: admin, body: agencyBody(first.jurisdictionId, { clientIds: [clientId] }) }), 200);
    const otherId = uid('agency');
    const problem = expectProblem(
      await e2e.api('PUT', `/v1/agencies/${otherId}`, { token: admin, body: agencyBody(first.jurisdictionId, { clientIds: [clientId] }) }),
      409,
    );
    expect(problem.detail).toBe(`app client "${clientId}" is already linked to another agency`);
    expectProblem(await e2e.api('GET', `/v1/agencies/${otherId}`, { token: admin }), 404);
    const token = await e2e.token({ role: 'agency', client: clientId });
    const mine = expectStatus(await e2e.api('GET', `/v1/agencies/${first.agencyId}`, { token }), 200);
    expect(mine.json.agencyId).toBe(first.agencyId);
  });
});

describe('local token verification as API Gateway does it', () => {
  test('a token without exp -> 401', async () => {
    const token = await sign({ sub: 'local-admin', aud: LOCAL_WEB_CLIENT, token_use: 'id', 'cognito:groups': ['admin'] }, null);
    const problem = expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token }), 401);
    expect(problem.detail).toMatch(/"exp" claim/);
  });

  test('an aud array containing the web client is accepted; one without it -> 401', async () => {
    const claims = { sub: 'local-admin', token_use: 'id', 'cognito:groups': ['admin'] };
    expectStatus(await e2e.api('GET', '/v1/jurisdictions', { token: await sign({ ...claims, aud: ['another-client', LOCAL_WEB_CLIENT] }) }), 200);
    expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token: await sign({ ...claims, aud: ['another-client', 'a-third'] }) }), 401);
    expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token: await sign({ ...claims, aud: [] }) }), 401);
  });
});

/** The outcome of a TCP connection attempt to this machine's own address. */
function tryConnect(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3_000, () => (socket.destroy(), resolve('ETIMEDOUT')));
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('local listeners', () => {
  test('every local service answers on 127.0.0.1 and refuses connections to the machine\'s other addresses', async () => {
    const stack = e2e.stack;
    const services: [string, number][] = [
      ['API', Number(new URL(stack.apiUrl).port)],
      ['DynamoDB Local', Number(new URL(stack.dynamoEndpoint).port)],
      ['SQS emulator', Number(new URL(stack.sqsEndpoint).port)],
      ['SES emulator', Number(new URL(stack.sesEndpoint).port)],
      ['SQS fault proxy', stack.sqsFault.port],
    ];
    const outcome = async (host: string) => Object.fromEntries(await Promise.all(services.map(async ([name, port]) => [name, await tryConnect(host, port)] as const)));
    expect(await outcome('127.0.0.1')).toEqual(Object.fromEntries(services.map(([name]) => [name, 'connected'])));

    // this machine's own non-loopback IPv4 addresses; a machine with none has nothing to reach the services by
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      expect({ address, outcome: await outcome(address) }).toEqual({ address, outcome: Object.fromEntries(services.map(([name]) => [name, 'ECONNREFUSED'])) });
    }
    console.info(`local listeners: checked ${others.length ? others.join(', ') : 'no non-loopback IPv4 address (none on this machine)'}`);
  });
});
