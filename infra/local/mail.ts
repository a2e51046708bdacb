/** The SES emulator (aws-ses-v2-local, in this process): SES v1/v2 SendEmail, mail viewer at `/`, JSON at `/store`. */
import type { Server } from 'node:http';
import * as ses from 'aws-ses-v2-local';
import { env as envNames } from '../../functions/manifest.ts';
import { LocalSetupError } from './processes.ts';
import { startSmtpSink } from './smtp-sink.ts';

// a CommonJS module with an `exports.default`: under ESM the function sits one level down
const start = ((ses as unknown as { default: { default?: unknown } }).default.default ?? (ses as unknown as { default: unknown }).default) as (config: {
  host: string;
  port: number;
}) => Promise<Server>;

/** Listens on 127.0.0.1 unless `host` says otherwise (the emulator's own default is every interface). */
export async function startMail(port: number, host = '127.0.0.1'): Promise<{ server: Server; endpoint: string }> {
  const server = await start({ host, port });
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

export type MailTransport = 'ses' | 'smtp';

/** MAIL_TRANSPORT of the shell that starts the stack, as the functions read it: unset is ses. */
export function mailTransportFromEnv(value = process.env[envNames.mailTransport]): MailTransport {
  if (!value) return 'ses';
  if (value === 'ses' || value === 'smtp') return value;
  throw new LocalSetupError(`${envNames.mailTransport}="${value}" is not a mail transport: use ses (the default) or smtp`);
}

/**
 * Where the local functions send mail: the SES emulator on `viewerPort`, or over SMTP to the local sink on
 * `smtpPort` with its viewer on `viewerPort`. Either way the viewer is at the same address with the same
 * `/store`. `env` is what the functions are given.
 */
export async function startLocalMail(
  transport: MailTransport,
  ports: { viewerPort: number; smtpPort: number },
  host: string,
): Promise<{ endpoint: string; env: Record<string, string>; stop: () => Promise<unknown> }> {
  if (transport === 'ses') {
    const mail = await startMail(ports.viewerPort, host);
    return {
      endpoint: mail.endpoint,
      env: { [envNames.mailTransport]: 'ses', SES_ENDPOINT: mail.endpoint },
      stop: () => new Promise<unknown>((r) => mail.server.close(r)),
    };
  }
  const sink = await startSmtpSink(ports.smtpPort, ports.viewerPort, host);
  return {
    endpoint: sink.endpoint,
    // no secret: the sink takes mail without AUTH, over loopback (a secret name in the shell is not for it)
    env: { [envNames.mailTransport]: 'smtp', [envNames.smtpHost]: '127.0.0.1', [envNames.smtpPort]: String(sink.smtpPort), [envNames.smtpSecretName]: '' },
    stop: sink.close,
  };
}
