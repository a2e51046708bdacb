/**
 * What the functions read from their environment, checked once at start. The names are the ones the CDK
 * app sets together with each grant (functions/manifest.ts `env`); the *_ENDPOINT variables exist only
 * locally, where they point at the emulators.
 */
import { isIP } from 'node:net';
import { env } from '../functions/manifest.ts';
// types only: a value import would put nodemailer's chunk into every function that reads its config
import type { SmtpConfig, SmtpTls } from './mail/smtp.ts';
import { COGNITO_IDENTITY, type Identity, oidcIdentity } from './auth/identity.ts';

function required(name: string, e: NodeJS.ProcessEnv): string {
  const value = e[name];
  if (!value) throw new Error(`${name} is not set: the function was deployed without the binding that sets it`);
  return value;
}

export const filingsQueueConfig = (e: NodeJS.ProcessEnv = process.env) => ({
  queueUrl: required(env.queueUrl('filings'), e),
  endpoint: e.SQS_ENDPOINT,
});

export type MailConfig =
  | { transport: 'ses'; from: string; configurationSet: string | undefined; endpoint: string | undefined }
  | ({ transport: 'smtp' } & SmtpConfig);

/**
 * How notices leave: SES (MAIL_TRANSPORT unset or `ses`), or SMTP where SES does not exist (the AWS China
 * regions): SMTP_HOST, SMTP_PORT (default 587; 465 is TLS from the start, any other port must offer
 * STARTTLS unless the host is loopback) and SMTP_SECRET_NAME (the account; none, no AUTH).
 */
export function mailConfig(e: NodeJS.ProcessEnv = process.env): MailConfig {
  const from = required(env.mailFrom, e);
  const transport = e[env.mailTransport] || 'ses';
  if (transport === 'ses') return { transport, from, configurationSet: e[env.mailConfigurationSet], endpoint: e.SES_ENDPOINT };
  if (transport !== 'smtp') throw new Error(`${env.mailTransport}="${transport}" is not a mail transport: use ses (the default) or smtp`);
  const host = e[env.smtpHost]?.trim();
  if (!host) throw new Error(`${env.smtpHost} is not set: ${env.mailTransport}=smtp needs the SMTP server's host name`);
  if (!/^[a-z0-9.-]+$/i.test(host) && !isIP(host)) {
    throw new Error(`${env.smtpHost}="${host}" is not a host name or IP address (no scheme, no port: the port is ${env.smtpPort})`);
  }
  const portText = e[env.smtpPort] || '587';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new Error(`${env.smtpPort}="${portText}" is not a port (1-65535): 465 for TLS from the start, 587 for STARTTLS`);
  return { transport, from, host, port, tls: smtpTlsFor(host, port), secretName: e[env.smtpSecretName] || undefined, secretsEndpoint: e.SECRETS_MANAGER_ENDPOINT || undefined };
}

/** Credentials never travel in clear: only a loopback host (the local sink) is spoken to without TLS. */
export function smtpTlsFor(host: string, port: number): SmtpTls {
  if (port === 465) return 'implicit';
  const h = host.toLowerCase();
  const loopback = h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
  return loopback ? 'none' : 'starttls';
}

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

/**
 * Who issues the tokens the API gateway lets through (IDENTITY: `cognito`, the default, or `oidc`), and
 * with `oidc` the claims that carry role, jurisdiction and client id (OIDC_*_CLAIM, defaults in
 * shared/auth/identity.ts). The OIDC_* names are ignored under Cognito, whose claims are fixed: a
 * deployment may set them all the time.
 */
export function identityConfig(e: NodeJS.ProcessEnv = process.env): Identity {
  const kind = e[env.identity] || 'cognito';
  if (kind === 'cognito') return COGNITO_IDENTITY;
  if (kind !== 'oidc') throw new Error(`${env.identity}="${kind}" is not cognito or oidc`);
  const names = { roleClaim: env.oidcRoleClaim, jurisdictionClaim: env.oidcJurisdictionClaim, clientIdClaim: env.oidcClientIdClaim } as const;
  // an empty variable means the default, as an unset one does
  return oidcIdentity(
    { roleClaim: e[names.roleClaim] || undefined, jurisdictionClaim: e[names.jurisdictionClaim] || undefined, clientIdClaim: e[names.clientIdClaim] || undefined },
    (key) => names[key],
  );
}
