/**
 * The daily deadline sweep on DynamoDB Local (in memory):
 * - A and B: 10,000 and 100,000 open decisions of one jurisdiction, 1% of them due in the sweep's window.
 *   Read units of the sweep against the minimal read of the due items alone (one Query of the `due` index
 *   up to the window's end, paged to the end); target at most 1.1x. B0 sweeps 100 due among B's 100,000
 *   open decisions (an earlier day), so time can be set against the items due and against the table.
 * - C: 10,000 due decisions (all overdue) swept once: items per second, peak RSS, and the projection to
 *   100,000 due against Lambda's 15 minutes and the sweep function's timeout.
 * Each sweep runs in the steady state of a daily run: the jurisdiction's sweep state says yesterday's sweep
 * completed with today's holiday years loaded (a first sweep, or the first after a holiday year is loaded,
 * also corrects provisional due dates: measured apart). It prints figures and never asserts timings.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { functions, queues } from '../functions/manifest.ts';
import { ensureTable, startDynamoLocal } from '../infra/local/dynamodb.ts';
import { freePort, stopProcess } from '../infra/local/processes.ts';
import { ttlCache } from '../shared/cache.ts';
import { yearOf, parseIsoDate } from '../shared/domain/dates.ts';
import { nationalCalendar } from '../shared/domain/national-calendar.ts';
import { DEFAULT_SUPERVISION, addDays, sweepWindowEnd, weeklySummaryWeek } from '../shared/domain/supervision.ts';
import type { DigestItem } from '../shared/notices/digests.ts';
import { BeianStore } from '../shared/store/beian-store.ts';
import { createDocumentClient } from '../shared/store/dynamo.ts';
import { decisionIndexKeys, keys, openDueKeys } from '../shared/store/keys.ts';
import type { DecisionRecord } from '../shared/store/records.ts';
import { SupervisionStore } from '../shared/store/supervision-store.ts';
import { calendarCache } from '../shared/use-cases/deps.ts';
import { type SweepDeps, type SweepReport, sweepJurisdiction, weeklySummaryParts } from '../shared/use-cases/supervision.ts';
import { fmt } from './stats.ts';

const TABLE = 'bench-sweep';
/** a Tuesday, not the first working day of its week (so no weekly summary in the steady state) */
const DAY = '2026-11-10';
/** B0's day: a month earlier, its window far from DAY's due dates */
const EARLIER_DAY = '2026-10-13';
const AGENCIES = 20;
const TARGET_RATIO = 1.1;
const SEED_CONCURRENCY = 12;
/** the sweep's default concurrency (shared/use-cases/supervision.ts) */
const SWEEP_CONCURRENCY = 16;
/** sweep-jurisdiction: its timeout (functions/manifest.ts); it stops taking pages 30 s before it (its handler's SAFETY_MS) */
const FUNCTION_TIMEOUT_S = functions.find((f) => f.name === 'sweep-jurisdiction')!.timeoutSeconds;
const SAFETY_S = 30;
const SWEEPS_QUEUE = queues.find((q) => q.name === 'sweeps')!;
const LAMBDA_LIMIT_S = 15 * 60;
/** assumed latency of one conditional write (or transaction) in AWS; DynamoDB Local answers in about 1 ms */
const AWS_WRITE_MS = 8;
/** share of a vCPU of the function (a full vCPU at 1,769 MB) */
const FUNCTION_MEMORY_MB = functions.find((f) => f.name === 'sweep-jurisdiction')!.memoryMb;
const LAMBDA_VCPU = Math.min(1, FUNCTION_MEMORY_MB / 1769);
const ITEM_LIMIT_BYTES = 400 * 1024;

const cal = nationalCalendar();
const settings = DEFAULT_SUPERVISION;
const after = (day: string, n: number) => cal.addWorkingDays(day, n).date;
function before(day: string, n: number): string {
  let d = day;
  for (let left = n; left > 0; ) {
    d = addDays(d, -1);
    if (cal.isWorkingDay(d).working) left--;
  }
  return d;
}
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const kb = (bytes: number) => `${fmt(bytes / 1024, 0)} KB`;
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Due dates of the items due on `day`, in a mix of 100: 10 due in 3 working days and 10 due today
 * (reminders), 10 due in 1 or 2 (read, nothing to do), 50 overdue 1-4 working days (flagged), 20 overdue
 * 5-9 (flagged and escalated).
 */
