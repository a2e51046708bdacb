/**
 * API Gateway HTTP API (payload 2.0) event -> route -> reply, with the checks every route shares:
 * caller and role first (401/403), then path, query, body size, JSON and schema (400), then the use case.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type AgencyDirectory, resolveCaller } from '../../shared/auth/caller.ts';
import { type FieldError, ProblemError, ValidationError, badRequest, fieldErrors, forbidden, notFound, toProblem } from '../../shared/http/problem.ts';
import { InvalidDecisionError } from '../../shared/domain/classify.ts';
import { type ApiDeps, type Reply, type Route, routes } from './routes.ts';

export const MAX_BODY_BYTES = 64 * 1024;
const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

function parse(schema: Route['body'], input: unknown, where: FieldError['in']) {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldErrors(result.error.issues, where));
  return result.data;
}

function readBody(event: ApiEvent): unknown {
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw badRequest('body-too-large', `the body is larger than ${MAX_BODY_BYTES / 1024} KB`);
  if (!raw.trim()) throw new ValidationError([{ field: '', in: 'body', reason: 'a JSON body is required' }]);
  const type = event.headers['content-type'];
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) throw badRequest('unsupported-media-type', `send the body as application/json, not ${type}`);
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw badRequest('malformed-json', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

async function run(event: ApiEvent, deps: ApiDeps, directory: AgencyDirectory): Promise<Reply> {
  const route = byKey.get(event.routeKey);
  if (!route) throw notFound(`no route ${event.routeKey}`);
  const claims = event.requestContext.authorizer?.jwt?.claims;
  // counted before anything else is done for the token, refused requests included
  if (route.roles !== 'public') await withinRateLimit(deps, claims);
  // a public route has no caller: reading one fails closed instead of granting any role
  const caller = route.roles === 'public' ? (undefined as never) : await resolveCaller(claims, directory, deps.identity);
  if (route.roles !== 'public' && !route.roles.includes(caller.role)) {
    throw forbidden(`${route.method} ${route.path} is for ${route.roles.join(' or ')}; this token is ${caller.role}`);
  }
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const key = headers['idempotency-key'];
  if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new ValidationError([{ field: 'Idempotency-Key', in: 'header', reason: 'must be 1-200 visible ASCII characters' }]);
  }
  const params = parse(route.params, event.pathParameters ?? {}, 'path');
  const query = parse(route.query, event.queryStringParameters ?? {}, 'query');
  const body = route.body ? parse(route.body, readBody(event), 'body') : undefined;
  // a national year an admin loaded reaches this function within a minute (one small Query a minute)
  await deps.calendars.refresh();
  return route.run({ deps, caller, params, query, body, headers } as Parameters<Route['run']>[0]);
}

/**
 * One limit per token subject (an agency's app client, or a person), shared by every instance of the
 * function; a request without a verified subject is left to the authorizer's 401.
 */
async function withinRateLimit(deps: ApiDeps, claims: Record<string, unknown> | undefined): Promise<void> {
  const subject = typeof claims?.client_id === 'string' ? claims.client_id : typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!subject) return;
  const callerKey = `sub:${subject}`;
  const decision = await deps.rateLimiter.take(callerKey, deps.now().getTime());
  if (!decision.ok) {
    const { requests, windowSeconds } = deps.rateLimiter.limit;
    throw new ProblemError(429, 'rate-limited', 'Too many requests', `this caller may make ${requests} requests in ${windowSeconds} s; try again in ${decision.retryAfterSeconds} s`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json'): ApiResult => ({
  statusCode: status,
  headers: { 'content-type': type, ...headers },
  body: JSON.stringify(body),
});

/**
 * On every answer (issue 11): no content sniffing, and nothing an authenticated answer carries is kept by a
 * browser or a proxy; only the public API document may be cached for a while.
 */
function secured(result: ApiResult, event: ApiEvent): ApiResult {
  const isPublic = byKey.get(event.routeKey)?.roles === 'public' && (result.statusCode ?? 200) < 400;
  return {
    ...result,
    headers: { ...result.headers, 'x-content-type-options': 'nosniff', 'cache-control': isPublic ? 'public, max-age=300' : 'no-store' },
  };
}

export async function dispatch(event: ApiEvent, deps: ApiDeps, directory: AgencyDirectory, log: (e: unknown) => void): Promise<ApiResult> {
  return secured(await answer(event, deps, directory, log), event);
}

async function answer(event: ApiEvent, deps: ApiDeps, directory: AgencyDirectory, log: (e: unknown) => void): Promise<ApiResult> {
  try {
    const reply = await run(event, deps, directory);
    // a text reply (CSV) carries its own content-type; everything else is JSON
    if (typeof reply.body === 'string' && reply.headers?.['content-type']) return { statusCode: reply.status, headers: reply.headers, body: reply.body };
    return json(reply.status, reply.body, reply.headers);
  } catch (e) {
    const error = e instanceof InvalidDecisionError ? new ValidationError(e.issues.map((i) => ({ field: i.path.join('.'), in: 'body', reason: i.message }))) : e;
    if (!(error instanceof ProblemError)) log(error);
    const problem = toProblem(error);
    const retryAfter: Record<string, string> = typeof problem.retryAfterSeconds === 'number' ? { 'retry-after': String(problem.retryAfterSeconds) } : {};
    return json(problem.status, problem, retryAfter, 'application/problem+json');
  }
}
