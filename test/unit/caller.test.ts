/** Security review item 6: who a token's claims make the caller, and how long the directory trusts a link. */
import { afterEach, describe, expect, it } from 'vitest';
import { AGENCY_SCOPE, type AgencyDirectory, resolveCaller } from '../../shared/auth/caller.ts';
import { DIRECTORY_TTL_MS, LOCAL_CLIENT_IS_AGENCY, cachedDirectory } from '../../shared/auth/directory.ts';
import { rejection } from './fixtures/rejection.ts';

/** The registry as a map: client id -> agency id, agency id -> jurisdiction id; counts reads. */
function registry(links: Record<string, string> = {}, agencies: Record<string, string> = {}) {
  const reads = { links: 0, agencies: 0 };
  const source: AgencyDirectory = {
    agencyIdForClient: async (clientId) => (reads.links++, links[clientId]),
    getAgency: async (agencyId) => (reads.agencies++, agencies[agencyId] ? { agencyId, jurisdictionId: agencies[agencyId] } : undefined),
  };
  return { source, links, agencies, reads };
}


const idToken = (claims: Record<string, unknown>) => ({ sub: 'person-1', token_use: 'id', ...claims });
const accessToken = (clientId: string, claims: Record<string, unknown> = {}) => ({ sub: clientId, client_id: clientId, token_use: 'access', scope: AGENCY_SCOPE, ...claims });

describe('resolveCaller: token_use', () => {
  const { source } = registry({ 'client-a': 'agency-a' }, { 'agency-a': 'jur-1' });
  const directory = cachedDirectory(source, { clientIsAgency: false });

  it('takes people from ID tokens and agencies from access tokens', async () => {
    expect(await resolveCaller(idToken({ 'cognito:groups': '[admin]' }), directory)).toEqual({ role: 'admin', subject: 'person-1' });
    expect(await resolveCaller(idToken({ 'cognito:groups': '[reviewer]', 'custom:jurisdictionId': 'jur-1' }), directory)).toEqual({
      role: 'reviewer',
      subject: 'person-1',
      jurisdictionId: 'jur-1',
    });
    expect(await resolveCaller(accessToken('client-a'), directory)).toEqual({ role: 'agency', subject: 'client-a', agencyId: 'agency-a', jurisdictionId: 'jur-1' });
  });

  it('refuses a token without token_use, or with an unknown one, with 401', async () => {
    for (const tokenUse of [undefined, '', 'refresh', 'ID']) {
      const problem = await rejection(resolveCaller({ sub: 'x', 'cognito:groups': '[admin]', ...(tokenUse !== undefined && { token_use: tokenUse }) }, directory));
      expect(problem.status).toBe(401);
      expect(problem.detail).toMatch(/token_use/);
    }
  });

  it('refuses groups in an access token (a person\'s access token carries them too) with 401', async () => {
    for (const group of ['admin', 'reviewer']) {
      const problem = await rejection(resolveCaller(accessToken('client-a', { 'cognito:groups': `[${group}]`, 'custom:jurisdictionId': 'jur-1' }), directory));
      expect(problem.status).toBe(401);
      expect(problem.detail).toMatch(/cognito:groups count only in an ID token/);
    }
  });

  it('refuses the agency scope in an ID token with 401', async () => {
    const problem = await rejection(resolveCaller(idToken({ client_id: 'client-a', scope: AGENCY_SCOPE }), directory));
    expect(problem.status).toBe(401);
    expect(problem.detail).toMatch(/scope counts only in an access token/);
  });

  it('an ID token without a group, or an access token without the scope, grants no role (403)', async () => {
    expect((await rejection(resolveCaller(idToken({}), directory))).status).toBe(403);
    expect((await rejection(resolveCaller(accessToken('client-a', { scope: 'openid' }), directory))).status).toBe(403);
  });
});

