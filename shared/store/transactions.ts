/** What every idempotent transactional write shares: the idempotency record, and retries on conflicts. */
import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { IdempotencyRecord, IdempotentResponse } from '../domain/records.ts';

/** How long a stored idempotent response is kept: a day is longer than any client's retry loop. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The Put of an idempotency record, for the same transaction as the write it protects. */
export function idempotencyPut(tableName: string, idempotency: IdempotencyRecord, at: string): TransactItem {
  const now = Math.floor(Date.parse(at) / 1000);
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.idempotency(idempotency.scope, idempotency.key), ...idempotency.response, expiresAt: now + IDEMPOTENCY_TTL_SECONDS },
      // an expired record may linger until TTL deletes it; it no longer counts
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': now },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** The stored response, from a cancelled transaction whose idempotency Put found one. */
export function storedResponse(reason: CancellationReason | undefined): IdempotentResponse | undefined {
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return undefined;
  const item = reason.Item;
  return {
    requestHash: item.requestHash?.S ?? '',
    statusCode: Number(item.statusCode?.N ?? 0),
    body: item.body?.S ?? '',
    ...(item.location?.S && { location: item.location.S }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a transaction; a transaction that collided with another one on the same items is tried again
 * after a short random wait. Returns the cancellation reasons when a condition failed.
 */
export async function transact(db: DynamoDBDocumentClient, items: TransactItem[]): Promise<{ ok: true } | { ok: false; reasons: CancellationReason[] }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return { ok: false, reasons };
      if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < 8) {
        await sleep(10 + Math.random() * 20 * 2 ** Math.min(attempt, 4));
        continue;
      }
      throw e;
    }
  }
}
