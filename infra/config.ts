/**
 * The deployment configuration: CDK context keys, validated once with their defaults.
 * Set them in cdk.json "context" or with `-c key=value`. Values given with `-c` arrive as strings,
 * so list keys also accept a JSON array ('["a","b"]') or a comma-separated string (a,b), and number keys
 * a numeric string.
 */
import { z } from 'zod';
import { DAILY_RUN_TIME } from '../functions/manifest.ts';

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const STAGE = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
const AGENCY_ID = /^[a-z0-9-]{2,64}$/;
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOOPBACK = /^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;

/** A list key: a real array (cdk.json) or a JSON array string (`-c key='["a"]'`). */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (!text.startsWith('[')) return text.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value; // not JSON: the array check below reports it
    }
  }, z.array(item, { error: 'must be a list: a JSON array ["a","b"] or comma-separated a,b' }));
}

/** A number key: a real number (cdk.json) or a numeric string (`-c key=365`). */
function numeric() {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z.number({ error: 'must be a number' }),
  );
}

function isOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const bare = url.origin === value; // no path, query, fragment or trailing slash
  return bare && (url.protocol === 'https:' || LOOPBACK.test(value));
}

function isCallbackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK.test(url.origin);
  } catch {
    return false;
  }
}

const unique = (values: readonly string[]) => new Set(values).size === values.length;

/** A production stage: `prod`, or any stage whose name starts with it (prod, prod-tj, production). */
export const isProductionStage = (stage: string) => /^prod/.test(stage);

/** Where people are sent back after signing in, on a stage that is not production and sets nothing else. */
export const LOCAL_CALLBACK_URLS = ['http://localhost:8765/callback'] as const;

import { NOTICE_RETENTION_DAYS } from '../functions/manifest.ts';
export { NOTICE_RETENTION_DAYS };

export const configSchema = z
  .object({
    /** Names the stacks and resources: Beian-<stage>-Stateful, Beian-<stage>-Stateless. */
    stage: z
      .string()
      .regex(STAGE, 'must be 1-20 characters of a-z, 0-9 and "-", not starting or ending with "-"')
      .default('dev'),
    /** The sender address of every notice; an SES email identity is created for it. */
    mailFrom: z.email({ error: 'must be an email address, e.g. beian@example.gov.cn' }).default('beian@example.gov.cn'),
    /** Browser origins allowed by CORS. Empty: no CORS (machine clients do not need it). */
    allowedOrigins: list(
      z.string().refine(isOrigin, {
        error: 'each origin must be https://host[:port] (or http://localhost[:port]) with no path or trailing slash',
      }),
    )
      .refine(unique, { error: 'must not repeat an origin' })
      .default([]),
    /** Local time in Asia/Shanghai at which daily jobs (a schedule of every DAILY minutes, e.g. the deadline sweep) run. */
    dailyRunTime: z.string().regex(HH_MM, 'must be HH:MM, 24-hour, Asia/Shanghai local time, e.g. "08:30"').default(DAILY_RUN_TIME),
    /** One OAuth client-credentials app client per agency id listed here. */
    agencyClients: list(z.string().regex(AGENCY_ID, 'each agency id must be 2-64 characters of a-z, 0-9 and "-"'))
      .refine(unique, { error: 'must not repeat an agency id' })
      .default([]),
    /** Retention of every log group (functions, API access log, custom resources). */
    logRetentionDays: numeric()
      .pipe(
        z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
          error: `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
        }),
      )
      .default(365),
    /** Prefix of the user pool's hosted domain (<prefix>.auth.<region>.amazoncognito.com); unique per region. */
    authDomainPrefix: z
      .string()
      .regex(DOMAIN_PREFIX, 'must be 1-63 characters of a-z, 0-9 and "-", not starting or ending with "-"')
      .refine((p) => !/aws|amazon|cognito/.test(p), { error: 'must not contain "aws", "amazon" or "cognito" (Cognito rejects them)' })
      .optional(),
    /** Where the user pool may send people back after signing in (authorization code flow with PKCE). */
    peopleCallbackUrls: list(
      z.string().refine(isCallbackUrl, { error: 'each callback URL must be https:// (or http://localhost[:port]/...)' }),
    )
      .refine((urls) => urls.length > 0, { error: 'must list at least one URL' })
      // default (LOCAL_CALLBACK_URLS) only on a stage that is not production: see the transform below
      .optional(),
    /** Addresses subscribed to the alarm topic (each must confirm the subscription mail). */
    alarmEmails: list(z.email({ error: 'each entry must be an email address' })).default([]),
    /**
     * Mail domains (and their subdomains) the notice sender may send to, enforced by IAM on the SES send
     * permission (ses:Recipients). Empty: no such limit (the code still sends only to registered addresses).
     */
    allowedRecipientDomains: list(
      z
        .string()
        .transform((d) => d.toLowerCase())
        .pipe(z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'each entry must be a mail domain such as tj.gov.cn')),
    ).default([]),
    /**
     * The operators' addresses: they get the daily calendar-watch notice (next year's holiday schedule is
     * missing) through the outbox. Functions whose manifest needs say operatorEmails get them as OPERATOR_EMAILS.
     */
    operatorEmails: list(z.email({ error: 'each entry must be an email address' })).default([]),
    /** Days a notice (receipt, digest, summary, warning) is kept after it was sent; then the table's TTL removes it. */
    noticeRetentionDays: numeric()
      .pipe(z.number().int({ error: 'must be a whole number of days' }).min(30, { error: 'must be at least 30 days' }).max(3653, { error: 'must be at most 3653 days (10 years)' }))
      .default(NOTICE_RETENTION_DAYS),
  })
  .superRefine((c, ctx) => {
    if (isProductionStage(c.stage) && c.peopleCallbackUrls === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['peopleCallbackUrls'],
        input: c.peopleCallbackUrls,
        message: `must be set on a production stage ("${c.stage}": a stage named prod or prod-...): the https:// URL(s) of your sign-in page, e.g. ["https://beian.example.gov.cn/callback"]; the loopback default ${LOCAL_CALLBACK_URLS[0]} applies only to other stages`,
      });
    }
  })
  .transform((c) => ({
    ...c,
    authDomainPrefix: c.authDomainPrefix ?? `beian-${c.stage}`,
    peopleCallbackUrls: c.peopleCallbackUrls ?? [...LOCAL_CALLBACK_URLS],
  }));

export type BeianConfig = z.output<typeof configSchema>;
export type ConfigKey = keyof z.input<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.in.shape) as ConfigKey[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Reads every key through `get` (e.g. `key => app.node.tryGetContext(key)`) and returns the validated
 * configuration, or throws a ConfigError naming each bad key, the reason and the value given.
 */
export function readConfig(get: (key: ConfigKey) => unknown): BeianConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = get(key);
    if (value !== undefined && value !== null) raw[key] = value;
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const [key, ...rest] = issue.path.map(String);
    const where = rest.length ? `${key}[${rest.join('.')}]` : key;
    const given = 'input' in issue ? issue.input : raw[key ?? ''];
    return `  - context "${where}": ${issue.message} (${given === undefined ? 'not set' : `got ${show(given)}`})`;
  });
  throw new ConfigError(
    `Invalid CDK context:\n${lines.join('\n')}\nSet it in cdk.json "context" or with -c KEY=VALUE (see docs/operating.md).`,
  );
}
