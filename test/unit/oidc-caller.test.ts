/** Issue 10: who a token of an external OIDC issuer makes the caller, and how the function reads which claims to use. */
import { describe, expect, it } from 'vitest';
import { rejection } from './fixtures/rejection.ts';
import { type AgencyDirectory, resolveCaller } from '../../shared/auth/caller.ts';
import { cachedDirectory } from '../../shared/auth/directory.ts';
import { OIDC_CLAIM_DEFAULTS, oidcIdentity } from '../../shared/auth/identity.ts';
import { identityConfig } from '../../shared/config.ts';

const source: AgencyDirectory = {
  agencyIdForClient: async (clientId) => ({ 'client-a': 'agency-a', 'client-new': 'agency-new' })[clientId],
  getAgency: async (agencyId) => (agencyId === 'agency-a' ? { agencyId, jurisdictionId: 'jur-1' } : undefined),
};
const directory = cachedDirectory(source, { clientIsAgency: false });
const defaults = oidcIdentity();
const custom = oidcIdentity({ roleClaim: 'groups', jurisdictionClaim: 'district', clientIdClaim: 'client_id' });


describe('the default claim names', () => {
  it('are beian_roles, beian_jurisdiction and azp', () => {
    expect(OIDC_CLAIM_DEFAULTS).toEqual({ roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' });
    expect(defaults).toEqual({ kind: 'oidc', ...OIDC_CLAIM_DEFAULTS });
  });
});

describe('resolveCaller with an external OIDC issuer', () => {
  it('reads the role claim as a real array, API Gateway\'s "[a b]" string, a space-separated string or one value', async () => {
    for (const roles of [['admin'], '[admin]', 'offline_access admin', 'admin', '[uma_authorization admin default-roles-beian]']) {
      expect(await resolveCaller({ sub: 'p1', beian_roles: roles }, directory, defaults)).toEqual({ role: 'admin', subject: 'p1' });
    }
  });

  it('takes the strongest role: admin over reviewer over agency', async () => {
    const claims = { sub: 'p1', beian_jurisdiction: 'jur-1', azp: 'client-a' };
    expect(await resolveCaller({ ...claims, beian_roles: '[agency reviewer admin]' }, directory, defaults)).toEqual({ role: 'admin', subject: 'p1' });
    expect(await resolveCaller({ ...claims, beian_roles: '[agency reviewer]' }, directory, defaults)).toEqual({ role: 'reviewer', subject: 'p1', jurisdictionId: 'jur-1' });
    expect(await resolveCaller({ ...claims, beian_roles: '[agency]' }, directory, defaults)).toEqual({ role: 'agency', subject: 'p1', agencyId: 'agency-a', jurisdictionId: 'jur-1' });
  });

  it('reads the claims the deployment names, and no others', async () => {
    expect(await resolveCaller({ sub: 'p1', groups: '[reviewer]', district: 'jur-2' }, directory, custom)).toEqual({ role: 'reviewer', subject: 'p1', jurisdictionId: 'jur-2' });
    expect(await resolveCaller({ sub: 'c1', groups: 'agency', client_id: 'client-a', azp: 'client-new' }, directory, custom)).toMatchObject({ agencyId: 'agency-a' });
    // the default names mean nothing under other names, nor do Cognito's claims
    const problem = await rejection(resolveCaller({ sub: 'p1', beian_roles: '[admin]', 'cognito:groups': '[admin]', token_use: 'id' }, directory, custom));
    expect(problem.status).toBe(403);
    expect(problem.detail).toBe('the token grants no Beian role: its groups claim must contain admin, reviewer or agency');
  });

  it('has no token_use rule: that claim is Cognito\'s', async () => {
    expect(await resolveCaller({ sub: 'p1', beian_roles: 'admin' }, directory, defaults)).toMatchObject({ role: 'admin' });
    expect(await resolveCaller({ sub: 'p1', beian_roles: 'admin', token_use: 'access' }, directory, defaults)).toMatchObject({ role: 'admin' });
    expect(await resolveCaller({ sub: 'c1', beian_roles: 'agency', azp: 'client-a', token_use: 'id' }, directory, defaults)).toMatchObject({ role: 'agency' });
  });

  it('no role, or only roles Beian does not know -> 403 naming the claim', async () => {
    for (const roles of [undefined, '', '[]', '[offline_access uma_authorization]', 'Admin', 'admins', 42]) {
      const problem = await rejection(resolveCaller({ sub: 'p1', ...(roles !== undefined && { beian_roles: roles }) }, directory, defaults));
      expect(problem.status).toBe(403);
      expect(problem.detail).toBe('the token grants no Beian role: its beian_roles claim must contain admin, reviewer or agency');
    }
  });

  it('a reviewer without a jurisdiction (missing, empty, not a string, a list) -> 403 naming the claim', async () => {
    for (const jurisdiction of [undefined, '', '  ', 7, '[jur-1]', '[jur-1 jur-2]']) {
      const claims = { sub: 'p1', groups: 'reviewer', ...(jurisdiction !== undefined && { district: jurisdiction }) };
      const problem = await rejection(resolveCaller(claims, directory, custom));
      expect(problem.status).toBe(403);
      expect(problem.detail).toMatch(/the token's district claim/);
    }
  });

  it('an agency\'s client maps to its agency only through a link: unlinked -> 403 naming the claim', async () => {
    const problem = await rejection(resolveCaller({ sub: 'c1', beian_roles: 'agency', azp: 'client-b' }, directory, defaults));
    expect(problem.status).toBe(403);
    expect(problem.detail).toBe('app client "client-b" (the token\'s azp claim) is not linked to any agency: an admin links it with PUT /v1/agencies/{agencyId} and "clientIds"');
    // linked to an agency not registered yet: the caller is that agency, writes wait for its registration
    expect(await resolveCaller({ sub: 'c1', beian_roles: 'agency', azp: 'client-new' }, directory, defaults)).toEqual({
      role: 'agency',
      subject: 'c1',
      agencyId: 'agency-new',
      jurisdictionId: undefined,
    });
  });

  it('an agency token without the client id claim -> 401 naming the claim (another token is the fix)', async () => {
    for (const clientId of [undefined, '', 12]) {
      const problem = await rejection(resolveCaller({ sub: 'c1', groups: '[agency]', ...(clientId !== undefined && { client_id: clientId }) }, directory, custom));
      expect(problem.status).toBe(401);
      expect(problem.detail).toMatch(/agency role but has no client_id claim/);
    }
  });

  it('a token without a subject -> 401, as with Cognito', async () => {
    expect((await rejection(resolveCaller({ beian_roles: 'admin' }, directory, defaults))).status).toBe(401);
    expect((await rejection(resolveCaller(undefined, directory, defaults))).status).toBe(401);
  });

  it('without an identity, resolveCaller keeps to Cognito\'s claims', async () => {
    expect((await rejection(resolveCaller({ sub: 'p1', beian_roles: 'admin' }, directory))).detail).toMatch(/token_use/);
  });
});

describe('identityConfig', () => {
  it('is Cognito when IDENTITY is unset, empty or cognito, whatever the OIDC_* variables say', () => {
    for (const e of [{}, { IDENTITY: '' }, { IDENTITY: 'cognito' }, { IDENTITY: 'cognito', OIDC_ROLE_CLAIM: 'not a claim!' }]) {
      expect(identityConfig(e)).toEqual({ kind: 'cognito' });
    }
  });

  it('with IDENTITY=oidc: the default claim names, or those the variables give (empty means the default)', () => {
    expect(identityConfig({ IDENTITY: 'oidc' })).toEqual({ kind: 'oidc', roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' });
    expect(identityConfig({ IDENTITY: 'oidc', OIDC_ROLE_CLAIM: 'groups', OIDC_JURISDICTION_CLAIM: '', OIDC_CLIENT_ID_CLAIM: 'client_id' })).toEqual({
      kind: 'oidc',
      roleClaim: 'groups',
      jurisdictionClaim: 'beian_jurisdiction',
      clientIdClaim: 'client_id',
    });
    const names = ['beian:roles', 'x.y-z/w_1', 'a'.repeat(64)];
    for (const name of names) expect(identityConfig({ IDENTITY: 'oidc', OIDC_JURISDICTION_CLAIM: name })).toMatchObject({ jurisdictionClaim: name });
  });

  it('refuses an unknown IDENTITY, naming the variable', () => {
    for (const value of ['OIDC', 'keycloak', 'cognito ']) {
      expect(() => identityConfig({ IDENTITY: value })).toThrow(`IDENTITY="${value}" is not cognito or oidc`);
    }
  });

  it('refuses a claim name that is not one, naming the variable', () => {
    const bad = ['realm_access.roles roles', 'a'.repeat(65), 'rôles', 'roles,groups', '"roles"', 'https://example.org/roles?x'];
    for (const [variable, value] of bad.flatMap((b) => ['OIDC_ROLE_CLAIM', 'OIDC_JURISDICTION_CLAIM', 'OIDC_CLIENT_ID_CLAIM'].map((v) => [v, b] as const))) {
      expect(() => identityConfig({ IDENTITY: 'oidc', [variable]: value })).toThrow(`${variable}="${value}" is not a claim name`);
    }
  });
});

describe('after the outside review (issue 10): role and jurisdiction claims read strictly', () => {
  const names = { kind: 'oidc', roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' } as const;
  const noDirectory = { agencyIdForClient: async () => undefined, getAgency: async () => undefined };
  const roleOf = async (roles: unknown) => {
    try {
      return (await resolveCaller({ sub: 'p', beian_roles: roles, beian_jurisdiction: 'jur-one' }, noDirectory, names)).role;
    } catch (e) {
      return (e as Error).name;
    }
  };

  it.each([['user\tadmin'], ['user\u00a0admin'], ['user\u3000admin'], ['user\nadmin'], [[['admin']]], [[{ r: 'admin' }]], ['Admin'], ['administrator']])(
    'grants no role for %j',
    async (roles) => {
      expect(await roleOf(roles)).not.toBe('admin');
      expect(await roleOf(roles)).not.toBe('reviewer');
    },
  );

  it('still reads a real list, API Gateway\'s "[a b]" and a space-separated string', async () => {
    expect(await roleOf(['reviewer', 'offline_access'])).toBe('reviewer');
    expect(await roleOf('[offline_access admin]')).toBe('admin');
    expect(await roleOf('reviewer uma_authorization')).toBe('reviewer');
  });

  it.each([[' jur-two '], ['jur-one jur-two'], ['jur\u2010two'], ['*'], [5], [{ id: 'x' }]])('refuses the jurisdiction claim %j with a 403 that says what it must be', async (value) => {
    await expect(resolveCaller({ sub: 'p', beian_roles: ['reviewer'], beian_jurisdiction: value }, noDirectory, names)).rejects.toMatchObject({
      message: expect.stringMatching(/jurisdiction id|plain string/),
    });
  });
});
