/** The OpenAPI 3.1 document, generated from the route table and its zod schemas (`npm run openapi`). */
import * as z from 'zod/mini';
import type { Route } from './routes.ts';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

const toSchema = (schema: z.ZodMiniType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });

/** The error answers, each described once (components.responses) and referred to by the routes: the document stays small in the bundle. */
const PROBLEMS = {
  BadRequest: problemResponse('Invalid request: the problem lists each bad field and why'),
  Unauthorized: problemResponse('No bearer token, or a bad one'),
  Forbidden: problemResponse('The token does not allow this'),
  NotFound: problemResponse('Not found, or not visible to the caller'),
  Conflict: problemResponse('Duplicate (for example the same case number)'),
  Unprocessable: problemResponse('Understood, but refers to something unknown or reuses an Idempotency-Key'),
};
const ref = (name: keyof typeof PROBLEMS) => ({ $ref: `#/components/responses/${name}` });

function parameters(schema: z.ZodMiniType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

export function buildOpenApi(routes: readonly Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const secured = r.roles !== 'public';
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(secured && { description: `Roles: ${(r.roles as readonly string[]).join(', ')}`, security: [{ bearer: [] }] }),
      ...(!secured && { security: [] }),
      parameters: [
        ...parameters(r.params, 'path'),
        ...parameters(r.query, 'query'),
        ...(r.method === 'POST' || r.method === 'PUT' ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
      ],
      ...(r.body && { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body) } } } }),
      responses: {
        [r.responds]: {
          description: r.returns ?? 'Success',
          content: Object.fromEntries((r.produces ?? ['application/json']).map((type) => [type, { schema: type === 'application/json' ? { type: 'object' } : { type: 'string' } }])),
        },
        ...(r.body || r.query || r.params ? { 400: ref('BadRequest') } : {}),
        ...(secured && { 401: ref('Unauthorized'), 403: ref('Forbidden') }),
        ...(r.method !== 'GET' || r.params || r.mayNotFind ? { 404: ref('NotFound') } : {}),
        ...(r.method === 'POST' ? { 409: ref('Conflict') } : {}),
        ...(r.body ? { 422: ref('Unprocessable') } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Beian API',
      version: '1',
      description: 'Filing (备案) of major administrative enforcement decisions: agencies report decisions and learn their legal filing deadline in Chinese working days.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: PROBLEMS,
      parameters: {
        IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'A retry with the same key and body replays the first response' },
      },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['field', 'in', 'reason'],
                properties: { field: { type: 'string' }, in: { enum: ['body', 'query', 'path', 'header'] }, reason: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
