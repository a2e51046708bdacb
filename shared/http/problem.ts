/**
 * Errors are values with names; `toProblem` is the one place that turns them into RFC 9457
 * application/problem+json. A client never sees a stack trace or an internal message.
 */
import type { $ZodIssue } from 'zod/v4/core';

export interface FieldError {
  /** dotted path of the bad field, e.g. "party.type", "measures.1"; "" for the whole body */
  field: string;
  /** where the field is: body, query, path or header */
  in: 'body' | 'query' | 'path' | 'header';
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'urn:beian:problem:';

/** An error the caller can act on. `status` is the HTTP status; `extensions` are extra problem members. */
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

export class ValidationError extends ProblemError {
  constructor(readonly errors: FieldError[]) {
    const list = errors.map((e) => `${e.field || `(${e.in})`}: ${e.reason}`).join('; ');
    super(400, 'validation', 'Invalid request', `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${list}`, { errors });
  }
}

export const badRequest = (slug: string, detail: string) => new ProblemError(400, slug, 'Bad request', detail);
export const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail);
export const conflict = (slug: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemError(409, slug, 'Conflict', detail, extensions);
/** 429: the agency's daily quota of `what` is used up until midnight in Asia/Shanghai. */
export function quotaExceeded(what: 'decisions' | 'filings' | 'uploads', limit: number, now: Date): ProblemError {
  const shanghaiMs = now.getTime() + 8 * 3_600_000;
  const retryAfterSeconds = Math.max(1, Math.ceil((Math.floor(shanghaiMs / 86_400_000 + 1) * 86_400_000 - shanghaiMs) / 1000));
  return new ProblemError(429, 'daily-quota-exceeded', 'Daily quota used up', `this agency may make ${limit} ${what} a day (its jurisdiction's dailyQuotaPerAgency); the quota renews at midnight Asia/Shanghai, in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

export const unprocessable = (slug: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemError(422, slug, 'Unprocessable request', detail, extensions);

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
    return {
      type: TYPE_BASE + error.slug,
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...error.extensions,
    };
  }
  return {
    type: TYPE_BASE + 'internal',
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side. The request may be retried; with an Idempotency-Key a retry is safe.',
  };
}
