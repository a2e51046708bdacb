/** National holiday schedules loaded at run time (PUT /v1/calendar/{year}): one item per year in the `CAL` partition. */
import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CalendarVersion, LoadedYear } from '../domain/records.ts';
import type { LoadedYears } from '../use-cases/calendar.ts';
import { keys } from './keys.ts';

export class CalendarStore implements LoadedYears {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Every loaded year: one Query of a partition of a few KB per year. */
  async loaded(): Promise<LoadedYear[]> {
    const years: LoadedYear[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.calendarYear(0).pk }, ExclusiveStartKey: startKey }),
      );
      for (const { year, file, loadedAt, loadedBy } of page.Items ?? []) years.push({ year, file, loadedAt, loadedBy });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return years;
  }

  /**
   * Stores a year, replacing one loaded before (a corrected notice is loaded again), and keeps this version
   * for good beside the others (`CALHIST` / `<year>#<loadedAt>`, never changed): who loaded what, when.
   */
  async put(y: LoadedYear): Promise<void> {
    const sha256 = createHash('sha256').update(JSON.stringify(y.file)).digest('hex');
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...keys.calendarYear(y.year), ...y } } },
          { Put: { TableName: this.tableName, Item: { ...keys.calendarVersion(y.year, y.loadedAt), ...y, sha256 }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  }

  /** Every version of a year loaded, newest first: when, by whom, how many days, the SHA-256 of the file as stored. */
  async versions(year: number): Promise<CalendarVersion[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :year)',
        ExpressionAttributeValues: { ':pk': keys.calendarVersion(year, '').pk, ':year': `${year}#` },
        ScanIndexForward: false,
      }),
    );
    return (out.Items ?? []).map((i) => ({ loadedAt: i.loadedAt, loadedBy: i.loadedBy, days: (i.file?.days ?? []).length, sha256: i.sha256 }));
  }
}
