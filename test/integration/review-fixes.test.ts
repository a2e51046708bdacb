/**
 * Behaviours added after a review: capped list reads, expired idempotency records, provisional deadlines
 * counted again at filing time, and the reconciler keeping its tries when SQS fails.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { nationalYearFiles } from '../../shared/domain/holiday-cn/index.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import { CursorCodec } from '../../shared/http/cursor.ts';
import { BeianStore } from '../../shared/store/beian-store.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import { decisionIndexKeys, keys } from '../../shared/store/keys.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { reportDecision } from '../../shared/use-cases/decisions.ts';
import { rulesCache } from '../../shared/use-cases/deps.ts';
import { type FilingDeps, reconcileFilings, submitFiling } from '../../shared/use-cases/filings.ts';
import { DailyQuotas } from '../../shared/store/rate-limit.ts';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { useDynamo } from './dynamo-harness.ts';

const db = useDynamo('beian-review');
const sha256 = 'c'.repeat(64);

function decision(over: Partial<DecisionRecord> = {}): DecisionRecord {
  const at = new Date().toISOString();
  return {
    id: randomUUID(), agencyId: 'ag-cap', jurisdictionId: 'j-cap', caseNumber: `K-${randomUUID()}`, kind: 'PENALTY', measures: ['WARNING'],
    party: { type: 'INDIVIDUAL', name: '某人' }, decidedOn: '2026-06-01', status: 'NOT_REQUIRED', filingRequired: false, filingReasons: [],
    filingDueOn: null, dueProvisional: false, createdAt: at, updatedAt: at, ...over,
  };
}

describe('a list page takes a bounded number of reads', () => {
  it('answers short with a cursor when a filter matches nothing in the first reads, and the cursor goes on', async () => {
    // 250 newer decisions that the filter does not match, then the one it does: filtered reads take 100 items
    // each, so with a cap of 2 reads the first page must come back empty but with a cursor
    const misses = Array.from({ length: 250 }, (_, i) => decision({ decidedOn: `2026-06-${String((i % 28) + 1).padStart(2, '0')}` }));
    for (let i = 0; i < misses.length; i += 25) {
      await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: misses.slice(i, i + 25).map((d) => ({ PutRequest: { Item: { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d } } })) } }));
    }
    await db.store.createDecision(decision({ decidedOn: '2026-01-02', status: 'AWAITING_FILING', filingDueOn: '2026-01-16' }));
    const capped = new BeianStore(db.doc, db.tableName, 2);
    const query = { index: 'byAgency' as const, partition: 'AG#ag-cap', status: 'AWAITING_FILING', limit: 5 };
    db.sent.length = 0;
    const first = await capped.queryDecisions({ ...query });
    expect(first.items).toEqual([]);
    expect(first.lastKey).toBeDefined();
    expect(db.sent.filter((c) => c.name.startsWith('Query'))).toHaveLength(2);
    let items = first.items;
    let lastKey = first.lastKey;
    let pages = 1;
    while (lastKey && pages < 50) {
      const next = await capped.queryDecisions({ ...query, startKey: lastKey });
      items = [...items, ...next.items];
      lastKey = next.lastKey;
      pages++;
    }
    expect(items.map((d) => d.decidedOn)).toEqual(['2026-01-02']);
  });
});

describe('idempotency records', () => {
  it('an expired record no longer counts, even before TTL deletes it', async () => {
    const scope = `s-${randomUUID()}`;
    const item = (expiresAt: number) => ({ ...keys.idempotency(scope, 'k'), requestHash: 'h', statusCode: 201, body: '{}', expiresAt });
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: item(Math.floor(Date.now() / 1000) - 60) }));
    expect(await db.store.getIdempotent(scope, 'k')).toBeUndefined();
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: item(Math.floor(Date.now() / 1000) + 60) }));
    expect(await db.store.getIdempotent(scope, 'k')).toMatchObject({ requestHash: 'h', statusCode: 201 });
  });
});

describe('a provisional deadline is counted again when the filing comes in', () => {
  it('reported before the year was loaded, filed on the real last day: on time, and the stored deadline corrected', async () => {
    const jurisdictionId = `j-${randomUUID().slice(0, 8)}`;
    const now = new Date().toISOString();
    await db.store.putJurisdiction(jurisdictionId, { name: 'J', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] }, now);
    await db.store.putAgency(`a-${jurisdictionId}`, { name: 'A', jurisdictionId, contactEmails: [], clientIds: [] }, now);
    const without2026 = WorkingCalendar.fromYearFiles(nationalYearFiles.filter((y) => y.fileName !== '2026.json'));
    const filings = new FilingStore(db.doc, db.tableName);
    const deps = (calendar: WorkingCalendar, at: string): FilingDeps => ({
      store: db.store, filings, cursors: new CursorCodec('x'.repeat(32)), now: () => new Date(at), newId: randomUUID,
      calendarFor: () => calendar, rules: rulesCache((id) => db.store.getJurisdiction(id)), log: () => {},
      queue: { enqueue: async () => {} }, // the queue is not what this test is about
      quotas: new DailyQuotas(db.doc, db.tableName),
    });
    const caller = { role: 'agency' as const, subject: 's', agencyId: `a-${jurisdictionId}`, jurisdictionId };
    // as if 2026's notice were not loaded yet on 2026-09-28: weekends + 1-3 Oct only -> due 2026-10-14, provisional
    const reported = await reportDecision(deps(without2026, '2026-09-28T02:00:00Z'), caller, {
      caseNumber: 'P-1', kind: 'PENALTY', measures: ['REVOKE_PERMIT'], party: { type: 'ORGANIZATION', name: '某公司' }, decidedOn: '2026-09-28',
    });
    expect(reported.body).toMatchObject({ filingDueOn: '2026-10-14', dueProvisional: true });
    // filed on 2026-10-16 (Beijing), the real deadline under the loaded 2026 schedule: on time, no reason needed
    const submitted = await submitFiling(deps(nationalCalendar(), '2026-10-16T03:00:00Z'), caller, reported.body.id, {
      documents: [{ kind: 'DECISION_LETTER', title: 'd', sha256, sizeBytes: 1 }], contact: { name: 'c' },
    });
    expect(submitted.body).toMatchObject({ filedOn: '2026-10-16', onTime: true, workingDaysLate: 0 });
    expect(await db.store.getDecision(reported.body.id)).toMatchObject({ filingDueOn: '2026-10-16', dueProvisional: false, status: 'SUBMITTED' });
  });
});

describe('the reconciler when SQS fails', () => {
  it('uses up no try of a submission whose re-queue could not be sent', async () => {
    const filings = new FilingStore(db.doc, db.tableName);
    const at = new Date(Date.now() - 600_000).toISOString();
    const d = decision({ status: 'AWAITING_FILING', filingRequired: true, filingDueOn: '2026-06-15', agencyId: 'ag-rq' });
    await db.store.createDecision(d);
    await filings.submit(d, { documents: [], contact: { name: 'x' }, submissionId: randomUUID(), submittedAt: at, filedOn: '2026-06-10', onTime: true, workingDaysLate: 0, submissions: 1 }, { filingDueOn: '2026-06-15', dueProvisional: false });
    const sent: string[] = [];
    const deps = (ok: boolean) => ({
      filings, now: () => new Date(), log: () => {},
      queue: { enqueue: async (m: { decisionId: string }) => { if (!ok) throw new Error('SQS unreachable'); sent.push(m.decisionId); } },
    });
    expect(await reconcileFilings(deps(false), 60)).toBe(0);
    expect((await db.store.getDecision(d.id))?.filing?.requeues ?? 0).toBe(0);
    expect(await reconcileFilings(deps(true), 60)).toBeGreaterThanOrEqual(1);
    expect(sent).toContain(d.id);
    expect((await db.store.getDecision(d.id))?.filing?.requeues).toBe(1);
  });
});
