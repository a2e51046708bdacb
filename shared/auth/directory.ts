import { ttlCache } from '../cache.ts';
import type { AgencyDirectory } from './caller.ts';

const TTL_MS = 30_000;

/**
 * The registry's agency lookups, remembered for 30 s per warm function so most requests cost no extra
 * reads. An unregistered agency is not remembered (it may be registered the next second); an unlinked
 * client id is (links are written at deploy time, long before use).
 */
export function cachedDirectory(source: AgencyDirectory, now = () => Date.now()): AgencyDirectory {
  return {
    agencyIdForClient: ttlCache((clientId: string) => source.agencyIdForClient(clientId), { ttlMs: TTL_MS, keepMissing: true, now }),
    getAgency: ttlCache((agencyId: string) => source.getAgency(agencyId), { ttlMs: TTL_MS, keepMissing: false, now }),
  };
}
