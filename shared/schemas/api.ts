/** Request bodies and query strings of the HTTP API. The OpenAPI document is generated from these. */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DEFAULT_SUPERVISION } from '../domain/supervision.ts';
import { email, entityId, isoDate, line, money, noForbidden } from './common.ts';
import { decisionFactsShape, decisionFactIssues, hearingThreshold, majorReason } from './decision.ts';

z.config(en());

const name = line(200);
const text = (max: number) => z.string().check(z.maxLength(max), noForbidden(true));

/** A district's agencies report and file a few decisions a day; these stop a runaway client, not real work. */
export const DEFAULT_DAILY_QUOTA = { decisions: 500, filings: 500, uploads: 2000 } as const;

export const jurisdictionBody = z.strictObject({
  name,
  filingPeriodWorkingDays: z._default(z.int().check(z.minimum(1), z.maximum(60)), 10),
  hearingThresholds: z._default(z.array(hearingThreshold).check(z.maxLength(100)), []),
  escalationEmails: z._default(z.array(email).check(z.maxLength(20)), []),
  /** the amber reminder goes out this many working days before a deadline, and on the day itself */
  reminderWorkingDaysBefore: z._default(z.int().check(z.minimum(1), z.maximum(20)), DEFAULT_SUPERVISION.reminderWorkingDaysBefore),
  /** writes one agency may make a day (Asia/Shanghai), beyond the per-caller request rate */
  dailyQuotaPerAgency: z._default(
    z.strictObject({
      decisions: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), DEFAULT_DAILY_QUOTA.decisions),
      filings: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), DEFAULT_DAILY_QUOTA.filings),
      /** documents declared (POST /v1/decisions/{id}/documents), each an upload URL of up to 50 MB */
      uploads: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), DEFAULT_DAILY_QUOTA.uploads),
    }),
    { ...DEFAULT_DAILY_QUOTA },
  ),
  /** an overdue case is escalated to escalationEmails after this many working days */
  escalationWorkingDaysOverdue: z._default(z.int().check(z.minimum(1), z.maximum(60)), DEFAULT_SUPERVISION.escalationWorkingDaysOverdue),
  extraOffDays: z._default(z.array(isoDate).check(z.maxLength(366)), []),
  extraWorkingDays: z._default(z.array(isoDate).check(z.maxLength(366)), []),
  /** prefix of filing numbers, e.g. 宝坻备 gives 宝坻备〔2026〕0001 */
  filingNumberPrefix: z.optional(z.string().check(z.minLength(1), z.maxLength(20), noForbidden(false))),
});
export type JurisdictionBody = z.output<typeof jurisdictionBody>;

export const agencyBody = z.strictObject({
  name,
  jurisdictionId: entityId,
  contactEmails: z._default(z.array(email).check(z.maxLength(20)), []),
  /**
   * Mail domains a filer's contact address may have to get the filing receipt too (e.g. scjg.tj.gov.cn);
   * official mail goes to no other address than the registered ones.
   */
  contactEmailDomains: z._default(
    z.array(z.string().check(z.toLowerCase(), z.regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a mail domain such as scjg.tj.gov.cn'))).check(z.maxLength(10)),
    [],
  ),
  /**
   * App client ids issued to this agency's systems (client-credentials grant): Cognito's letters and
   * digits, or an OIDC issuer's, where hyphens and dots are common (Keycloak's `baodi-market.api`)
   */
  clientIds: z._default(
    z.array(z.string().check(z.regex(/^[\w+.-]{1,128}$/, 'must be an app client id: 1-128 letters, digits and _ + . -'))).check(
      z.maxLength(10),
      z.refine((ids) => new Set(ids).size === ids.length, 'must not list an app client twice'),
    ),
    [],
  ),
});
export type AgencyBody = z.output<typeof agencyBody>;

export const decisionBody = z
  .strictObject({
    /** kept as given (trimmed); a duplicate is found on its normalized form (NFKC, whitespace collapsed) */
    caseNumber: line(100),
    ...decisionFactsShape,
    party: z.strictObject({ type: decisionFactsShape.party.shape.type, name }),
    majorReasons: z.optional(z.array(majorReason).check(z.maxLength(4))),
    /** the party requested a hearing (申请听证): the filing then needs the hearing record */
    hearingRequested: z.optional(z.boolean()),
    summary: z.optional(text(2000)),
    legalBasis: z.optional(text(2000)),
  })
  .check(
    z.superRefine((d, ctx) => {
      for (const issue of decisionFactIssues(d)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: d });
    }),
  );
export type DecisionBody = z.output<typeof decisionBody>;

const intString = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number')),
    z.pipe(z.transform(Number), z.int().check(z.minimum(min, `must be at least ${min}`), z.maximum(max, `must be at most ${max}`))),
  );

