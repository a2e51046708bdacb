/**
 * Who is calling, from the claims of a token the JWT authorizer (API Gateway in AWS, the local adapter
 * here) has already verified. Nothing about the caller ever comes from the request body.
 *
 * - People (reviewers, admins) sign in through the user pool; their ID token (`token_use: id`) carries
 *   `cognito:groups` and, for reviewers, `custom:jurisdictionId`. Groups count only in an ID token: a
 *   person's access token carries them too, but no jurisdiction, and is not what the web client sends.
 * - Agencies' systems use the client-credentials grant; the access token (`token_use: access`) carries
 *   `client_id` and the scope `beian/agency`, no custom claims. The scope counts only in an access token.
 *   The client id maps to its agency only through a link the registry keeps (written by the CDK app, or
 *   by PUT /v1/agencies with `clientIds`); the directory decides, and only the local stack's directory
 *   also treats a client id equal to an agency id as linked to it (see directory.ts).
 *
 * A token of the wrong kind (no `token_use`, or the wrong one for the role its claims name) is answered
 * 401, not 403: the signature is good but the token is not a credential this API takes for that role;
 * the client's fix is another token, not another permission.
 *
 * With an external OIDC issuer (identity.ts) the deployment names the claims instead; see oidcCaller.
 */
import { notAllowed, unauthenticated } from '../errors.ts';
import { COGNITO_IDENTITY, type Identity, type OidcClaimNames } from './identity.ts';

export type Caller =
  | { role: 'admin'; subject: string }
  | { role: 'reviewer'; subject: string; jurisdictionId: string }
  /** jurisdictionId is undefined until an admin registers the agency: a token works at once, writes wait */
  | { role: 'agency'; subject: string; agencyId: string; jurisdictionId: string | undefined };
export type Role = Caller['role'];

export const AGENCY_SCOPE = 'beian/agency';

/** API Gateway hands array claims over as "[a b]" strings; local tokens may give real arrays. */
export function claimList(value: unknown): string[] {
  // a real list: its string members as they are (a nested list or an object is no role)
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  // single ASCII spaces only, as API Gateway writes a list and OAuth a scope: a comma may be part of a
  // (group) name, and a tab, line break or other space inside a value is not a separator
  return inner.split(' ').filter(Boolean);
}

export interface AgencyDirectory {
  agencyIdForClient(clientId: string): Promise<string | undefined>;
  getAgency(agencyId: string): Promise<{ agencyId: string; jurisdictionId: string } | undefined>;
}

/** The agency's jurisdiction, or a refusal that says how to register the agency. */
export function registeredJurisdiction(caller: Extract<Caller, { role: 'agency' }>): string {
  if (!caller.jurisdictionId) {
    throw notAllowed(`agency "${caller.agencyId}" is not registered yet: an admin registers it with PUT /v1/agencies/${caller.agencyId}`);
  }
  return caller.jurisdictionId;
}

export async function resolveCaller(
  claims: Record<string, unknown> | undefined,
  directory: AgencyDirectory,
  identity: Identity = COGNITO_IDENTITY,
): Promise<Caller> {
  if (!claims || typeof claims.sub !== 'string') throw unauthenticated('a bearer token is required (Authorization: Bearer <JWT>)');
  const subject = claims.sub;
  if (identity.kind === 'oidc') return oidcCaller(claims, subject, identity, directory);
  const tokenUse = claims.token_use;
  if (tokenUse !== 'id' && tokenUse !== 'access') {
    throw unauthenticated('the token has no valid token_use claim: people send their ID token (token_use "id"), agencies\' systems a client-credentials access token (token_use "access")');
  }
  const groups = claimList(claims['cognito:groups']);
  const agencyScope = claimList(claims.scope).includes(AGENCY_SCOPE);
  if (tokenUse === 'access' && (groups.includes('admin') || groups.includes('reviewer'))) {
    throw unauthenticated('cognito:groups count only in an ID token (token_use "id"); this is an access token: send the ID token of the sign-in');
  }
  if (tokenUse === 'id' && agencyScope) {
    throw unauthenticated(`the ${AGENCY_SCOPE} scope counts only in an access token (token_use "access") of the client-credentials grant; this is an ID token`);
  }
  if (tokenUse === 'id') return personCaller(claims, subject, groups);
  const clientId = claims.client_id;
  if (typeof clientId === 'string' && agencyScope) return agencyCaller(subject, clientId, '', directory);
  throw notAllowed(`the access token grants no Beian role: an agency's client needs the ${AGENCY_SCOPE} scope`);
}

