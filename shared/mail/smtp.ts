/**
 * SMTP, for the regions without SES (the AWS China regions). nodemailer, and the Secrets Manager client
 * that reads the account, are loaded at the first mail, so the notice sender's cold start parses neither.
 */
import type { Mail, Mailer } from '../use-cases/notices.ts';

/**
 * How the connection is protected: `implicit` is TLS from the first byte (port 465); `starttls` upgrades
 * before anything else is said and refuses a server that cannot; `none` is plain text, for a server on
 * this machine only (the local sink). Which one a host and port get: smtpTlsFor (shared/config.ts).
 */
export type SmtpTls = 'implicit' | 'starttls' | 'none';

export interface SmtpConfig {
  from: string;
  host: string;
  port: number;
  tls: SmtpTls;
  /** the Secrets Manager secret of the account, SecretString {"username","password"}; without it no AUTH */
  secretName?: string | undefined;
  /** local and tests only: where Secrets Manager is */
  secretsEndpoint?: string | undefined;
}

/**
 * Each well under the send-notices function's 30 s timeout (functions/manifest.ts): a server that does not
 * answer fails the send, and the claim is given back, before Lambda kills the function.
 */
const TIMEOUTS = { dnsTimeout: 5_000, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 };

export interface SmtpCredentials {
  username: string;
  password: string;
}

const SMTP_SECRET_SHAPE = '{"username":"...","password":"..."}';

/** The secret's SecretString as the account; the error names the shape expected, never the value. */
export function parseSmtpSecret(secretName: string, secretString: string | undefined): SmtpCredentials {
  const wrong = (why: string) => new Error(`secret ${secretName} is not an SMTP account: its SecretString must be JSON ${SMTP_SECRET_SHAPE} (${why})`);
  if (!secretString) throw wrong('it has no SecretString: a binary secret?');
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw wrong('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong('it is not a JSON object');
  const { username, password } = value as Record<string, unknown>;
  for (const [field, v] of [['username', username], ['password', password]] as const) {
    if (typeof v !== 'string' || !v) throw wrong(`"${field}" is missing, empty or not a string`);
  }
  return { username: username as string, password: password as string };
}

async function readSmtpSecret(secretName: string, endpoint: string | undefined): Promise<SmtpCredentials> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  // bounded like the SMTP connection: an unreachable Secrets Manager fails the send inside the function's time
  const client = new SecretsManagerClient({ ...(endpoint && { endpoint }), requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    return parseSmtpSecret(secretName, out.SecretString);
  } finally {
    client.destroy();
  }
}

/** The server refused the account (535, or another AUTH failure): a rotated password, for one. */
const isAuthFailure = (e: unknown) => (e as { code?: unknown }).code === 'EAUTH' || (e as { responseCode?: unknown }).responseCode === 535;

/**
 * One transport per warm function, a connection per mail (no pool: a function sends a few mails at a
 * time). The account is read once; a refused login forgets it, so the next mail reads the secret again
 * and a rotated password is picked up. `ca` is for tests only: the one certificate to trust instead of
 * the system's (a self-signed test server).
 */
/** local@domain with nothing a header or an SMTP command could be split on */
const PLAIN_ADDRESS = /^[^\s@<>(),;:"\\\[\]]{1,64}@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

export function smtpMailer(config: SmtpConfig, options: { ca?: string } = {}): Mailer {
  type Transport = import('nodemailer').Transporter;
  let transport: Promise<Transport> | undefined;
  const connect = async (): Promise<Transport> => {
    const [{ createTransport }, account] = await Promise.all([
      import('nodemailer'),
      config.secretName ? readSmtpSecret(config.secretName, config.secretsEndpoint) : undefined,
    ]);
    return createTransport({
      host: config.host,
      port: config.port,
      secure: config.tls === 'implicit',
      requireTLS: config.tls === 'starttls',
      ...TIMEOUTS,
      ...(account && { auth: { user: account.username, pass: account.password } }),
      ...(options.ca && { tls: { ca: options.ca } }),
    });
  };
  const forget = (current: Promise<Transport>) => {
    if (transport === current) transport = undefined;
  };
  return {
    async send(mail: Mail) {
      const current = (transport ??= connect());
      let sender: Transport;
      try {
        sender = await current;
      } catch (e) {
        forget(current); // a failed read of the secret is tried again at the next mail
        throw e;
      }
      // every recipient a plain address, and the envelope said outright: nodemailer parses a To string as an
      // address list, so a line break or a comma in one would add recipients (the API refuses such
      // addresses; this is the last line of defence)
      const bad = mail.to.filter((address) => !PLAIN_ADDRESS.test(address));
      if (bad.length || !mail.to.length) throw new Error(`refusing to send: ${bad.length ? `${bad.length} recipient(s) are not plain addresses` : 'no recipient'}`);
      try {
        const info = await sender.sendMail({ from: config.from, to: mail.to, envelope: { from: config.from, to: mail.to }, subject: mail.subject, text: mail.text, html: mail.html });
        return { messageId: String(info.messageId ?? '') };
      } catch (e) {
        if (isAuthFailure(e)) forget(current);
        throw e;
      }
    },
  };
}
