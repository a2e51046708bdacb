/**
 * What went wrong, in the application's words. Use cases, domain rules and adapters raise these and know
 * nothing of HTTP; shared/http/problem.ts is the one place that answers them as RFC 9457 problems.
 * This module imports nothing, so every layer may use it.
 */

/** A field of the input that is wrong, and why. */
export interface FieldError {
  /** dotted path of the bad field, e.g. "party.type", "measures.1"; "" for the whole body */
  field: string;
  /** where the field is: body, query, path or header */
  in: 'body' | 'query' | 'path' | 'header';
  reason: string;
}

/**
 * An error the caller can act on. `code` is stable and machine-readable (the problem type names it),
 * `message` says what to do in words a caller may read (never internals), `details` carries what else
 * the caller acts on (the existing decision, the current status, the fields, when to retry).
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** No such thing, or one the caller may not learn exists. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  readonly code = 'not-found';
}

/** The caller is known, and may not do this. */
export class NotAllowedError extends AppError {
  override name = 'NotAllowedError';
  readonly code = 'forbidden';
}

/** The caller's credential is missing or not one that names a caller. */
export class UnauthenticatedError extends AppError {
  override name = 'UnauthenticatedError';
  readonly code = 'unauthorized';
}

/** Fields of the input are wrong, each named with its reason. */
export class InvalidInputError extends AppError {
  override name = 'InvalidInputError';
  readonly code = 'validation';
  constructor(readonly errors: FieldError[]) {
    const list = errors.map((e) => `${e.field || `(${e.in})`}: ${e.reason}`).join('; ');
    super(`The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${list}`, { errors });
  }
}

/** A kind whose code names the case (duplicate-case-number, filing-not-open, late-reason-required...). */
abstract class CaseError extends AppError {
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** The request is understood, but the current state forbids it (a duplicate, a status moved on). */
export class ConflictError extends CaseError {
  override name = 'ConflictError';
}

/** The request is well-formed, but cannot be carried out as it stands (an unknown reference, a missing reason). */
export class UnprocessableError extends CaseError {
  override name = 'UnprocessableError';
}

/** A caller made too many requests in a short window. */
export class RateLimitedError extends AppError {
  override name = 'RateLimitedError';
  readonly code = 'rate-limited';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

/** An agency's daily quota of one kind of write is used up until midnight in Asia/Shanghai. */
export class QuotaExceededError extends AppError {
  override name = 'QuotaExceededError';
  readonly code = 'daily-quota-exceeded';
  constructor(what: 'decisions' | 'filings' | 'uploads', limit: number, now: Date) {
    const shanghaiMs = now.getTime() + 8 * 3_600_000;
    const retryAfterSeconds = Math.max(1, Math.ceil((Math.floor(shanghaiMs / 86_400_000 + 1) * 86_400_000 - shanghaiMs) / 1000));
    super(`this agency may make ${limit} ${what} a day (its jurisdiction's dailyQuotaPerAgency); the quota renews at midnight Asia/Shanghai, in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

export const notFound = (message: string) => new NotFoundError(message);
export const notAllowed = (message: string) => new NotAllowedError(message);
export const unauthenticated = (message: string) => new UnauthenticatedError(message);
export const conflict = (code: string, message: string, details: Record<string, unknown> = {}) => new ConflictError(code, message, details);
export const unprocessable = (code: string, message: string, details: Record<string, unknown> = {}) => new UnprocessableError(code, message, details);
export const quotaExceeded = (what: 'decisions' | 'filings' | 'uploads', limit: number, now: Date) => new QuotaExceededError(what, limit, now);
