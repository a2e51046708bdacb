/**
 * Read units of decision lists (issue 12 item 3) on DynamoDB Local (in memory), 100,000 decisions of one
 * jurisdiction (20 agencies, a year of decisions with their texts and filings), through the use case the API
 * runs (GET /v1/decisions). For each filter and scope: the read units of one request, the items it returned,
 * and the target: at most 2x the units of the items returned, plus one page (the units of one unfiltered page
 * of 25 list items, measured on the same index). The issue's own example, `?status=SUBMITTED&limit=1` with
 * the few SUBMITTED decisions the oldest, is also read as it was before (a FilterExpression over the
 * jurisdiction's index projecting everything, 100 items a read, up to 20 reads). Figures, no assertions.
 */
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { indexesSettled } from '../infra/local/dynamodb.ts';
import type { Caller } from '../shared/auth/caller.ts';
import { CursorCodec } from '../shared/http/cursor.ts';
import type { ListDecisionsQuery } from '../shared/schemas/api.ts';
import { BeianStore } from '../shared/store/beian-store.ts';
import { decisionIndexKeys, keys } from '../shared/store/keys.ts';
import type { DecisionRecord, DecisionStatus } from '../shared/store/records.ts';
import { listDecisions } from '../shared/use-cases/decisions.ts';
import type { Deps } from '../shared/use-cases/deps.ts';
import { localTable } from './local-table.ts';
import { fmt, median } from './stats.ts';

const TABLE = 'bench-lists';
const JURISDICTION = 'bench-j';
const AGENCIES = 20;
const SEED_CONCURRENCY = 12;
const REPEAT = 5;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** status of the i-th decision, 0 the newest: the few SUBMITTED are the oldest of all (the worst case of a filter) */
function statusOf(i: number, count: number): DecisionStatus {
  if (i >= count - 10) return 'SUBMITTED';
  const r = i % 100;
  return r < 55 ? 'NOT_REQUIRED' : r < 90 ? 'RECEIVED' : r < 96 ? 'AWAITING_FILING' : r < 99 ? 'OVERDUE' : 'INCOMPLETE';
}

/** runs of seven consecutive decisions per agency, so every agency has decisions of every status */
const agencyOf = (i: number) => `bench-ag-${Math.floor(i / 7) % AGENCIES}`;

/** the i-th decision, newest first: decided over a year, with a realistic summary, legal basis and (when filed) filing */
function decisionAt(i: number, count: number): DecisionRecord {
  const day = new Date(Date.UTC(2026, 10, 30) - Math.floor((i / count) * 364) * 86_400_000).toISOString().slice(0, 10);
  const status = statusOf(i, count);
  const required = status !== 'NOT_REQUIRED';
  const at = `${day}T02:00:00.000Z`;
  const due = new Date(Date.parse(day) + 14 * 86_400_000).toISOString().slice(0, 10);
  return {
    id: randomUUID(),
    agencyId: agencyOf(i),
    jurisdictionId: JURISDICTION,
    caseNumber: `津市监罚〔2026〕${i}号`,
    kind: 'PENALTY',
    measures: required ? ['FINE', 'REVOKE_PERMIT'] : ['WARNING'],
    ...(required && { fineAmount: '200000' }),
    party: { type: 'ORGANIZATION', name: '天津某某食品有限公司' },
    decidedOn: day,
    summary: '当事人未经许可从事食品生产经营活动，货值金额较大，情节严重。'.repeat(15),
    legalBasis: '《中华人民共和国食品安全法》第一百二十二条第一款。'.repeat(6),
    status,
    filingRequired: required,
    filingReasons: required
      ? [
          { code: 'FINE_REACHES_HEARING_THRESHOLD', text: '罚款数额达到听证标准', amount: '200000', threshold: '100000' },
          { code: 'REVOKE_PERMIT', text: '吊销许可证件' },
        ]
      : [],
    filingDueOn: required ? due : null,
    dueProvisional: false,
    ...(status === 'OVERDUE' && { overdueSince: due }),
    ...((status === 'RECEIVED' || status === 'SUBMITTED') && {
      filing: {
        submissionId: randomUUID(),
        submittedAt: at,
        filedOn: day,
        onTime: true,
        workingDaysLate: 0,
        submissions: 1,
        contact: { name: '王某', phone: '022-12345678', email: 'office@example.gov.cn' },
        documents: ['DECISION_LETTER', 'LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD', 'HEARING_RECORD'].map((kind) => ({
          kind,
          title: `${kind} 文书`,
          sha256: 'a'.repeat(64),
        })),
        ...(status === 'RECEIVED' && { filingNumber: `津备〔2026〕${i}号`, registeredAt: at }),
      } as unknown as DecisionRecord['filing'],
    }),
    createdAt: at,
    updatedAt: at,
  };
}

