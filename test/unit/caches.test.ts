import { describe, expect, it } from 'vitest';
import { ttlCache } from '../../shared/cache.ts';
import { rulesCache } from '../../shared/use-cases/deps.ts';
import type { JurisdictionRecord } from '../../shared/store/records.ts';

const record = (id: string, name: string) => ({ jurisdictionId: id, name }) as JurisdictionRecord;

describe('rulesCache', () => {
  it('reads once within the time to live, again after it, and at once after forget', async () => {
    let clock = 0;
    let reads = 0;
    let name = 'first';
    const rules = rulesCache(async (id) => (reads++, record(id, name)), 10_000, () => clock);
    expect((await rules.get('a'))?.name).toBe('first');
    name = 'second';
    clock = 9_999;
    expect((await rules.get('a'))?.name).toBe('first');
    expect(reads).toBe(1);
    clock = 10_000;
    expect((await rules.get('a'))?.name).toBe('second');
    name = 'third';
    rules.forget('a');
    expect((await rules.get('a'))?.name).toBe('third');
    expect(reads).toBe(3);
  });

  it('does not remember a jurisdiction that does not exist yet, nor a failed read', async () => {
    let exists = false;
    let fail = true;
    const rules = rulesCache(async (id) => {
      if (fail) throw new Error('throttled');
      return exists ? record(id, 'x') : undefined;
    }, 10_000, () => 0);
    await expect(rules.get('a')).rejects.toThrow('throttled');
    fail = false;
    expect(await rules.get('a')).toBeUndefined();
    exists = true;
    expect(await rules.get('a')).toBeDefined();
  });
});

describe('ttlCache', () => {
  it('keeps missing values only when asked to', async () => {
    let value: string | undefined;
    let reads = 0;
    const keep = ttlCache(async () => (reads++, value), { ttlMs: 1000, keepMissing: true, now: () => 0 });
    const skip = ttlCache(async () => (reads++, value), { ttlMs: 1000, keepMissing: false, now: () => 0 });
    await keep('k');
    await skip('k');
    value = 'now there';
    expect(await keep('k')).toBeUndefined();
    expect(await skip('k')).toBe('now there');
    expect(reads).toBe(3);
  });

  it('shares one read among concurrent lookups, and forgets on demand', async () => {
    let reads = 0;
    const cache = ttlCache(async (k: string) => (reads++, `${k}${reads}`), { ttlMs: 1000, keepMissing: false, now: () => 0 });
    const [a, b] = await Promise.all([cache('k'), cache('k')]);
    expect([a, b, reads]).toEqual(['k1', 'k1', 1]);
    cache.forget('k');
    expect(await cache('k')).toBe('k2');
  });
});
