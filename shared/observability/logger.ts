/**
 * Every log line goes through the Powertools Logger: JSON, the level from Lambda's log configuration
 * (AWS_LAMBDA_LOG_LEVEL, else POWERTOOLS_LOG_LEVEL, else INFO), the invocation's context (cold start,
 * request id, function) set by the logContext middleware, and the correlation id of what is being
 * handled. Only what operators need: never a request body, never a party's name or id number (the e2e
 * tests watch stdout for them).
 *
 * The Logger is loaded at the first line, not at the cold start: the API writes a line only for what
 * nobody expected, and parsing Powertools at every cold start cost it about 4 ms of its import budget.
 * Lines written before it is loaded wait in order, and the middleware waits for them before the
 * invocation ends, so none is lost to a frozen or ended process.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { correlationId } from './correlation.ts';
import { readableStack } from './stack-trace.ts';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const METHOD = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let instance: Logger | undefined;
let loading: Promise<Logger> | undefined;
const waiting: [LogLevel, string, Record<string, unknown>][] = [];
/** the current invocation's context, and how many invocations this process has had */
let invocation: Context | undefined;
let invocations = 0;

function load(): Promise<Logger> {
  loading ??= import('@aws-lambda-powertools/logger').then(({ Logger: PowertoolsLogger }) => {
    const logger = new PowertoolsLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'beian' });
    // made after the first invocation: that one had the cold start, not this one (reading the flag once
    // clears it; the method is protected in the types, public in the class)
    if (invocations > 1) (logger as unknown as { getColdStart(): boolean }).getColdStart();
    if (invocation) logger.addContext(invocation);
    instance = logger;
    for (const [level, message, fields] of waiting.splice(0)) logger[METHOD[level]](message, fields);
    return logger;
  });
  return loading;
}

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const id = correlationId();
  const withId = id ? { correlation_id: id, ...fields } : fields;
  if (instance) instance[METHOD[level]](message, withId);
  else {
    waiting.push([level, message, withId]);
    void load();
  }
}

/** Resolves when every line logged so far is written. */
export async function logsWritten(): Promise<void> {
  if (waiting.length || (loading && !instance)) await loading;
}

/**
 * The per-invocation log context (a local middleware in place of Powertools' injectLambdaContext, which
 * needs the Logger at the cold start): the Lambda context on every line of the invocation, and every
 * line written before the invocation ends. The event itself is never logged.
 */
export function logContext(): MiddlewareObj {
  const written = () => logsWritten();
  return {
    before: ({ context }) => {
      invocation = context as Context;
      invocations++;
      instance?.addContext(invocation);
    },
    after: written,
    onError: written,
  };
}

/** A log event stays well under CloudWatch's 256 KB, whatever an error's message quotes. */
const MAX_ERROR_TEXT = 4096;
const capped = (text: string | undefined) => (text && text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}... (${text.length} characters)` : text);

/** An error nobody expected, with a stack trace that names the TypeScript sources (see stack-trace.ts). */
export function logError(error: unknown, message = 'unexpected error'): void {
  const e =
    error instanceof Error
      ? { name: error.name, message: capped(error.message), stack: capped(readableStack(error.stack)) }
      : { value: capped(String(error)) };
  log('ERROR', capped(message)!, { error: e });
}
