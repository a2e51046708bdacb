import type { AgencyDirectory } from './caller.ts';

const TTL_MS = 30_000;

/**
 * The registry's agency lookups, remembered for 30 s per warm function so most requests cost no extra
 * reads. An unregistered agency is not remembered (it may be registered the next second); an unlinked
 * client id is (links are written at deploy time, long before use).
 */
export function cachedDirectory(source: AgencyDirectory, now = () => Date.now()): AgencyDirectory {
  const cache = new Map<string, { at: number; value: unknown }>();
  const remember = async <T>(key: string, load: () => Promise<T>, keepMissing: boolean): Promise<T> => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < TTL_MS) return hit.value as T;
    const value = await load();
    if (value !== undefined || keepMissing) cache.set(key, { at: now(), value });
    return value;
  };
  return {
    agencyIdForClient: (clientId) => remember(`client:${clientId}`, () => source.agencyIdForClient(clientId), true),
    getAgency: (agencyId) => remember(`agency:${agencyId}`, () => source.getAgency(agencyId), false),
  };
}
