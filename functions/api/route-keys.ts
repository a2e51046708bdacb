import type { HttpRoute } from '../manifest.ts';

/** Every HTTP route, as API Gateway needs to know it. The full route table (roles, schemas, use case)
 * is functions/api/routes.ts; a test checks the two agree. */
export const routeKeys: readonly HttpRoute[] = [
  { method: 'GET', path: '/v1/openapi.json', authorized: false },
  { method: 'GET', path: '/v1/jurisdictions', authorized: true },
  { method: 'GET', path: '/v1/jurisdictions/{jurisdictionId}', authorized: true },
  { method: 'PUT', path: '/v1/jurisdictions/{jurisdictionId}', authorized: true },
  { method: 'GET', path: '/v1/agencies', authorized: true },
  { method: 'GET', path: '/v1/agencies/{agencyId}', authorized: true },
  { method: 'PUT', path: '/v1/agencies/{agencyId}', authorized: true },
  { method: 'POST', path: '/v1/decisions', authorized: true },
  { method: 'GET', path: '/v1/decisions', authorized: true },
  { method: 'GET', path: '/v1/decisions/{id}', authorized: true },
  { method: 'PUT', path: '/v1/decisions/{id}/filing', authorized: true },
  { method: 'POST', path: '/v1/decisions/{id}/documents', authorized: true },
  { method: 'GET', path: '/v1/decisions/{id}/documents', authorized: true },
  { method: 'GET', path: '/v1/decisions/{id}/documents/{documentId}/content', authorized: true },
  { method: 'POST', path: '/v1/decisions/{id}/late-explanation', authorized: true },
  { method: 'GET', path: '/v1/decisions/{id}/history', authorized: true },
  { method: 'POST', path: '/v1/decisions/{id}/review', authorized: true },
  { method: 'GET', path: '/v1/reviews/queue', authorized: true },
  { method: 'GET', path: '/v1/stats', authorized: true },
  { method: 'GET', path: '/v1/stats.csv', authorized: true },
  { method: 'GET', path: '/v1/calendar/working-days', authorized: true },
  { method: 'GET', path: '/v1/calendar/{year}', authorized: true },
  { method: 'PUT', path: '/v1/calendar/{year}', authorized: true },
];
