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

/** An agency's count of one kind of write on a Shanghai day, and its limit. */
export interface DailyQuota {
  agencyId: string;
  what: 'decisions' | 'filings';
  day: string;
  limit: number;
}

/**
 * Daily quotas per agency: a counter item per agency, kind and day, taken (one UpdateItem) before the
 * write and given back when the write does not happen. Not in the write's transaction: that would make
 * every write of one agency conflict with its others on the one counter item.
 */
export class DailyQuotas {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** false when the quota is used up (nothing counted) */
  async take(q: DailyQuota): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.dailyQuota(q.agencyId, q.what, q.day),
          UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':limit': q.limit, ':expires': Math.floor(Date.parse(`${q.day}T00:00:00+08:00`) / 1000) + 7 * 86_400 },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** The write did not happen: the count goes back down. */
  async giveBack(q: DailyQuota): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.dailyQuota(q.agencyId, q.what, q.day),
        UpdateExpression: 'ADD #count :minus',
        ConditionExpression: '#count > :zero',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    ).catch(() => {}); // at worst the agency has one write fewer today
  }

  /** Runs `write` within the quota: 'exceeded' without running it, the count given back when it does not create. */
  async within<T>(q: DailyQuota, write: () => Promise<T>, created: (result: T) => boolean): Promise<T | 'exceeded'> {
    if (!(await this.take(q))) return 'exceeded';
    let result: T;
    try {
      result = await write();
    } catch (e) {
      await this.giveBack(q);
      throw e;
    }
    if (!created(result)) await this.giveBack(q);
    return result;
  }
}