/** Asks every Query for its consumed capacity and adds it up. */
function meter(db: DynamoDBDocumentClient) {
  const state = { units: 0, reads: 0 };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === 'QueryCommand') (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const used = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits;
      if (used !== undefined) {
        state.units += used;
        state.reads++;
      }
      return result;
    },
    { step: 'initialize', name: 'benchMeterReads' },
  );
  return state;
}

/** DynamoDB's size of an item (attribute names and values; numbers and booleans approximated), as it counts it for read units */
function itemBytes(item: unknown): number {
  if (item === null || typeof item === 'boolean') return 1;
  if (typeof item === 'number') return 8;
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (Array.isArray(item)) return 3 + item.reduce((n: number, v) => n + 1 + itemBytes(v), 0);
  return 3 + Object.entries(item as Record<string, unknown>).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 1 + itemBytes(v), 0);
}

/** eventually consistent reads: half a unit per 4 KB of the items read, rounded up */
const unitsOf = (bytes: number) => Math.ceil(bytes / 4096) * 0.5;

export async function benchLists(count = 100_000) {
  const table = await localTable(TABLE);
  const { raw, db } = table;
  try {
    // the index the lists read before (the jurisdiction's decisions, projecting everything), to read the example as it was
    await raw.send(
      new UpdateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'gsi2pk', AttributeType: 'S' }, { AttributeName: 'gsi2sk', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: 'before', KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }, { AttributeName: 'gsi2sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } } },
        ],
      }),
    );
    await indexesSettled(raw, TABLE);

    console.log(`  seeding ${int(count)} decisions of one jurisdiction (${AGENCIES} agencies, a year, with texts and filings)...`);
    const seedStart = performance.now();
    let next = 0;
    let done = 0;
    let reportAt = 20_000;
    const worker = async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + 25);
        let requests = Array.from({ length: next - from }, (_, k) => {
          const d = decisionAt(from + k, count);
          return { PutRequest: { Item: { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d } } };
        });
        const n = requests.length;
        for (let attempt = 0; requests.length; attempt++) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
          requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
          if (requests.length) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 5)));
        }
        done += n;
        if (done >= reportAt) {
          console.log(`    ${int(done)} of ${int(count)} written (${int(done / ((performance.now() - seedStart) / 1000))}/s)`);
          reportAt += 20_000;
        }
      }
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
    console.log(`  seeded in ${fmt((performance.now() - seedStart) / 1000)} s`);

    const reads = meter(db);
    const deps = { store: new BeianStore(db, TABLE), cursors: new CursorCodec('bench-cursor-secret-0123456789') } as unknown as Deps;
    // the agency of the oldest decision, SUBMITTED: its rare status is at the far end of its history
    const agency: Caller = { role: 'agency', subject: 'bench', agencyId: agencyOf(count - 1), jurisdictionId: JURISDICTION };
    const reviewer: Caller = { role: 'reviewer', subject: 'bench-r', jurisdictionId: JURISDICTION };
    const admin: Caller = { role: 'admin', subject: 'bench-a' };
    await deps.store.putJurisdiction(JURISDICTION, { name: 'Bench', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] }, new Date().toISOString());
    await deps.store.putAgency(agencyOf(1), { name: 'Bench agency', jurisdictionId: JURISDICTION, contactEmails: [], clientIds: [] }, new Date().toISOString());

    /** one request: its units (median of REPEAT), items, their bytes, time */
    async function request(caller: Caller, query: Partial<ListDecisionsQuery>) {
      const units: number[] = [];
      const ms: number[] = [];
      let page: Awaited<ReturnType<typeof listDecisions>> | undefined;
      for (let r = 0; r < REPEAT; r++) {
        const [u0, start] = [reads.units, performance.now()];
        page = await listDecisions(deps, caller, query as ListDecisionsQuery);
        ms.push(performance.now() - start);
        units.push(reads.units - u0);
      }
      return { units: median(units), ms: median(ms), items: page!.items, more: page!.nextCursor !== null };
    }

    // one page: an unfiltered page of 25 list items, per scope (its index)
    const pageUnits = {
      agency: (await request(agency, { limit: 25 })).units,
      reviewer: (await request(reviewer, { limit: 25 })).units,
      admin: (await request(admin, { limit: 25 })).units,
    };
    console.log(`  one page (25 list items, unfiltered): ${pageUnits.agency} read units (agency), ${pageUnits.reviewer} (reviewer), ${pageUnits.admin} (admin)`);

    const cases: [string, Caller, keyof typeof pageUnits, Partial<ListDecisionsQuery>][] = [
      ['agency, no filter, limit 1', agency, 'agency', { limit: 1 }],
      ['agency, no filter, limit 100', agency, 'agency', { limit: 100 }],
      ['agency, status=SUBMITTED (rare, oldest), limit 1', agency, 'agency', { status: 'SUBMITTED', limit: 1 }],
      ['agency, status=RECEIVED, limit 25', agency, 'agency', { status: 'RECEIVED', limit: 25 }],
      ['agency, decided in March, limit 25', agency, 'agency', { decidedFrom: '2026-03-01', decidedTo: '2026-03-31', limit: 25 }],
      ['agency, dueBefore=2026-01-10 (matches the oldest only), limit 1', agency, 'agency', { dueBefore: '2026-01-10', limit: 1 }],
      ['agency, dueBefore=2026-01-10, limit 25', agency, 'agency', { dueBefore: '2026-01-10', limit: 25 }],
      ['agency, status=AWAITING_FILING + dueBefore=2026-06-01, limit 25', agency, 'agency', { status: 'AWAITING_FILING', dueBefore: '2026-06-01', limit: 25 }],
      ['reviewer, status=SUBMITTED, limit 1 (the issue\'s example)', reviewer, 'reviewer', { status: 'SUBMITTED', limit: 1 }],
      ['reviewer, status=OVERDUE, limit 25', reviewer, 'reviewer', { status: 'OVERDUE', limit: 25 }],
      ['reviewer, agencyId (jurisdiction checked by filter), limit 25', reviewer, 'agency', { agencyId: agencyOf(1), limit: 25 }],
      ['admin, status=INCOMPLETE, limit 25', admin, 'admin', { status: 'INCOMPLETE', limit: 25 }],
      ['admin, status=SUBMITTED + decided in January, limit 25', admin, 'admin', { status: 'SUBMITTED', decidedTo: '2026-01-31', limit: 25 }],
    ];
    const figures: Record<string, number | string> = {};
    let worst = 0;
    console.log('  request                                                          units  items  returned units  target  units/target  ms p50');
    for (const [label, caller, scope, query] of cases) {
      const r = await request(caller, query);
      const returnedUnits = unitsOf(r.items.reduce((n, d) => n + itemBytes(d), 0));
      const target = 2 * returnedUnits + pageUnits[scope];
      const ratio = r.units / target;
      worst = Math.max(worst, ratio);
      console.log(
        `  ${label.padEnd(64)} ${fmt(r.units).padStart(5)}  ${String(r.items.length).padStart(5)}${r.more ? '+' : ' '} ${fmt(returnedUnits).padStart(14)}  ${fmt(target).padStart(6)}  ${fmt(ratio, 2).padStart(12)}  ${fmt(r.ms).padStart(6)}`,
      );
      figures[label] = r.units;
    }
    console.log(`  worst units/target: ${fmt(worst, 2)} (target <= 1.00); '+' marks a page with a cursor`);

    // the example as it was read before: a status filter over the jurisdiction's whole index
    const before = { units: 0, reads: 0, items: 0 };
    let startKey: Record<string, unknown> | undefined;
    const u0 = reads.units;
    const start = performance.now();
    for (let r = 0; r < 20 && before.items < 1; r++) {
      const out = await db.send(
        new QueryCommand({
          TableName: TABLE, IndexName: 'before', KeyConditionExpression: 'gsi2pk = :pk', FilterExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':pk': `JUR#${JURISDICTION}`, ':s': 'SUBMITTED' },
          ScanIndexForward: false, Limit: 100, ExclusiveStartKey: startKey,
        }),
      );
      before.reads++;
      before.items += out.Items?.length ?? 0;
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    before.units = reads.units - u0;
    const now = await request(reviewer, { status: 'SUBMITTED', limit: 1 });
    console.log(
      `  the issue's example before: ${fmt(before.units)} read units in ${before.reads} reads (${fmt(performance.now() - start)} ms) for ${before.items} item; now ${fmt(now.units)}: ${fmt(before.units / Math.max(now.units, 0.5), 0)}x fewer`,
    );
    figures.worstRatio = worst;
    figures.beforeUnits = before.units;
    return figures;
  } finally {
    await table.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 100_000);
  await benchLists(count);
}
