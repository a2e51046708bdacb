/**
 * The Legal Affairs Office's review of a received filing: accept it (予以备案, the case is closed) or order a
 * correction (责令纠正) due in N working days on the jurisdiction's calendar; the agency answers by filing
 * again. The outcome, its mail (through the outbox) and its events are one transaction.
 */
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { type HistoryEvent, actorOf, historyEvent, noticeDetail } from '../domain/history.ts';
import type { DecisionRecord, Notice, ReviewState } from '../domain/records.ts';
import { conflict, notAllowed } from '../errors.ts';
import { renderReviewOutcome } from '../notices/review.ts';
import type { ReviewBody, ReviewQueueQuery } from '../schemas/api.ts';
import { type DecisionView, getDecision, listScoped, presentDecision } from './decisions.ts';
import type { Deps } from './deps.ts';

/** Where a review is recorded (shared/store/review-store.ts). */
export interface ReviewWrites {
  /** the outcome, its notice and events in one write, only while the decision is RECEIVED; else its status */
  record(
    d: DecisionRecord,
    review: ReviewState,
    correction: { correctionDueOn: string; correctionDueProvisional: boolean } | undefined,
    notice: Notice,
    events: HistoryEvent[],
  ): Promise<{ ok: true } | { ok: false; status: string }>;
}

export interface ReviewDeps extends Deps {
  reviews: ReviewWrites;
}

export const DEFAULT_CORRECTION_WORKING_DAYS = 10;

export async function reviewFiling(deps: ReviewDeps, caller: Caller, decisionId: string, body: ReviewBody): Promise<DecisionView> {
  if (caller.role !== 'reviewer') throw notAllowed('only a reviewer of the Legal Affairs Office reviews filings');
  const decision = await getDecision(deps, caller, decisionId);
  if (decision.status !== 'RECEIVED') throw notReviewable(decisionId, decision.status);
  const now = deps.now();
  const reviewedAt = now.toISOString();
  const reviewedOn = shanghaiDate(now);
  const days = body.outcome === 'CORRECTION_REQUIRED' ? (body.correctionDueInWorkingDays ?? DEFAULT_CORRECTION_WORKING_DAYS) : undefined;
  const review: ReviewState = {
    outcome: body.outcome,
    comments: body.comments ?? '',
    reviewedAt,
    reviewedOn,
    reviewer: caller.subject,
    ...(days !== undefined && { correctionWorkingDays: days }),
  };
  let correction: { correctionDueOn: string; correctionDueProvisional: boolean } | undefined;
  if (days !== undefined) {
    const { date, provisional } = deps.calendarFor(await deps.rules.get(decision.jurisdictionId)).addWorkingDays(reviewedOn, days);
    correction = { correctionDueOn: date, correctionDueProvisional: provisional };
  }
  const reviewed = { ...decision, ...correction, ...(correction && { corrections: (decision.corrections ?? 0) + 1 }), review, status: body.outcome, updatedAt: reviewedAt };
  const agency = await deps.store.getAgency(decision.agencyId);
  const notice: Notice = {
    id: `review#${decision.id}#${reviewedAt}`,
    kind: 'REVIEW_OUTCOME',
    decisionId: decision.id,
    jurisdictionId: decision.jurisdictionId,
    agencyId: decision.agencyId,
    to: agency?.contactEmails ?? [],
    ...renderReviewOutcome(reviewed, review, agency?.name ?? decision.agencyId),
    status: 'PENDING',
    createdAt: reviewedAt,
  };
  const actor = actorOf(caller);
  const detail = correction
    ? `correction ordered, due ${correction.correctionDueOn}${correction.correctionDueProvisional ? ' (provisional)' : ''} (${days} working days)`
    : 'filing accepted';
  const result = await deps.reviews.record(decision, review, correction, notice, [
    historyEvent(body.outcome, reviewedAt, actor, 'RECEIVED', body.outcome, detail),
    historyEvent('NOTICE_WRITTEN', reviewedAt, actor, body.outcome, body.outcome, noticeDetail(notice)),
  ]);
  // another reviewer (or a change) came first
  if (!result.ok) throw notReviewable(decisionId, result.status);
  return presentDecision(deps, reviewed);
}

function notReviewable(id: string, status: string) {
  return conflict('not-reviewable', `decision ${id} is ${status}: only a RECEIVED filing can be reviewed`, { currentStatus: status });
}

/** Filings received and not yet reviewed, oldest decision first: a reviewer's own jurisdiction, or an admin's pick. */
export async function reviewQueue(deps: Deps, caller: Caller, q: ReviewQueueQuery) {
  if (caller.role === 'agency') throw notAllowed('the review queue is the Legal Affairs Office\'s');
  if (caller.role === 'reviewer' && q.jurisdictionId && q.jurisdictionId !== caller.jurisdictionId) {
    throw notAllowed('a reviewer sees the queue of its own jurisdiction');
  }
  return listScoped(deps, caller, { ...q, status: 'RECEIVED' }, true);
}
