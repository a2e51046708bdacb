/**
 * Every function of the manifest, bundled as the CDK app bundles it (esbuild, ESM, minified, SDK inside):
 * its size, and its cold start as median of fresh Node processes that import the bundle and handle one
 * request against DynamoDB Local, beside bare `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functions } from '../functions/manifest.ts';
import { bundlingOptions } from '../infra/bundling.ts';
import { ensureTable, startDynamoLocal } from '../infra/local/dynamodb.ts';
import { freePort, stopProcess } from '../infra/local/processes.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fmt, median } from './stats.ts';

const RUNS = 15;
const TARGET_KB = 400;
const TARGET_IMPORT_MS = 45;

/** One request per function kind, touching DynamoDB. */
const sampleEvents: Record<string, unknown> = {
  api: {
    version: '2.0',
    routeKey: 'GET /v1/jurisdictions',
    rawPath: '/v1/jurisdictions',
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method: 'GET', path: '/v1/jurisdictions' }, authorizer: { jwt: { claims: { sub: 'bench', 'cogniTo:groups': '', 'cognito:groups': '[admin]' }, scopes: null } } },
    isBase64Encoded: false,
  },
};

function timeProcess(args: string[], env: NodeJS.ProcessEnv): { wallMs: number; out: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return { wallMs, out: r.stdout };
}

export async function benchBundles() {
  const outDir = mkdtempSync(join(tmpdir(), 'beian-bench-'));
  const dynamoPort = await freePort();
  const dynamo = await startDynamoLocal(dynamoPort);
  const results: Record<string, number | string> = {};
  try {
    const env = {
      ...process.env,
      TABLE_NAME: 'bench',
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      CURSOR_SECRET: 'bench-secret-bench-secret',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const client = new DynamoDBClient({ endpoint: env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, 'bench');
    client.destroy();

    const bare = Array.from({ length: RUNS }, () => timeProcess(['-e', '0'], env).wallMs);
    const bareMs = median(bare);
    console.log(`  bare node -e 0: median ${fmt(bareMs)} ms over ${RUNS} runs`);
    console.log('  function      size KB  target   import ms  above bare  target   import+1 request ms');
    for (const spec of functions) {
      const outfile = join(outDir, `${spec.name}.mjs`);
      await build({ ...bundlingOptions, entryPoints: [spec.entry], outfile, sourcemap: false, logLevel: 'error' });
      const sizeKb = statSync(outfile).size / 1024;
      const importOnly = join(outDir, `${spec.name}.import.mjs`);
      writeFileSync(importOnly, `await import(${JSON.stringify(outfile)});\n`);
      const withRequest = join(outDir, `${spec.name}.request.mjs`);
      writeFileSync(
        withRequest,
        `const { handler } = await import(${JSON.stringify(outfile)});\n` +
          `const r = await handler(${JSON.stringify(sampleEvents[spec.name] ?? {})}, { awsRequestId: 'bench' });\n` +
          `if (!r || r.statusCode >= 500) { console.error(JSON.stringify(r)); process.exit(1); }\n`,
      );
      const importMs = median(Array.from({ length: RUNS }, () => timeProcess([importOnly], env).wallMs));
      const requestMs = median(Array.from({ length: RUNS }, () => timeProcess([withRequest], env).wallMs));
      const above = importMs - bareMs;
      console.log(
        `  ${spec.name.padEnd(12)} ${fmt(sizeKb).padStart(8)}  ≤${TARGET_KB} ${sizeKb <= TARGET_KB ? 'ok ' : 'OVER'}  ${fmt(importMs).padStart(9)}  ${fmt(above).padStart(10)}  ≤${TARGET_IMPORT_MS} ${above <= TARGET_IMPORT_MS ? 'ok ' : 'OVER'}  ${fmt(requestMs).padStart(10)}`,
      );
      Object.assign(results, { [`${spec.name}.sizeKb`]: sizeKb, [`${spec.name}.importAboveBareMs`]: above, [`${spec.name}.coldRequestMs`]: requestMs });
    }
    results.bareNodeMs = bareMs;
  } finally {
    await stopProcess(dynamo);
    rmSync(outDir, { recursive: true, force: true });
  }
  return results;
}
