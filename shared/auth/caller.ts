/**
 * Who is calling, from the claims of a token the JWT authorizer (API Gateway in AWS, the local adapter
 * here) has already verified. Nothing about the caller ever comes from the request body.
 *
 * - People (reviewers, admins) sign in through the user pool; their ID token carries `cognito:groups`
 *   and, for reviewers, `custom:jurisdictionId`.
 * - Agencies' systems use the client-credentials grant; the access token carries `client_id` and the
 *   scope `beian/agency`, no custom claims. The client id is mapped to its agency by a link the registry
 *   keeps (written by the CDK app, or by PUT /v1/agencies with `clientIds`); a client whose id is itself
 *   a registered agency id maps to that agency (that is how local tokens work).
 */
import { forbidden, unauthorized } from '../http/problem.ts';

export type Caller =
  | { role: 'admin'; subject: string }
  | { role: 'reviewer'; subject: string; jurisdictionId: string }
  /** jurisdictionId is undefined until an admin registers the agency: a token works at once, writes wait */
  | { role: 'agency'; subject: string; agencyId: string; jurisdictionId: string | undefined };
export type Role = Caller['role'];

export const AGENCY_SCOPE = 'beian/agency';

/** API Gateway hands array claims over as "[a b]" strings; local tokens may give real arrays. */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return inner.split(/[\s,]+/).filter(Boolean);
}

export interface AgencyDirectory {
  agencyIdForClient(clientId: string): Promise<string | undefined>;
  getAgency(agencyId: string): Promise<{ agencyId: string; jurisdictionId: string } | undefined>;
}

/** The agency's jurisdiction, or a 403 that says how to register the agency. */
export function registeredJurisdiction(caller: Extract<Caller, { role: 'agency' }>): string {
  if (!caller.jurisdictionId) {
    throw forbidden(`agency "${caller.agencyId}" is not registered yet: an admin registers it with PUT /v1/agencies/${caller.agencyId}`);
  }
  return caller.jurisdictionId;
}

export async function resolveCaller(claims: Record<string, unknown> | undefined, directory: AgencyDirectory): Promise<Caller> {
  if (!claims || typeof claims.sub !== 'string') throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)');
  const subject = claims.sub;
  const groups = claimList(claims['cognito:groups']);
  if (groups.includes('admin')) return { role: 'admin', subject };
  if (groups.includes('reviewer')) {
    const jurisdictionId = claims['custom:jurisdictionId'];
    if (typeof jurisdictionId !== 'string' || !jurisdictionId) {
      throw forbidden('this reviewer has no jurisdiction: an admin must set the custom:jurisdictionId attribute');
    }
    return { role: 'reviewer', subject, jurisdictionId };
  }
  const clientId = claims.client_id;
  if (typeof clientId === 'string' && claimList(claims.scope).includes(AGENCY_SCOPE)) {
    const agencyId = (await directory.agencyIdForClient(clientId)) ?? clientId;
    const agency = await directory.getAgency(agencyId);
    return { role: 'agency', subject, agencyId, jurisdictionId: agency?.jurisdictionId };
  }
  throw forbidden('the token grants no Beian role: it needs the admin or reviewer group, or the beian/agency scope');
}
