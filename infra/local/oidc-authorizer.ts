/**
 * The API Gateway JWT authorizer as it trusts an external OpenID Connect issuer: it reads the issuer's
 * discovery document, fetches the keys from its `jwks_uri`, and accepts a token only when it is signed
 * RS256 by one of them, names the issuer in `iss`, is for this API (see forAudience) and has not
 * expired (`exp` is required). The function then sees the claims as API Gateway passes them.
 */
import { type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose';
import { TokenRejected, gatewayClaims } from './jwt.ts';

export interface OidcTrust {
  /** the issuer URL, exactly its tokens' `iss` */
  issuer: string;
  /** the audience the authorizer is configured with */
  audience: string;
}

/** A verifier for the local HTTP adapter; the issuer's keys are read at the first token, and again after a failure. */
export function oidcVerifier(trust: OidcTrust): (token: string) => Promise<Record<string, string>> {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => (keys ??= discoverKeys(trust.issuer).catch((e: unknown) => ((keys = undefined), Promise.reject(e))));
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      // the algorithm is checked before any key is looked up: HS256 made with the public key, ES256 or none never get that far
      ({ payload } = await jwtVerify(token, await keySet(), { issuer: trust.issuer, algorithms: ['RS256'], requiredClaims: ['exp'] }));
    } catch (e) {
      throw new TokenRejected((e as Error).message);
    }
    if (!forAudience(payload, trust.audience)) throw new TokenRejected(`the token is not for this API: its aud (or, without aud, client_id) must name ${trust.audience}`);
    return gatewayClaims(payload);
  };
}

/**
 * API Gateway's audience rule: `aud` (a string, or an array with any one entry) must name the configured
 * audience; only a token without `aud` is judged by `client_id`, which must then name it.
 */
export function forAudience(payload: Record<string, unknown>, audience: string): boolean {
  if (payload.aud !== undefined) return (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).includes(audience);
  return payload.client_id === audience;
}

/** The issuer's key set, found through its discovery document as API Gateway finds it. */
async function discoverKeys(issuer: string): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    document = (await res.json()) as typeof document;
  } catch (e) {
    throw new Error(`the issuer's discovery document ${url} could not be read: ${(e as Error).message}`);
  }
  // OpenID Connect Discovery: the document must name the very issuer it was fetched for
  if (document.issuer !== issuer) throw new Error(`the discovery document at ${url} names the issuer ${String(document.issuer)}, not ${issuer}`);
  if (typeof document.jwks_uri !== 'string') throw new Error(`the discovery document at ${url} has no jwks_uri`);
  return createRemoteJWKSet(new URL(document.jwks_uri));
}
