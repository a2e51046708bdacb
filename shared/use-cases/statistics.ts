/** The Legal Affairs Office's statistics of a jurisdiction: who files on time, who late, who not at all. */
import type { Caller } from '../auth/caller.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { type CounterRow, type StatsReport, monthsBetween, statsReport } from '../domain/statistics.ts';
import { InvalidInputError, notFound } from '../errors.ts';
import { MAX_STATS_MONTHS, type StatsQuery } from '../schemas/api.ts';
import type { Deps } from './deps.ts';

/** Where the counters come from (shared/store/stats.ts). */
export interface StatsSource {
  /** the jurisdiction's name and its agencies' names, or undefined when it does not exist */
  jurisdictionNames(jurisdictionId: string): Promise<{ name: string; agencies: Map<string, string> } | undefined>;
  counters(jurisdictionId: string, from: string, to: string): Promise<{ rows: CounterRow[]; readUnits: number }>;
}

export interface StatsDeps extends Pick<Deps, 'now'> {
  stats: StatsSource;
}

/**
 * Reviewers see their own jurisdiction (another's is a 404, as for its decisions); admins name one.
 * The period is whole months of decidedOn, by default this year up to this month.
 */
export async function jurisdictionStats(deps: StatsDeps, caller: Caller, q: StatsQuery): Promise<{ report: StatsReport; jurisdictionName: string }> {
  const jurisdictionId = q.jurisdictionId ?? (caller.role === 'reviewer' ? caller.jurisdictionId : undefined);
  if (!jurisdictionId) throw new InvalidInputError([{ field: 'jurisdictionId', in: 'query', reason: 'is required for an admin: name the jurisdiction' }]);
  const to = q.to ?? shanghaiDate(deps.now()).slice(0, 7);
  const from = q.from ?? `${to.slice(0, 4)}-01`;
  if (from > to) {
    throw new InvalidInputError([
      q.to ? { field: 'to', in: 'query', reason: `must not be before from (${from})` } : { field: 'from', in: 'query', reason: `must not be after to (${to}, this month unless given)` },
    ]);
  }
  const months = monthsBetween(from, to).length;
  if (months > MAX_STATS_MONTHS) {
    throw new InvalidInputError([
      {
        field: q.to ? 'to' : 'from',
        in: 'query',
        reason: `${from} to ${to}${q.to ? '' : ' (this month unless given)'} is ${months} months; the period is at most ${MAX_STATS_MONTHS}: ask for it in parts`,
      },
    ]);
  }
  const hidden = caller.role !== 'admin' && caller.jurisdictionId !== jurisdictionId;
  if (hidden) throw notFound(`jurisdiction "${jurisdictionId}" does not exist or is not visible to you`);
  // the two reads are independent: one round trip, not two
  const [names, { rows }] = await Promise.all([deps.stats.jurisdictionNames(jurisdictionId), deps.stats.counters(jurisdictionId, from, to)]);
  if (!names) throw notFound(`jurisdiction "${jurisdictionId}" does not exist or is not visible to you`);
  return { report: statsReport({ jurisdictionId, from, to, groupBy: q.groupBy ?? 'agency' }, rows, names.agencies), jurisdictionName: names.name };
}
