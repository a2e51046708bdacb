/**
 * Issue 10: the API behind an external OpenID Connect issuer (as in the AWS China regions, which have no
 * Cognito user pools). The stack starts its own RS256 issuer and trusts it as the API Gateway JWT
 * authorizer does (discovery document, JWKS over HTTP); the claim names here are not the defaults, so
 * they must be read from the configuration. The defaults are tested in oidc-default-claims.test.ts.
 */
import { type JsonWebKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { afterAll, describe, expect, test } from 'vitest';
import { mintStackToken, recordedIdentity, startIdentity } from '../../infra/local/identity.ts';
import { type LocalOidcIssuer, publicJwk, signOidcClaims, startOidcIssuer } from '../../infra/local/oidc-issuer.ts';
import { agencyBody, expectProblem, expectStatus, requiredDecision, uid, useStack } from './harness.ts';

const AUDIENCE = 'beian-test';
const e2e = useStack({ identity: { kind: 'oidc', audience: AUDIENCE, roleClaim: 'groups', jurisdictionClaim: 'district', clientIdClaim: 'client_id' } });

const issuer = () => {
  const identity = e2e.stack.identity;
  if (identity.kind !== 'oidc') throw new Error('the stack should trust an OIDC issuer');
  return identity.issuer;
};
/** Any claims, signed by the stack's issuer; `aud` is this API's unless the claims say otherwise. */
const sign = (claims: Record<string, unknown>, ttlSeconds: number | null = 3600) =>
  signOidcClaims(e2e.stack.stateDir, issuer(), { aud: AUDIENCE, ...claims }, { ttlSeconds });
const asAdmin = (token: string) => e2e.api('GET', '/v1/jurisdictions', { token });
const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');

/** A second RSA issuer, with a key of its own, as an attacker (or a misconfigured realm) would have. */
let other: { issuer: LocalOidcIssuer; stateDir: string } | undefined;
afterAll(async () => {
  await other?.issuer.close();
  if (other) rmSync(other.stateDir, { recursive: true, force: true });
});
async function otherIssuer() {
  if (!other) {
    const stateDir = mkdtempSync(join(tmpdir(), 'beian-other-issuer-'));
    other = { issuer: await startOidcIssuer(stateDir, 0), stateDir };
  }
  return other;
}

describe('the stack\'s own issuer', () => {
  test('serves its discovery document and its public key over HTTP, and the stack trusts it', async () => {
    expect(issuer()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/beian$/);
    const discovery = (await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(discovery.issuer).toBe(issuer());
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(Object.keys(jwks.keys[0]!)).not.toContain('d');
    expect(e2e.stack.identity).toMatchObject({ kind: 'oidc', audience: AUDIENCE, ownIssuer: true });
  });

  test('tokens carry the configured claim names and audience', async () => {
    expect(decodeJwt(await e2e.reviewer('some-district'))).toMatchObject({ iss: issuer(), aud: AUDIENCE, groups: ['reviewer'], district: 'some-district' });
    expect(decodeJwt(await e2e.token({ role: 'agency', client: 'agency-client-1' }))).toMatchObject({ groups: ['agency'], client_id: 'agency-client-1' });
  });
});

describe('roles from the configured claims', () => {
  test('an admin registers; an agency\'s linked client reports; a reviewer reads its jurisdiction\'s decisions only', async () => {
    const admin = await e2e.admin();
    const [home, away] = [uid('jur'), uid('jur')];
    for (const id of [home, away]) {
      expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${id}`, { token: admin, body: { name: `District ${id}`, escalationEmails: ['legal@example.org'] } }), 200);
    }
    const agencyId = uid('ag');
    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: admin, body: agencyBody(home, { clientIds: ['agency-client-1'] }) }), 200);

    const agency = await e2e.token({ role: 'agency', client: 'agency-client-1' });
    const decision = await e2e.report(agency, requiredDecision());
    expect(decision).toMatchObject({ agencyId, jurisdictionId: home, status: 'AWAITING_FILING' });

    const reviewer = await e2e.reviewer(home);
    expect(expectStatus(await e2e.api('GET', `/v1/decisions/${decision.id}`, { token: reviewer }), 200).json.id).toBe(decision.id);
    expect((await e2e.listAll(reviewer)).map((d) => d.id)).toEqual([decision.id]);
    const stranger = await e2e.reviewer(away);
    expectProblem(await e2e.api('GET', `/v1/decisions/${decision.id}`, { token: stranger }), 404);
    expect(await e2e.listAll(stranger)).toEqual([]);
    // a reviewer's jurisdiction comes from the token: naming another one is refused
    expectProblem(await e2e.api('PUT', `/v1/jurisdictions/${home}`, { token: reviewer, body: { name: 'Hijacked' } }), 403);
  });

  test('a client no admin linked writes nothing -> 403', async () => {
    const admin = await e2e.admin();
    const before = (await e2e.listAll(admin)).length;
    const token = await e2e.token({ role: 'agency', client: 'unlinked_client_9' });
    const problem = expectProblem(await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision() }), 403);
    // the local stack maps an unlinked client id to the (unregistered) agency of that id, as with local Cognito tokens
    expect(problem.detail).toMatch(/agency "unlinked_client_9" is not registered yet/);
    expect((await e2e.listAll(admin)).length).toBe(before);
  });

  test('an agency token without the client id claim -> 401 naming it', async () => {
    const problem = expectProblem(await asAdmin(await sign({ sub: 'svc', groups: ['agency'], azp: 'agency-client-1' })), 401);
    expect(problem.detail).toMatch(/no client_id claim/);
  });

  test('a token with no Beian role -> 403 naming the claim; the default claim names mean nothing here', async () => {
    for (const claims of [{ sub: 'p1' }, { sub: 'p1', groups: ['offline_access'] }, { sub: 'p1', beian_roles: ['admin'] }, { sub: 'p1', token_use: 'id', 'cognito:groups': ['admin'] }]) {
      const problem = expectProblem(await asAdmin(await sign(claims)), 403);
      expect(problem.detail).toBe('the token grants no Beian role: its groups claim must contain admin, reviewer or agency');
    }
  });

  test('a reviewer without the jurisdiction claim -> 403 naming it', async () => {
    const problem = expectProblem(await e2e.api('GET', '/v1/decisions', { token: await sign({ sub: 'p1', groups: 'reviewer', beian_jurisdiction: 'x' }) }), 403);
    expect(problem.detail).toMatch(/district claim/);
  });
});

describe('the authorizer: only this issuer\'s RS256 tokens for this audience -> else 401', () => {
  test('a token of another issuer, or signed with its key in this issuer\'s name', async () => {
    const { issuer: second, stateDir } = await otherIssuer();
    const claims = { sub: 'p1', aud: AUDIENCE, groups: ['admin'] };
    expectProblem(await asAdmin(await second.mint(claims)), 401);
    expectProblem(await asAdmin(await signOidcClaims(stateDir, issuer(), claims, { ttlSeconds: 3600 })), 401);
    // another RSA key under this issuer's kid: the signature fails
    const { kid } = await publicJwk(e2e.stack.stateDir);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: kid! }).setIssuer(issuer()).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    expect(expectProblem(await asAdmin(forged), 401).detail).toMatch(/signature verification failed/);
    // this issuer's key in another issuer's name: the issuer check fails
    expect(expectProblem(await asAdmin(await signOidcClaims(e2e.stack.stateDir, second.issuer, claims, { ttlSeconds: 3600 })), 401).detail).toMatch(/"iss" claim/);
    // the same claims from this issuer pass
    expectStatus(await asAdmin(await sign(claims)), 200);
  });

  test('a token for another audience; aud may be an array; without aud, client_id is the audience', async () => {
    const claims = { sub: 'p1', groups: ['admin'] };
    expect(expectProblem(await asAdmin(await sign({ ...claims, aud: 'another-api' })), 401).detail).toMatch(/not for this API/);
    expectProblem(await asAdmin(await sign({ ...claims, aud: [] })), 401);
    expectStatus(await asAdmin(await sign({ ...claims, aud: ['another-api', AUDIENCE] })), 200);
    // as API Gateway: client_id is read only when there is no aud
    expectStatus(await asAdmin(await sign({ ...claims, aud: undefined, client_id: AUDIENCE })), 200);
    expectProblem(await asAdmin(await sign({ ...claims, aud: undefined, client_id: 'another-api' })), 401);
    expectProblem(await asAdmin(await sign({ ...claims, aud: 'another-api', client_id: AUDIENCE })), 401);
  });

  test('an expired token, or one without exp', async () => {
    expectProblem(await asAdmin(await e2e.token({ role: 'admin', ttlSeconds: -60 })), 401);
    expect(expectProblem(await asAdmin(await sign({ sub: 'p1', groups: ['admin'] }, null)), 401).detail).toMatch(/"exp" claim/);
  });

  test('HS256 (with the public key as its secret, or any), ES256 and alg none under this issuer\'s kid', async () => {
    const jwk = await publicJwk(e2e.stack.stateDir);
    const payload = { sub: 'p1', aud: AUDIENCE, groups: ['admin'] };
    const signed = (alg: string, key: Parameters<SignJWT['sign']>[0]) =>
      new SignJWT(payload).setProtectedHeader({ alg, kid: jwk.kid!, typ: 'JWT' }).setIssuer(issuer()).setIssuedAt().setExpirationTime('1h').sign(key);
    const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      'HS256 keyed with the public key': await signed('HS256', new TextEncoder().encode(pem)),
      'HS256': await signed('HS256', new TextEncoder().encode('a shared secret of thirty-two bytes!')),
      'ES256': await signed('ES256', (await generateKeyPair('ES256')).privateKey),
      'none': `${encode({ alg: 'none', kid: jwk.kid, typ: 'JWT' })}.${encode({ ...payload, iss: issuer(), iat: now, exp: now + 3600 })}.`,
    };
    for (const [kind, token] of Object.entries(tokens)) {
      // refused for its algorithm, before any key is looked up
      const problem = expectProblem(await asAdmin(token), 401);
      expect({ kind, detail: problem.detail }).toEqual({ kind, detail: expect.stringMatching(/"alg" \(Algorithm\) Header Parameter value not allowed/) });
    }
    // an RS256 token whose signature belongs to other claims
    const [header, , signature] = (await sign({ sub: 'agency', groups: ['agency'], client_id: 'x' })).split('.');
    expectProblem(await asAdmin(`${header}.${encode({ ...payload, iss: issuer(), iat: now, exp: now + 3600 })}.${signature}`), 401);
  });
});

describe('an issuer running elsewhere (a Keycloak)', () => {
  test('is trusted through its discovery document; no issuer is started, and npm run token says where tokens come from', async () => {
    const { issuer: keycloak } = await otherIssuer();
    const stateDir = mkdtempSync(join(tmpdir(), 'beian-external-'));
    const trust = await startIdentity(stateDir, { kind: 'oidc', issuer: keycloak.issuer, audience: 'beian' }, 0, '127.0.0.1');
    try {
      expect(trust.identity).toEqual({ kind: 'oidc', issuer: keycloak.issuer, audience: 'beian', ownIssuer: false, roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' });
      expect(recordedIdentity(stateDir)).toEqual(trust.identity);
      expect(trust.env).toEqual({ IDENTITY: 'oidc', OIDC_ROLE_CLAIM: 'beian_roles', OIDC_JURISDICTION_CLAIM: 'beian_jurisdiction', OIDC_CLIENT_ID_CLAIM: 'azp' });
      const claims = { sub: 'p1', aud: 'beian', beian_roles: ['admin', 'offline_access'] };
      expect(await trust.verify(await keycloak.mint(claims))).toMatchObject({ sub: 'p1', beian_roles: '[admin offline_access]' });
      await expect(trust.verify(await sign(claims))).rejects.toThrow();
      await expect(mintStackToken(stateDir, { role: 'admin' })).rejects.toThrow(`the stack trusts the issuer ${keycloak.issuer}: get a token from it`);
    } finally {
      await trust.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
