/**
 * The committed API document is what `npm run openapi` writes from the route table, and the route keys
 * API Gateway learns (route-keys.ts) match the route table (routes.ts) exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildOpenApi } from '../../functions/api/openapi.ts';
import { routeKeys } from '../../functions/api/route-keys.ts';
import { routes } from '../../functions/api/routes.ts';

const committed = JSON.parse(readFileSync(new URL('../../functions/api/openapi.json', import.meta.url), 'utf8')) as unknown;

describe('functions/api/openapi.json', () => {
  test('equals buildOpenApi(routes): the committed file is current (run `npm run openapi` if not)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApi(routes))));
  });

  test('is OpenAPI 3.1.0 and has an operation for every route', () => {
    const doc = buildOpenApi(routes);
    expect(doc.openapi).toBe('3.1.0');
    for (const r of routes) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
  });
});

describe('route-keys.ts and routes.ts', () => {
  const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

  test('list exactly the same method + path pairs, each once', () => {
    const fromKeys = routeKeys.map(key);
    const fromRoutes = routes.map(key);
    expect(new Set(fromKeys).size).toBe(fromKeys.length);
    expect(new Set(fromRoutes).size).toBe(fromRoutes.length);
    expect([...fromKeys].sort()).toEqual([...fromRoutes].sort());
  });

  test('with the same public/authorized split', () => {
    const authorizedInRoutes = new Map(routes.map((r) => [key(r), r.roles !== 'public']));
    for (const k of routeKeys) expect(k.authorized, key(k)).toBe(authorizedInRoutes.get(key(k)));
    expect(routeKeys.filter((k) => !k.authorized).map(key)).toEqual(['GET /v1/openapi.json']);
  });
});
