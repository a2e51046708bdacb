/**
 * The API as a middy chain. API Gateway HTTP API (payload 2.0) event -> route -> reply, with the checks
 * every route shares, each a middleware, in the order a client meets them: the route and the caller
 * first (404, 429, 401/403), then headers, path and query (400), then the body's size, type and JSON
 * (400), then its schema and the use case. Errors become problem+json in one place (problemResponses),
 * and every answer, errors included, carries the security headers.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type AgencyDirectory, type Caller, resolveCaller } from '../../shared/auth/caller.ts';
import { type FieldError, InvalidInputError, RateLimitedError, notAllowed, notFound } from '../../shared/errors.ts';
import { badRequest, fieldErrors, isExpected, toProblem } from '../../shared/http/problem.ts';
import { logError } from '../../shared/observability/logger.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { cleanCorrelationId, withCorrelation } from '../../shared/observability/correlation.ts';
import { type ApiDeps, type Route, routes } from './routes.ts';

export const MAX_BODY_BYTES = 64 * 1024;
const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;
type ApiMiddleware = MiddlewareObj<ApiEvent, ApiResult, Error, Context>;

/** What the middlewares learned about a request, for the ones after them and the handler. */
interface Routed {
  route: Route;
  /** undefined on a public route: reading it fails closed instead of granting any role */
  caller: Caller;
  headers: Record<string, string | undefined>;
  params?: unknown;
  query?: unknown;
  json?: unknown;
}
const routed = new WeakMap<ApiEvent, Routed>();
const known = (event: ApiEvent) => routed.get(event)!;

const json = (status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json'): ApiResult => ({
  statusCode: status,
  headers: { 'content-type': type, ...headers },
  body: JSON.stringify(body),
});

/**
 * Security headers on every answer, errors included (registered before problemResponses, so its onError
 * runs after the problem is written): no content sniffing, and nothing an authenticated answer carries is
 * kept by a browser or a proxy; only the public API document may be cached for a while. Lambda adds no
 * server banner, and API Gateway's own headers are not the function's to change.
 */
export function securityHeaders(): ApiMiddleware {
  const apply = async (request: { event: ApiEvent; response: ApiResult | null | undefined }) => {
    if (!request.response) return;
    const isPublic = byKey.get(request.event.routeKey)?.roles === 'public' && (request.response.statusCode ?? 200) < 400;
    request.response = {
      ...request.response,
      headers: { ...request.response.headers, 'x-content-type-options': 'nosniff', 'cache-control': isPublic ? 'public, max-age=300' : 'no-store' },
    };
  };
  return { after: apply, onError: apply };
}

/** The one place an error becomes RFC 9457 problem+json; what nobody expected is logged with its stack. */
export function problemResponses(): ApiMiddleware {
  return {
    onError: async (request) => {
      if (!isExpected(request.error)) logError(request.error);
      const problem = toProblem(request.error);
      const retryAfter: Record<string, string> = typeof problem.retryAfterSeconds === 'number' ? { 'retry-after': String(problem.retryAfterSeconds) } : {};
      request.response = json(problem.status, problem, retryAfter, 'application/problem+json');
    },
  };
}

/**
 * The route (404), then for an authorized route the caller's rate limit (429, counted before anything
 * else is done for the token, refused requests included), the caller from the verified claims (401/403)
 * and the route's roles (403).
 */
export function authorize(deps: ApiDeps, directory: AgencyDirectory): ApiMiddleware {
  return {
    before: async ({ event }) => {
      const route = byKey.get(event.routeKey);
      if (!route) throw notFound(`no route ${event.routeKey}`);
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      if (route.roles === 'public') {
        routed.set(event, { route, caller: undefined as never, headers });
        return;
      }
      const claims = event.requestContext.authorizer?.jwt?.claims;
      await withinRateLimit(deps, claims);
      const caller = await resolveCaller(claims, directory, deps.identity);
      if (!route.roles.includes(caller.role)) {
        throw notAllowed(`${route.method} ${route.path} is for ${route.roles.join(' or ')}; this token is ${caller.role}`);
      }
      routed.set(event, { route, caller, headers });
    },
  };
}

