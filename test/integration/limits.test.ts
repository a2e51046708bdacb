/**
 * The per-caller limit and the daily quotas across many function instances (each a RateLimiter or
 * DailyQuotas of its own, as each Lambda instance builds one), on DynamoDB Local. Found by a second
 * attack pass: instances that took batches starved the others; a unit given back stayed in one instance.
 */
import { expect, test } from 'vitest';
import { DailyQuotas, RateLimiter } from '../../shared/store/rate-limit.ts';
import { useDynamo } from './dynamo-harness.ts';

const db = useDynamo('beian-limits');

test('eleven instances, each serving a request of the same caller now and then, all get through under a limit of 300', async () => {
  const instances = Array.from({ length: 11 }, () => new RateLimiter(db.doc, db.tableName, { requests: 300, windowSeconds: 60 }));
  const now = Date.now();
  for (let round = 0; round < 3; round++) {
    for (const limiter of instances) expect((await limiter.take('agency:spread', now)).ok).toBe(true);
  }
});

test('concurrent requests in one instance wait for its one claim: a limit of 30 lets exactly 30 through, whatever the interleaving', async () => {
  const limiter = new RateLimiter(db.doc, db.tableName, { requests: 30, windowSeconds: 60 });
  const other = new RateLimiter(db.doc, db.tableName, { requests: 30, windowSeconds: 60 });
  const now = Date.now();
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? limiter : other).take('agency:burst', now)));
  expect(results.filter((r) => r.ok)).toHaveLength(30);
  const refused = results.find((r) => !r.ok);
  expect(refused).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
});

test('a busy instance takes bigger batches (fewer writes), and still never more than the limit', async () => {
  const limiter = new RateLimiter(db.doc, db.tableName, { requests: 300, windowSeconds: 60 });
  const before = db.sent.length;
  const now = Date.now();
  let ok = 0;
  for (let i = 0; i < 320; i++) if ((await limiter.take('agency:busy', now)).ok) ok++;
  expect(ok).toBe(300);
  const writes = db.sent.slice(before).filter((c) => c.name === 'UpdateCommand').length;
  expect(writes).toBeLessThan(60);
});

test('a quota unit given back by one instance can be used by another', async () => {
  const a = new DailyQuotas(db.doc, db.tableName);
  const b = new DailyQuotas(db.doc, db.tableName);
  const q = { agencyId: 'ag-quota', what: 'decisions' as const, day: '2026-12-01', limit: 5 };
  for (let i = 0; i < 5; i++) expect(await a.within(q, async () => 'dup', () => false)).toBe('dup'); // five duplicates: nothing created
  let created = 0;
  for (let i = 0; i < 6; i++) if ((await b.within(q, async () => 'ok', () => true)) === 'ok') created++;
  expect(created).toBe(5);
});
