/**
 * The one place that turns errors into RFC 9457 application/problem+json: the application's errors
 * (shared/errors.ts) by their kind, and the few errors only the HTTP transport raises. A client never sees
 * a stack trace or an internal message.
 */
import type { $ZodIssue } from 'zod/v4/core';
import {
  AppError,
  ConflictError,
  type FieldError,
  InvalidInputError,
  NotAllowedError,
  NotFoundError,
  QuotaExceededError,
  RateLimitedError,
  UnauthenticatedError,
  UnprocessableError,
} from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'urn:beian:problem:';

/**
 * An error of the HTTP exchange itself, raised only by the transport (the body, its media type, the path,
 * the authorizer's token, a page cursor): `status` is the HTTP status; `extensions` are extra problem members.
 */
export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (slug: string, detail: string) => new ProblemError(400, slug, 'Bad request', detail);
/** the authorizer's refusal of a token (the local stand-in for API Gateway's); a caller's own is an UnauthenticatedError */
export const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', 'Unauthorized', detail);

/** Each kind of application error, its status and title; the first that matches counts (a subclass before its base). */
const APP_ERRORS: readonly (readonly [kind: abstract new (...args: never[]) => AppError, status: number, title: string])[] = [
  [InvalidInputError, 400, 'Invalid request'],
  [UnauthenticatedError, 401, 'Unauthorized'],
  [NotAllowedError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [UnprocessableError, 422, 'Unprocessable request'],
  [RateLimitedError, 429, 'Too many requests'],
  [QuotaExceededError, 429, 'Daily quota used up'],
];

/** What an application error is answered with; undefined for anything else. */
function answerOf(error: unknown): { error: AppError; status: number; title: string } | undefined {
  if (!(error instanceof AppError)) return undefined;
  const kind = APP_ERRORS.find(([type]) => error instanceof type);
  return kind && { error, status: kind[1], title: kind[2] };
}

/** An error answered as what it is, not a fault of ours: nothing to log as unexpected. */
export const isExpected = (error: unknown): boolean => error instanceof ProblemError || answerOf(error) !== undefined;

/** zod issues -> field errors a person can act on. */
export function fieldErrors(issues: readonly $ZodIssue[], where: FieldError['in']): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), in: where, reason: 'is not a known field' }));
    }
    return [{ field: path.join('.'), in: where, reason: issue.message }];
  });
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) {
    return { type: TYPE_BASE + error.slug, title: error.title, status: error.status, detail: error.detail, ...error.extensions };
  }
  const app = answerOf(error);
  if (app) return { type: TYPE_BASE + app.error.code, title: app.title, status: app.status, detail: app.error.message, ...app.error.details };
  return {
    type: TYPE_BASE + 'internal',
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side. The request may be retried; with an Idempotency-Key a retry is safe.',
  };
}
