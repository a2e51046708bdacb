/** The one place errors become RFC 9457 problems (shared/http/problem.ts): each kind, its status, type and title. */
import { describe, expect, it } from 'vitest';
import { InvalidDecisionError } from '../../shared/domain/classify.ts';
import {
  AppError,
  InvalidInputError,
  RateLimitedError,
  conflict,
  notAllowed,
  notFound,
  quotaExceeded,
  unauthenticated,
  unprocessable,
} from '../../shared/errors.ts';
import { badRequest, isExpected, toProblem } from '../../shared/http/problem.ts';

describe('toProblem', () => {
  it.each([
    [new InvalidInputError([{ field: 'decidedOn', in: 'body', reason: 'is in the future' }]), 400, 'validation', 'Invalid request'],
    [new InvalidDecisionError([{ path: ['measures', 1], message: 'is not a penalty measure' }]), 400, 'validation', 'Invalid request'],
    [badRequest('malformed-json', 'the body is not valid JSON'), 400, 'malformed-json', 'Bad request'],
    [unauthenticated('a bearer token is required'), 401, 'unauthorized', 'Unauthorized'],
    [notAllowed('only a reviewer reviews filings'), 403, 'forbidden', 'Forbidden'],
    [notFound('decision d1 does not exist'), 404, 'not-found', 'Not found'],
    [conflict('not-reviewable', 'decision d1 is SUBMITTED'), 409, 'not-reviewable', 'Conflict'],
    [unprocessable('late-reason-required', 'state the reason'), 422, 'late-reason-required', 'Unprocessable request'],
    [new RateLimitedError('try again in 7 s', 7), 429, 'rate-limited', 'Too many requests'],
    [quotaExceeded('filings', 5, new Date('2026-12-01T15:59:00Z')), 429, 'daily-quota-exceeded', 'Daily quota used up'],
  ])('%s -> %i %s', (error, status, slug, title) => {
    expect(toProblem(error)).toMatchObject({ type: `urn:beian:problem:${slug}`, title, status, detail: error.message });
    expect(isExpected(error)).toBe(true);
  });

  it('answers with the members in the order clients have always seen them, extensions last', () => {
    const duplicate = conflict('duplicate-case-number', 'case number "1" was already reported', { existingId: 'd1', existing: '/v1/decisions/d1' });
    expect(JSON.stringify(toProblem(duplicate))).toBe(
      '{"type":"urn:beian:problem:duplicate-case-number","title":"Conflict","status":409,"detail":"case number \\"1\\" was already reported","existingId":"d1","existing":"/v1/decisions/d1"}',
    );
    expect(JSON.stringify(toProblem(new InvalidInputError([{ field: '', in: 'body', reason: 'a JSON body is required' }])))).toBe(
      '{"type":"urn:beian:problem:validation","title":"Invalid request","status":400,"detail":"The request has 1 invalid field: (body): a JSON body is required","errors":[{"field":"","in":"body","reason":"a JSON body is required"}]}',
    );
    expect(toProblem(quotaExceeded('decisions', 5, new Date('2026-12-01T15:59:00Z'))).retryAfterSeconds).toBe(60);
  });

  it('answers anything else as our fault, without its message, and says it is unexpected', () => {
    class Unmapped extends AppError {
      readonly code = 'unmapped';
    }
    for (const error of [new Error('connect ECONNREFUSED 10.0.0.1:443'), new Unmapped('internal words'), 'a string']) {
      expect(toProblem(error)).toEqual({
        type: 'urn:beian:problem:internal',
        title: 'Internal error',
        status: 500,
        detail: 'Something went wrong on our side. The request may be retried; with an Idempotency-Key a retry is safe.',
      });
      expect(isExpected(error)).toBe(false);
    }
  });
});
