/**
 * A decision's history (audit trail): one item per change, in the decision's own partition
 * (`DEC#<id>` / `EV#<at>#<n>`), written in the same transaction as the change it records, so no change exists
 * without its event and no event without its change. Nothing updates or deletes an event: every Put is
 * conditional on the item being new, and no function's grant includes DeleteItem on it.
 */
import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { keys } from './keys.ts';

export const EVENT_KINDS = [
  'REPORTED',
  'FILING_SUBMITTED',
  'CORRECTION_SUBMITTED',
  'RECEIVED',
  'INCOMPLETE',
  'OVERDUE',
  'ESCALATED',
  'CORRECTION_OVERDUE',
  'LATE_EXPLANATION',
  'NOTICE_WRITTEN',
  'NOTICE_SENT',
  'ACCEPTED',
  'CORRECTION_REQUIRED',
  'DEADLINE_RECOMPUTED',
  'DOCUMENT_DECLARED',
  'DOCUMENT_VERIFIED',
  'DOCUMENT_REJECTED',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who made a change: a person or an agency's system by its token, or one of Beian's own functions. */
export interface Actor {
  role: 'agency' | 'reviewer' | 'admin' | 'system';
  subject: string;
  agencyId?: string;
}

export interface HistoryEvent {
  /** UTC instant */
  at: string;
  /** its Shanghai date */
  on: string;
  kind: EventKind;
  actor: Actor;
  statusBefore: string | null;
  statusAfter: string | null;
  /** a short line of what happened, in system words (agency text is not repeated here) */
  detail: string;
}

export const SYSTEM = {
  processor: { role: 'system', subject: 'processor' },
  sweep: { role: 'system', subject: 'sweep' },
  notices: { role: 'system', subject: 'notices' },
  verifier: { role: 'system', subject: 'verify-document' },
} as const satisfies Record<string, Actor>;

export const actorOf = (caller: Caller): Actor =>
  caller.role === 'agency' ? { role: 'agency', subject: caller.subject, agencyId: caller.agencyId } : { role: caller.role, subject: caller.subject };

export function historyEvent(kind: EventKind, at: string, actor: Actor, statusBefore: string | null, statusAfter: string | null, detail: string): HistoryEvent {
  return { at, on: shanghaiDate(new Date(at)), kind, actor, statusBefore, statusAfter, detail };
}

/** The first event of a decision: reported, with its deadline. */
export const reportedEvent = (d: { createdAt: string; status: string; filingRequired: boolean; filingDueOn: string | null; dueProvisional: boolean }, actor: Actor) =>
  historyEvent('REPORTED', d.createdAt, actor, null, d.status, d.filingRequired ? `filing due ${d.filingDueOn}${d.dueProvisional ? ' (provisional)' : ''}` : 'no filing required');

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
