/**
 * The daily sweep's writes. Each is conditional, so a sweep run twice, two sweeps at once, or a rerun
 * after a crash change nothing twice:
 * - a reminder is a digest entry whose key names the day, the kind and the decision (written once);
 * - the overdue flag is the decision's status change, only from the status the sweep read, in one
 *   transaction with its digest entry (a filing that lands first wins; then there is no entry);
 * - an escalation sets `escalatedOn` once, in one transaction with its entry;
 * - a digest notice is written PENDING in one transaction with the marking of every entry it lists,
 *   each only if not listed yet: an entry is in exactly one digest;
 * - the weekly summary and the calendar watch are notices with deterministic ids, put only if absent;
 * - a sweep in progress is an attribute `run#<id>` on the jurisdiction's item until it completes.
 */
import { noticeItem } from './notice-item.ts';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { strip } from './beian-store.ts';
import { JURISDICTION_AGENCY_PREFIX, JURISDICTION_RUN_PREFIX, keys, openDueKeys, setStatus } from './keys.ts';
import type { HistoryEvent } from '../domain/history.ts';
import type { DecisionRecord, JurisdictionRecord, Notice } from '../domain/records.ts';
import { type LateExplanation, OBLIGATION_FIELDS, type ObligationKind } from '../domain/supervision.ts';
import type { LateExplanations } from '../use-cases/late-explanation.ts';
import type { BegunSweep, DigestEntry, SweepRun, SweepWrites } from '../use-cases/supervision.ts';
import { type TransactItem, transact } from './transactions.ts';
import { statsUpdate } from './stats.ts';
import { eventPut } from './history.ts';

/** Digest entries are kept this long after their day, then removed by TTL. */
const ENTRY_TTL_DAYS = 90;

const entryKey = (e: Pick<DigestEntry, 'jurisdictionId' | 'day' | 'kind' | 'recipientKey' | 'decisionId'>) =>
  keys.digestEntry(e.jurisdictionId, e.day, e.kind, e.recipientKey, e.decisionId);

export class SupervisionStore implements SweepWrites, LateExplanations {
  /** read capacity consumed by this store's reads so far (ReturnConsumedCapacity), for tests and the benchmark */
  readUnits = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Open obligations of a jurisdiction due on or before `upTo`, page by page, oldest due first. */
  async *openDue(jurisdictionId: string, upTo: string): AsyncGenerator<DecisionRecord[]> {
    yield* this.pages({
      TableName: this.tableName,
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk <= :upTo',
      ExpressionAttributeValues: { ':pk': openDueKeys({ jurisdictionId, filingDueOn: '', id: '' }).duePk, ':upTo': `${upTo}#\uffff` },
    });
  }

  /** Open obligations whose stored due date, in `year` or later, is provisional. */
  async *provisionalDueIn(jurisdictionId: string, year: number): AsyncGenerator<DecisionRecord[]> {
    yield* this.pages({
      TableName: this.tableName,
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk >= :from',
      FilterExpression: 'dueProvisional = :true OR correctionDueProvisional = :true',
      ExpressionAttributeValues: {
        ':pk': openDueKeys({ jurisdictionId, filingDueOn: '', id: '' }).duePk,
        ':from': `${year}-01-01`,
        ':true': true,
      },
    });
  }

  /** Every open obligation due on `fromDate` or later (a calendar year loaded again may move any of them). */
  async *openDueFrom(jurisdictionId: string, fromDate: string): AsyncGenerator<DecisionRecord[]> {
    yield* this.pages({
      TableName: this.tableName,
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk >= :from',
      ExpressionAttributeValues: { ':pk': openDueKeys({ jurisdictionId, filingDueOn: '', id: '' }).duePk, ':from': fromDate },
    });
  }