describe('resolveCaller: a client maps to an agency only through a link', () => {
  const env = process.env[LOCAL_CLIENT_IS_AGENCY];
  afterEach(() => {
    if (env === undefined) delete process.env[LOCAL_CLIENT_IS_AGENCY];
    else process.env[LOCAL_CLIENT_IS_AGENCY] = env;
  });

  it('outside the local stack a client id equal to an agency id is not linked to it: 403', async () => {
    delete process.env[LOCAL_CLIENT_IS_AGENCY];
    const { source } = registry({}, { 'agency-a': 'jur-1' });
    const problem = await rejection(resolveCaller(accessToken('agency-a'), cachedDirectory(source)));
    expect(problem.status).toBe(403);
    expect(problem.detail).toBe('app client "agency-a" is not linked to any agency: an admin links it with PUT /v1/agencies/{agencyId} and "clientIds"');
  });

  it('only the local stack\'s switch maps a client id to the agency of that id, registered or not yet', async () => {
    process.env[LOCAL_CLIENT_IS_AGENCY] = 'true';
    const { source } = registry({ 'client-b': 'agency-b' }, { 'agency-a': 'jur-1' });
    const directory = cachedDirectory(source);
    expect(await resolveCaller(accessToken('agency-a'), directory)).toMatchObject({ agencyId: 'agency-a', jurisdictionId: 'jur-1' });
    expect(await resolveCaller(accessToken('agency-new'), directory)).toMatchObject({ agencyId: 'agency-new', jurisdictionId: undefined });
    // a link wins over the id
    expect(await resolveCaller(accessToken('client-b'), directory)).toMatchObject({ agencyId: 'agency-b' });
    // any other value is off
    process.env[LOCAL_CLIENT_IS_AGENCY] = '1';
    expect((await rejection(resolveCaller(accessToken('agency-a'), cachedDirectory(source)))).status).toBe(403);
  });
});

describe('cachedDirectory', () => {
  it('trusts a found link for DIRECTORY_TTL_MS at most, then reads again', async () => {
    let clock = 0;
    const { source, links, reads } = registry({ 'client-a': 'agency-a' });
    const directory = cachedDirectory(source, { now: () => clock, clientIsAgency: false });
    expect(DIRECTORY_TTL_MS).toBeLessThanOrEqual(5_000);
    expect(await directory.agencyIdForClient('client-a')).toBe('agency-a');
    delete links['client-a'];
    clock = DIRECTORY_TTL_MS - 1;
    expect(await directory.agencyIdForClient('client-a')).toBe('agency-a');
    expect(reads.links).toBe(1);
    clock = DIRECTORY_TTL_MS;
    expect(await directory.agencyIdForClient('client-a')).toBeUndefined();
  });

  it('does not remember "not linked": a link written the next moment counts at once', async () => {
    const clock = 0;
    const { source, links, reads } = registry();
    const directory = cachedDirectory(source, { now: () => clock, clientIsAgency: false });
    expect(await directory.agencyIdForClient('client-a')).toBeUndefined();
    links['client-a'] = 'agency-a';
    expect(await directory.agencyIdForClient('client-a')).toBe('agency-a');
    expect(reads.links).toBe(2);
  });

  it('does not remember an unregistered agency, and rereads a registered one after DIRECTORY_TTL_MS', async () => {
    let clock = 0;
    const { source, agencies, reads } = registry();
    const directory = cachedDirectory(source, { now: () => clock, clientIsAgency: false });
    expect(await directory.getAgency('agency-a')).toBeUndefined();
    agencies['agency-a'] = 'jur-1';
    expect(await directory.getAgency('agency-a')).toEqual({ agencyId: 'agency-a', jurisdictionId: 'jur-1' });
    agencies['agency-a'] = 'jur-2';
    expect((await directory.getAgency('agency-a'))?.jurisdictionId).toBe('jur-1');
    clock = DIRECTORY_TTL_MS;
    expect((await directory.getAgency('agency-a'))?.jurisdictionId).toBe('jur-2');
    expect(reads.agencies).toBe(3);
  });
});
