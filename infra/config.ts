/**
 * The deployment configuration: CDK context keys, validated once with their defaults.
 * Set them in cdk.json "context" or with `-c key=value`. Values given with `-c` arrive as strings,
 * so list keys also accept a JSON array ('["a","b"]') or a comma-separated string (a,b), and number keys
 * a numeric string.
 */
import { z } from 'zod';
import { DAILY_RUN_TIME } from '../functions/manifest.ts';
import { OIDC_CLAIM_DEFAULTS, OIDC_CLAIM_NAME } from '../shared/auth/identity.ts';

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const STAGE = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
const AGENCY_ID = /^[a-z0-9-]{2,64}$/;
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOOPBACK = /^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The AWS China regions (partition aws-cn): no Cognito user pools, no SES, no X-Ray for Lambda (docs/operating.md, China). */
export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;
export const isChinaRegion = (region: string | undefined) => region !== undefined && (CHINA_REGIONS as readonly string[]).includes(region);

export { OIDC_CLAIM_DEFAULTS };

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

const claimName = (what: string) =>
  z.string().regex(OIDC_CLAIM_NAME, `must be the name of a top-level token claim carrying ${what}: 1-64 characters of A-Z, a-z, 0-9 and _ : . - /`);

export const configSchema = z
  .object({
    /** The AWS account to deploy to (12 digits); default: the CLI's (CDK_DEFAULT_ACCOUNT). */
    account: z.string().regex(ACCOUNT, 'must be a 12-digit AWS account id').optional(),
    /**
     * The region to deploy to; default: the CLI's (CDK_DEFAULT_REGION). A China region (cn-north-1 Beijing,
     * cn-northwest-1 Ningxia) chooses identity=oidc and mailTransport=smtp and turns tracing off.
     */
    region: z
      .string()
      .regex(REGION, 'must be an AWS region such as cn-north-1, cn-northwest-1 or ap-east-1')
      .refine((r) => !r.startsWith('cn-') || isChinaRegion(r), { error: `is not an AWS China region: those are ${CHINA_REGIONS.join(' (Beijing) and ').replace(/$/, ' (Ningxia)')}` })
      .optional(),
    /** Who issues tokens: the stack's own Cognito user pool, or an external OpenID Connect issuer (default in China). */
    identity: z.enum(['cognito', 'oidc'], { error: 'must be cognito or oidc' }).optional(),
    /** With identity=oidc: the issuer URL, exactly the `iss` of its tokens (https://, no trailing slash). */
    oidcIssuer: z
      .string()
      .refine((v) => {
        try {
          const url = new URL(v);
          return url.protocol === 'https:' && !v.endsWith('/') && !url.search && !url.hash;
        } catch {
          return false;
        }
      }, { error: 'must be the https:// URL of the issuer exactly as its tokens\' iss claim says it, without a trailing slash, e.g. https://idp.example.cn/realms/beian' })
      .optional(),
    /** With identity=oidc: the audience(s) a token must name in `aud` (or, without aud, in client_id). */
    oidcAudience: list(z.string().min(1, { error: 'an audience must not be empty' }).max(256, { error: 'an audience is at most 256 characters' }))
      .refine((a) => a.length > 0, { error: 'must name at least one audience' })
      .optional(),
    oidcRoleClaim: claimName('the roles (admin, reviewer, agency)').default(OIDC_CLAIM_DEFAULTS.roleClaim),
    oidcJurisdictionClaim: claimName("a reviewer's jurisdiction id").default(OIDC_CLAIM_DEFAULTS.jurisdictionClaim),
    oidcClientIdClaim: claimName("an agency system's client id").default(OIDC_CLAIM_DEFAULTS.clientIdClaim),
    /** How notices leave: SES v2, or SMTP to a provider or relay (default in China, which has no SES). */
    mailTransport: z.enum(['ses', 'smtp'], { error: 'must be ses or smtp' }).optional(),
    /** With mailTransport=smtp: the SMTP server, e.g. smtpdm.aliyun.com. */
    smtpHost: z
      .string()
      .transform((h) => h.toLowerCase())
      .pipe(z.string().regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a host name such as smtpdm.aliyun.com or relay (no scheme, no port: the port is smtpPort)'))
      .optional(),
    /** With mailTransport=smtp: 465 (TLS from the start), or 587/25/80 (STARTTLS, required). */
    smtpPort: numeric()
      .pipe(z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be a port, 1-65535' }).max(65535, { error: 'must be a port, 1-65535' }))
      .default(465),
    /** With mailTransport=smtp: the Secrets Manager secret (made by the operator) holding {"username","password"}. */
    smtpSecretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)')
      .optional(),
    /** A custom domain for the API (required in China for a public API: it needs an ICP licence); the default endpoint is then disabled. */
    apiDomainName: z
      .string()
      .transform((h) => h.toLowerCase())
      .pipe(z.string().regex(HOSTNAME, 'must be a host name such as beian.example.gov.cn'))
      .optional(),
    /** The ACM certificate of apiDomainName, in the deployment's region. */
    certificateArn: z
      .string()
      .regex(/^arn:aws(?:-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'must be an ACM certificate ARN, e.g. arn:aws-cn:acm:cn-north-1:123456789012:certificate/...')
      .optional(),
    /**
     * Where alarm descriptions send people: the runbook (docs/operating.md) at a URL your operators can open,
     * e.g. https://git.example.gov.cn/beian/blob/main/docs/operating.md; each alarm appends #runbook-<entry>.
     */
    runbookUrl: z
      .string()
      .refine((v) => !/[\s#]/.test(v) && (v === 'docs/operating.md' || /^https:\/\/[^/]+\/./.test(v)), { error: 'must be an https:// URL of docs/operating.md (no #fragment), e.g. https://git.example.gov.cn/beian/blob/main/docs/operating.md' })
      .default('docs/operating.md'),
    /** Lambda architecture: arm64 (default, cheaper) or x86_64 where arm64 is not offered. */
    architecture: z.enum(['arm64', 'x86_64'], { error: 'must be arm64 or x86_64' }).default('arm64'),
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
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], input: (c as Record<string, unknown>)[path], message });
    const china = isChinaRegion(c.region);
    const identity = c.identity ?? (china ? 'oidc' : 'cognito');
    const mail = c.mailTransport ?? (china ? 'smtp' : 'ses');
    if (china && identity === 'cognito') {
      issue('identity', `must be oidc in ${c.region} (leave identity unset: oidc is the default there): Cognito user pools are not offered in the AWS China regions; set oidcIssuer and oidcAudience to your OpenID Connect issuer (Keycloak, Authing, a government identity platform)`);
    }
    if (china && mail === 'ses') {
      issue('mailTransport', `must be smtp in ${c.region} (leave mailTransport unset: smtp is the default there): SES is not offered in the AWS China regions; set smtpHost, smtpPort and smtpSecretName`);
    }
    if (identity === 'oidc') {
      if (!c.oidcIssuer) issue('oidcIssuer', 'must be set with identity=oidc: the https:// issuer URL of your OpenID Connect provider, e.g. https://idp.example.cn/realms/beian');
      if (!c.oidcAudience) issue('oidcAudience', 'must be set with identity=oidc: the audience (aud) your issuer puts in tokens for Beian, e.g. beian');
      if (c.agencyClients?.length) issue('agencyClients', 'creates Cognito app clients, so it works with identity=cognito only: with an external issuer, create each agency\'s client there and link it with PUT /v1/agencies/{id} "clientIds"');
    } else if (!china) {
      for (const key of ['oidcIssuer', 'oidcAudience'] as const) if (c[key] !== undefined) issue(key, 'is used only with identity=oidc (the user pool issues the tokens otherwise)');
    }
    if (mail === 'smtp') {
      if (!c.smtpHost) issue('smtpHost', 'must be set with mailTransport=smtp: your SMTP provider or relay, e.g. smtpdm.aliyun.com');
      if (!c.smtpSecretName) issue('smtpSecretName', 'must be set with mailTransport=smtp: the Secrets Manager secret holding {"username","password"} of the SMTP account, e.g. beian/smtp');
      if (c.allowedRecipientDomains?.length) issue('allowedRecipientDomains', 'is enforced by IAM on SES sending, which mailTransport=smtp does not use: leave it unset (the code sends only to registered addresses)');
    } else if (!china) {
      for (const key of ['smtpHost', 'smtpSecretName'] as const) if (c[key] !== undefined) issue(key, 'is used only with mailTransport=smtp');
    }
    if ((c.apiDomainName === undefined) !== (c.certificateArn === undefined)) {
      issue(c.apiDomainName === undefined ? 'apiDomainName' : 'certificateArn', 'apiDomainName and certificateArn go together: the custom domain and its ACM certificate');
    }
    if (c.certificateArn && c.region) {
      const [, partition, , region] = c.certificateArn.split(':');
      if (region !== c.region) issue('certificateArn', `must be a certificate in the deployment's region ${c.region} (API Gateway regional domains use a certificate of their own region)`);
      else if ((partition === 'aws-cn') !== china) issue('certificateArn', `is in partition ${partition}, not the one of ${c.region}`);
    }
    if (isProductionStage(c.stage) && identity === 'cognito' && c.peopleCallbackUrls === undefined) {
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
    identity: c.identity ?? (isChinaRegion(c.region) ? 'oidc' : 'cognito'),
    mailTransport: c.mailTransport ?? (isChinaRegion(c.region) ? 'smtp' : 'ses'),
    /** X-Ray tracing of Lambda is not available in the China regions */
    tracing: !isChinaRegion(c.region),
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
