/**
 * Limits that hold across Lambda instances, kept in the table: a counter item per caller and window (the
 * request rate), and per agency, kind of write and Shanghai day (the daily quotas).
 *
 * Each instance takes units from a counter in small batches (one conditional UpdateItem for up to
 * `batch` units), then hands them out from memory: a hot caller costs one write per `batch` requests,
 * not one per request, and the total across instances never exceeds the limit. What an instance took and
 * did not use is lost with it (at most batch - 1 units per instance and counter), so a limit may be
 * reached slightly early, never exceeded.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

class LeasedCounters {
  /** counter pk -> units this instance took and has not handed out */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** units taken at a time, at most a tenth of the limit */
    private readonly batch: number,
  ) {}

  /** One unit of the counter at `key`, if the limit allows it. */
  async take(key: { pk: string; sk: string }, limit: number, expiresAt: number): Promise<boolean> {
    const left = this.held.get(key.pk) ?? 0;
    if (left > 0) {
      this.held.set(key.pk, left - 1);
      return true;
    }
    if (this.held.size > 10_000) this.held.clear(); // old windows and days; what is lost is at most a batch each
    for (const units of new Set([Math.max(1, Math.min(this.batch, Math.floor(limit / 10))), 1])) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD #count :units SET expiresAt = if_not_exists(expiresAt, :expires)',
            ConditionExpression: 'attribute_not_exists(#count) OR #count <= :most',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':units': units, ':most': limit - units, ':expires': expiresAt },
          }),
        );
        this.held.set(key.pk, (this.held.get(key.pk) ?? 0) + units - 1);
        return true;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
    return false;
  }

  /** A unit taken for a write that did not happen: this instance hands it out again. */
  giveBack(key: { pk: string }): void {
    this.held.set(key.pk, (this.held.get(key.pk) ?? 0) + 1);
  }
}

export interface RateLimit {
  /** requests a caller may make in one window */
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A request limit per caller and fixed window. */
export class RateLimiter {
  private readonly counters: LeasedCounters;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    readonly limit: RateLimit,
  ) {
    // a window lasts a minute: what an instance holds unused is back at the next window
    this.counters = new LeasedCounters(db, tableName, 30);
  }

  async take(callerKey: string, nowMs: number): Promise<RateDecision> {
    const windowMs = this.limit.windowSeconds * 1000;
    const window = Math.floor(nowMs / windowMs);
    const end = (window + 1) * windowMs;
    if (await this.counters.take(keys.rateWindow(callerKey, window), this.limit.requests, Math.ceil(end / 1000) + 60)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
  }
}

/** An agency's count of one kind of write on a Shanghai day, and its limit. */
export interface DailyQuota {
  agencyId: string;
  what: 'decisions' | 'filings';
  day: string;
  limit: number;
}

/** Daily quotas per agency: a unit taken before the write, given back when the write does not happen. */
export class DailyQuotas {
  private readonly counters: LeasedCounters;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    // a quota lasts a day: keep what an instance may hold unused small
    this.counters = new LeasedCounters(db, tableName, 5);
  }

  /** Runs `write` within the quota: 'exceeded' without running it; the unit given back when it does not create. */
  async within<T>(q: DailyQuota, write: () => Promise<T>, created: (result: T) => boolean): Promise<T | 'exceeded'> {
    const key = keys.dailyQuota(q.agencyId, q.what, q.day);
    const expiresAt = Math.floor(Date.parse(`${q.day}T00:00:00+08:00`) / 1000) + 7 * 86_400;
    if (!(await this.counters.take(key, q.limit, expiresAt))) return 'exceeded';
    let result: T;
    try {
      result = await write();
    } catch (e) {
      this.counters.giveBack(key);
      throw e;
    }
    if (!created(result)) this.counters.giveBack(key);
    return result;
  }
}
