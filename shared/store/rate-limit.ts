/**
 * A request limit per caller that holds across Lambda instances: a counter per caller and fixed window
 * in the table, advanced by one conditional UpdateItem per request (one write unit; the item expires a
 * minute after its window). At the limit the update is refused and nothing is counted.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

export interface RateLimit {
  /** requests a caller may make in one window */
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly limit: RateLimit,
  ) {}

  async take(callerKey: string, nowMs: number): Promise<RateDecision> {
    const windowMs = this.limit.windowSeconds * 1000;
    const window = Math.floor(nowMs / windowMs);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rateWindow(callerKey, window),
          UpdateExpression: 'ADD #n :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
          ExpressionAttributeNames: { '#n': 'requests' },
          ExpressionAttributeValues: { ':one': 1, ':limit': this.limit.requests, ':expires': Math.ceil(((window + 1) * windowMs) / 1000) + 60 },
        }),
      );
      return { ok: true };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - nowMs) / 1000)) };
    }
  }
}
