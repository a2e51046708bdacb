/**
 * Whose tokens the local stack trusts: the local stand-in for the Cognito user pool (jwt.ts, the default),
 * or an OpenID Connect issuer as in the AWS China regions, either the stack's own (oidc-issuer.ts) or one
 * running elsewhere (a real Keycloak). The choice is written to the state folder, so `npm run token` mints
 * tokens the running stack takes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as envNames } from '../../functions/manifest.ts';
import { type Identity, type OidcClaimNames, oidcIdentity } from '../../shared/auth/identity.ts';
import { identityConfig } from '../../shared/config.ts';
import { type TokenRequest, mintToken, verifyToken } from './jwt.ts';
import { oidcVerifier } from './oidc-authorizer.ts';
import { signOidcClaims, startOidcIssuer } from './oidc-issuer.ts';
import { LocalSetupError } from './processes.ts';

/** The stack option (LocalStackOptions.identity). */
export type IdentityOption =
  | { kind: 'local' }
  | ({
      kind: 'oidc';
      /** an issuer running elsewhere (its tokens' `iss`); without it the stack starts its own */
      issuer?: string;
      /** what a token's `aud` (or, without aud, `client_id`) must name */
      audience: string;
    } & Partial<OidcClaimNames>);

/** What the stack trusts, as recorded in the state folder. */
export type StackIdentity =
  | { kind: 'local' }
  | ({
      kind: 'oidc';
      issuer: string;
      audience: string;
      /** the stack's own issuer, whose key is in the state folder: `npm run token` can sign for it */
      ownIssuer: boolean;
    } & OidcClaimNames);

/** The audience `npm start` trusts unless OIDC_AUDIENCE names another. */
export const LOCAL_OIDC_AUDIENCE = 'beian';

/**
 * `npm start`'s choice, from the variables a deployment's function reads (IDENTITY, OIDC_*_CLAIM) and two
 * for the authorizer's settings: OIDC_ISSUER (a running issuer to trust; default: the stack's own) and OIDC_AUDIENCE.
 */
export function identityFromEnv(e: NodeJS.ProcessEnv = process.env): IdentityOption {
  let identity: Identity;
  try {
    identity = identityConfig(e);
  } catch (error) {
    throw new LocalSetupError((error as Error).message);
  }
  if (identity.kind === 'cognito') return { kind: 'local' };
  const { kind, ...names } = identity;
  const issuer = e.OIDC_ISSUER || undefined;
  if (issuer !== undefined && !/^https?:\/\/[^/]/.test(issuer)) {
    throw new LocalSetupError(`OIDC_ISSUER="${issuer}" is not an issuer URL: give it exactly as its tokens' iss claim says it, e.g. http://127.0.0.1:8080/realms/beian`);
  }
  return { kind, ...(issuer && { issuer }), audience: e.OIDC_AUDIENCE || LOCAL_OIDC_AUDIENCE, ...names };
}

const recordFile = (stateDir: string) => join(stateDir, 'identity.json');

export interface StartedIdentity {
  identity: StackIdentity;
  /** the authorizer's check, for the HTTP adapter */
  verify: (token: string) => Promise<Record<string, string>>;
  /** what the functions read (shared/config.ts identityConfig) */
  env: Record<string, string>;
  stop: () => Promise<void>;
}

/** Starts the stack's own issuer when it needs one, records the choice, and returns the authorizer. */
export async function startIdentity(stateDir: string, option: IdentityOption, issuerPort: number, host: string): Promise<StartedIdentity> {
  if (option.kind === 'local') {
    writeFileSync(recordFile(stateDir), JSON.stringify({ kind: 'local' }));
    // set, not left out: a process that ran an OIDC stack before must not keep its settings
    const env = { [envNames.identity]: 'cognito', [envNames.oidcRoleClaim]: '', [envNames.oidcJurisdictionClaim]: '', [envNames.oidcClientIdClaim]: '' };
    return { identity: { kind: 'local' }, verify: (token) => verifyToken(stateDir, token), env, stop: async () => {} };
  }
  const { kind: _kind, issuer: externalIssuer, audience, ...names } = option;
  const { kind: _oidc, ...claimNames } = oidcIdentity(names);
  const own = externalIssuer === undefined ? await startOidcIssuer(stateDir, issuerPort, host) : undefined;
  const identity: StackIdentity = { kind: 'oidc', issuer: own?.issuer ?? externalIssuer!, audience, ownIssuer: own !== undefined, ...claimNames };
  writeFileSync(recordFile(stateDir), JSON.stringify(identity, null, 2));
  return {
    identity,
    verify: oidcVerifier(identity),
    env: {
      [envNames.identity]: 'oidc',
      [envNames.oidcRoleClaim]: identity.roleClaim,
      [envNames.oidcJurisdictionClaim]: identity.jurisdictionClaim,
      [envNames.oidcClientIdClaim]: identity.clientIdClaim,
    },
    stop: async () => own?.close(),
  };
}

/** What the last stack started on this state folder trusts; a folder no stack has used yet: the local issuer. */
export function recordedIdentity(stateDir: string): StackIdentity {
  const file = recordFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackIdentity) : { kind: 'local' };
}

/**
 * A token the stack on this state folder takes, with the claims its identity expects: Cognito's shapes
 * locally (jwt.ts), the configured claim names and audience for its own OIDC issuer. An issuer running
 * elsewhere signs its own tokens.
 */
export async function mintStackToken(stateDir: string, req: TokenRequest): Promise<string> {
  const identity = recordedIdentity(stateDir);
  if (identity.kind === 'local') return mintToken(stateDir, req);
  if (!identity.ownIssuer) {
    throw new Error(`the stack trusts the issuer ${identity.issuer}: get a token from it (its ${identity.roleClaim} claim naming the role, audience ${identity.audience})`);
  }
  return signOidcClaims(stateDir, identity.issuer, oidcTokenClaims(identity, req), { ttlSeconds: req.ttlSeconds ?? 12 * 3600 });
}

/** The claims an issuer set up as the operator guide says gives each kind of caller. */
export function oidcTokenClaims(identity: OidcClaimNames & { audience: string }, req: TokenRequest): Record<string, unknown> {
  if (req.role === 'agency') {
    const client = req.client ?? req.agency;
    if (!client) throw new Error('an agency token needs --agency ID (or --client ID of a linked app client)');
    // a client-credentials token: the client is the subject, its id in the client id claim (locally the agency id)
    return { sub: client, aud: identity.audience, [identity.clientIdClaim]: client, [identity.roleClaim]: ['agency'] };
  }
  if (req.role === 'reviewer' && !req.jurisdiction) throw new Error('a reviewer token needs --jurisdiction ID');
  return {
    sub: `local-${req.role}${req.jurisdiction ? `-${req.jurisdiction}` : ''}`,
    aud: identity.audience,
    [identity.roleClaim]: [req.role],
    ...(req.jurisdiction && { [identity.jurisdictionClaim]: req.jurisdiction }),
  };
}