export const DECISION_STATUSES = ['AWAITING_FILING', 'NOT_REQUIRED', 'SUBMITTED', 'RECEIVED', 'INCOMPLETE', 'OVERDUE', 'ACCEPTED', 'CORRECTION_REQUIRED', 'CORRECTION_OVERDUE'] as const;

export const lateExplanationBody = z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(500), noForbidden(true)),
  /** the day the agency promises to file by */
  promisedOn: isoDate,
});
export type LateExplanationBody = z.output<typeof lateExplanationBody>;

export const REVIEW_OUTCOMES = ['ACCEPTED', 'CORRECTION_REQUIRED'] as const;

/** A reviewer's decision on a received filing: 予以备案 (accepted) or 责令纠正 (a correction, with comments, due in N working days). */
export const reviewBody = z
  .strictObject({
    outcome: z.enum(REVIEW_OUTCOMES),
    comments: z.optional(z.string().check(z.trim(), z.maxLength(2000), noForbidden(true))),
    correctionDueInWorkingDays: z.optional(z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(60, 'must be at most 60'))),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.outcome === 'CORRECTION_REQUIRED' && !b.comments) {
        ctx.addIssue({ code: 'custom', path: ['comments'], message: 'are required for CORRECTION_REQUIRED: say what to correct', input: b });
      }
      if (b.outcome === 'ACCEPTED' && b.correctionDueInWorkingDays !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['correctionDueInWorkingDays'], message: 'applies to CORRECTION_REQUIRED only', input: b });
      }
    }),
  );
export type ReviewBody = z.output<typeof reviewBody>;

export const reviewQueueQuery = z.strictObject({
  agencyId: z.optional(entityId),
  /** admins: one jurisdiction's queue */
  jurisdictionId: z.optional(entityId),
  limit: z.optional(intString(1, 100)),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});
export type ReviewQueueQuery = z.output<typeof reviewQueueQuery>;

export const listDecisionsQuery = z.strictObject({
  status: z.optional(z.enum(DECISION_STATUSES)),
  agencyId: z.optional(entityId),
  decidedFrom: z.optional(isoDate),
  decidedTo: z.optional(isoDate),
  /** filingDueOn strictly before this date */
  dueBefore: z.optional(isoDate),
  limit: z.optional(intString(1, 100)),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});
export type ListDecisionsQuery = z.output<typeof listDecisionsQuery>;

/**
 * PUT /v1/calendar/{year}: a holiday-cn year file, strictly (its `$schema` and `$id` are allowed and not
 * kept): at most 10 notice addresses, 1 to 80 days with short names and real dates. What the file says
 * of the year (no date twice, only the year's own dates and the last days of the year before, a plausible
 * count of days off) is checked by `yearFileProblems` (shared/domain/calendar.ts).
 */
export const calendarYearBody = z.strictObject({
  $schema: z.optional(z.string().check(z.maxLength(500))),
  $id: z.optional(z.string().check(z.maxLength(500))),
  year: z.int(),
  papers: z.array(z.string().check(z.regex(/^https?:\/\/[^\s<>"]{1,490}$/, 'must be the http(s) address of the notice'))).check(z.maxLength(10, 'at most 10 addresses')),
  days: z
    .array(z.strictObject({ name: z.string().check(z.trim(), z.maxLength(40), noForbidden(false)), date: isoDate, isOffDay: z.boolean() }))
    .check(z.maxLength(80, 'at most 80 days: a year file lists only the days that differ from Monday-Friday')),
});
export type CalendarYearBody = z.output<typeof calendarYearBody>;

/** A calendar month, YYYY-MM. */
export const month = z.string().check(z.regex(/^(199\d|2[01]\d\d)-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM from 1990 to 2199 (e.g. 2026-01)'));
export const STATS_GROUPINGS = ['agency', 'month'] as const;
/** The longest period one statistics request covers. */
export const MAX_STATS_MONTHS = 36;

export const statsQuery = z.strictObject({
  /** admins: required; reviewers: their own (the default) */
  jurisdictionId: z.optional(entityId),
  /** first month of decidedOn; default January of `to`'s year */
  from: z.optional(month),
  /** last month of decidedOn; default the current month (Asia/Shanghai) */
  to: z.optional(month),
  groupBy: z.optional(z.enum(STATS_GROUPINGS)),
});
export type StatsQuery = z.output<typeof statsQuery>;

export const workingDaysQuery = z.strictObject({
  from: isoDate,
  count: intString(0, 1000),
  jurisdictionId: z.optional(entityId),
});

export const idPath = z.strictObject({ id: z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be a decision id')) });
export const jurisdictionPath = z.strictObject({ jurisdictionId: entityId });
export const documentPath = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be a decision id')),
  documentId: z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be a document id')),
});
export const yearPath = z.strictObject({ year: z.string().check(z.regex(/^(199\d|2[01]\d\d)$/, 'must be a year from 1990 to 2199')) });
export const agencyPath = z.strictObject({ agencyId: entityId });

export { money };
