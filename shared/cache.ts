/**
 * Remembers the results of a lookup for a while per warm function, so the same registry read is not
 * repeated on every request. `keepMissing` says whether "not found" is remembered too.
 */
export function ttlCache<K, V>(load: (key: K) => Promise<V>, options: { ttlMs: number; keepMissing: boolean; now?: () => number }) {
  const now = options.now ?? Date.now;
  const entries = new Map<K, { at: number; value: V }>();
  return async (key: K): Promise<V> => {
    const hit = entries.get(key);
    if (hit && now() - hit.at < options.ttlMs) return hit.value;
    const value = await load(key);
    if (value !== undefined || options.keepMissing) entries.set(key, { at: now(), value });
    return value;
  };
}
