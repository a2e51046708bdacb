/**
 * POST /v1/decisions on the local stack (its own process, real HTTP) at concurrency 1 and 16, beside the
 * same DynamoDB writes (decision + case-number uniqueness, one transaction) issued directly. The API path
 * includes what every request pays for the per-caller limit and the daily quota (one UpdateItem each).
 */
import { SYSTEM, reportedEvent } from '../shared/store/history.ts';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { BeianStore } from '../shared/store/beian-store.ts';
import { RateLimiter } from '../shared/store/rate-limit.ts';
import { createDocumentClient } from '../shared/store/dynamo.ts';
import type { DecisionRecord } from '../shared/store/records.ts';
import { mintToken } from '../infra/local/jwt.ts';
import { fmt, percentile } from './stats.ts';

const DURATION_MS = 3_000;
const ROUNDS = 3;
const TARGET_RATIO = 0.7;

async function load(concurrency: number, one: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const end = performance.now() + DURATION_MS;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const i = n++;
      const t = performance.now();
      await one(i);
      latencies.push(performance.now() - t);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

const decisionBody = (caseNumber: string) => ({
  caseNumber,
  kind: 'PENALTY',
  measures: ['FINE'],
  fineAmount: '200000',
  party: { type: 'ORGANIZATION', name: 'Bench Co.' },
  decidedOn: '2026-11-27',
});

export async function benchApi() {
  // every request still takes its turn from the per-caller limiter (one UpdateItem), which never refuses here
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CALLER_RATE_LIMIT: '100000000/60' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench stack exited with ${code}`)));
  });
  const stack = JSON.parse(line) as { apiUrl: string; dynamoEndpoint: string; tableName: string; stateDir: string };
  const results: Record<string, number> = {};
  try {
    const admin = await mintToken(stack.stateDir, { role: 'admin' });
    // as in AWS: the agency's app client is linked to it (a link found is remembered for a few seconds)
    const agency = await mintToken(stack.stateDir, { role: 'agency', client: 'benchclient' });
    const put = async (path: string, body: unknown) => {
      const r = await fetch(stack.apiUrl + path, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`PUT ${path}: ${r.status} ${await r.text()}`);
    };
    // the daily quota counts every report too (one UpdateItem); set high, it never refuses here
    await put('/v1/jurisdictions/bench', {
      name: 'Bench', hearingThresholds: [{ partyType: 'ORGANIZATION', amount: '100000', effectiveFrom: '2021-01-01' }], dailyQuotaPerAgency: { decisions: 100000, filings: 100000 },
    });
    await put('/v1/agencies/bench-agency', { name: 'Bench agency', jurisdictionId: 'bench', clientIds: ['benchclient'] });

    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const store = new BeianStore(createDocumentClient({ endpoint: stack.dynamoEndpoint }), stack.tableName);
    const direct = async () => {
      const id = randomUUID();
      const now = new Date().toISOString();
      const record: DecisionRecord = {
        ...(decisionBody(`direct-${id}`) as Omit<DecisionRecord, 'id'>),
        id,
        agencyId: 'bench-direct',
        jurisdictionId: 'bench',
        status: 'AWAITING_FILING',
        filingRequired: true,
        filingReasons: [{ code: 'FINE_REACHES_HEARING_THRESHOLD', text: 'fine reaches the threshold' }],
        filingDueOn: '2026-12-11',
        dueProvisional: false,
        createdAt: now,
        updatedAt: now,
      };
      const outcome = await store.createDecision(record, reportedEvent(record, SYSTEM.processor));
      if (outcome.kind !== 'created') throw new Error(outcome.kind);
    };
    const viaApi = async () => {
      const r = await fetch(`${stack.apiUrl}/v1/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
        body: JSON.stringify(decisionBody(`api-${randomUUID()}`)),
      });
      if (r.status !== 201) throw new Error(`POST /v1/decisions: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    };
    // the limiter alone: what it adds to every request (one conditional UpdateItem on DynamoDB Local)
    const limiter = new RateLimiter(createDocumentClient({ endpoint: stack.dynamoEndpoint }), stack.tableName, { requests: 100_000_000, windowSeconds: 60 });
    await load(1, async () => void (await limiter.take('agency:bench-limiter', Date.now())));
    const taken = await load(1, async () => void (await limiter.take('agency:bench-limiter', Date.now())));
    console.log(`  per-caller limiter alone: p50 ${fmt(taken.p50, 2)} ms, p99 ${fmt(taken.p99, 2)} ms added to each request (target p50 < 3 ms) ${taken.p50 < 3 ? 'ok' : 'OVER'}`);
    Object.assign(results, { 'limiter.p50Ms': taken.p50, 'limiter.p99Ms': taken.p99 });
    console.log(`  ${DURATION_MS / 1000} s per measurement, ${ROUNDS} rounds of each in turn (medians); warming up both paths ...`);
    await load(4, direct); // warm both paths
    await load(4, viaApi);
    console.log('  path              conc   req/s    p50 ms   p99 ms');
    for (const concurrency of [1, 16]) {
      // rounds of direct and API in turn, the median of each: this machine drifts by 10% within a minute
      const rounds: { d: Awaited<ReturnType<typeof load>>; a: Awaited<ReturnType<typeof load>> }[] = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push({ d: await load(concurrency, direct), a: await load(concurrency, viaApi) });
      const median = <T,>(xs: T[], by: (x: T) => number) => [...xs].sort((p, q) => by(p) - by(q))[Math.floor(xs.length / 2)]!;
      const d = median(rounds.map((r) => r.d), (x) => x.rate);
      const a = median(rounds.map((r) => r.a), (x) => x.rate);
      const ratio = median(rounds.map((r) => r.a.rate / r.d.rate), (x) => x);
      console.log(`  direct DynamoDB   ${String(concurrency).padStart(4)} ${fmt(d.rate, 0).padStart(7)}  ${fmt(d.p50, 2).padStart(7)}  ${fmt(d.p99, 2).padStart(7)}`);
      console.log(`  POST /v1/decisions${String(concurrency).padStart(4)} ${fmt(a.rate, 0).padStart(7)}  ${fmt(a.p50, 2).padStart(7)}  ${fmt(a.p99, 2).padStart(7)}   ${(ratio * 100).toFixed(0)}% of direct (target ≥ ${TARGET_RATIO * 100}%) ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW'}`);
      Object.assign(results, { [`direct.c${concurrency}.rps`]: d.rate, [`api.c${concurrency}.rps`]: a.rate, [`api.c${concurrency}.ratio`]: ratio });
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return results;
}
