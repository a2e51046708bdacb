/**
 * The statistics counters (shared/domain/statistics.ts): one item per (jurisdiction, month, agency), added
 * to in the transaction of every change that moves a decision's figures, and read a partition range at a time.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type CounterRow, type StatsFacts, contribution, statsDelta, statsMonth } from '../domain/statistics.ts';
import type { StatsSource } from '../use-cases/statistics.ts';
import { JURISDICTION_AGENCY_PREFIX, keys } from './keys.ts';
import type { TransactItem } from './transactions.ts';

type Decision = { jurisdictionId: string; agencyId: string; decidedOn: string };

/**
 * The Update that adds what the change from `before` (undefined: a new decision) to `after` moves, for the
 * same transaction as the change; none when it moves nothing. ADD creates the item and its counters.
 */
export function statsUpdate(tableName: string, d: Decision, before: StatsFacts | undefined, after: StatsFacts): TransactItem[] {
  const delta = Object.entries(statsDelta(before, after));
  if (!delta.length) return [];
  const month = statsMonth(d.decidedOn);
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.stats(d.jurisdictionId, month, d.agencyId),
        UpdateExpression: `SET #month = :month, #agency = :agency ADD ${delta.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#month': 'month', '#agency': 'agencyId', ...Object.fromEntries(delta.map(([name], i) => [`#c${i}`, name])) },
        ExpressionAttributeValues: { ':month': month, ':agency': d.agencyId, ...Object.fromEntries(delta.map(([, n], i) => [`:c${i}`, n])) },
      },
    },
  ];
}

/**
 * The counter items that `decisions` add up to, built at once (a table that never kept them: the local
 * upgrade; the benchmark's seeding). The same `contribution` the transactions add the differences of.
 */
export function counterItems(decisions: Iterable<StatsFacts & Decision>): Record<string, unknown>[] {
  const items = new Map<string, Record<string, unknown>>();
  for (const d of decisions) {
    const month = statsMonth(d.decidedOn);
    const key = keys.stats(d.jurisdictionId, month, d.agencyId);
    const item = items.get(`${key.pk}|${key.sk}`) ?? { ...key, month, agencyId: d.agencyId };
    for (const [name, n] of Object.entries(contribution(d))) item[name] = ((item[name] as number | undefined) ?? 0) + n;
    items.set(`${key.pk}|${key.sk}`, item);
  }
  return [...items.values()];
}

/** The counter rows of a jurisdiction's months from `from` to `to` (YYYY-MM), with the read units it took. */
export async function readStats(db: DynamoDBDocumentClient, tableName: string, jurisdictionId: string, from: string, to: string): Promise<{ rows: CounterRow[]; readUnits: number }> {
  const rows: CounterRow[] = [];
  let readUnits = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.stats(jurisdictionId, '', '').pk, ':from': `${from}#`, ':to': `${to}#\uffff` },
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const { pk: _pk, sk: _sk, month, agencyId, ...counts } of page.Items ?? []) rows.push({ month, agencyId, counts });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { rows, readUnits };
}

/** The statistics' reads, for the API. */
export class StatsStore implements StatsSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async jurisdictionNames(jurisdictionId: string) {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.jurisdiction(jurisdictionId) }));
    if (!out.Item) return undefined;
    const agencies = new Map<string, string>();
    for (const [k, v] of Object.entries(out.Item)) if (k.startsWith(JURISDICTION_AGENCY_PREFIX)) agencies.set(k.slice(JURISDICTION_AGENCY_PREFIX.length), String(v?.name ?? ''));
    return { name: String(out.Item.name ?? jurisdictionId), agencies };
  }

  counters(jurisdictionId: string, from: string, to: string) {
    return readStats(this.db, this.tableName, jurisdictionId, from, to);
  }
}