function dueMix(day: string, slot: number): string {
  const s = slot % 100;
  if (s < 10) return after(day, settings.reminderWorkingDaysBefore);
  if (s < 15) return after(day, 1);
  if (s < 20) return after(day, 2);
  if (s < 30) return day;
  if (s < 80) return before(day, 1 + (s % 4));
  return before(day, settings.escalationWorkingDaysOverdue + (s % 5));
}
const EXPECTED_PER_100 = { reminders: 20, overdueFlagged: 70, escalations: 20 };

function openDecision(jurisdictionId: string, agencyId: string, filingDueOn: string): DecisionRecord {
  const id = randomUUID();
  const decidedOn = addDays(filingDueOn, -14);
  const at = `${decidedOn}T02:00:00.000Z`;
  return {
    id,
    agencyId,
    jurisdictionId,
    caseNumber: `bench-${id}`,
    kind: 'PENALTY',
    measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: 'Bench Co.' },
    decidedOn,
    status: 'AWAITING_FILING',
    filingRequired: true,
    filingReasons: [{ code: 'REVOKE_PERMIT', text: 'revocation' }],
    filingDueOn,
    dueProvisional: false,
    createdAt: at,
    updatedAt: at,
  };
}
const asItem = (d: DecisionRecord) => ({ ...keys.decision(d.id), ...decisionIndexKeys(d), ...d });
/** the agency of the i-th decision: consecutive decisions, and every 100th (the due ones), spread over all agencies */
const agencyOf = (jurisdictionId: string, i: number) => `${jurisdictionId}-agency-${(i + Math.floor(i / 100)) % AGENCIES}`;

interface Call {
  command: string;
  /** what a Query read, by its key */
  what?: string;
  units?: number;
}

/** Counts every call of the client, with the read units a Query reports, for the breakdown of a sweep's reads. */
function recordCalls(db: DynamoDBDocumentClient): { calls: Call[]; reset: () => void } {
  const state = { calls: [] as Call[] };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = String((context as { commandName?: string }).commandName ?? '?').replace(/Command$/, '').replace(/(Item|Items)$/, '');
      const input = args.input as { IndexName?: string; FilterExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      const rawPk = input.ExpressionAttributeValues?.[':pk'];
      const pk = String((rawPk as { S?: string } | undefined)?.S ?? rawPk ?? '');
      const what =
        command !== 'Query' ? undefined
        : pk.startsWith('DIGEST#') ? 'undigested entries of unfinished sweeps'
        : input.IndexName === 'due' && input.FilterExpression ? 'provisional due dates'
        : input.IndexName === 'due' ? 'the due items (openDue)'
        : `${input.IndexName ?? 'table'} ${pk}`;
      state.calls.push({ command, ...(what && { what }), ...(output?.ConsumedCapacity && { units: output.ConsumedCapacity.CapacityUnits ?? 0 }) });
      return result;
    },
    { step: 'initialize', name: 'benchRecordCalls' },
  );
  return { get calls() { return state.calls; }, reset: () => void (state.calls = []) };
}