/**
 * One limit per token subject (`sub`: a person, or an agency system's client), shared by every instance
 * of the function; a request without a verified subject is left to the authorizer's 401. Not the client
 * id: an issuer may put its web client's id into every person's token, and one person would then use up
 * everyone's share.
 */
async function withinRateLimit(deps: ApiDeps, claims: Record<string, unknown> | undefined): Promise<void> {
  const subject = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!subject) return;
  const decision = await deps.rateLimiter.take(`sub:${subject}`, deps.now().getTime());
  if (!decision.ok) {
    const { requests, windowSeconds } = deps.rateLimiter.limit;
    throw new RateLimitedError(`this caller may make ${requests} requests in ${windowSeconds} s; try again in ${decision.retryAfterSeconds} s`, decision.retryAfterSeconds);
  }
}

function parse(schema: Route['body'], input: unknown, where: FieldError['in']) {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(fieldErrors(result.error.issues, where));
  return result.data;
}

/** The Idempotency-Key header, the path and the query, each against the route's schema (400). */
export function requestShape(): ApiMiddleware {
  return {
    before: async ({ event }) => {
      const r = known(event);
      const key = r.headers['idempotency-key'];
      if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
        throw new InvalidInputError([{ field: 'Idempotency-Key', in: 'header', reason: 'must be 1-200 visible ASCII characters' }]);
      }
      r.params = parse(r.route.params, event.pathParameters ?? {}, 'path');
      r.query = parse(r.route.query, event.queryStringParameters ?? {}, 'query');
    },
  };
}

/** For a route that takes a body: at most `maxBytes`, JSON by its content type, and parseable (400). */
export function jsonBody(maxBytes = MAX_BODY_BYTES): ApiMiddleware {
  return {
    before: async ({ event }) => {
      const r = known(event);
      if (!r.route.body) return;
      const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(raw) > maxBytes) throw badRequest('body-too-large', `the body is larger than ${maxBytes / 1024} KB`);
      if (!raw.trim()) throw new InvalidInputError([{ field: '', in: 'body', reason: 'a JSON body is required' }]);
      const type = r.headers['content-type'];
      if (type && !/^application\/(.+\+)?json\b/i.test(type)) throw badRequest('unsupported-media-type', `send the body as application/json, not ${type}`);
      try {
        r.json = JSON.parse(raw) as unknown;
      } catch (e) {
        throw badRequest('malformed-json', `the body is not valid JSON: ${(e as Error).message}`);
      }
    },
  };
}

/** The route itself: the body against its schema (400), the use case, its reply as JSON or as text (CSV). */
async function reply(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  const { route, caller, headers, params, query, json: raw } = known(event);
  const body = route.body ? parse(route.body, raw, 'body') : undefined;
  // a national year an admin loaded reaches this function within a minute (one small Query a minute)
  await deps.calendars.refresh();
  const out = await route.run({ deps, caller, params, query, body, headers } as Parameters<Route['run']>[0]);
  if (typeof out.body === 'string' && out.headers?.['content-type']) return { statusCode: out.status, headers: out.headers, body: out.body };
  return json(out.status, out.body, out.headers);
}

/**
 * The API handler: Powertools' log context and the metrics flush (shared/observability/middleware.ts), then
 * the HTTP middlewares above. Each request runs under its API Gateway request id, the correlation id that
 * the access log, these log lines, a queued filing and its receipt all carry.
 */
export function apiHandler(deps: ApiDeps, directory: AgencyDirectory) {
  const chain = lambda((event: ApiEvent) => reply(event, deps))
    .use(securityHeaders())
    .use(problemResponses())
    .use(authorize(deps, directory))
    .use(requestShape())
    .use(jsonBody());
  return (event: ApiEvent, context: Context) => withCorrelation(cleanCorrelationId(event.requestContext?.requestId), () => chain(event, context));
}
