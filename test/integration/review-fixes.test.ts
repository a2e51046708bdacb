/**
 * Behaviours added after a review: bounded list reads (status as a key condition, capped filtered reads), expired idempotency records, provisional deadlines
 * counted again at filing time, and the reconciler keeping its tries when SQS fails.
 */
import { SYSTEM, historyEvent, reportedEvent } from '../../shared/store/history.ts';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { nationalYearFiles } from '../../shared/domain/holiday-cn/index.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import { CursorCodec } from '../../shared/http/cursor.ts';
import { BeianStore, FILTERED_PAGE_READ } from '../../shared/store/beian-store.ts';
import { documentKey } from '../../shared/domain/documents.ts';
import { DocumentStore } from '../../shared/store/document-store.ts';
import { FilingStore } from '../../shared/store/filing-store.ts';
import { decisionIndexKeys, keys, listPartition } from '../../shared/store/keys.ts';
import { DECISION_LIST_ATTRIBUTES } from '../../shared/store/table-definition.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { reportDecision } from '../../shared/use-cases/decisions.ts';
import { rulesCache } from '../../shared/use-cases/deps.ts';
import { type FilingDeps, reconcileFilings, submitFiling } from '../../shared/use-cases/filings.ts';
import { DailyQuotas } from '../../shared/store/rate-limit.ts';
import { BatchWriteCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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

describe('a list page takes a bounded number of reads (issue 12 item 3)', () => {
  const agencyId = 'ag-cap';
  const put = async (items: DecisionRecord[]) => {
    for (let i = 0; i < items.length; i += 25) {
      await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: items.slice(i, i + 25).map((d) => ({ PutRequest: { Item: { ...keys.decision(d.id), ...decisionIndexKeys(d), ...d } } })) } }));
    }
  };
  // 250 newer decisions not to be filed, with long texts, then the one that awaits its filing
  const bulky = { summary: '案情'.repeat(900), legalBasis: '依据'.repeat(900) };
  const match = decision({ decidedOn: '2026-01-02', status: 'AWAITING_FILING', filingRequired: true, filingDueOn: '2026-01-16', ...bulky });
  const misses = Array.from({ length: 250 }, (_, i) => decision({ decidedOn: `2026-06-${String((i % 28) + 1).padStart(2, '0')}`, ...bulky }));

  async function queryUnits(q: Parameters<BeianStore['queryDecisions']>[0]) {
    db.sent.length = 0;
    const store = new BeianStore(db.doc, db.tableName);
    const page = await store.queryDecisions(q);
    const queries = db.sent.filter((c) => c.name.startsWith('Query'));
    return { page, queries };
  }

  beforeAll(() => put([...misses, match]));

  it('a status filter is a key condition: one read of the status partition finds the one match behind 250 others', async () => {
    const { partition, index } = listPartition({ agencyId }, 'AWAITING_FILING');
    expect(index).toBe('byAgencyStatus');
    const { page, queries } = await queryUnits({ index, partition, limit: 1 });
    expect(page.items.map((d) => d.id)).toEqual([match.id]);
    expect(page.lastKey).toBeUndefined();
    expect(queries).toHaveLength(1);
    expect(queries[0]!.input.FilterExpression).toBeUndefined();
  });

  it('read units of `?status=AWAITING_FILING&limit=1` behind 250 bulky decisions: at most 2x the returned item, plus one page', async () => {
    const { partition, index } = listPartition({ agencyId }, 'AWAITING_FILING');
    const { page, queries } = await queryUnits({ index, partition, limit: 1 });
    // replay the Query the store sent, asking DynamoDB what it consumed
    const out = await db.doc.send(new QueryCommand({ ...(queries[0]!.input as QueryCommandInput), ReturnConsumedCapacity: 'TOTAL' }));
    const units = out.ConsumedCapacity!.CapacityUnits!;
    const itemBytes = Buffer.byteLength(JSON.stringify(page.items[0]));
    // eventually consistent: half a unit per 4 KB; one page of 25 list items is well under 4 KB
    expect(units).toBeLessThanOrEqual(2 * Math.ceil(itemBytes / 4096) * 0.5 + 0.5);
    // the same filter as it was (a FilterExpression over the agency's history, 100 items a read, up to 20 reads)
    // reads ten times that in its first read alone, even of list items this small
    const before = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName, IndexName: 'byAgency', KeyConditionExpression: 'gsi1pk = :pk', FilterExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':pk': `AG#${agencyId}`, ':s': 'AWAITING_FILING' },
        ScanIndexForward: false, Limit: 100, ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(before.Items).toEqual([]);
    expect(before.ConsumedCapacity!.CapacityUnits!).toBeGreaterThanOrEqual(10 * units);
  });

  it('list items carry the list attributes only, not the texts or the filing', async () => {
    const { partition, index } = listPartition({ agencyId }, 'AWAITING_FILING');
    const { page } = await queryUnits({ index, partition, limit: 1 });
    expect(Object.keys(page.items[0]!).sort()).toEqual(Object.keys(match).filter((k) => (DECISION_LIST_ATTRIBUTES as readonly string[]).includes(k)).sort());
    expect(JSON.stringify(page.items[0])).not.toContain('案情');
  });

  it('a filter that is not a key condition reads at most max(limit, 25) + 1 items, answers short with a cursor, and the cursor goes on', async () => {
    const { partition, index } = listPartition({ agencyId });
    const query = { index, partition, dueBefore: '2026-02-01', limit: 5 };
    const first = await queryUnits(query);
    expect(first.queries).toHaveLength(1);
    expect(first.queries[0]!.input.Limit).toBe(FILTERED_PAGE_READ + 1);
    expect(first.page.items).toEqual([]);
    expect(first.page.lastKey).toBeDefined();
    let items = first.page.items;
    let lastKey = first.page.lastKey;
    let pages = 1;
    while (lastKey && pages < 50) {
      const next = await db.store.queryDecisions({ ...query, startKey: lastKey });
      items = [...items, ...next.items];
      lastKey = next.lastKey;
      pages++;
    }
    expect(items.map((d) => d.id)).toEqual([match.id]);
    // 251 items at 26 a read: ten reads, then the last
    expect(pages).toBe(Math.ceil(251 / (FILTERED_PAGE_READ + 1)));
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
    const documents = new DocumentStore(db.doc, db.tableName);
    const deps = (calendar: WorkingCalendar, at: string): FilingDeps => ({
      store: db.store, filings, documents, cursors: new CursorCodec('x'.repeat(32)), now: () => new Date(at), newId: randomUUID,
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
    // its decision letter, declared (as POST /v1/decisions/{id}/documents does) and verified
    const letterAt = '2026-10-16T02:00:00Z';
    const documentId = randomUUID();
    const letter = {
      documentId, decisionId: reported.body.id, agencyId: caller.agencyId, key: documentKey(reported.body.id, documentId), kind: 'DECISION_LETTER' as const, title: 'd',
      fileName: 'd.pdf', contentType: 'application/pdf' as const, sizeBytes: 1, sha256, status: 'PENDING' as const, createdAt: letterAt, uploadExpiresAt: '2026-10-16T02:15:00Z',
    };
    expect((await documents.declare(letter, historyEvent('DOCUMENT_DECLARED', letterAt, { role: 'agency', subject: caller.subject, agencyId: caller.agencyId }, 'AWAITING_FILING', 'AWAITING_FILING', 'declared'))).kind).toBe('created');
    expect(await documents.settle(letter, { status: 'VERIFIED' }, letterAt, historyEvent('DOCUMENT_VERIFIED', letterAt, SYSTEM.verifier, null, null, 'verified'))).toBe(true);
    // filed on 2026-10-16 (Beijing), the real deadline under the loaded 2026 schedule: on time, no reason needed
    const submitted = await submitFiling(deps(nationalCalendar(), '2026-10-16T03:00:00Z'), caller, reported.body.id, {
      documents: [{ documentId }], contact: { name: 'c' },
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
    await db.store.createDecision(d, reportedEvent(d, SYSTEM.processor));
    await filings.submit(d, { documents: [], contact: { name: 'x' }, submissionId: randomUUID(), submittedAt: at, filedOn: '2026-06-10', onTime: true, workingDaysLate: 0, submissions: 1 }, { filingDueOn: '2026-06-15', dueProvisional: false }, []);
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
