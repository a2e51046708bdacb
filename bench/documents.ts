/**
 * Document verification (issue 9): 100 files of 1 MB and 10 files of 20 MB uploaded to the local S3 through
 * presigned PUTs, then verified by the verify-document function AS DEPLOYED (the bundle CDK ships, run in a
 * fresh Node process with the environment the template gives it, plus the local endpoints), fed the same
 * ObjectCreated events S3 sends to its queue. Reported per set: upload time, time from the event to VERIFIED
 * per file (the queue's own latency is not included), throughput, and the verifier process's peak memory
 * (maxRSS): flat in file size when the verifier streams. Figures, no assertions.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { env, functions } from '../functions/manifest.ts';
import { freePort } from '../infra/local/processes.ts';
import { startQueues } from '../infra/local/queues.ts';
import { bundleFunction } from '../infra/bundling.ts';
import { documentKey } from '../shared/domain/documents.ts';
import { s3DocumentFiles } from '../shared/files/document-files.ts';
import { keys } from '../shared/store/keys.ts';
import type { DocumentRecord } from '../shared/store/records.ts';
import { localTable } from './local-table.ts';
import { fmt } from './stats.ts';

const run = promisify(execFile);
const TABLE = 'bench-documents';
const BUCKET = 'bench-documents';
const MB = 1024 * 1024;
const SETS = [
  { name: '100 x 1 MB', count: 100, size: 1 * MB },
  { name: '10 x 20 MB', count: 10, size: 20 * MB },
] as const;

/** A file of `size` bytes that starts as a PDF does; random after that. */
function pdfOf(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from('%PDF-1.7\n').copy(bytes);
  return bytes;
}

/** The child process: import the bundled handler, verify every event of the set, report times and peak memory. */
const CHILD = `
const { handler } = await import(process.argv[2]);
const events = JSON.parse(await (await import('node:fs/promises')).readFile(process.argv[3], 'utf8'));
const times = [];
const rss = [];
let peak = 0;
// what the verifier holds while it reads, sampled whenever the event loop turns
setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 1).unref();
for (const event of events) {
  const start = performance.now();
  const out = await handler(event, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 120000 });
  if (out?.batchItemFailures?.length) { console.error(JSON.stringify(out)); process.exit(1); }
  times.push(performance.now() - start);
  rss.push(process.memoryUsage().rss);
}
console.log(JSON.stringify({ times, maxRssKb: process.resourceUsage().maxRSS, rss, sampledPeak: peak }));
`;

export async function benchDocuments() {
  const dir = mkdtempSync(join(tmpdir(), 'beian-bench-documents-'));
  const table = await localTable(TABLE);
  const { db, endpoint: dynamoEndpoint } = table;
  const sqs = await startQueues(await freePort(), { documentsBucket: BUCKET });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const files = s3DocumentFiles({ bucket: BUCKET, endpoint: sqs.endpoint });
  try {
    const spec = functions.find((f) => f.name === 'verify-document')!;
    const built = await bundleFunction(spec.entry, join(dir, 'verify-document'), { sourcemap: false });
    if (built.errors.length) throw new Error('the verify-document bundle did not build');
    const childScript = join(dir, 'child.mjs');
    writeFileSync(childScript, CHILD);
    // what the template gives the function, with the local endpoints in place of AWS
    const childEnv = {
      ...process.env,
      [env.tableName]: TABLE,
      [env.documentsBucket]: BUCKET,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      S3_ENDPOINT: sqs.endpoint,
      AWS_LAMBDA_LOG_LEVEL: 'WARN',
      NODE_OPTIONS: '',
    };
    console.log('  set          upload s   verify ms/file p50  max    MB/s   verifier RSS: peak sampled every 1 ms / after each file (max) / getrusage maxRSS');
    for (const set of SETS) {
      const decisionId = randomUUID();
      const docs: DocumentRecord[] = [];
      const uploadStart = performance.now();
      for (let i = 0; i < set.count; i++) {
        const bytes = pdfOf(set.size);
        const documentId = randomUUID();
        const sha256 = createHash('sha256').update(bytes).digest();
        const upload = await files.presignPut(documentKey(decisionId, documentId), { contentType: 'application/pdf', sizeBytes: bytes.length, sha256Base64: sha256.toString('base64') }, 900);
        const res = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
        if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
        const at = new Date().toISOString();
        docs.push({
          documentId, decisionId, agencyId: 'bench-ag', key: documentKey(decisionId, documentId), kind: 'OTHER', title: 'bench', fileName: `bench-${i}.pdf`,
          contentType: 'application/pdf', sizeBytes: bytes.length, sha256: sha256.toString('hex'), status: 'PENDING', createdAt: at, uploadExpiresAt: at,
        });
      }
      const uploadSeconds = (performance.now() - uploadStart) / 1000;
      for (let i = 0; i < docs.length; i += 25) {
        await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: docs.slice(i, i + 25).map((d) => ({ PutRequest: { Item: { pk: keys.decision(d.decisionId).pk, sk: `DOC#${d.documentId}`, ...d } } })) } }));
      }
      // one SQS event of one S3 record per file, as the bucket's notification sends them
      const events = docs.map((d, i) => ({
        Records: [
          {
            messageId: `m-${i}`, receiptHandle: 'r', attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:documents', awsRegion: 'us-east-1',
            body: JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: d.key, size: d.sizeBytes } } }] }),
          },
        ],
      }));
      const eventsFile = join(dir, `events-${set.count}.json`);
      writeFileSync(eventsFile, JSON.stringify(events));
      const { stdout } = await run(process.execPath, [childScript, join(dir, 'verify-document', 'index.mjs'), eventsFile], { env: childEnv, maxBuffer: 10 * MB });
      const { times, maxRssKb, rss } = JSON.parse(stdout.trim().split('\n').pop()!) as { times: number[]; maxRssKb: number; rss: number[] };
      const sampledPeak = (JSON.parse(stdout.trim().split('\n').pop()!) as { sampledPeak: number }).sampledPeak;
      const sorted = [...times].sort((a, b) => a - b);
      const totalMb = (set.count * set.size) / MB;
      const seconds = times.reduce((s, t) => s + t, 0) / 1000;
      console.log(
        `  ${set.name.padEnd(11)}  ${fmt(uploadSeconds).padStart(8)}   ${fmt(sorted[sorted.length >> 1]!).padStart(18)}  ${fmt(sorted[sorted.length - 1]!).padStart(5)}  ${fmt(totalMb / seconds).padStart(6)}   ${sampledPeak >> 20} MB / ${Math.max(...rss) >> 20} MB / ${fmt(maxRssKb / 1024)} MB`,
      );
    }
    console.log('  verify: from the ObjectCreated event to VERIFIED stored (S3 read + SHA-256 + the conditional write), in the bundle as deployed;');
    console.log('  RSS: flat in file size when the verifier streams (a buffered read would add the file size to the sampled peak);');
    console.log('  getrusage maxRSS also counts what the sampler cannot see between event-loop turns: compare it across the two sets');
  } finally {
    await sqs.server.stop();
    await table.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
