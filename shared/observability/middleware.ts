/**
 * The middy pieces every function is built from: the log context (cold start, request id, function, for
 * the Powertools Logger), the business metrics flushed once per invocation, and for queue and stream
 * consumers the correlation id of each record. HTTP-only pieces live with the API (functions/api/middleware.ts).
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { logContext } from './logger.ts';
import { flushStoredMetrics, metrics } from './metrics-emitter.ts';

/** Writes the invocation's metrics when it ends, failed or not. */
export function flushMetrics(): MiddlewareObj {
  const flush = () => flushStoredMetrics(metrics);
  return { after: flush, onError: flush };
}

/** A handler as a middy chain with the pieces every function shares; add its own with `.use()`. */
export function lambda<E, R>(handler: (event: E, context: Context) => Promise<R>): MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>()
    // the invocation's context on every line; never the event (it holds tokens and party names)
    .use(logContext())
    .use(flushMetrics())
    .handler(handler);
}
