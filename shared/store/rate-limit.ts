/**
 * Limits that hold across Lambda instances, kept in the table: a counter item per caller and window (the
 * request rate), and per agency, kind of write and Shanghai day (the daily quotas).
 *
 * Each instance takes units from a counter in batches (one conditional UpdateItem for a batch) and hands
 * them out from memory; concurrent requests of an instance wait for its one claim in flight. A batch
 * starts at 1 unit and doubles only while the instance uses up what it took, so an instance that serves
 * a caller now and then holds nothing back, and a busy one costs one write per many requests. The total
 * across instances never exceeds the limit; what a busy instance took and did not use is lost with it
 * (a limit may be reached slightly early, never exceeded). A quota unit for a write that did not happen
 * goes back to the table.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallerRateLimit, RateDecision, RateLimit } from '../../functions/api/routes.ts';
import type { DailyQuota, QuotaCounter } from '../use-cases/ports.ts';
import { keys } from './keys.ts';

class LeasedCounters {
  /** counter pk -> units this instance took and has not handed out */
  private readonly held = new Map<string, number>();
  /** counter pk -> the claim in flight: requests of this instance wait for it instead of claiming too */
  private readonly claiming = new Map<string, Promise<boolean>>();
  /** counter pk -> the next batch size: it grows only while this instance keeps using up what it took */
  private readonly nextBatch = new Map<string, number>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** units taken at a time at most (and at most a tenth of the limit) */
    private readonly maxBatch: number,
  ) {}

  /** One unit of the counter at `key`, if the limit allows it. */
  async take(key: { pk: string; sk: string }, limit: number, expiresAt: number): Promise<boolean> {
    for (;;) {
      const left = this.held.get(key.pk) ?? 0;
      if (left > 0) {
        this.held.set(key.pk, left - 1);
        return true;
      }
      let claim = this.claiming.get(key.pk);
      if (!claim) {
        claim = this.claim(key, limit, expiresAt).finally(() => this.claiming.delete(key.pk));
        this.claiming.set(key.pk, claim);
      }
      if (!(await claim)) return false; // the limit is reached
    }
  }

  /** Takes a batch from the table into `held`; a batch starts at 1 and doubles while it is used up. */
  private async claim(key: { pk: string; sk: string }, limit: number, expiresAt: number): Promise<boolean> {
    if (this.held.size > 10_000) (this.held.clear(), this.nextBatch.clear()); // old windows and days
    const batch = Math.max(1, Math.min(this.nextBatch.get(key.pk) ?? 1, this.maxBatch, Math.floor(limit / 10)));
    for (const units of new Set([batch, 1])) {
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
        this.held.set(key.pk, (this.held.get(key.pk) ?? 0) + units);
        this.nextBatch.set(key.pk, units * 2);
        return true;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
    return false;
  }

  /** A unit taken for a write that did not happen goes back to the table, for any instance to take. */
  async giveBack(key: { pk: string; sk: string }): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #count :minus',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      )
      .catch(() => {}); // at worst the agency has one write fewer today
  }
}

/** A request limit per caller and fixed window. */
export class RateLimiter implements CallerRateLimit {
  private readonly counters: LeasedCounters;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    readonly limit: RateLimit,
  ) {
    // a window lasts a minute: what an instance holds unused is back at the next window
    this.counters = new LeasedCounters(db, tableName, 16);
  }

  async take(callerKey: string, nowMs: number): Promise<RateDecision> {
    const windowMs = this.limit.windowSeconds * 1000;
    const window = Math.floor(nowMs / windowMs);
    const end = (window + 1) * windowMs;
    if (await this.counters.take(keys.rateWindow(callerKey, window), this.limit.requests, Math.ceil(end / 1000) + 60)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
  }
}

/** Daily quotas per agency: a unit taken before the write, given back when the write does not happen. */
export class DailyQuotas implements QuotaCounter {
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
      await this.counters.giveBack(key);
      throw e;
    }
    if (!created(result)) await this.counters.giveBack(key);
    return result;
  }
}
