/**
 * Documents of a decision, beside it in its partition (`DEC#<decisionId>` / `DOC#<documentId>`). Declaring one
 * counts it on the decision (at most MAX_DOCUMENTS_PER_DECISION, only while a filing is open) in the same
 * transaction as its item and its event; verifying it settles it once (only from PENDING).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_DOCUMENTS_PER_DECISION } from '../schemas/filing.ts';
import { strip } from './beian-store.ts';
import type { HistoryEvent } from '../domain/history.ts';
import type { DocumentRecord, IdempotencyRecord } from '../domain/records.ts';
import type { DeclareOutcome, DocumentRepository } from '../use-cases/documents.ts';
import { eventPut } from './history.ts';
import { keys } from './keys.ts';
import { idempotencyPut, storedResponse, transact } from './transactions.ts';

/** Statuses a document may be declared in: those a filing may be submitted in. */
export const OPEN_FOR_DOCUMENTS = ['AWAITING_FILING', 'INCOMPLETE', 'OVERDUE', 'CORRECTION_REQUIRED', 'CORRECTION_OVERDUE'] as const;

const documentKey = (decisionId: string, documentId: string) => ({ pk: keys.decision(decisionId).pk, sk: `DOC#${documentId}` });

export class DocumentStore implements DocumentRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async declare(doc: DocumentRecord, event: HistoryEvent, idempotency?: IdempotencyRecord): Promise<DeclareOutcome> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.decision(doc.decisionId),
          UpdateExpression: 'ADD documentCount :one',
          ConditionExpression: `filingRequired = :true AND #status IN (${OPEN_FOR_DOCUMENTS.map((_, i) => `:s${i}`).join(', ')}) AND (attribute_not_exists(documentCount) OR documentCount < :max)`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':true': true, ':max': MAX_DOCUMENTS_PER_DECISION, ...Object.fromEntries(OPEN_FOR_DOCUMENTS.map((s, i) => [`:s${i}`, s])) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: this.tableName, Item: { ...documentKey(doc.decisionId, doc.documentId), ...doc }, ConditionExpression: 'attribute_not_exists(pk)' } },
      eventPut(this.tableName, doc.decisionId, event),
      ...(idempotency ? [idempotencyPut(this.tableName, idempotency, doc.createdAt)] : []),
    ]);
    if (result.ok) return { kind: 'created' };
    const stored = idempotency ? storedResponse(result.reasons[3]) : undefined;
    if (stored) return { kind: 'idempotent-replay', stored };
    const decision = result.reasons[0];
    if (decision?.Code === 'ConditionalCheckFailed') {
      const status = decision.Item?.status?.S ?? 'unknown';
      const open = decision.Item?.filingRequired?.BOOL === true && (OPEN_FOR_DOCUMENTS as readonly string[]).includes(status);
      return open ? { kind: 'too-many' } : { kind: 'not-open', status };
    }
    throw new Error(`document ${doc.documentId} could not be written: ${result.reasons.map((r) => r.Code).join(', ')}`);
  }

  /** Every document of a decision, in the order they were declared. */
  async list(decisionId: string): Promise<DocumentRecord[]> {
    const items: DocumentRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :doc)',
          ExpressionAttributeValues: { ':pk': keys.decision(decisionId).pk, ':doc': 'DOC#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map((i) => strip<DocumentRecord>(i)!));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(decisionId: string, documentId: string): Promise<DocumentRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: documentKey(decisionId, documentId), ConsistentRead: true }));
    return strip<DocumentRecord>(out.Item);
  }

  /** PENDING -> VERIFIED or REJECTED, once (a redelivered event finds it settled), with its event. */
  async settle(doc: DocumentRecord, verdict: { status: 'VERIFIED' | 'REJECTED'; reason?: string; versionId?: string }, at: string, event: HistoryEvent): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: documentKey(doc.decisionId, doc.documentId),
          UpdateExpression: `SET #status = :status, checkedAt = :at${verdict.status === 'VERIFIED' ? ', verifiedAt = :at' : ''}${verdict.reason ? ', reason = :reason' : ''}${verdict.versionId ? ', versionId = :version' : ''}`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': verdict.status, ':at': at, ':pending': 'PENDING', ...(verdict.reason && { ':reason': verdict.reason }), ...(verdict.versionId && { ':version': verdict.versionId }) },
        },
      },
      eventPut(this.tableName, doc.decisionId, event),
      // a rejected document no longer takes one of the decision's 30 places
      ...(verdict.status === 'REJECTED'
        ? [{ Update: { TableName: this.tableName, Key: keys.decision(doc.decisionId), UpdateExpression: 'ADD documentCount :minus', ExpressionAttributeValues: { ':minus': -1 } } }]
        : []),
    ]);
    return result.ok;
  }
}
