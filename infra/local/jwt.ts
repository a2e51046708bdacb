/**
 * Local stand-in for the user pool: tokens with the same claim shapes Cognito issues (ID tokens with
 * groups for people, client-credentials access tokens for agencies' systems), signed with a local key
 * kept in the state folder, and checked the way the API Gateway JWT authorizer checks them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWK, SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { AGENCY_SCOPE, type Role } from '../../shared/auth/caller.ts';

export const LOCAL_ISSUER = 'https://beian.local/issuer';
export const LOCAL_WEB_CLIENT = 'beian-local-web';
const ALG = 'ES256';

async function loadKey(stateDir: string): Promise<JWK> {
  const file = join(stateDir, 'jwt-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

const publicKeys = new Map<string, ReturnType<typeof importJWK>>();

/** The verification key, read and imported once per state folder (as the authorizer caches the JWKS). */
function publicKey(stateDir: string) {
  let key = publicKeys.get(stateDir);
  if (!key) {
    key = loadKey(stateDir).then(({ d: _private, ...jwk }) => importJWK(jwk, ALG));
    publicKeys.set(stateDir, key);
  }
  return key;
}

export interface TokenRequest {
  role: Role;
  /** an agency token's client id is this agency id (the local stack links a client id to the agency of that id) */
  agency?: string;
  /** an agency token for another app client id: it works once an admin links the client to an agency */
  client?: string;
  jurisdiction?: string;
  /** lifetime in seconds, default 12 hours */
  ttlSeconds?: number;
}

export async function mintToken(stateDir: string, req: TokenRequest): Promise<string> {
  let claims: Record<string, unknown>;
  if (req.role === 'agency') {
    const client = req.client ?? req.agency;
    if (!client) throw new Error('an agency token needs --agency ID (or --client ID of a linked app client)');
    // as Cognito's client-credentials access token: the client id is the subject; locally it is the agency id
    claims = { sub: client, client_id: client, token_use: 'access', scope: AGENCY_SCOPE };
  } else {
    if (req.role === 'reviewer' && !req.jurisdiction) throw new Error('a reviewer token needs --jurisdiction ID');
    claims = {
      sub: `local-${req.role}${req.jurisdiction ? `-${req.jurisdiction}` : ''}`,
      aud: LOCAL_WEB_CLIENT,
      token_use: 'id',
      'cognito:groups': [req.role],
      ...(req.jurisdiction && { 'custom:jurisdictionId': req.jurisdiction }),
    };
  }
  return signClaims(stateDir, claims, { ttlSeconds: req.ttlSeconds ?? 12 * 3600 });
}

/**
 * Signs any claims with the local key and issuer: mintToken's shapes, and in tests the shapes Cognito
 * never issues. `ttlSeconds: null` leaves `exp` out (the verifier refuses such a token).
 */
export async function signClaims(stateDir: string, claims: Record<string, unknown>, options: { ttlSeconds: number | null }): Promise<string> {
  const key = await importJWK(await loadKey(stateDir), ALG);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: 'local' }).setIssuer(LOCAL_ISSUER).setIssuedAt();
  if (options.ttlSeconds !== null) jwt.setExpirationTime(`${options.ttlSeconds}s`);
  return jwt.sign(key);
}

export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

/**
 * Verifies like the API Gateway JWT authorizer (signature, issuer, a required `exp`; `aud` when the
 * token has one, as a string or an array that contains the web client, else `client_id`) and returns the
 * claims as API Gateway passes them to the function: every value a string, arrays as "[a b]".
 * `token_use` is the function's check (shared/auth/caller.ts), as in AWS.
 */
export async function verifyToken(stateDir: string, token: string): Promise<Record<string, string>> {
  // a token checked once stays good until it expires: clients send the same one with every request
  const known = verified.get(token);
  if (known && known.stateDir === stateDir && known.expiresAt > Date.now()) return known.claims;
  const claims = await verifyOnce(stateDir, token);
  if (verified.size >= 1000) verified.clear();
  verified.set(token, { stateDir, claims, expiresAt: Number(claims.exp) * 1000 });
  return claims;
}

/**
 * API Gateway's audience rule: an `aud` (a string, or an array with any one accepted entry) must name an
 * accepted audience; without `aud`, `client_id` must. Locally the web client is the accepted audience
 * and any client id is (agencies' client ids are not known to the local issuer in advance).
 */
function forThisApi(payload: Record<string, unknown>): boolean {
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return audiences.includes(LOCAL_WEB_CLIENT);
  }
  return typeof payload.client_id === 'string' && payload.client_id !== '';
}

const verified = new Map<string, { stateDir: string; claims: Record<string, string>; expiresAt: number }>();

async function verifyOnce(stateDir: string, token: string): Promise<Record<string, string>> {
  const key = await publicKey(stateDir);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer: LOCAL_ISSUER, algorithms: [ALG], requiredClaims: ['exp'] }));
  } catch (e) {
    throw new TokenRejected((e as Error).message);
  }
  if (!forThisApi(payload)) throw new TokenRejected('the token is not for this API (audience / client_id)');
  return gatewayClaims(payload);
}

/** The claims as API Gateway passes them to the function: every value a string, arrays as "[a b]". */
export function gatewayClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
}
