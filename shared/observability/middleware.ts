/**
 * The middy pieces every function is built from: Powertools' log context (cold start, request id,
 * sampled debug), the business metrics flushed once per invocation, and for queue and stream consumers
 * the correlation id of each record. HTTP-only pieces live with the API (functions/api/middleware.ts).
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';
import { flushStoredMetrics, metrics } from './metrics-emitter.ts';

/** Writes the invocation's metrics when it ends, failed or not. */
export function flushMetrics(): MiddlewareObj {
  const flush = () => flushStoredMetrics(metrics);
  return { after: flush, onError: flush };
}

/** A handler as a middy chain with the pieces every function shares; add its own with `.use()`. */
export function lambda<E, R>(handler: (event: E, context: Context) => Promise<R>): MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>()
    // never the event: it holds tokens and party names, whatever POWERTOOLS_LOGGER_LOG_EVENT says
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .handler(handler);
}
