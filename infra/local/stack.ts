/**
 * The whole system on one machine: DynamoDB Local, the table from the one definition, and the API served
 * through the same Lambda handlers. `npm start` and the end-to-end tests both start it from here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DAILY, DAILY_RUN_TIME, type FunctionSpec, type QueueName, env as envNames, functions } from '../../functions/manifest.ts';
import { type EventSource, type QueueHandler, pollQueue } from './event-source.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { type MailTransport, mailTransportFromEnv, startLocalMail } from './mail.ts';
import { type LocalQueue, startQueues } from './queues.ts';
import { ensureTable, startDynamoLocal, tableStreamArn } from './dynamodb.ts';
import { type StreamHandler, pollStream, streamsClient } from './stream-source.ts';
import { type ApiHandler, createApiServer } from './http-adapter.ts';
import { type IdentityOption, type StackIdentity, startIdentity } from './identity.ts';
import { LOCAL_CLIENT_IS_AGENCY } from '../../shared/auth/directory.ts';
import { LocalSetupError, freePort, portInUse, stopProcess } from './processes.ts';

/** The documents bucket of the local stack (in the SQS emulator, which serves S3 too). */
export const LOCAL_DOCUMENTS_BUCKET = 'beian-documents';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. Default 3000. */
  port?: number;
  /** DynamoDB Local port; 0 picks a free one. Default 8000. */
  dynamoPort?: number;
  /** keys, secrets and (with persist) DynamoDB data */
  stateDir: string;
  /** keep DynamoDB data under stateDir across restarts (npm start) or in memory (tests) */
  persist: boolean;
  tableName?: string;
  /** SQS emulator port; 0 picks a free one. Default 4566. */
  sqsPort?: number;
  /** SES emulator port (with mailTransport smtp, the SMTP sink's viewer); 0 picks a free one. Default 8005. */
  sesPort?: number;
  /** how the functions send mail: SES to its emulator, or SMTP to a local sink. Default MAIL_TRANSPORT, else ses. */
  mailTransport?: MailTransport;
  /** the SMTP sink's port (mailTransport smtp); 0 picks a free one. Default 2525. */
  smtpPort?: number;
  /** shorter than the manifest's in tests, so a failed message comes back in seconds, not minutes */
  queueVisibilityTimeoutSeconds?: number;
  /** run scheduled functions on their timers (npm start); tests call runSchedule instead */
  timers?: boolean;
  onProgress?: (message: string) => void;
  /**
   * The address every local service listens on: 127.0.0.1, so nothing else on the network reaches the
   * emulators (which take any credentials). A wildcard ('0.0.0.0') exposes them on purpose; the
   * endpoints handed out stay on 127.0.0.1.
   */
  host?: string;
  /**
   * Whose tokens the API takes: the local stand-in for the Cognito user pool (default), or an OpenID
   * Connect issuer as in the AWS China regions (its own, started here, unless `issuer` names one).
   */
  identity?: IdentityOption;
  /** the stack's own OIDC issuer's port; 0 picks a free one. Default 8006. Kept, so are tokens across restarts. */
  oidcPort?: number;
}

export interface LocalStack {
  apiUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  stateDir: string;
  sqsEndpoint: string;
  /** the mail viewer (`/`, and `/store` as JSON): the SES emulator, or the SMTP sink's viewer */
  sesEndpoint: string;
  mailTransport: MailTransport;
  /** the SMTP sink's port, with mailTransport smtp */
  smtpPort?: number;
  /** whose tokens the API takes (the issuer URL of an OIDC one) */
  identity: StackIdentity;
  queues: Map<QueueName, LocalQueue>;
  /** the functions reach SQS through this; switch it off to make the queue unreachable for them */
  sqsFault: FaultProxy;
  /** runs a scheduled function now, as its timer would */
  runSchedule: (name: string, event?: Record<string, unknown>) => Promise<unknown>;
  stop: () => Promise<void>;
}

type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;
const loadHandler = async (spec: FunctionSpec) => ((await import(`../../${spec.entry}`)) as { handler: AnyHandler }).handler;

