import type { Caller } from '../auth/caller.ts';
import { notFound } from '../http/problem.ts';
import type { Deps } from './deps.ts';

/** The date `count` working days after `from`, on the national calendar or a jurisdiction's. */
export async function workingDays(deps: Deps, caller: Caller, q: { from: string; count: number; jurisdictionId?: string | undefined }) {
  let jurisdiction;
  if (q.jurisdictionId) {
    // as for GET /v1/jurisdictions/{id}: another jurisdiction's local days are not the caller's business
    if (caller.role !== 'admin' && caller.jurisdictionId !== q.jurisdictionId) throw notFound(`jurisdiction "${q.jurisdictionId}" does not exist or is not visible to you`);
    jurisdiction = await deps.rules.get(q.jurisdictionId);
    if (!jurisdiction) throw notFound(`jurisdiction "${q.jurisdictionId}" does not exist`);
  }
  const due = deps.calendarFor(jurisdiction).addWorkingDays(q.from, q.count);
  return { from: q.from, count: q.count, ...(q.jurisdictionId && { jurisdictionId: q.jurisdictionId }), dueOn: due.date, provisional: due.provisional };
}
