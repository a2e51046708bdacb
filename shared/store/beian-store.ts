/**
 * The repository over the one Beian table: registry (jurisdictions, agencies, app clients) and decisions.
 * Writes that must not overwrite are conditional; a decision, its case-number uniqueness record and its
 * idempotency record are written in one transaction.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { idempotencyPut, storedResponse, transact } from './transactions.ts';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { statsUpdate } from './stats.ts';
import { eventPut, readHistory } from './history.ts';
import { type IndexName, tableDefinition } from './table-definition.ts';
import { JURISDICTION_AGENCY_PREFIX, JURISDICTION_RUN_PREFIX, JURISDICTION_SWEEP_FIELDS, decisionIndexKeys, keys, listPartition } from './keys.ts';
import type { HistoryEvent } from '../domain/history.ts';
import type { AgencyRecord, DecisionRecord, DecisionSummary, IdempotencyRecord, IdempotentResponse, JurisdictionRecord } from '../domain/records.ts';
import type { AgencyDirectory } from '../auth/caller.ts';
import {
  ClientTakenError,
  type CreateOutcome,
  type DecisionListQuery,
  type DecisionRepository,
  JurisdictionMissingError,
  type RegistryRepository,
} from '../use-cases/ports.ts';

const STORED_ONLY = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi5pk', 'gsi6pk', 'duePk', 'dueSk', 'expiresAt'];

export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const copy = { ...item };
  for (const k of STORED_ONLY) delete copy[k];
  if (item.pk === 'JUR') {
    for (const k of Object.keys(copy)) if (k.startsWith(JURISDICTION_AGENCY_PREFIX) || k.startsWith(JURISDICTION_RUN_PREFIX)) delete copy[k];
    for (const k of JURISDICTION_SWEEP_FIELDS) delete copy[k];
  }
  return copy as T;
}

/** One page of a decision list: the scope and status are the index and its partition, the rest narrows it. */
export interface DecisionQuery extends Omit<DecisionListQuery, 'scope' | 'status'> {
  index: IndexName;
  partition: string;
}

/**
 * Items a filtered list page reads at most (besides its limit): a filter that is not a key condition
 * (dueBefore, or the jurisdiction check of a reviewer's agency filter) answers after reading this many,
 * possibly short, with a cursor, instead of reading on through a long history.
 */
export const FILTERED_PAGE_READ = 25;

