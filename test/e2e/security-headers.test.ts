/**
 * Issue 11 (one point of it): every answer of the API function says nosniff, and an authenticated answer
 * (success, problem, CSV, redirect) is never cached; only the public API document may be cached for a while.
 */
import { describe, expect, test } from 'vitest';
import { expectStatus, requiredDecision, useStack } from './harness.ts';

const e2e = useStack();

const headersOf = async (path: string, token?: string, init: RequestInit = {}) => {
  const res = await fetch(e2e.stack.apiUrl + path, { ...init, redirect: 'manual', headers: { ...(token && { authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string>) } });
  await res.arrayBuffer();
  return res;
};

describe('security headers', () => {
  test('authenticated answers of every kind: nosniff and no-store; no server banner', async () => {
    const { jurisdictionId, token } = await e2e.newAgencyAndJurisdiction();
    const d = await e2e.report(token, requiredDecision());
    const reviewer = await e2e.reviewer(jurisdictionId);
    const answers = [
      await headersOf(`/v1/decisions/${d.id}`, token), // 200 JSON
      await headersOf('/v1/decisions/00000000-0000-4000-8000-000000000000', token), // 404 problem
      await headersOf('/v1/decisions?limit=0', token), // 400 problem
      await headersOf(`/v1/stats.csv?jurisdictionId=${jurisdictionId}`, reviewer), // 200 CSV
      await headersOf('/v1/decisions', token, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }), // 400 malformed
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 400, 200, 400]);
    for (const r of answers) {
      expect(r.headers.get('x-content-type-options'), `${r.url} ${r.status}`).toBe('nosniff');
      expect(r.headers.get('cache-control'), `${r.url} ${r.status}`).toBe('no-store');
      expect(r.headers.get('server'), `${r.url} ${r.status}`).toBeNull();
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  test('the public API document may be cached for five minutes, and is not sniffed either', async () => {
    const r = await headersOf('/v1/openapi.json');
    expectStatus({ status: r.status } as never, 200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
