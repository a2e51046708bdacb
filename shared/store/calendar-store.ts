/** National holiday schedules loaded at run time (PUT /v1/calendar/{year}): one item per year in the `CAL` partition. */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HolidayYear } from '../domain/calendar.ts';
import type { Actor } from './history.ts';
import { keys } from './keys.ts';

export interface LoadedYear {
  year: number;
  /** the year file as loaded (holiday-cn format), validated */
  file: HolidayYear;
  loadedAt: string;
  loadedBy: Actor;
}

export class CalendarStore {
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

  /** Stores a year, replacing one loaded before (a corrected notice is loaded again). */
  async put(y: LoadedYear): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.calendarYear(y.year), ...y } }));
  }
}
