import { ttlCache } from '../cache.ts';
import type { AgencyDirectory } from './caller.ts';

/** A found link or agency is trusted this long per warm function: an admin's change applies within it. */
export const DIRECTORY_TTL_MS = 5_000;

/**
 * Set only by the local stack (infra/local/stack.ts): there a client id equal to an agency id counts as
 * linked to it, so `npm run token -- --role agency --agency ID` works at once. The CDK app never sets it.
 */
export const LOCAL_CLIENT_IS_AGENCY = 'LOCAL_CLIENT_IS_AGENCY';

export interface DirectoryOptions {
  now?: () => number;
  /** the local stack's rule: an unlinked client id that names an agency id maps to it; never in AWS */
  clientIsAgency?: boolean;
}

/**
 * The registry's agency lookups, remembered for a few seconds per warm function so a burst of requests
 * costs one read. Nothing missing is remembered: an unregistered agency may be registered, and an
 * unlinked client linked, the next second, and a link found is dropped after DIRECTORY_TTL_MS, so a
 * link an admin removes stops working within seconds in every warm function.
 */
export function cachedDirectory(source: AgencyDirectory, options: DirectoryOptions = {}): AgencyDirectory {
  const now = options.now ?? (() => Date.now());
  const clientIsAgency = options.clientIsAgency ?? process.env[LOCAL_CLIENT_IS_AGENCY] === 'true';
  const linkedAgency = ttlCache((clientId: string) => source.agencyIdForClient(clientId), { ttlMs: DIRECTORY_TTL_MS, keepMissing: false, now });
  return {
    agencyIdForClient: async (clientId) => (await linkedAgency(clientId)) ?? (clientIsAgency ? clientId : undefined),
    getAgency: ttlCache((agencyId: string) => source.getAgency(agencyId), { ttlMs: DIRECTORY_TTL_MS, keepMissing: false, now }),
  };
}