function personCaller(claims: Record<string, unknown>, subject: string, groups: string[]): Caller {
  if (groups.includes('admin')) return { role: 'admin', subject };
  if (groups.includes('reviewer')) {
    const jurisdictionId = claims['custom:jurisdictionId'];
    if (typeof jurisdictionId !== 'string' || !jurisdictionId) {
      throw notAllowed('this reviewer has no jurisdiction: an admin must set the custom:jurisdictionId attribute');
    }
    return { role: 'reviewer', subject, jurisdictionId };
  }
  throw notAllowed('the ID token grants no Beian role: a person needs the admin or reviewer group');
}

/** The agency an app client is linked to; `named` says which claim the client id came from, for the 403. */
async function agencyCaller(subject: string, clientId: string, named: string, directory: AgencyDirectory): Promise<Caller> {
  const agencyId = await directory.agencyIdForClient(clientId);
  if (agencyId === undefined) {
    throw notAllowed(`app client "${clientId}"${named} is not linked to any agency: an admin links it with PUT /v1/agencies/{agencyId} and "clientIds"`);
  }
  const agency = await directory.getAgency(agencyId);
  return { role: 'agency', subject, agencyId, jurisdictionId: agency?.jurisdictionId };
}

/**
 * An external issuer's token: the role claim (a string or list) holds admin, reviewer and/or agency, the
 * strongest counting; a reviewer names a jurisdiction, an agency's system its app client id, each in the
 * claim the deployment chose. No `token_use` (Cognito's own claim): issuer and audience are the
 * authorizer's checks, and the roles are whatever the issuer's administrators granted.
 *
 * An agency token without the client id claim is a 401 (as a token of the wrong kind above): it cannot be
 * the client-credentials token of any app client, and the fix is another token or the issuer's mapper.
 */
async function oidcCaller(claims: Record<string, unknown>, subject: string, names: OidcClaimNames, directory: AgencyDirectory): Promise<Caller> {
  const roles = claimList(claims[names.roleClaim]);
  if (roles.includes('admin')) return { role: 'admin', subject };
  if (roles.includes('reviewer')) return { role: 'reviewer', subject, jurisdictionId: oidcJurisdiction(claims, names.jurisdictionClaim) };
  if (roles.includes('agency')) {
    const clientId = claims[names.clientIdClaim];
    if (typeof clientId !== 'string' || !clientId) {
      throw unauthenticated(`the token names the agency role but has no ${names.clientIdClaim} claim: an agency's system sends the client-credentials token of its app client, which carries the client id in ${names.clientIdClaim}`);
    }
    return agencyCaller(subject, clientId, ` (the token's ${names.clientIdClaim} claim)`, directory);
  }
  throw notAllowed(`the token grants no Beian role: its ${names.roleClaim} claim must contain admin, reviewer or agency`);
}

/**
 * One jurisdiction id. A list (which API Gateway hands over as "[a b]") is refused rather than read as an
 * id no jurisdiction has: the reviewer would see nothing and never learn why.
 */
function oidcJurisdiction(claims: Record<string, unknown>, claim: string): string {
  const value = claims[claim];
  if (value !== undefined && typeof value !== 'string') {
    throw notAllowed(`the token's ${claim} claim must be one jurisdiction id, a plain string`);
  }
  if (typeof value !== 'string' || !value.trim()) {
    throw notAllowed(`this reviewer has no jurisdiction: the token's ${claim} claim must name it (the issuer's administrators set it)`);
  }
  if (value.startsWith('[') && value.endsWith(']')) {
    throw notAllowed(`the token's ${claim} claim is a list (${value}): it must be one jurisdiction id, a plain string`);
  }
  if (!/^[a-z0-9-]{2,64}$/.test(value)) {
    throw notAllowed(`the token's ${claim} claim is not a jurisdiction id (2-64 characters of a-z, 0-9 and -): the issuer's administrators set it`);
  }
  return value;
}
