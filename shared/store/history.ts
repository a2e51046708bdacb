/**
 * A decision's history (audit trail): one item per change, in the decision's own partition
 * (`DEC#<id>` / `EV#<at>#<n>`), written in the same transaction as the change it records, so no change exists
 * without its event and no event without its change. Nothing updates or deletes an event: every Put is
 * conditional on the item being new, and no function's grant includes DeleteItem on it.
 */
import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { HistoryEvent } from '../domain/history.ts';
import { keys } from './keys.ts';

/** the events themselves are shared/domain/history.ts's; these stay here for the tests and benchmarks that seed the table */
export { SYSTEM, historyEvent, reportedEvent } from '../domain/history.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The Put of one event, for the transaction of the change it records. */
export function eventPut(tableName: string, decisionId: string, event: HistoryEvent): TransactItem {
  // the suffix orders events of one instant in the order they are written within a process, and keeps two apart
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.historyEvent(decisionId, event.at, nextSuffix()), ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

let counter = 0;
const processTag = randomBytes(3).toString('hex');
const nextSuffix = () => `${processTag}${(counter++ % 0x10000).toString(16).padStart(4, '0')}`;

/** Every event of a decision, in order. */
export async function readHistory(db: DynamoDBDocumentClient, tableName: string, decisionId: string): Promise<HistoryEvent[]> {
  const items: HistoryEvent[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
        ExpressionAttributeValues: { ':pk': keys.decision(decisionId).pk, ':ev': 'EV#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const { at, on, kind, actor, statusBefore, statusAfter, detail } of page.Items ?? []) {
      items.push({ at, on, kind, actor, statusBefore: statusBefore ?? null, statusAfter: statusAfter ?? null, detail });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
