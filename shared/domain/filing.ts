/** Rules of a filing: which documents it needs, whether it is on time, and its number. */
import type { WorkingCalendar } from './calendar.ts';
import type { DocumentKind } from '../schemas/filing.ts';

export interface FilingFacts {
  kind: 'PENALTY' | 'COERCIVE';
  majorReasons?: readonly string[] | undefined;
  /** the party asked for a hearing (申请听证) */
  hearingRequested?: boolean | undefined;
}

/**
 * A decision letter always; for penalties also the legal review opinion and the collective discussion
 * record; a hearing record when a hearing was held or the party requested one.
 */
export function requiredDocuments(d: FilingFacts): DocumentKind[] {
  const required: DocumentKind[] = ['DECISION_LETTER'];
  if (d.kind === 'PENALTY') required.push('LEGAL_REVIEW_OPINION', 'COLLECTIVE_DISCUSSION_RECORD');
  if (d.majorReasons?.includes('HEARING_HELD') || d.hearingRequested) required.push('HEARING_RECORD');
  return required;
}

/**
 * The required kinds with no document among `documents` (the verified ones), each with why: `why` says what
 * became of a listed document of that kind that does not count (rejected, never uploaded); else "not listed".
 */
export function missingDocuments(d: FilingFacts, documents: readonly { kind: DocumentKind }[], why: ReadonlyMap<string, string> = new Map()): { kind: DocumentKind; reason: string }[] {
  const given = new Set(documents.map((doc) => doc.kind));
  return requiredDocuments(d)
    .filter((kind) => !given.has(kind))
    .map((kind) => ({ kind, reason: why.get(kind) ?? 'not listed' }));
}

export interface Timeliness {
  filedOn: string;
  onTime: boolean;
  workingDaysLate: number;
}

/** Filed on `filedOn` (Shanghai date of receipt) against the deadline `dueOn`. */
export function timeliness(filedOn: string, dueOn: string, calendar: WorkingCalendar): Timeliness {
  const onTime = filedOn <= dueOn;
  return { filedOn, onTime, workingDaysLate: onTime ? 0 : calendar.workingDaysBetween(dueOn, filedOn).days };
}

/** 宝坻备〔2026〕0001: the jurisdiction's prefix, the year, and the sequence number padded to 4 digits. */
export function formatFilingNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}〔${year}〕${String(sequence).padStart(4, '0')}`;
}
