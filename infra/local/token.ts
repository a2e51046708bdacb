/**
 * Prints a bearer token for the local stack (for the issuer it trusts: the local one, or with IDENTITY=oidc
 * its own OIDC issuer), and nothing else on stdout:
 *   npm run -s token -- --role admin|reviewer|agency [--agency ID | --client ID] [--jurisdiction ID]
 * (`--client ID`: an app client that works once an admin links it with PUT /v1/agencies/{id} "clientIds")
 */
import { parseArgs } from 'node:util';
import { mintStackToken } from './identity.ts';
import { defaultStateDir } from './paths.ts';

try {
  const { values } = parseArgs({
    options: { role: { type: 'string' }, agency: { type: 'string' }, client: { type: 'string' }, jurisdiction: { type: 'string' }, ttl: { type: 'string' } },
  });
  const role = values.role;
  if (role !== 'admin' && role !== 'reviewer' && role !== 'agency') {
    throw new Error('--role must be admin, reviewer or agency');
  }
  const token = await mintStackToken(defaultStateDir, {
    role,
    ...(values.agency && { agency: values.agency }),
    ...(values.client && { client: values.client }),
    ...(values.jurisdiction && { jurisdiction: values.jurisdiction }),
    ...(values.ttl && { ttlSeconds: Number(values.ttl) }),
  });
  process.stdout.write(`${token}\n`);
} catch (e) {
  console.error(`token: ${(e as Error).message}\nusage: npm run -s token -- --role admin|reviewer|agency [--agency ID | --client ID] [--jurisdiction ID]`);
  process.exitCode = 2;
}
