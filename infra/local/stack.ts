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
import { functions } from '../../functions/manifest.ts';
import { ensureTable, startDynamoLocal } from './dynamodb.ts';
import { type ApiHandler, createApiServer } from './http-adapter.ts';
import { verifyToken } from './jwt.ts';
import { LocalSetupError, freePort, portInUse, stopProcess } from './processes.ts';

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
  onProgress?: (message: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  stateDir: string;
  stop: () => Promise<void>;
}

/** Environment of the functions, as the CDK app would give it in AWS but pointing at the emulators. */
function localEnvironment(stateDir: string, dynamoEndpoint: string, tableName: string): Record<string, string> {
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
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => {});
  const tableName = options.tableName ?? 'beian-local';
  mkdirSync(options.stateDir, { recursive: true });
  const port = options.port === 0 ? await freePort() : (options.port ?? 3000);
  const dynamoPort = options.dynamoPort === 0 ? await freePort() : (options.dynamoPort ?? 8000);
  for (const [what, p, variable] of [['the API', port, 'PORT'], ['DynamoDB Local', dynamoPort, 'DYNAMODB_PORT']] as const) {
    if (await portInUse(p)) {
      throw new LocalSetupError(`port ${p} for ${what} is taken: is another \`npm start\` running? Stop it, or choose another port with ${variable}=...`);
    }
  }

  const children: ChildProcess[] = [];
  let server: Server | undefined;
  const stop = async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server?.closeAllConnections();
    await Promise.all(children.map((c) => stopProcess(c)));
  };
  try {
    progress(`starting DynamoDB Local on port ${dynamoPort}${options.persist ? ' (data kept in .local/)' : ' (in memory)'} ...`);
    children.push(await startDynamoLocal(dynamoPort, options.persist ? join(options.stateDir, 'dynamodb') : undefined));
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
    const env = localEnvironment(options.stateDir, dynamoEndpoint, tableName);
    Object.assign(process.env, env);
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    progress(`table ${tableName}: ${await ensureTable(client, tableName)}`);
    client.destroy();

    const api = functions.find((f) => f.trigger.kind === 'http')!;
    if (api.trigger.kind !== 'http') throw new Error('unreachable');
    const { handler } = (await import(`../../${api.entry}`)) as { handler: ApiHandler };
    server = createApiServer(api.trigger.routes, handler, (token) => verifyToken(options.stateDir, token));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', resolve);
    });
    return { apiUrl: `http://127.0.0.1:${port}`, dynamoEndpoint, tableName, stateDir: options.stateDir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