  /** Stores a recomputed due date (and moves the index entry) with its event, unless the decision changed meanwhile. */
  async correctDue(d: DecisionRecord, kind: ObligationKind, due: { dueOn: string; provisional: boolean }, at: string, event: HistoryEvent): Promise<boolean> {
    const f = OBLIGATION_FIELDS[kind];
    const index = openDueKeys({ ...d, filingDueOn: due.dueOn });
    return this.changeWithEvent(d.id, event, {
      UpdateExpression: `SET ${f.due} = :due, ${f.provisional} = :prov, dueSk = :dueSk, updatedAt = :at`,
      ConditionExpression: `#status = :seen AND ${f.due} = :old`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':due': due.dueOn, ':prov': due.provisional, ':dueSk': index.dueSk, ':at': at, ':seen': d.status, ':old': d[f.due] },
    });
  }

  /** A reminder: its entry, once per day, kind and decision, with its event. */
  async writeEntry(entry: DigestEntry, event: HistoryEvent): Promise<boolean> {
    const result = await transact(this.db, [
      { Put: { TableName: this.tableName, Item: this.entryItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
      eventPut(this.tableName, entry.decisionId, event),
    ]);
    return result.ok;
  }

  /** Overdue (OVERDUE or CORRECTION_OVERDUE) from the status the sweep read (nothing else changed meanwhile), with its digest entry and event. */
  async flagOverdue(d: DecisionRecord, kind: ObligationKind, overdueSince: string, entry: DigestEntry, at: string, event: HistoryEvent): Promise<boolean> {
    const f = OBLIGATION_FIELDS[kind];
    const overdue = setStatus(d, f.overdueStatus);
    return this.changeWithEvent(d.id, event, {
      UpdateExpression: `SET ${overdue.expression}, ${f.since} = :since, updatedAt = :at`,
      ConditionExpression: `#status = :seen AND ${f.due} = :due`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...overdue.values, ':since': overdueSince, ':at': at, ':seen': d.status, ':due': d[f.due] },
    }, entry, statsUpdate(this.tableName, d, d, { ...d, status: f.overdueStatus }));
  }

  /** Marks the overdue decision escalated (once), with its digest entry and event. */
  async escalate(d: DecisionRecord, kind: ObligationKind, day: string, entry: DigestEntry, at: string, event: HistoryEvent): Promise<boolean> {
    const f = OBLIGATION_FIELDS[kind];
    return this.changeWithEvent(d.id, event, {
      UpdateExpression: `SET ${f.escalated} = :day, updatedAt = :at`,
      ConditionExpression: `#status = :overdue AND attribute_not_exists(${f.escalated})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':overdue': f.overdueStatus, ':day': day, ':at': at },
    }, entry);
  }

  /** One conditional update of a decision with its event (and a digest entry), all or nothing. */
  private async changeWithEvent(
    decisionId: string,
    event: HistoryEvent,
    update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> },
    entry?: DigestEntry,
    counters: TransactItem[] = [],
  ): Promise<boolean> {
    const result = await transact(this.db, [
      { Update: { TableName: this.tableName, Key: keys.decision(decisionId), ...update } },
      ...(entry ? [{ Put: { TableName: this.tableName, Item: this.entryItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
      eventPut(this.tableName, decisionId, event),
      ...counters,
    ]);
    return result.ok;
  }

  /** Entries of a jurisdiction's sweep day that no digest lists yet (after a sweep that did not complete). */
  async undigestedEntries(jurisdictionId: string, day: string): Promise<DigestEntry[]> {
    const entries: DigestEntry[] = [];
    for await (const page of this.pages<DigestEntry>({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(digestId)',
      ExpressionAttributeValues: { ':pk': keys.digestEntry(jurisdictionId, day, '', '', '').pk },
      ConsistentRead: true,
    })) {
      entries.push(...page);
    }
    return entries;
  }

  /**
   * Writes a digest notice and marks the entries it lists, all or nothing. Returns the entries another
   * sweep listed first (then nothing was written: list the rest in a digest of their own).
   */
  async writeDigest(notice: Notice, entries: readonly DigestEntry[]): Promise<{ ok: true } | { ok: false; taken: DigestEntry[] }> {
    if (entries.length > 99) throw new RangeError('a digest transaction lists at most 99 entries');
    const result = await transact(this.db, [
      { Put: { TableName: this.tableName, Item: noticeItem(notice), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...entries.map((e) => ({
        Update: {
          TableName: this.tableName,
          Key: entryKey(e),
          UpdateExpression: 'SET digestId = :id',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(digestId)',
          ExpressionAttributeValues: { ':id': notice.id },
        },
      })),
    ]);
    if (result.ok) return { ok: true };
    const noticeTaken = result.reasons[0]?.Code === 'ConditionalCheckFailed';
    return { ok: false, taken: entries.filter((_, i) => noticeTaken || result.reasons[i + 1]?.Code === 'ConditionalCheckFailed') };
  }

  /** A notice with a deterministic id (one per week, one per day), written only if absent. */
  async putNoticeOnce(notice: Notice): Promise<boolean> {
    return this.putIfAbsent(noticeItem(notice));
  }

  /**
   * Records on the jurisdiction's item that a sweep begins, and returns (from that one write, no read)
   * the jurisdiction's rules, its agencies' names and addresses, the day of the last completed sweep, and
   * every other sweep begun and not completed. Undefined when the jurisdiction does not exist.
   */
  async beginRun(jurisdictionId: string, run: SweepRun): Promise<BegunSweep | undefined> {
    let item: Record<string, unknown>;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.jurisdiction(jurisdictionId),
          UpdateExpression: 'SET #run = :day',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#run': `${JURISDICTION_RUN_PREFIX}${run.runId}` },
          ExpressionAttributeValues: { ':day': run.day },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = out.Attributes ?? {};
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
    const entries = Object.entries(item);
    return {
      jurisdiction: strip<JurisdictionRecord>(item)!,
      agencies: new Map(
        entries
          .filter(([k]) => k.startsWith(JURISDICTION_AGENCY_PREFIX))
          .map(([k, v]) => [k.slice(JURISDICTION_AGENCY_PREFIX.length), v as { name: string; contactEmails: string[] }]),
      ),
      state: {
        ...(typeof item.lastCompletedOn === 'string' && { lastCompletedOn: item.lastCompletedOn }),
        ...(Array.isArray(item.calendarYears) && { calendarYears: item.calendarYears.map(Number) }),
        runs: entries
          .filter(([k]) => k.startsWith(JURISDICTION_RUN_PREFIX) && k !== `${JURISDICTION_RUN_PREFIX}${run.runId}`)
          .map(([k, v]) => ({ runId: k.slice(JURISDICTION_RUN_PREFIX.length), day: String(v) })),
      },
    };
  }

  /** The sweep completed: forget it and the runs it recovered; remember the calendar years and the day. */
  async endRun(jurisdictionId: string, run: SweepRun, recovered: readonly SweepRun[], calendarYears: readonly number[]): Promise<void> {
    const runs = [run, ...recovered];
    await this.update({
      Key: keys.jurisdiction(jurisdictionId),
      UpdateExpression: `SET calendarYears = :years REMOVE ${runs.map((_, i) => `#r${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(runs.map((r, i) => [`#r${i}`, `${JURISDICTION_RUN_PREFIX}${r.runId}`])),
      ExpressionAttributeValues: { ':years': [...calendarYears] },
    });
    await this.update({
      Key: keys.jurisdiction(jurisdictionId),
      UpdateExpression: 'SET lastCompletedOn = :day',
      // a later day's sweep that completed first keeps its day
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastCompletedOn) OR lastCompletedOn <= :day)',
      ExpressionAttributeValues: { ':day': run.day },
    });
  }

  /** Stores an agency's late explanation, with its event, while the decision is in the status read. */
  async explainLate(d: DecisionRecord, explanation: LateExplanation, event: HistoryEvent): Promise<DecisionRecord | undefined> {
    const ok = await this.changeWithEvent(d.id, event, {
      UpdateExpression: 'SET lateExplanation = :explanation, updatedAt = :at',
      ConditionExpression: '#status = :seen',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':explanation': explanation, ':at': explanation.explainedAt, ':seen': d.status },
    });
    return ok ? { ...d, lateExplanation: explanation, updatedAt: explanation.explainedAt } : undefined;
  }

  private entryItem(entry: DigestEntry) {
    const expiresAt = Math.floor(Date.parse(`${entry.day}T00:00:00+08:00`) / 1000) + ENTRY_TTL_DAYS * 86_400;
    return { ...entryKey(entry), ...entry, expiresAt };
  }

  /** Puts the item unless one with its key exists; false when it did. */
  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  private async update(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  private async *pages<T = DecisionRecord>(input: QueryCommandInput): AsyncGenerator<T[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ ...input, ReturnConsumedCapacity: 'TOTAL', ...(startKey && { ExclusiveStartKey: startKey }) }));
      this.readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      const items = out.Items ?? [];
      if (items.length) yield items.map((i) => strip<T>(i)!);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}