export class BeianStore implements DecisionRepository, RegistryRepository, AgencyDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async putJurisdiction(id: string, body: Omit<JurisdictionRecord, 'jurisdictionId' | 'createdAt' | 'updatedAt'>, now: string) {
    return this.upsert<JurisdictionRecord>(keys.jurisdiction(id), { ...body, jurisdictionId: id }, now);
  }

  async getJurisdiction(id: string) {
    return this.get<JurisdictionRecord>(keys.jurisdiction(id));
  }

  async listJurisdictions() {
    return this.listPartition<JurisdictionRecord>('JUR');
  }

  /** Registers or updates an agency; its jurisdiction must exist, and its app clients must be free. */
  async putAgency(id: string, body: Omit<AgencyRecord, 'agencyId' | 'createdAt' | 'updatedAt'>, now: string): Promise<AgencyRecord> {
    const before = await this.getAgency(id);
    const dropped = (before?.clientIds ?? []).filter((c) => !body.clientIds.includes(c));
    const record = { ...body, agencyId: id, updatedAt: now, createdAt: before?.createdAt ?? now };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // the jurisdiction must exist; it keeps the agency's name and addresses for the daily sweep
              Update: {
                TableName: this.tableName,
                Key: keys.jurisdiction(body.jurisdictionId),
                UpdateExpression: 'SET #ag = :entry',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#ag': `${JURISDICTION_AGENCY_PREFIX}${id}` },
                ExpressionAttributeValues: { ':entry': { name: body.name, contactEmails: body.contactEmails } },
              },
            },
            { Put: { TableName: this.tableName, Item: { ...keys.agency(id), ...record } } },
            ...body.clientIds.map((clientId) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...keys.client(clientId), agencyId: id },
                ConditionExpression: 'attribute_not_exists(pk) OR agencyId = :me',
                ExpressionAttributeValues: { ':me': id },
              },
            })),
            ...dropped.map((clientId) => ({ Delete: { TableName: this.tableName, Key: keys.client(clientId) } })),
            // moved from another jurisdiction: that one no longer lists it
            ...(before && before.jurisdictionId !== body.jurisdictionId
              ? [{ Update: { TableName: this.tableName, Key: keys.jurisdiction(before.jurisdictionId), UpdateExpression: 'REMOVE #ag', ExpressionAttributeNames: { '#ag': `${JURISDICTION_AGENCY_PREFIX}${id}` } } }]
              : []),
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) {
        const reasons = e.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new JurisdictionMissingError(body.jurisdictionId);
        const taken = reasons.findIndex((r, i) => i >= 2 && r.Code === 'ConditionalCheckFailed');
        if (taken >= 0) throw new ClientTakenError(body.clientIds[taken - 2]!);
      }
      throw e;
    }
    return record;
  }

  async getAgency(id: string) {
    return this.get<AgencyRecord>(keys.agency(id));
  }

  async listAgencies() {
    return this.listPartition<AgencyRecord>('AGENCY');
  }

  /** The agency an app client id is linked to. */
  async agencyIdForClient(clientId: string): Promise<string | undefined> {
    return (await this.get<{ agencyId: string }>(keys.client(clientId)))?.agencyId;
  }

  /**
   * Writes a decision, its (agency, caseNumber) uniqueness record and, with an Idempotency-Key, the
   * response to replay, all or nothing. Concurrent identical requests: exactly one is created.
   */
  /** The decision, its case-number record, its first history event (and idempotency record): all or nothing. */
  async createDecision(record: DecisionRecord, event: HistoryEvent, idempotency?: IdempotencyRecord): Promise<CreateOutcome> {
    const result = await transact(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.decision(record.id), ...decisionIndexKeys(record), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.caseNumber(record.agencyId, record.caseNumber), decisionId: record.id },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...(idempotency ? [idempotencyPut(this.tableName, idempotency, record.createdAt)] : []),
      eventPut(this.tableName, record.id, event),
      ...statsUpdate(this.tableName, record, undefined, record),
    ]);
    if (result.ok) return { kind: 'created' };
    const stored = idempotency ? storedResponse(result.reasons[2]) : undefined;
    if (stored) return { kind: 'idempotent-replay', stored };
    const dup = result.reasons[1];
    if (dup?.Code === 'ConditionalCheckFailed') {
      const existingId = dup.Item?.decisionId?.S ?? (await this.get<{ decisionId: string }>(keys.caseNumber(record.agencyId, record.caseNumber)))?.decisionId;
      return { kind: 'duplicate-case', existingId: existingId ?? 'unknown' };
    }
    throw new Error(`decision ${record.id} could not be written: ${result.reasons.map((r) => r.Code).join(', ')}`);
  }

  /** The decision an agency reported under this case number (compared in its normalized form), if any. */
  async existingCase(agencyId: string, caseNumber: string): Promise<string | undefined> {
    return (await this.get<{ decisionId: string }>(keys.caseNumber(agencyId, caseNumber)))?.decisionId;
  }

  async history(decisionId: string): Promise<HistoryEvent[]> {
    return readHistory(this.db, this.tableName, decisionId);
  }

  async getDecision(id: string, options: { consistent?: boolean } = {}) {
    return this.get<DecisionRecord>(keys.decision(id), options.consistent);
  }

  async getIdempotent(scope: string, key: string): Promise<IdempotentResponse | undefined> {
    // consistent: a retry right after its first request must see what that request stored
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }));
    // TTL deletes an expired record within about two days; until then it no longer counts
    if (!out.Item || Number(out.Item.expiresAt) * 1000 < Date.now()) return undefined;
    return strip<IdempotentResponse>(out.Item);
  }

  /** One page of a scope's decisions (narrowed to a status): the index partition of the scope and status. */
  async listDecisions({ scope, status, ...page }: DecisionListQuery) {
    return this.queryDecisions({ ...listPartition(scope, status), ...page });
  }

  /**
   * One page of decisions, newest first: one Query on a list index (never Scan), of the list attributes only.
   * Unfiltered, it reads limit + 1 items: the page, and whether another follows (so a page that ends the list
   * carries no cursor). Filtered, it reads at most max(limit, FILTERED_PAGE_READ) + 1 and answers with what
   * matched, with a cursor where the index goes on: the read units of a request are bounded by its page.
   */
  async queryDecisions(q: DecisionQuery): Promise<{ items: DecisionSummary[]; lastKey?: Record<string, unknown> }> {
    const index = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === q.index)!;
    const names: Record<string, string> = { '#pk': index.partitionKey };
    const values: Record<string, unknown> = { ':pk': q.partition };
    let keyCondition = '#pk = :pk';
    if (q.decidedFrom || q.decidedTo) {
      names['#sk'] = index.sortKey;
      values[':from'] = q.decidedFrom ?? '0000';
      values[':to'] = `${q.decidedTo ?? '9999-12-31'}#\uffff`;
      keyCondition += ' AND #sk BETWEEN :from AND :to';
    }
    const filters: string[] = [];
    if (q.dueBefore) {
      values[':due'] = q.dueBefore;
      filters.push('filingDueOn < :due');
    }
    if (q.jurisdictionId) {
      values[':jur'] = q.jurisdictionId;
      filters.push('jurisdictionId = :jur');
    }
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: q.index,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: q.ascending === true,
        ...(filters.length && { FilterExpression: filters.join(' AND ') }),
        Limit: (filters.length ? Math.max(q.limit, FILTERED_PAGE_READ) : q.limit) + 1,
        ExclusiveStartKey: q.startKey,
      }),
    );
    const raw = page.Items ?? [];
    if (raw.length > q.limit) {
      const last = raw[q.limit - 1]!;
      const lastKey = { pk: last.pk, sk: last.sk, [index.partitionKey]: last[index.partitionKey], [index.sortKey]: last[index.sortKey] };
      return { items: raw.slice(0, q.limit).map((item) => strip<DecisionSummary>(item)!), lastKey };
    }
    return { items: raw.map((item) => strip<DecisionSummary>(item)!), ...(page.LastEvaluatedKey && { lastKey: page.LastEvaluatedKey }) };
  }

  private async get<T>(key: { pk: string; sk: string }, consistent = false): Promise<T | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ...(consistent && { ConsistentRead: true }) }));
    return strip<T>(out.Item);
  }

  private async listPartition<T>(pk: string): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) items.push(strip<T>(item)!);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async upsert<T>(key: { pk: string; sk: string }, fields: Record<string, unknown>, now: string): Promise<T> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['updatedAt = :now', 'createdAt = if_not_exists(createdAt, :now)'];
    const removes: string[] = [];
    Object.entries(fields).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      if (v === undefined) removes.push(`#f${i}`);
      else {
        values[`:f${i}`] = v;
        sets.push(`#f${i} = :f${i}`);
      }
    });
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<T>(out.Attributes)!;
  }
}
