/**
 * GET /v1/stats (issue 8) on DynamoDB Local (in memory): two jurisdictions of 20 agencies each, one with
 * 1,000 decisions over a year and one with 100,000, read through the use case and store the API runs
 * (jurisdictionStats + StatsStore): latency p50/p99 and read units per request, per grouping, and the ratio
 * between the sizes (target: within 2x). Figures, no assertions.
 *
 * Seeding: the decisions are written directly (BatchWrite), and the counters as the transactions of their
 * changes leave them: each decision's `contribution` (the function every transaction's delta is taken from)
 * summed per (month, agency). Writing 100,000 decisions one transaction at a time would only make the seeding
 * slower; what a request reads is the same.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { decisionIndexKeys, keys } from '../shared/store/keys.ts';
import type { DecisionRecord, DecisionStatus } from '../shared/store/records.ts';
import { StatsStore, counterItems } from '../shared/store/stats.ts';
import { jurisdictionStats } from '../shared/use-cases/statistics.ts';
import { localTable } from './local-table.ts';
import { fmt, percentile } from './stats.ts';

const TABLE = 'bench-stats';
const AGENCIES = 20;
const REQUESTS = 300;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** the i-th of `count` decisions of a jurisdiction: spread over 2026, every agency, a mix of outcomes */
function decisionAt(jurisdictionId: string, i: number, count: number): DecisionRecord {
  const day = new Date(Date.UTC(2026, 0, 1) + Math.floor((i / count) * 365) * 86_400_000).toISOString().slice(0, 10);
  const r = i % 100;
  const status: DecisionStatus = r < 50 ? 'NOT_REQUIRED' : r < 75 ? 'ACCEPTED' : r < 85 ? 'RECEIVED' : r < 90 ? 'CORRECTION_REQUIRED' : r < 96 ? 'OVERDUE' : 'AWAITING_FILING';
  const required = status !== 'NOT_REQUIRED';
  const filed = status === 'ACCEPTED' || status === 'RECEIVED' || status === 'CORRECTION_REQUIRED';
  const wd = 3 + (i % 17);
  return {
    id: randomUUID(),
    agencyId: `ag-${i % AGENCIES}`,
    jurisdictionId,
    caseNumber: `津市监罚〔2026〕${i}号`,
    kind: 'PENALTY',
    measures: required ? ['FINE'] : ['WARNING'],
    party: { type: 'ORGANIZATION', name: '天津某某食品有限公司' },
    decidedOn: day,
    summary: '当事人未经许可从事食品生产经营活动。',
    legalBasis: '《中华人民共和国食品安全法》第一百二十二条。',
    status,
    filingRequired: required,
    filingReasons: [],
    filingDueOn: required ? day : null,
    dueProvisional: false,
    ...(filed && { firstFiling: { filedOn: day, onTime: wd <= 10, workingDaysLate: Math.max(0, wd - 10), workingDaysToFile: wd } }),
    ...(status === 'CORRECTION_REQUIRED' && { corrections: 1 }),
    createdAt: `${day}T02:00:00.000Z`,
    updatedAt: `${day}T02:00:00.000Z`,
  } as DecisionRecord;
}

async function batchWrite(db: DynamoDBDocumentClient, items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length; attempt++) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
      requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      if (requests.length) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/** Writes `count` decisions of the jurisdiction, its agencies' names, and the counters their contributions add up to. */
async function seed(db: DynamoDBDocumentClient, jurisdictionId: string, count: number) {
  const agencies = Object.fromEntries(Array.from({ length: AGENCIES }, (_, a) => [`ag#ag-${a}`, { name: `第${a + 1}执法局`, contactEmails: [] }]));
  await batchWrite(db, [{ ...keys.jurisdiction(jurisdictionId), jurisdictionId, name: `区${count}`, ...agencies }]);
  const counted: DecisionRecord[] = [];
  const decisions: Record<string, unknown>[] = [];
  const flush = () => Promise.all(Array.from({ length: 8 }, (_, w) => batchWrite(db, decisions.filter((_, k) => Math.floor(k / 25) % 8 === w))));
  for (let i = 0; i < count; i++) {
    const d = decisionAt(jurisdictionId, i, count);
    decisions.push({ ...keys.decision(d.id), ...decisionIndexKeys(d), ...d });
    counted.push(d);
    if (decisions.length === 5_000) await flush(), (decisions.length = 0);
  }
  await flush();
  const counters = counterItems(counted);
  await batchWrite(db, counters);
  return counters.length;
}

export async function benchStatistics(sizes = [1_000, 100_000]) {
  const table = await localTable(TABLE);
  const { db } = table;
  try {
    const store = new StatsStore(db, TABLE);
    const deps = { now: () => new Date('2026-12-15T02:00:00Z'), stats: store };
    const results: Record<string, { p50: number; p99: number; units: number; items: number }> = {};
    for (const size of sizes) {
      const t0 = performance.now();
      console.log(`  seeding ${int(size)} decisions of bench-${size} (${AGENCIES} agencies, 2026)...`);
      const items = await seed(db, `bench-${size}`, size);
      console.log(`    ${int(items)} counter items, seeded in ${fmt((performance.now() - t0) / 1000)} s`);
    }
    // the sizes take turns, request by request, so both are measured in the same state of the JVM
    for (const groupBy of ['agency', 'month'] as const) {
      const query = { from: '2026-01', to: '2026-12', groupBy };
      const callers = sizes.map((size) => ({ role: 'reviewer' as const, subject: 'bench', jurisdictionId: `bench-${size}` }));
      for (let i = 0; i < 20; i++) for (const caller of callers) await jurisdictionStats(deps, caller, query); // warm-up
      const ms: number[][] = sizes.map(() => []);
      for (let i = 0; i < REQUESTS; i++) {
        for (const [k, caller] of callers.entries()) {
          const s = performance.now();
          await jurisdictionStats(deps, caller, query);
          ms[k]!.push(performance.now() - s);
        }
      }
      for (const [k, size] of sizes.entries()) {
        const { readUnits, rows } = await store.counters(`bench-${size}`, '2026-01', '2026-12');
        const jur = await store.jurisdictionNames(`bench-${size}`);
        results[`${size}/${groupBy}`] = { p50: percentile(ms[k]!, 50), p99: percentile(ms[k]!, 99), units: readUnits + 0.5 * Math.ceil(JSON.stringify(jur).length / 4096), items: rows.length };
      }
    }
    console.log('  decisions  groupBy  counter items  read units  ms p50  ms p99');
    for (const [key, r] of Object.entries(results)) {
      const [size, groupBy] = key.split('/');
      console.log(`  ${int(Number(size)).padStart(9)}  ${groupBy!.padEnd(7)}  ${String(r.items).padStart(13)}  ${fmt(r.units).padStart(10)}  ${fmt(r.p50, 2).padStart(6)}  ${fmt(r.p99, 2).padStart(6)}`);
    }
    const [small, large] = sizes;
    for (const groupBy of ['agency', 'month']) {
      const a = results[`${small}/${groupBy}`]!;
      const b = results[`${large}/${groupBy}`]!;
      console.log(
        `  ${groupBy}: ${int(large!)} vs ${int(small!)} decisions: read units x${fmt(b.units / a.units, 2)}, p50 x${fmt(b.p50 / a.p50, 2)}, p99 x${fmt(b.p99 / a.p99, 2)} (target: within 2x)`,
      );
    }
    console.log('  read units: the counters Query (ConsumedCapacity) + the jurisdiction GetItem (0.5 per 4 KB, eventually consistent)');
  } finally {
    await table.stop();
  }
}
