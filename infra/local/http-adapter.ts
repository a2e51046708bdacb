/**
 * The local API Gateway: an HTTP server that matches the same route keys, checks the bearer token as
 * the JWT authorizer would, builds the HTTP API payload 2.0 event and calls the same Lambda handler.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { HttpRoute } from '../../functions/manifest.ts';
import { toProblem, unauthorized, ProblemError } from '../../shared/http/problem.ts';
import { TokenRejected } from './jwt.ts';

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit is 10 MB; the function applies the API's 64 KB rule itself. */
const MAX_READ_BYTES = 10 * 1024 * 1024;

interface CompiledRoute extends HttpRoute {
  pattern: RegExp;
  names: string[];
}

function compile(route: HttpRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  // the adapter's own answers (401, 404, 405, 413) carry the headers the function puts on its own
  const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...(result.headers as Record<string, string>) };
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

function problem(res: ServerResponse, error: ProblemError) {
  send(res, { statusCode: error.status, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(toProblem(error)) });
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const lambdaContext = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: 'beian-local-api',
    functionVersion: '$LATEST',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 10_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as Context;

export function createApiServer(
  routes: readonly HttpRoute[],
  handler: ApiHandler,
  verify: (token: string) => Promise<Record<string, string>>,
): Server {
  const compiled = routes.map(compile);
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      // as API Gateway: a literal path (/v1/calendar/working-days) before one with a parameter (/v1/calendar/{year})
      const candidates = compiled.filter((r) => r.pattern.test(url.pathname)).sort((a, b) => a.names.length - b.names.length);
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        const status = candidates.length ? 405 : 404;
        return problem(res, new ProblemError(status, status === 404 ? 'not-found' : 'method-not-allowed', status === 404 ? 'Not found' : 'Method not allowed',
          status === 404 ? `no route for ${url.pathname}` : `${method} is not allowed on ${url.pathname}; use ${candidates.map((c) => c.method).join(', ')}`));
      }
      const match = route.pattern.exec(url.pathname)!;
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
      } catch {
        return problem(res, new ProblemError(400, 'malformed-path', 'Bad request', `the path ${url.pathname} is not validly percent-encoded`));
      }
      let claims: Record<string, string> | undefined;
      if (route.authorized) {
        const header = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        if (!token) return problem(res, unauthorized('a bearer token is required: Authorization: Bearer <JWT> (locally: npm run -s token -- --role admin)'));
        try {
          claims = await verify(token);
        } catch (e) {
          if (e instanceof TokenRejected) return problem(res, unauthorized(`the bearer token was rejected: ${e.message}`));
          throw e;
        }
      }
      const body = await readBody(req);
      if (body === 'too-large') return problem(res, new ProblemError(413, 'payload-too-large', 'Payload too large', 'the request body is over 10 MB'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
      const requestId = randomUUID();
      const now = new Date();
      const routeKey = `${route.method} ${route.path}`;
      const event = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(url.search && { queryStringParameters: query }),
        ...(route.names.length && { pathParameters }),
        requestContext: {
          accountId: 'local',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
          requestId,
          routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
          ...(claims && { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: claims.scope ? claims.scope.split(' ') : null } } }),
        },
        ...(body.length && { body: body.toString('utf8') }),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
      const result = await handler(event, lambdaContext(requestId));
      // as API Gateway answers: the request id, which the function's log lines carry as correlation_id
      send(res, { ...result, headers: { ...result.headers, 'apigw-requestid': requestId } });
    } catch (e) {
      console.error('local api adapter:', e);
      if (!res.headersSent) send(res, { statusCode: 500, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(toProblem(e)) });
    }
  });
}
