/** Idempotency-Key: a retry with the same key and body replays the stored response; another body is refused. */
import { createHash } from 'node:crypto';
import type { IdempotentResponse } from '../domain/records.ts';
import { unprocessable } from '../errors.ts';

/** A stored response is replayed only for the same body: the hash of the validated request. */
export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('base64url');

export function replayStored<T>(stored: IdempotentResponse, hash: string): { body: T; location?: string } {
  if (stored.requestHash !== hash) {
    throw unprocessable('idempotency-key-reused', 'this Idempotency-Key was already used with a different request body: use a new key for a new request');
  }
  return { body: JSON.parse(stored.body) as T, ...(stored.location && { location: stored.location }) };
}