export async function benchSweep(scale = 1) {
  const port = await freePort();
  const dynamo = await startDynamoLocal(port);
  const endpoint = `http://127.0.0.1:${port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = createDocumentClient({ endpoint });
  try {
    await ensureTable(raw, TABLE);
    const store = new BeianStore(db, TABLE);
    const recorder = recordCalls(db);
    const figures: Record<string, number | string> = {};
    const now = () => new Date().toISOString();

    // --- helpers over the table -------------------------------------------------------------------
    async function jurisdiction(id: string) {
      await store.putJurisdiction(id, { name: `Bench ${id}`, filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: ['supervision@example.gov.cn'], extraOffDays: [], extraWorkingDays: [] }, now());
      for (let a = 0; a < AGENCIES; a++) {
        await store.putAgency(agencyOf(id, a), { name: `Bench agency ${a}`, jurisdictionId: id, contactEmails: [`agency-${a}@example.gov.cn`], clientIds: [] }, now());
      }
    }

    /** BatchWrite, 25 items a request, SEED_CONCURRENCY requests at once; a line every 10,000 items. */
    async function seed(label: string, count: number, make: (i: number) => Record<string, unknown>) {
      let next = 0;
      let done = 0;
      let reportAt = 10_000;
      const start = performance.now();
      const worker = async () => {
        while (next < count) {
          const from = next;
          next = Math.min(count, next + 25);
          let requests: { PutRequest: { Item: Record<string, unknown> } }[] = [];
          for (let i = from; i < next; i++) requests.push({ PutRequest: { Item: make(i) } });
          const n = requests.length;
          for (let attempt = 0; requests.length; attempt++) {
            const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
            requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
            if (requests.length) await sleep(20 * 2 ** Math.min(attempt, 5));
          }
          done += n;
          if (done >= reportAt) {
            console.log(`    ${label}: ${int(done)} of ${int(count)} written (${int(done / ((performance.now() - start) / 1000))}/s)`);
            reportAt += 10_000;
          }
        }
      };
      await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
      const s = (performance.now() - start) / 1000;
      return { seconds: s, perSecond: count / s };
    }

    /** The steady state of a daily run: yesterday's sweep completed, with today's holiday years loaded. */
    async function steadyState(jurisdictionId: string, day: string) {
      const yesterday = before(day, 1);
      if (weeklySummaryWeek(day, yesterday, cal)) throw new Error(`bench setup: ${day} would send the weekly summary; pick another day`);
      // the sweep's bookkeeping lives on the jurisdiction's item
      await db.send(
        new UpdateCommand({ TableName: TABLE, Key: keys.jurisdiction(jurisdictionId), UpdateExpression: 'SET lastCompletedOn = :d, calendarYears = :y', ExpressionAttributeValues: { ':d': yesterday, ':y': cal.loadedYears() } }),
      );
    }

    /** The minimal read of the due items alone: the sweep's own Query of the due index, nothing else. */
    async function dueItemsAlone(jurisdictionId: string, day: string) {
      const upTo = sweepWindowEnd(day, settings, cal);
      let units = 0;
      let items = 0;
      let pages = 0;
      let reported = true;
      let startKey: Record<string, unknown> | undefined;
      const start = performance.now();
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'due',
            KeyConditionExpression: 'duePk = :pk AND dueSk <= :upTo',
            ExpressionAttributeValues: { ':pk': openDueKeys({ jurisdictionId, filingDueOn: '', id: '' }).duePk, ':upTo': `${upTo}#\uffff` },
            ReturnConsumedCapacity: 'TOTAL',
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
        pages++;
        items += out.Items?.length ?? 0;
        if (out.ConsumedCapacity?.CapacityUnits === undefined) reported = false;
        units += out.ConsumedCapacity?.CapacityUnits ?? 0;
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return { upTo, units, items, pages, ms: performance.now() - start, reported };
    }

    /** What the first sweep of a jurisdiction (or the first after a holiday year is loaded) reads on top. */
    async function provisionalPass(jurisdictionId: string, day: string) {
      const sweeps = new SupervisionStore(db, TABLE);
      // the pass the use case runs once a newly loaded year appears: that year's open items (next year's)
      const years = [yearOf(parseIsoDate(day)) + 1];
      const start = performance.now();
      let found = 0;
      for (const y of years) for await (const page of sweeps.provisionalDueIn(jurisdictionId, y)) found += page.length;
      return { years, units: sweeps.readUnits, found, ms: performance.now() - start };
    }

    /** One sweep as a cold invocation would run it (fresh store, caches), with time, CPU, RSS and its calls. */
    async function sweep(jurisdictionId: string, day: string) {
      const sweeps = new SupervisionStore(db, TABLE);
      const deps: SweepDeps = {
        sweeps,
        // as shared/wiring/supervision.ts: agencies the jurisdiction's item does not list are read (none here)
        registry: { agency: ttlCache((id: string) => store.getAgency(id), { ttlMs: 60_000, keepMissing: false }) },
        calendarFor: calendarCache(),
        now: () => new Date(),
        log: () => {},
      };
      recorder.reset();
      const rssBefore = process.memoryUsage.rss();
      let peakRss = rssBefore;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
      const cpu = process.cpuUsage();
      const start = performance.now();
      let report: SweepReport;
      try {
        report = await sweepJurisdiction(deps, jurisdictionId, day);
      } finally {
        clearInterval(sampler);
      }
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const calls = recorder.calls;
      const count = (command: string) => calls.filter((c) => c.command === command).length;
      const queries = new Map<string, { pages: number; units: number; reported: boolean }>();
      for (const c of calls.filter((c) => c.command === 'Query')) {
        const q = queries.get(c.what!) ?? { pages: 0, units: 0, reported: true };
        q.pages++;
        q.units += c.units ?? 0;
        if (c.units === undefined) q.reported = false;
        queries.set(c.what!, q);
      }
      return {
        report, ms, cpuMs: (used.user + used.system) / 1000, rssBefore, peakRss, queries,
        getItems: count('Get'),
        writes: { transactions: count('TransactWrite'), puts: count('Put'), updates: count('Update') },
      };
    }
    type Swept = Awaited<ReturnType<typeof sweep>>;

    const printSweep = (r: Swept, base: Awaited<ReturnType<typeof dueItemsAlone>>) => {
      const { report } = r;
      const ratio = base.units ? report.readUnits / base.units : Number.NaN;
      console.log(
        `  sweep: ${int(r.ms)} ms, ${int(report.itemsRead)} items read, ${fmt(report.readUnits)} read units = ${fmt(ratio, 3)}x the due items alone ` +
          `(target ≤ ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? 'ok' : 'ABOVE'}; ${fmt(r.ms / Math.max(1, report.itemsRead), 2)} ms per item read`,
      );
      console.log(
        `  written: ${report.reminders} reminders, ${report.overdueFlagged} flagged overdue, ${report.escalations} escalations, ${report.noticesWritten} notices` +
          `${report.weeklySummary ? ' (incl. the weekly summary)' : ''}; calls: ${r.writes.transactions} TransactWriteItems, ${r.writes.puts} PutItem, ${r.writes.updates} UpdateItem`,
      );
      const parts = [...r.queries].map(([what, q]) => `${what}: ${q.pages} Query page(s), ${q.reported ? `${fmt(q.units)} units` : 'NO consumed capacity reported'}`);
      console.log(`  reads of the sweep: ${parts.join('; ')}; ${r.getItems} GetItem of the registry (jurisdiction, agencies: no capacity requested, so not in readUnits)`);
      return ratio;
    };

    const printBaseline = (base: Awaited<ReturnType<typeof dueItemsAlone>>) =>
      console.log(
        `  due items alone (one Query of the due index up to ${base.upTo}): ${int(base.items)} items, ${base.pages} page(s), ` +
          `${base.reported ? `${fmt(base.units)} read units` : 'DynamoDB Local reported NO consumed capacity'}, ${int(base.ms)} ms`,
      );

    // --- A and B: read units and time against the due items alone ----------------------------------
    const sizes = { a: Math.round(10_000 * scale), b: Math.round(100_000 * scale), c: Math.round(10_000 * scale) };
    const windowEnd = sweepWindowEnd(DAY, settings, cal);
    /** seeds `open` decisions, every 100th due (the mix of dueMix), the rest due one to six weeks after the window; `extra` adds 100 more */
    const openScenario = async (label: string, jurisdictionId: string, open: number, extra?: (i: number) => string) => {
      await jurisdiction(jurisdictionId);
      const notDue = (i: number) => after(windowEnd, 5 + (i % 25)); // one to six weeks later, all in the loaded year
      const dueOn = (i: number) => (i >= open ? extra!(i - open) : i % 100 === 0 ? dueMix(DAY, i / 100) : notDue(i));
      const total = open + (extra ? 100 : 0);
      let bytes = 0;
      const seeded = await seed(`${label} seeding`, total, (i) => {
        const item = asItem(openDecision(jurisdictionId, agencyOf(jurisdictionId, i), dueOn(i)));
        if (i < 100) bytes += Buffer.byteLength(JSON.stringify(item));
        return item;
      });
      console.log(`  seeded ${int(total)} open decisions in ${fmt(seeded.seconds)} s (${int(seeded.perSecond)}/s), about ${int(bytes / 100)} bytes each (JSON)`);
      return seeded.perSecond;
    };
    // one eventually consistent GetItem of the registry, as the sweep's registry reads are (their capacity is not requested)
    const getUnits = async (key: { pk: string; sk: string }) =>
      (await db.send(new GetCommand({ TableName: TABLE, Key: key, ReturnConsumedCapacity: 'TOTAL' }))).ConsumedCapacity?.CapacityUnits;
    const sweepScenario = async (key: string, jurisdictionId: string, day: string, open: number) => {
      await steadyState(jurisdictionId, day);
      const base = await dueItemsAlone(jurisdictionId, day);
      printBaseline(base);
      const r = await sweep(jurisdictionId, day);
      const ratio = printSweep(r, base);
      const registryUnits = (await getUnits(keys.agency(agencyOf(jurisdictionId, 0)))) ?? Number.NaN;
      console.log(
        `  with the registry's ${r.getItems} GetItem counted (${fmt(registryUnits)} unit each, measured): ${fmt(r.report.readUnits + r.getItems * registryUnits)} units = ` +
          `${fmt((r.report.readUnits + r.getItems * registryUnits) / base.units, 3)}x the due items alone`,
      );
      const due = base.items;
      const expected = { reminders: (EXPECTED_PER_100.reminders * due) / 100, overdueFlagged: (EXPECTED_PER_100.overdueFlagged * due) / 100, escalations: (EXPECTED_PER_100.escalations * due) / 100 };
      if (r.report.itemsRead !== due || r.report.reminders !== expected.reminders || r.report.overdueFlagged !== expected.overdueFlagged || r.report.escalations !== expected.escalations) {
        console.log(`  NOTE: expected ${due} items read, ${expected.reminders} reminders, ${expected.overdueFlagged} flagged, ${expected.escalations} escalations`);
      }
      Object.assign(figures, {
        [`${key}.open`]: open, [`${key}.due`]: due, [`${key}.sweepMs`]: r.ms, [`${key}.itemsRead`]: r.report.itemsRead,
        [`${key}.readUnits`]: r.report.readUnits, [`${key}.dueAloneUnits`]: base.units, [`${key}.ratio`]: ratio,
        [`${key}.registryGetItems`]: r.getItems,
      });
      return { r, base };
    };

    const load = () => loadavg().map((l) => fmt(l, 1)).join(' ');
    console.log(`  load average at the start: ${load()} (${'1, 5, 15 min'}): times on a busy machine are longer; read units are not affected`);
    console.log(`  sweep day ${DAY} (window up to ${windowEnd}), reminder ${settings.reminderWorkingDaysBefore} and escalation ${settings.escalationWorkingDaysOverdue} working days, ${AGENCIES} agencies per jurisdiction`);
    console.log(`  due mix per 100: 20 reminders (10 due today, 10 in 3 working days), 10 due in 1-2 (nothing to do), 50 overdue 1-4 (flag), 20 overdue 5-9 (flag + escalation)`);

    // warm-up: the code paths of a sweep once, so A does not pay for the first run of the code
    await openScenario('warm-up', 'sweep-warmup', 1_000);
    await steadyState('sweep-warmup', DAY);
    console.log(`  warm-up sweep of 10 due: ${int((await sweep('sweep-warmup', DAY)).ms)} ms (not counted)`);

    console.log(`\n  A: ${int(sizes.a)} open decisions, 1% due`);
    figures['a.seedPerSecond'] = await openScenario('A', 'sweep-a', sizes.a);
    const a = await sweepScenario('a', 'sweep-a', DAY, sizes.a);
    const provA = await provisionalPass('sweep-a', DAY);
    console.log(
      `  not in the steady state: the first sweep after next year's schedule is loaded also looks for provisional due dates in ${provA.years.join(', ')}: ` +
        `${fmt(provA.units)} more read units (${fmt(provA.units / a.base.units, 1)}x the due items alone: its filtered Query reads every open decision due in that year, ${int(provA.found)} found), ${int(provA.ms)} ms`,
    );
    // not measured for B: the same query; (a pass over a whole year of 100,000 open decisions made DynamoDB
    // Local, -Xmx512m, run out of heap: java.lang.OutOfMemoryError)
    figures['a.provisionalPassUnits'] = provA.units;

    console.log(`\n  B: ${int(sizes.b)} open decisions, 1% due (and B0: 100 more, due around ${EARLIER_DAY})`);
    const earlierEnd = sweepWindowEnd(EARLIER_DAY, settings, cal);
    if (earlierEnd >= before(DAY, settings.escalationWorkingDaysOverdue + 4)) throw new Error('bench setup: B0 window overlaps the due dates of B');
    figures['b.seedPerSecond'] = await openScenario('B', 'sweep-b', sizes.b, (i) => dueMix(EARLIER_DAY, i));

    console.log(`  B0, sweep of ${EARLIER_DAY}: 100 due among ${int(sizes.b + 100)} open decisions of the jurisdiction`);
    const b0 = await sweepScenario('b0', 'sweep-b', EARLIER_DAY, sizes.b + 100);
    // B0's decisions are filed now: they leave the due index, as a registered filing does
    let filed = 0;
    for await (const page of new SupervisionStore(db, TABLE).openDue('sweep-b', earlierEnd)) {
      await Promise.all(
        page.map((d) =>
          db.send(new UpdateCommand({ TableName: TABLE, Key: keys.decision(d.id), UpdateExpression: 'SET #s = :r REMOVE duePk, dueSk', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':r': 'RECEIVED' } })),
        ),
      );
      filed += page.length;
    }
    console.log(`  B, sweep of ${DAY}: 1% due among ${int(sizes.b)} open decisions (B0's ${filed} filed since)`);
    const b = await sweepScenario('b', 'sweep-b', DAY, sizes.b);

    const x = (n: number, d: number) => `${fmt(n / d, 1)}x`;
    console.log(`\n  B against A: due items ${x(b.base.items, a.base.items)}, open decisions ${x(sizes.b, sizes.a)}; sweep time ${x(b.r.ms, a.r.ms)}, items read ${x(b.r.report.itemsRead, a.r.report.itemsRead)}, read units ${x(b.r.report.readUnits, a.r.report.readUnits)}`);
    console.log(`  B0 against A: due items ${x(b0.base.items, a.base.items)}, open decisions ${x(sizes.b + 100, sizes.a)}; sweep time ${x(b0.r.ms, a.r.ms)}, items read ${x(b0.r.report.itemsRead, a.r.report.itemsRead)}, read units ${x(b0.r.report.readUnits, a.r.report.readUnits)}`);
    figures['growth.timeBoverA'] = b.r.ms / a.r.ms;
    figures['growth.timeB0overA'] = b0.r.ms / a.r.ms;

    // --- C: 10,000 due, and the projection to 100,000 ----------------------------------------------
    console.log(`\n  C: ${int(sizes.c)} due decisions, all overdue 1-4 working days (a flag and a digest entry each), ${AGENCIES} agencies`);
    await jurisdiction('sweep-c');
    const seededC = await seed('C seeding', sizes.c, (i) => asItem(openDecision('sweep-c', agencyOf('sweep-c', i), before(DAY, 1 + (i % 4)))));
    console.log(`  seeded ${int(sizes.c)} in ${fmt(seededC.seconds)} s (${int(seededC.perSecond)}/s)`);
    await steadyState('sweep-c', DAY);
    const baseC = await dueItemsAlone('sweep-c', DAY);
    printBaseline(baseC);
    const c = await sweep('sweep-c', DAY);
    printSweep(c, baseC);
    const perSecond = c.report.itemsRead / (c.ms / 1000);
    const target = 100_000;
    const factor = target / Math.max(1, c.report.itemsRead);
    const localS = target / perSecond;
    const usable = FUNCTION_TIMEOUT_S - SAFETY_S;
    const invocations = (s: number) => Math.ceil(s / usable);
    const range = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo} to ${hi}`);
    console.log(`  ${int(perSecond)} items/s; CPU of this process ${fmt(c.cpuMs / 1000)} s in the ${fmt(c.ms / 1000)} s (${fmt(c.cpuMs / c.report.itemsRead, 2)} ms an item); RSS ${mb(c.rssBefore)} before, peak ${mb(c.peakRss)} (sampled every 20 ms)`);
    console.log(
      `  projected, ${int(target)} due at this rate: ${fmt(localS / 60, 1)} min against Lambda's 15 min (${localS <= LAMBDA_LIMIT_S ? 'inside' : 'OVER'}); ` +
        `${invocations(localS)} invocation(s) of sweep-jurisdiction (timeout ${FUNCTION_TIMEOUT_S} s, stops ${SAFETY_S} s before: ${usable} s each)`,
    );
    // AWS: item writes at the sweep's concurrency, digest transactions one after another, the Query pages
    // (taken as long as here), and this process's CPU time on the function's share of a vCPU
    const itemWrites = c.report.reminders + c.report.overdueFlagged + c.report.escalations;
    const digests = c.report.noticesWritten;
    const writesS = ((itemWrites * AWS_WRITE_MS) / SWEEP_CONCURRENCY / 1000) * factor;
    const digestsS = ((digests * AWS_WRITE_MS) / 1000) * factor;
    const readsS = (baseC.ms / 1000) * factor;
    const cpuS = (c.cpuMs / 1000 / LAMBDA_VCPU) * factor;
    const upper = writesS + digestsS + readsS + cpuS;
    const lower = Math.max(writesS + digestsS + readsS, cpuS);
    console.log(
      `  projected in AWS, ${int(target)} due, ${AWS_WRITE_MS} ms a write: ${int(itemWrites * factor)} item writes at concurrency ${SWEEP_CONCURRENCY} ${fmt(writesS, 0)} s` +
        `, ${int(digests * factor)} digest transactions in turn ${fmt(digestsS, 0)} s, Query pages as here ${fmt(readsS, 0)} s, CPU as here on ${fmt(LAMBDA_VCPU, 2)} vCPU ${fmt(cpuS, 0)} s`,
    );
    console.log(
      `  = ${fmt(lower / 60, 1)} min (waits and CPU overlapping) to ${fmt(upper / 60, 1)} min (one after the other) against Lambda's 15 min; ` +
        `${range(invocations(lower), invocations(upper))} invocation(s) of ${usable} s`,
    );
    const receives = SWEEPS_QUEUE.maxReceiveCount;
    const fits = (lo: number, hi = lo) => `${range(lo, hi)} ${hi <= receives ? 'fit' : lo <= receives ? 'may NOT fit' : 'do NOT fit'}`;
    console.log(
      `  the sweeps queue: a sweep that ran out of time comes back after the visibility timeout (${SWEEPS_QUEUE.visibilityTimeoutSeconds} s) and reads the due items again from the start; ` +
        `after ${receives} receives the message goes to the dead-letter queue, so at most ${int(receives * usable)} s of sweeping: ` +
        `at this machine's rate ${fits(invocations(localS))}, in AWS ${fits(invocations(lower), invocations(upper))}`,
    );
    const rssGrowth = Math.max(0, c.peakRss - c.rssBefore);
    console.log(`  RSS growth during the sweep ${mb(rssGrowth)}; x${fmt(factor, 0)} for ${int(target)}: about ${mb(rssGrowth * factor)} above the start, against the function's ${int(FUNCTION_MEMORY_MB)} MB`);

    // the weekly summary of the next Monday: every overdue decision, in parts that each fit a notice item
    const items: DigestItem[] = [];
    for await (const page of new SupervisionStore(db, TABLE).openDue('sweep-c', DAY)) {
      for (const d of page) {
        items.push({
          decisionId: d.id, caseNumber: d.caseNumber, agencyId: d.agencyId, agencyName: `Bench agency ${d.agencyId.split('-').pop()}`, decidedOn: d.decidedOn,
          filingDueOn: d.filingDueOn!, dueProvisional: d.dueProvisional, workingDaysOverdue: cal.workingDaysBetween(d.filingDueOn!, DAY).days,
        });
      }
    }
    const monday = after(DAY, 4);
    const parts = await weeklySummaryParts({ day: monday, weekOf: monday, jurisdictionName: 'Bench sweep-c' }, items);
    const partBytes = parts.map((p) => Buffer.byteLength(JSON.stringify({ ...keys.notice('weekly#sweep-c#' + monday), ...p.mail, decisionIds: p.chunk.map((i) => i.decisionId) })));
    const noticeBytes = Math.max(...partBytes, 0);
    console.log(
      `  the weekly summary of ${monday} lists these ${int(items.length)} overdue decisions in ${parts.length} part(s) (mails), ` +
        `the largest notice item ${kb(noticeBytes)} (DynamoDB's item limit ${kb(ITEM_LIMIT_BYTES)})`,
    );

    console.log(`  load average at the end: ${load()}`);

    Object.assign(figures, {
      'c.due': c.report.itemsRead, 'c.sweepMs': c.ms, 'c.itemsPerSecond': perSecond, 'c.cpuMsPerItem': c.cpuMs / c.report.itemsRead, 'c.peakRssMb': c.peakRss / 1024 / 1024,
      'c.projected100kMinutes': localS / 60, 'c.projected100kAwsMinutesLow': lower / 60, 'c.projected100kAwsMinutesHigh': upper / 60,
      'c.invocations300sLow': invocations(lower), 'c.invocations300sHigh': invocations(upper), 'c.weeklySummaryBytes': noticeBytes,
    });
    return figures;
  } finally {
    db.destroy();
    raw.destroy();
    await stopProcess(dynamo);
  }
}
