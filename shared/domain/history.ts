/**
 * A decision's history (audit trail): one event per change, written with the change it records
 * (shared/store/history.ts keeps them), and who made it.
 */
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from './dates.ts';
import type { Notice } from './records.ts';

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

/** What an event says of a notice: its kind and how many it goes to (never the addresses or the text). */
export const noticeDetail = (n: Pick<Notice, 'kind' | 'to'>) => `${n.kind.toLowerCase().replaceAll('_', ' ')} to ${n.to.length} address${n.to.length === 1 ? '' : 'es'}`;
