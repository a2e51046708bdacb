/**
 * A small OpenID Connect issuer of the local stack's own, standing in for the external issuer (Keycloak,
 * Authing, a government identity platform) that the AWS China regions use instead of a Cognito user pool.
 * It serves what the API Gateway JWT authorizer reads, the discovery document and the JWKS, on 127.0.0.1,
 * and signs tokens RS256 (the only algorithm the authorizer accepts) with a key kept in the state folder,
 * so tokens outlive a restart as long as the port (and so the issuer URL) stays the same.
 * It has no sign-in and no token endpoint: `npm run token` and the tests mint tokens with the key.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { type JWK, SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';

const ALG = 'RS256';
/** Keycloak's layout, so the issuer URL looks like the one an operator will configure: http://127.0.0.1:PORT/realms/beian */
const REALM_PATH = '/realms/beian';
/** the JWKS, below the issuer URL as Keycloak serves it */
const CERTS = '/protocol/openid-connect/certs';

export const localIssuerUrl = (port: number) => `http://127.0.0.1:${port}${REALM_PATH}`;

/** The private key as a JWK with its `kid` (the key's thumbprint) and `alg`, made once per state folder. */
async function loadKey(stateDir: string): Promise<JWK> {
  const file = join(stateDir, 'oidc-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const key = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, use: 'sig' };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}

const keys = new Map<string, Promise<JWK>>();
const signingKey = (stateDir: string) => {
  let key = keys.get(stateDir);
  if (!key) keys.set(stateDir, (key = loadKey(stateDir)));
  return key;
};

/** The public half: what the JWKS document lists. */
export async function publicJwk(stateDir: string): Promise<JWK> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = await signingKey(stateDir);
  return publicPart;
}

/**
 * Signs claims as the issuer `issuer` with the state folder's key (header `kid` set, as real issuers do).
 * `ttlSeconds: null` leaves `exp` out (the authorizer refuses such a token); a negative one makes it expired.
 */
export async function signOidcClaims(stateDir: string, issuer: string, claims: Record<string, unknown>, options: { ttlSeconds: number | null }): Promise<string> {
  const jwk = await signingKey(stateDir);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: jwk.kid!, typ: 'JWT' }).setIssuer(issuer).setIssuedAt();
  if (options.ttlSeconds !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds);
  return jwt.sign(await importJWK(jwk, ALG));
}

export interface LocalOidcIssuer {
  /** the issuer URL: every token's `iss`, and where the discovery document lives */
  issuer: string;
  port: number;
  /** signOidcClaims as this issuer; an hour's lifetime unless `ttlSeconds` says otherwise */
  mint: (claims: Record<string, unknown>, options?: { ttlSeconds?: number | null }) => Promise<string>;
  close: () => Promise<void>;
}

/** Serves the discovery document and the JWKS of the state folder's key on host:port (0 picks a free port). */
export async function startOidcIssuer(stateDir: string, port: number, host = '127.0.0.1'): Promise<LocalOidcIssuer> {
  const keySet = { keys: [await publicJwk(stateDir)] };
  let issuer = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body =
      req.method !== 'GET' ? undefined
      : path === `${REALM_PATH}/.well-known/openid-configuration` ? discovery(issuer)
      : path === `${REALM_PATH}${CERTS}` ? keySet
      : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = (server.address() as { port: number }).port;
  issuer = localIssuerUrl(actualPort);
  return {
    issuer,
    port: actualPort,
    mint: (claims, options = {}) => signOidcClaims(stateDir, issuer, claims, { ttlSeconds: options.ttlSeconds === undefined ? 3600 : options.ttlSeconds }),
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

/** The parts of OpenID Connect Discovery 1.0 an authorizer reads (no authorization endpoint: there is no sign-in here). */
function discovery(issuer: string) {
  return {
    issuer,
    jwks_uri: `${issuer}${CERTS}`,
    id_token_signing_alg_values_supported: [ALG],
    subject_types_supported: ['public'],
    response_types_supported: ['id_token'],
  };
}
