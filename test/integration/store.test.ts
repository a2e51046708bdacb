/**
 * BeianStore against DynamoDB Local: the decision, its case-number uniqueness record and its idempotency
 * record are written all or nothing; reads use Query on the table or an index, never Scan.
 */
import { SYSTEM, reportedEvent } from '../../shared/store/history.ts';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, test } from 'vitest';
import { ClientTakenError, JurisdictionMissingError } from '../../shared/use-cases/ports.ts';
import { keys, listPartition } from '../../shared/store/keys.ts';
import { DECISION_LIST_ATTRIBUTES } from '../../shared/store/table-definition.ts';
import type { DecisionRecord, DecisionSummary, IdempotentResponse } from '../../shared/store/records.ts';
import { useDynamo } from './dynamo-harness.ts';

const it = useDynamo();
const uid = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

function decision(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  const createdAt = new Date().toISOString();
  return {
    id: randomUUID(),
    agencyId: 'ag-default',
    jurisdictionId: 'jur-default',
    caseNumber: uid('case'),
    kind: 'PENALTY',
    measures: ['REVOKE_PERMIT'],
    party: { type: 'ORGANIZATION', name: 'Some company' },
    decidedOn: '2026-09-28',
    status: 'AWAITING_FILING',
    filingRequired: true,
    filingReasons: [{ code: 'REVOKE_PERMIT', text: 'revocation of a permit' }],
    filingDueOn: '2026-10-16',
    dueProvisional: false,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function idempotency(record: DecisionRecord, key: string, scope = `${record.agencyId}:decisions`) {
  const response: IdempotentResponse = { requestHash: `hash-of-${record.caseNumber}`, statusCode: 201, body: JSON.stringify(record), location: `/v1/decisions/${record.id}` };
  return { scope, key, response };
}

async function raw(key: { pk: string; sk: string }) {
  return (await it.doc.send(new GetCommand({ TableName: it.tableName, Key: key, ConsistentRead: true }))).Item;
}

async function decisionsOfAgency(agencyId: string) {
  const out: DecisionSummary[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await it.store.queryDecisions({ index: 'byAgency', partition: `AG#${agencyId}`, limit: 100, ...(startKey && { startKey }) });
    out.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return out;
}

describe('createDecision: decision + uniqueness + idempotency in one transaction', () => {
  test('writes the decision, the case-number record and the idempotency record', async () => {
    const agencyId = uid('ag');
    const record = decision({ agencyId });
    const idem = idempotency(record, uid('key'));
    expect(await it.store.createDecision(record, reportedEvent(record, SYSTEM.processor), idem)).toEqual({ kind: 'created' });

    expect(await it.store.getDecision(record.id)).toEqual(record);
    expect(await raw(keys.caseNumber(agencyId, record.caseNumber))).toMatchObject({ decisionId: record.id });
    expect(await it.store.getIdempotent(idem.scope, idem.key)).toMatchObject(idem.response);
    expect((await raw(keys.idempotency(idem.scope, idem.key)))?.expiresAt).toEqual(expect.any(Number));
    // a list shows the list attributes only (issue 12 item 3)
    const listed = Object.fromEntries(Object.entries(record).filter(([k]) => (DECISION_LIST_ATTRIBUTES as readonly string[]).includes(k)));
    expect(await decisionsOfAgency(agencyId)).toEqual([listed]);
  });

  test('a duplicate case number with a new key: duplicate-case naming the first; no idempotency record, no second decision', async () => {
    const agencyId = uid('ag');
    const first = decision({ agencyId });
    expect(await it.store.createDecision(first, reportedEvent(first, SYSTEM.processor), idempotency(first, uid('key')))).toEqual({ kind: 'created' });

    const second = decision({ agencyId, caseNumber: first.caseNumber, measures: ['CLOSURE'] });
    const idem = idempotency(second, uid('key'));
    expect(await it.store.createDecision(second, reportedEvent(second, SYSTEM.processor), idem)).toEqual({ kind: 'duplicate-case', existingId: first.id });

    expect(await it.store.getIdempotent(idem.scope, idem.key)).toBeUndefined();
    expect(await raw(keys.idempotency(idem.scope, idem.key))).toBeUndefined();
    expect(await it.store.getDecision(second.id)).toBeUndefined();
    expect(await raw(keys.caseNumber(agencyId, first.caseNumber))).toMatchObject({ decisionId: first.id });
    expect((await decisionsOfAgency(agencyId)).map((d) => d.id)).toEqual([first.id]);
  });

  test('a duplicate case number without a key: duplicate-case, one decision', async () => {
    const agencyId = uid('ag');
    const first = decision({ agencyId });
    expect(await it.store.createDecision(first, reportedEvent(first, SYSTEM.processor))).toEqual({ kind: 'created' });
    const second = decision({ agencyId, caseNumber: first.caseNumber });
    expect(await it.store.createDecision(second, reportedEvent(second, SYSTEM.processor))).toEqual({ kind: 'duplicate-case', existingId: first.id });
    expect(await it.store.getDecision(second.id)).toBeUndefined();
    expect((await decisionsOfAgency(agencyId)).map((d) => d.id)).toEqual([first.id]);
  });

  test('the same case number in two agencies: both created', async () => {
    const caseNumber = uid('case');
    const a = decision({ agencyId: uid('ag'), caseNumber });
    const b = decision({ agencyId: uid('ag'), caseNumber });
    expect(await it.store.createDecision(a, reportedEvent(a, SYSTEM.processor))).toEqual({ kind: 'created' });
    expect(await it.store.createDecision(b, reportedEvent(b, SYSTEM.processor))).toEqual({ kind: 'created' });
  });

  test('a used key with another case number: the stored response comes back; neither the decision nor its case record is written', async () => {
    const agencyId = uid('ag');
    const key = uid('key');
    const first = decision({ agencyId });
    const firstIdem = idempotency(first, key);
    expect(await it.store.createDecision(first, reportedEvent(first, SYSTEM.processor), firstIdem)).toEqual({ kind: 'created' });

    const other = decision({ agencyId });
    const outcome = await it.store.createDecision(other, reportedEvent(other, SYSTEM.processor), idempotency(other, key));
    expect(outcome).toEqual({ kind: 'idempotent-replay', stored: firstIdem.response });
    expect(await it.store.getDecision(other.id)).toBeUndefined();
    expect(await raw(keys.caseNumber(agencyId, other.caseNumber))).toBeUndefined();
    expect(await it.store.getIdempotent(firstIdem.scope, key)).toMatchObject(firstIdem.response);
    expect((await decisionsOfAgency(agencyId)).map((d) => d.id)).toEqual([first.id]);
  });

  test('an expired idempotency record no longer counts', async () => {
    const agencyId = uid('ag');
    const key = uid('key');
    const scope = `${agencyId}:decisions`;
    await it.doc.send(
      new PutCommand({
        TableName: it.tableName,
        Item: { ...keys.idempotency(scope, key), requestHash: 'old', statusCode: 201, body: '{}', expiresAt: Math.floor(Date.now() / 1000) - 60 },
      }),
    );
    const record = decision({ agencyId });
    const idem = idempotency(record, key, scope);
    expect(await it.store.createDecision(record, reportedEvent(record, SYSTEM.processor), idem)).toEqual({ kind: 'created' });
    expect(await it.store.getIdempotent(scope, key)).toMatchObject(idem.response);
  });

  test('20 concurrent creates of one case number (no key): exactly one created, the rest name it', async () => {
    const agencyId = uid('ag');
    const caseNumber = uid('case');
    const records = Array.from({ length: 20 }, () => decision({ agencyId, caseNumber }));
    const outcomes = await Promise.all(records.map((r) => it.store.createDecision(r, reportedEvent(r, SYSTEM.processor))));
    const created = outcomes.flatMap((o, i) => (o.kind === 'created' ? [records[i]!] : []));
    expect(created).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind !== 'created')).toEqual(Array(19).fill({ kind: 'duplicate-case', existingId: created[0]!.id }));
    expect((await decisionsOfAgency(agencyId)).map((d) => d.id)).toEqual([created[0]!.id]);
  });

  test('20 concurrent creates with one key: exactly one created, the rest replay its response', async () => {
    const agencyId = uid('ag');
    const key = uid('key');
    const caseNumber = uid('case');
    const records = Array.from({ length: 20 }, () => decision({ agencyId, caseNumber }));
    const outcomes = await Promise.all(records.map((r) => it.store.createDecision(r, reportedEvent(r, SYSTEM.processor), idempotency(r, key))));
    const createdIndex = outcomes.findIndex((o) => o.kind === 'created');
    expect(outcomes.filter((o) => o.kind === 'created')).toHaveLength(1);
    const winner = records[createdIndex]!;
    for (const o of outcomes.filter((x) => x.kind !== 'created')) {
      expect(o).toEqual({ kind: 'idempotent-replay', stored: idempotency(winner, key).response });
    }
    expect((await decisionsOfAgency(agencyId)).map((d) => d.id)).toEqual([winner.id]);
  });
});

describe('reads are Queries, never Scans', () => {
  beforeEach(() => {
    it.sent.length = 0;
  });

  test('registry lists and decision queries (every index, filters, pages) send no ScanCommand', async () => {
    const jurisdictionId = uid('jur');
    const now = new Date().toISOString();
    await it.store.putJurisdiction(
      jurisdictionId,
      { name: 'J', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] },
      now,
    );
    const agencyId = uid('ag');
    await it.store.putAgency(agencyId, { name: 'A', jurisdictionId, contactEmails: [], clientIds: [] }, now);
    const made: DecisionRecord[] = [];
    for (const [i, decidedOn] of ['2026-01-10', '2026-02-10', '2026-03-10', '2026-04-10', '2026-05-10'].entries()) {
      const d = decision({ agencyId, jurisdictionId, decidedOn, ...(i % 2 ? { status: 'NOT_REQUIRED', filingRequired: false, filingReasons: [], filingDueOn: null } : {}) });
      await it.store.createDecision(d, reportedEvent(d, SYSTEM.processor));
      made.push(d);
    }
    it.sent.length = 0;

    expect((await it.store.listJurisdictions()).map((j) => j.jurisdictionId)).toContain(jurisdictionId);
    expect((await it.store.listAgencies()).map((a) => a.agencyId)).toContain(agencyId);
    for (const [index, partition] of [
      ['byAgency', `AG#${agencyId}`],
      ['byJurisdiction', `JUR#${jurisdictionId}`],
      ['all', 'DEC'],
    ] as const) {
      const seen: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await it.store.queryDecisions({ index, partition, limit: 2, jurisdictionId, ...(startKey && { startKey }) });
        seen.push(...page.items.map((d) => d.id));
        startKey = page.lastKey;
      } while (startKey);
      expect(seen.filter((id) => made.some((d) => d.id === id)).sort()).toEqual(made.map((d) => d.id).sort());
    }
    const filtered = await it.store.queryDecisions({
      ...listPartition({ agencyId }, 'AWAITING_FILING'),
      limit: 10,
      decidedFrom: '2026-02-01',
      decidedTo: '2026-05-10',
      dueBefore: '2027-01-01',
    });
    expect(filtered.items.map((d) => d.decidedOn)).toEqual(['2026-05-10', '2026-03-10']);

    const names = it.sent.map((c) => c.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names).toContain('QueryCommand');
    expect(names).not.toContain('ScanCommand');
    for (const c of it.sent.filter((x) => x.name === 'QueryCommand')) {
      expect(c.input.KeyConditionExpression, JSON.stringify(c.input)).toEqual(expect.any(String));
    }
    const decisionQueries = it.sent.filter((c) => c.name === 'QueryCommand' && String(JSON.stringify(c.input.ExpressionAttributeValues)).match(/AG#|JUR#|"DEC"/));
    expect(decisionQueries.length).toBeGreaterThan(0);
    for (const c of decisionQueries) expect(['byAgency', 'byJurisdiction', 'all', 'byAgencyStatus']).toContain(c.input.IndexName);
  });

  test('the recorder would see a Scan (so the assertion above can fail)', async () => {
    await it.doc.send(new ScanCommand({ TableName: it.tableName, Limit: 1 }));
    expect(it.sent.map((c) => c.name)).toContain('ScanCommand');
  });
});

describe('registry writes', () => {
  test('an agency in an unknown jurisdiction: JurisdictionMissingError, nothing written', async () => {
    const agencyId = uid('ag');
    await expect(
      it.store.putAgency(agencyId, { name: 'A', jurisdictionId: uid('nojur'), contactEmails: [], clientIds: [] }, new Date().toISOString()),
    ).rejects.toBeInstanceOf(JurisdictionMissingError);
    expect(await it.store.getAgency(agencyId)).toBeUndefined();
  });

  test('an app client linked to another agency: ClientTakenError, nothing written', async () => {
    const now = new Date().toISOString();
    const jurisdictionId = uid('jur');
    await it.store.putJurisdiction(jurisdictionId, { name: 'J', filingPeriodWorkingDays: 10, hearingThresholds: [], escalationEmails: [], extraOffDays: [], extraWorkingDays: [] }, now);
    const clientId = `client${randomBytes(4).toString('hex')}`;
    const a = uid('ag');
    await it.store.putAgency(a, { name: 'A', jurisdictionId, contactEmails: [], clientIds: [clientId] }, now);
    expect(await it.store.agencyIdForClient(clientId)).toBe(a);
    const b = uid('ag');
    await expect(it.store.putAgency(b, { name: 'B', jurisdictionId, contactEmails: [], clientIds: [clientId] }, now)).rejects.toBeInstanceOf(ClientTakenError);
    expect(await it.store.getAgency(b)).toBeUndefined();
    expect(await it.store.agencyIdForClient(clientId)).toBe(a);
  });
});
