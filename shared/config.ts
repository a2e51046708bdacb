/**
 * What the functions read from their environment, checked once at start. The names are the ones the CDK
 * app sets together with each grant (functions/manifest.ts `env`); the *_ENDPOINT variables exist only
 * locally, where they point at the emulators.
 */
import { env } from '../functions/manifest.ts';

function required(name: string, e: NodeJS.ProcessEnv): string {
  const value = e[name];
  if (!value) throw new Error(`${name} is not set: the function was deployed without the binding that sets it`);
  return value;
}

export const filingsQueueConfig = (e: NodeJS.ProcessEnv = process.env) => ({
  queueUrl: required(env.queueUrl('filings'), e),
  endpoint: e.SQS_ENDPOINT,
});

export const mailConfig = (e: NodeJS.ProcessEnv = process.env) => ({
  from: required(env.mailFrom, e),
  configurationSet: e[env.mailConfigurationSet],
  endpoint: e.SES_ENDPOINT,
});

export const cursorSecret = (e: NodeJS.ProcessEnv = process.env) => required(env.cursorSecret, e);

/**
 * Requests one caller (an agency, or a person) may make per window, across all instances: by default 300
 * a minute (5/s on average, bursts allowed within the minute), well under the stage-wide 50/s, so one
 * caller cannot take everyone's share. CALLER_RATE_LIMIT="requests/seconds" overrides it.
 */
export function callerRateLimit(e: NodeJS.ProcessEnv = process.env): { requests: number; windowSeconds: number } {
  const value = e.CALLER_RATE_LIMIT;
  if (value === undefined || value === '') return { requests: 300, windowSeconds: 60 };
  const m = /^([1-9]\d{0,9})\/([1-9]\d{0,4})$/.exec(value);
  if (!m) throw new Error(`CALLER_RATE_LIMIT="${value}" is not "requests/seconds" (for example 300/60)`);
  return { requests: Number(m[1]), windowSeconds: Number(m[2]) };
}
