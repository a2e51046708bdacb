/**
 * Remembers the results of a lookup for a while per warm function, so the same registry read is not
 * repeated on every request. Concurrent lookups of one key share one read; a failed read is not
 * remembered, and "not found" only when `keepMissing` says so. `forget` drops a key after a change.
 */
export interface TtlCache<K, V> {
  (key: K): Promise<V>;
  forget(key: K): void;
}

export function ttlCache<K, V>(load: (key: K) => Promise<V>, options: { ttlMs: number; keepMissing: boolean; now?: () => number }): TtlCache<K, V> {
  const now = options.now ?? Date.now;
  const entries = new Map<K, { at: number; value: Promise<V> }>();
  const get = (key: K): Promise<V> => {
    const hit = entries.get(key);
    if (hit && now() - hit.at < options.ttlMs) return hit.value;
    const value = load(key);
    entries.set(key, { at: now(), value });
    value.then(
      (v) => v === undefined && !options.keepMissing && entries.get(key)?.value === value && entries.delete(key),
      () => entries.get(key)?.value === value && entries.delete(key),
    );
    return value;
  };
  return Object.assign(get, { forget: (key: K) => void entries.delete(key) });
}
