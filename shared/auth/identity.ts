/**
 * Who issues the tokens the API trusts, as the function needs to know it: the Cognito user pool (its claim
 * shapes are fixed), or an external OpenID Connect issuer (Keycloak, Authing, a government identity
 * platform; the AWS China regions have no user pools) whose tokens carry Beian's facts in claims the
 * deployment names. Plain data, no imports: the CDK config reads the defaults and the name rule from here.
 */

/**
 * Top-level claims only: API Gateway hands a nested claim (Keycloak's realm_access.roles) to the function
 * as an unusable string, so the issuer is set up to copy what Beian needs into claims of their own.
 */
export const OIDC_CLAIM_DEFAULTS = { roleClaim: 'beian_roles', jurisdictionClaim: 'beian_jurisdiction', clientIdClaim: 'azp' } as const;

/** A claim name the function accepts (`groups`, `azp`, `beian:roles`): plain enough to pass in an environment variable. */
export const OIDC_CLAIM_NAME = /^[A-Za-z0-9_:.\-/]{1,64}$/;

export interface OidcClaimNames {
  /** a string or list holding admin, reviewer and/or agency */
  roleClaim: string;
  /** a reviewer's jurisdiction id */
  jurisdictionClaim: string;
  /** an agency system's app client id, linked to its agency in the registry */
  clientIdClaim: string;
}

export type OidcIdentity = { kind: 'oidc' } & OidcClaimNames;
export type Identity = { kind: 'cognito' } | OidcIdentity;

export const COGNITO_IDENTITY: Identity = { kind: 'cognito' };

/**
 * The external issuer's mapping with the defaults filled in; throws naming the first bad claim name as
 * `label` calls it (the environment variable that set it, say).
 */
export function oidcIdentity(names: Partial<OidcClaimNames> = {}, label: (key: keyof OidcClaimNames) => string = (key) => key): OidcIdentity {
  const identity: OidcIdentity = {
    kind: 'oidc',
    roleClaim: names.roleClaim ?? OIDC_CLAIM_DEFAULTS.roleClaim,
    jurisdictionClaim: names.jurisdictionClaim ?? OIDC_CLAIM_DEFAULTS.jurisdictionClaim,
    clientIdClaim: names.clientIdClaim ?? OIDC_CLAIM_DEFAULTS.clientIdClaim,
  };
  for (const key of ['roleClaim', 'jurisdictionClaim', 'clientIdClaim'] as const) {
    if (!OIDC_CLAIM_NAME.test(identity[key])) {
      throw new Error(`${label(key)}="${identity[key]}" is not a claim name: 1-64 characters of A-Z, a-z, 0-9 and _ : . - / naming a top-level claim`);
    }
  }
  return identity;
}
