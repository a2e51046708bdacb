/**
 * Every log line goes through the Powertools Logger: JSON, the level from Lambda's log configuration
 * (AWS_LAMBDA_LOG_LEVEL, else POWERTOOLS_LOG_LEVEL, else INFO), cold start and request ids added by the
 * injectLambdaContext middleware, debug lines for a sampled share of invocations
 * (POWERTOOLS_LOGGER_SAMPLE_RATE), and the correlation id of what is being handled. Only what operators
 * need: never a request body, never a party's name or id number (the e2e tests watch stdout for them).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { correlationId } from './correlation.ts';
import { readableStack } from './stack-trace.ts';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'beian' });

const METHOD = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const id = correlationId();
  logger[METHOD[level]](message, id ? { correlation_id: id, ...fields } : fields);
}

/** An error nobody expected, with a stack trace that names the TypeScript sources (see stack-trace.ts). */
/** A log event stays well under CloudWatch's 256 KB, whatever an error's message quotes. */
const MAX_ERROR_TEXT = 4096;
const capped = (text: string | undefined) => (text && text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}... (${text.length} characters)` : text);

export function logError(error: unknown, message = 'unexpected error'): void {
  const e =
    error instanceof Error
      ? { name: error.name, message: capped(error.message), stack: capped(readableStack(error.stack)) }
      : { value: capped(String(error)) };
  log('ERROR', capped(message)!, { error: e });
}
