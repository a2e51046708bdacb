/** An agency explains a deadline it has missed or is about to miss (reason and promised date). */
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { AWAITED_STATUSES, type LateExplanation } from '../domain/supervision.ts';
import { type HistoryEvent, actorOf, historyEvent } from '../domain/history.ts';
import type { DecisionRecord } from '../domain/records.ts';
import { InvalidInputError, conflict } from '../errors.ts';
import { agencyText } from '../notices/digests.ts';
import type { LateExplanationBody } from '../schemas/api.ts';
import { type DecisionView, getDecision, presentDecision } from './decisions.ts';
import type { Deps } from './deps.ts';
import { supervisionSettings } from './supervision.ts';

/** Where a late explanation is kept (shared/store/supervision-store.ts). */
export interface LateExplanations {
  /** stores it while the decision's status is still the one read; undefined when it changed meanwhile */
  explainLate(d: DecisionRecord, explanation: LateExplanation, event: HistoryEvent): Promise<DecisionRecord | undefined>;
}

export interface LateExplanationDeps extends Deps {
  sweeps: LateExplanations;
}

/**
 * 1. the agency's own decision (else 404); 2. it must need filing (else 409) and still await it: overdue,
 * or due within the reminder window (else 409 saying when); 3. the promised date is not in the past;
 * 4. stored while the status is still one that awaits filing (a filing landing meanwhile -> 409).
 */
export async function explainLate(deps: LateExplanationDeps, caller: Extract<Caller, { role: 'agency' }>, decisionId: string, body: LateExplanationBody): Promise<DecisionView> {
  const decision = await getDecision(deps, caller, decisionId);
  if (!decision.filingRequired || !decision.filingDueOn) {
    throw conflict('filing-not-required', `decision ${decisionId} needs no filing, so there is no deadline to explain`, { currentStatus: decision.status });
  }
  if (!(AWAITED_STATUSES as readonly string[]).includes(decision.status)) {
    throw conflict('filing-not-awaited', `decision ${decisionId} is ${decision.status}: its filing is no longer awaited`, { currentStatus: decision.status });
  }
  const now = deps.now();
  const today = shanghaiDate(now);
  const jurisdiction = await deps.rules.get(decision.jurisdictionId);
  const calendar = deps.calendarFor(jurisdiction);
  const window = jurisdiction ? supervisionSettings(jurisdiction).reminderWorkingDaysBefore : 3;
  const left = calendar.workingDaysBetween(today, decision.filingDueOn).days;
  if (decision.status !== 'OVERDUE' && today <= decision.filingDueOn && left > window) {
    throw conflict('deadline-not-near', `decision ${decisionId} is due on ${decision.filingDueOn}, ${left} working days away: a late explanation is taken from ${window} working days before the deadline`, {
      currentStatus: decision.status,
    });
  }
  if (body.promisedOn < today) throw new InvalidInputError([{ field: 'promisedOn', in: 'body', reason: `must not be before today (${today})` }]);
  // a promise is a date to hold the agency to: at most one more filing period ahead
  const latest = calendar.addWorkingDays(today, jurisdiction?.filingPeriodWorkingDays ?? 10).date;
  if (body.promisedOn > latest) {
    throw new InvalidInputError([{ field: 'promisedOn', in: 'body', reason: `must be at most one filing period ahead: ${latest} at the latest` }]);
  }
  if (!agencyText(body.reason, 500)) throw new InvalidInputError([{ field: 'reason', in: 'body', reason: 'must contain visible text' }]);
  const explanation = { reason: body.reason, promisedOn: body.promisedOn, explainedAt: now.toISOString() };
  const event = historyEvent('LATE_EXPLANATION', explanation.explainedAt, actorOf(caller), decision.status, decision.status, `filing promised by ${body.promisedOn}`);
  const stored = await deps.sweeps.explainLate(decision, explanation, event);
  if (!stored) throw conflict('filing-not-awaited', `decision ${decisionId} changed meanwhile (a filing was submitted): read it again`, {});
  return presentDecision(deps, stored);
}
