/**
 * One id finds everything a request caused: the API's request id travels with a submission into the
 * queue message (a message attribute), the processor's log lines and the receipt it writes, and the
 * notice sender's log lines. It is held per invocation or per record in an AsyncLocalStorage, so records
 * processed in parallel, and the local stack's functions sharing one process, never mix their ids.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The SQS message attribute and the notice item attribute that carry the id. */
export const CORRELATION_ATTRIBUTE = 'correlationId';

const current = new AsyncLocalStorage<string>();

/** The id of the request or record being handled, if any. */
export const correlationId = (): string | undefined => current.getStore();

/** Runs `fn` with `id` as the current correlation id (without one, as it is). */
export function withCorrelation<T>(id: string | undefined, fn: () => T): T {
  return id ? current.run(id, fn) : fn();
}

/**
 * An id of the shapes this system makes (API Gateway's request ids, message ids, sweep:<jurisdiction>:<day>,
 * notice ids): letters, digits and + / = _ : . # - , 8-128 characters. Anything else, from a message
 * someone put on a queue by hand, is not taken: the record's own message id is used instead.
 */
export function cleanCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9+/=_:.#-]{8,128}$/.test(value) ? value : undefined;
}