/** Environment of the functions, as the CDK app would give it in AWS but pointing at the emulators. */
function localEnvironment(stateDir: string, dynamoEndpoint: string, tableName: string, extra: Record<string, string>): Record<string, string> {
  const secretFile = join(stateDir, 'cursor-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    CURSOR_SECRET: readFileSync(secretFile, 'utf8').trim(),
    STAGE: 'local',
    // DynamoDB Local accepts any credentials; fixed ones keep a developer's real AWS keys out of it
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // the SDK's notice about Node 22 is said once by `npm start`, not by every client
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [envNames.mailFrom]: 'beian@example.gov.cn',
    // who gets the calendar watch; in AWS the cdk context operatorEmails
    [envNames.operatorEmails]: process.env[envNames.operatorEmails] ?? '',
    ...extra,
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => {});
  const tableName = options.tableName ?? 'beian-local';
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.stateDir, { recursive: true });
  const port = options.port === 0 ? await freePort() : (options.port ?? 3000);
  const dynamoPort = options.dynamoPort === 0 ? await freePort() : (options.dynamoPort ?? 8000);
  const sqsPort = options.sqsPort === 0 ? await freePort() : (options.sqsPort ?? 4566);
  const sesPort = options.sesPort === 0 ? await freePort() : (options.sesPort ?? 8005);
  const mailTransport = options.mailTransport ?? mailTransportFromEnv();
  const smtpPort = options.smtpPort === 0 ? await freePort() : (options.smtpPort ?? 2525);
  const identityOption = options.identity ?? { kind: 'local' };
  const ownIssuer = identityOption.kind === 'oidc' && identityOption.issuer === undefined;
  const oidcPort = options.oidcPort === 0 ? await freePort() : (options.oidcPort ?? 8006);
  const ports = [
    ['the API', port, 'PORT'],
    ['DynamoDB Local', dynamoPort, 'DYNAMODB_PORT'],
    ['the SQS emulator', sqsPort, 'SQS_PORT'],
    [mailTransport === 'smtp' ? 'the mail viewer' : 'the SES emulator', sesPort, 'SES_PORT'],
    ...(mailTransport === 'smtp' ? [['the SMTP sink', smtpPort, 'SMTP_PORT'] as const] : []),
    ...(ownIssuer ? [['the OIDC issuer', oidcPort, 'OIDC_PORT'] as const] : []),
  ] as const;
  for (const [what, p, variable] of ports) {
    if (await portInUse(p)) {
      throw new LocalSetupError(`port ${p} for ${what} is taken: is another \`npm start\` running? Stop it, or choose another port with ${variable}=...`);
    }
  }

  const children: ChildProcess[] = [];
  const stoppers: (() => Promise<unknown>)[] = [];
  let server: Server | undefined;
  const stop = async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server?.closeAllConnections();
    for (const s of stoppers.reverse()) await s().catch(() => {});
    await Promise.all(children.map((c) => stopProcess(c)));
  };
  try {
    progress(`starting DynamoDB Local on port ${dynamoPort}${options.persist ? ` (data kept in ${join(options.stateDir, 'dynamodb')})` : ' (in memory)'} ...`);
    children.push(await startDynamoLocal(dynamoPort, options.persist ? join(options.stateDir, 'dynamodb') : undefined, host));
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;

    const mailStarting = mailTransport === 'smtp' ? `the SMTP sink on port ${smtpPort} (viewer on ${sesPort})` : `the SES emulator on port ${sesPort}`;
    progress(`starting the SQS emulator on port ${sqsPort} and ${mailStarting} ...`);
    const sqs = await startQueues(sqsPort, {
      host,
      documentsBucket: LOCAL_DOCUMENTS_BUCKET,
      ...(options.queueVisibilityTimeoutSeconds && { visibilityTimeoutSeconds: options.queueVisibilityTimeoutSeconds }),
    });
    stoppers.push(() => sqs.server.stop());
    const mail = await startLocalMail(mailTransport, { viewerPort: sesPort, smtpPort }, host);
    stoppers.push(mail.stop);
    const sqsFault = await startFaultProxy(sqs.server.port);
    stoppers.push(() => sqsFault.close());

    const trust = await startIdentity(options.stateDir, identityOption, oidcPort, host);
    stoppers.push(trust.stop);
    if (trust.identity.kind === 'oidc') progress(`tokens are taken from the OIDC issuer ${trust.identity.issuer} (audience ${trust.identity.audience})`);

    const queueUrls = Object.fromEntries([...sqs.queues.values()].map((q) => [envNames.queueUrl(q.name), q.url]));
    const env = localEnvironment(options.stateDir, dynamoEndpoint, tableName, {
      ...queueUrls,
      SQS_ENDPOINT: `http://127.0.0.1:${sqsFault.port}`,
      ...mail.env,
      // S3 on the SQS emulator's port: presigned URLs name it, so a client uploads to it directly
      S3_ENDPOINT: sqs.endpoint,
      [envNames.documentsBucket]: LOCAL_DOCUMENTS_BUCKET,
      ...trust.env,
      // the shortcut for tokens this stack signs itself; an issuer elsewhere (a real Keycloak) gets none:
      // there, as in AWS, a client id maps to an agency only through a link
      [LOCAL_CLIENT_IS_AGENCY]: trust.identity.kind === 'oidc' && !trust.identity.ownIssuer ? 'false' : 'true',
    });
    Object.assign(process.env, env);
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    progress(`table ${tableName}: ${await ensureTable(client, tableName)}`);
    const streamArn = await tableStreamArn(client, tableName);
    client.destroy();
    const streams = streamsClient(dynamoEndpoint);
    stoppers.push(async () => streams.destroy());

    const poller = new SQSClient({ endpoint: sqs.endpoint, region: env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const scheduled = new Map<string, AnyHandler>();
    for (const spec of functions) {
      const trigger = spec.trigger;
      if (trigger.kind === 'http') {
        const handler = (await loadHandler(spec)) as unknown as ApiHandler;
        server = createApiServer(trigger.routes, handler, trust.verify);
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(port, host, resolve);
        });
      } else if (trigger.kind === 'queue') {
        const source: EventSource = pollQueue(poller, sqs.queues.get(trigger.queue)!, (await loadHandler(spec)) as QueueHandler, {
          batchSize: trigger.batchSize,
          onError: (e) => console.error(`[beian] ${spec.name}:`, (e as Error).message),
        });
        stoppers.push(() => source.stop());
      } else if (trigger.kind === 'tableStream') {
        const source = pollStream(streams, streamArn, (await loadHandler(spec)) as StreamHandler, {
          filter: trigger.newImageFilter,
          batchSize: trigger.batchSize,
          retryAttempts: trigger.retryAttempts,
          onError: (e) => console.error(`[beian] ${spec.name}:`, (e as Error).message),
        });
        stoppers.push(() => source.stop());
      } else {
        const handler = await loadHandler(spec);
        scheduled.set(spec.name, handler);
        if (options.timers) {
          const fire = () => void handler({ source: 'local.schedule' }, {}).catch((e) => console.error(`[beian] ${spec.name}:`, e));
          const stopTimer = trigger.everyMinutes === DAILY ? dailyAt(DAILY_RUN_TIME, fire) : every(trigger.everyMinutes * 60_000, fire);
          stoppers.push(async () => stopTimer());
        }
      }
    }
    stoppers.push(async () => poller.destroy());
    const runSchedule = async (name: string, event: Record<string, unknown> = {}) => {
      const handler = scheduled.get(name);
      if (!handler) throw new Error(`no scheduled function ${name}`);
      return handler({ source: 'local.schedule', ...event }, {});
    };
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      dynamoEndpoint,
      tableName,
      stateDir: options.stateDir,
      sqsEndpoint: sqs.endpoint,
      sesEndpoint: mail.endpoint,
      mailTransport,
      ...(mailTransport === 'smtp' && { smtpPort }),
      identity: trust.identity,
      queues: sqs.queues,
      sqsFault,
      runSchedule,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function every(ms: number, fire: () => void): () => void {
  const timer = setInterval(fire, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** Runs `fire` every day at `hhmm` Asia/Shanghai (UTC+8, no daylight saving), as the CDK app's schedule does. */
export function dailyAt(hhmm: string, fire: () => void, now = () => Date.now()): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    timer = setTimeout(() => (fire(), arm()), msUntilShanghai(hhmm, now()));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** Milliseconds from `nowMs` to the next `hhmm` in Asia/Shanghai (never 0: a time just passed is tomorrow's). */
export function msUntilShanghai(hhmm: string, nowMs: number): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const day = 86_400_000;
  const shanghaiMs = nowMs + 8 * 3_600_000;
  const target = Math.floor(shanghaiMs / day) * day + (h * 60 + m) * 60_000;
  return target > shanghaiMs ? target - shanghaiMs : target + day - shanghaiMs;
}
