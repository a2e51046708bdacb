/**
 * Issue 10 with the default claim names (beian_roles, beian_jurisdiction, azp), as a newcomer meets it:
 * `npm run token` mints for whichever issuer the stack trusts, and `IDENTITY=oidc npm start` runs the
 * README's Try it unchanged, its tokens surviving a restart.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { expectProblem, expectStatus, npmStartProcesses, requiredDecision, reservedPorts, uid, useStack } from './harness.ts';

const e2e = useStack({ identity: { kind: 'oidc', audience: 'beian' } });

const node = process.execPath;
const run = promisify(execFile);
/** `npm run -s token -- ARGS` against a state folder: the token, or the failure */
function tokenCli(stateDir: string, ...args: string[]) {
  const r = spawnSync(node, ['--import', 'tsx', 'infra/local/token.ts', ...args], { env: { ...process.env, BEIAN_STATE_DIR: stateDir }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`token ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('the default claim names', () => {
  test('npm run token mints the stack\'s OIDC tokens; admin, agency (client id = agency id locally) and reviewer work', async () => {
    const admin = tokenCli(e2e.stack.stateDir, '--role', 'admin');
    const identity = e2e.stack.identity;
    expect(identity).toMatchObject({ kind: 'oidc', roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' });
    expect(decodeJwt(admin)).toMatchObject({ iss: identity.kind === 'oidc' && identity.issuer, aud: 'beian', beian_roles: ['admin'] });

    const jurisdictionId = uid('jur');
    const agencyId = uid('ag');
    expectStatus(await e2e.api('PUT', `/v1/jurisdictions/${jurisdictionId}`, { token: admin, body: { name: '宝坻区', escalationEmails: ['jiandu@example.org'] } }), 200);
    expectStatus(await e2e.api('PUT', `/v1/agencies/${agencyId}`, { token: admin, body: { name: '市场监督管理局', jurisdictionId, contactEmails: ['fazhi@example.org'] } }), 200);

    const agency = tokenCli(e2e.stack.stateDir, '--role', 'agency', '--agency', agencyId);
    expect(decodeJwt(agency)).toMatchObject({ beian_roles: ['agency'], azp: agencyId });
    const decision = await e2e.report(agency, requiredDecision());
    expect(decision.agencyId).toBe(agencyId);

    const reviewer = tokenCli(e2e.stack.stateDir, '--role', 'reviewer', '--jurisdiction', jurisdictionId);
    expect(decodeJwt(reviewer)).toMatchObject({ beian_roles: ['reviewer'], beian_jurisdiction: jurisdictionId });
    expectStatus(await e2e.api('GET', `/v1/decisions/${decision.id}`, { token: reviewer }), 200);
    expectProblem(await e2e.api('GET', `/v1/decisions/${decision.id}`, { token: tokenCli(e2e.stack.stateDir, '--role', 'reviewer', '--jurisdiction', uid('jur')) }), 404);
  });

  test('npm run calendar -- status --api, which mints its own admin token for a local stack, works too', async () => {
    // not spawnSync: this process serves the API the script calls
    const r = await run(node, ['--no-warnings', '--import', 'tsx', 'scripts/calendar.ts', 'status', '--api', e2e.stack.apiUrl], {
      env: { ...process.env, BEIAN_STATE_DIR: e2e.stack.stateDir },
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Next year \(\d{4}\) in http:\/\/127\.0\.0\.1:\d+/);
  });

  test('the local issuer\'s tokens (Cognito\'s claim shapes) are not taken by an OIDC stack', async () => {
    const { mintToken } = await import('../../infra/local/jwt.ts');
    expectProblem(await e2e.api('GET', '/v1/jurisdictions', { token: await mintToken(e2e.stack.stateDir, { role: 'admin' }) }), 401);
  });
});

describe('IDENTITY=oidc npm start', () => {
  const { stateDir, start } = npmStartProcesses('beian-oidc-start-');

  test('prints the issuer, serves the Try it with npm run token, and its tokens survive a restart', async () => {
    const env = {
      IDENTITY: 'oidc',
      ...(await reservedPorts(['PORT', 'DYNAMODB_PORT', 'SQS_PORT', 'SES_PORT', 'OIDC_PORT'] as const)),
      OIDC_ISSUER: '',
      OIDC_AUDIENCE: '',
      OIDC_ROLE_CLAIM: '',
      OIDC_JURISDICTION_CLAIM: '',
      OIDC_CLIENT_ID_CLAIM: '',
    };
    const first = start(env);
    const banner = await first.ready();
    const issuer = `http://127.0.0.1:${env.OIDC_PORT}/realms/beian`;
    expect(banner).toContain(`OIDC issuer     ${issuer}   audience beian; claims beian_roles (role), beian_jurisdiction (jurisdiction), azp (client id)`);

    const admin = tokenCli(stateDir, '--role', 'admin');
    const api = (path: string, token: string) => fetch(`http://127.0.0.1:${env.PORT}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api('/v1/jurisdictions', admin)).status).toBe(200);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = start(env);
    await second.ready();
    expect((await api('/v1/jurisdictions', admin)).status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  test('a bad IDENTITY or claim name stops it at once, naming the variable', async () => {
    const env = await reservedPorts(['PORT', 'DYNAMODB_PORT', 'SQS_PORT', 'SES_PORT'] as const);
    const badClaim = start({ ...env, IDENTITY: 'oidc', OIDC_ROLE_CLAIM: 'realm_access roles' });
    expect(await badClaim.exited).toBe(1);
    expect(badClaim.output()).toContain('[beian] cannot start: OIDC_ROLE_CLAIM="realm_access roles" is not a claim name');
    const badKind = start({ ...env, IDENTITY: 'keycloak' });
    expect(await badKind.exited).toBe(1);
    expect(badKind.output()).toContain('[beian] cannot start: IDENTITY="keycloak" is not cognito or oidc');
  });
});
