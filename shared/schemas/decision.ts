/**
 * Decisions and jurisdiction rules: the single source of types and validation (the API, the classifier
 * and the OpenAPI document all use these).
 *
 * Terms: PENALTY 行政处罚; COERCIVE 行政强制 (major coercive decision 重大行政强制决定);
 * SUSPEND_PRODUCTION_OR_BUSINESS 责令停产停业; CLOSURE 责令关闭; REVOKE_PERMIT 吊销许可证件;
 * LOWER_QUALIFICATION 降低资质等级; RESTRICT_PRACTICE 限制从业; CONFISCATION 没收违法所得/非法财物;
 * SEAL_UP 查封; SEIZE 扣押; FREEZE 冻结; ENFORCE 强制执行. Hearing threshold 听证数额 (较大数额).
 */
import * as z from 'zod/mini';
import { entityId, isoDate, money } from './common.ts';

export const PENALTY_MEASURES = [
  'WARNING',
  'FINE',
  'CONFISCATION',
  'SUSPEND_PRODUCTION_OR_BUSINESS',
  'CLOSURE',
  'REVOKE_PERMIT',
  'LOWER_QUALIFICATION',
  'RESTRICT_PRACTICE',
  'OTHER_SEVERE_PENALTY',
] as const;
export const COERCIVE_MEASURES = ['SEAL_UP', 'SEIZE', 'FREEZE', 'ENFORCE'] as const;
export const MAJOR_REASONS = ['PUBLIC_INTEREST', 'HEARING_HELD', 'COMPLEX_CASE', 'OTHER_LEGAL'] as const;
export const PARTY_TYPES = ['INDIVIDUAL', 'ORGANIZATION'] as const;

export const decisionKind = z.enum(['PENALTY', 'COERCIVE']);
export const measure = z.enum([...PENALTY_MEASURES, ...COERCIVE_MEASURES]);
export const partyType = z.enum(PARTY_TYPES);
export const majorReason = z.enum(MAJOR_REASONS);

export type DecisionKind = z.infer<typeof decisionKind>;
export type Measure = z.infer<typeof measure>;
export type PartyType = z.infer<typeof partyType>;
export type MajorReason = z.infer<typeof majorReason>;

/** What the classifier needs of a decision. */
export const decisionFactsShape = {
  kind: decisionKind,
  measures: z.array(measure).check(z.minLength(1, 'must list at least one measure'), z.maxLength(13)),
  fineAmount: z.optional(money),
  confiscatedValue: z.optional(money),
  party: z.strictObject({ type: partyType }),
  decidedOn: isoDate,
  majorReasons: z.optional(z.array(majorReason).check(z.maxLength(4))),
};

export interface FactIssue {
  path: (string | number)[];
  message: string;
}

/** Rules that tie the fields together; the API reports each as a bad field. */
export function decisionFactIssues(d: {
  kind: DecisionKind;
  measures: readonly Measure[];
  fineAmount?: string | undefined;
  confiscatedValue?: string | undefined;
  majorReasons?: readonly MajorReason[] | undefined;
}): FactIssue[] {
  const issues: FactIssue[] = [];
  const allowed: readonly string[] = d.kind === 'PENALTY' ? PENALTY_MEASURES : COERCIVE_MEASURES;
  d.measures.forEach((m, i) => {
    if (!allowed.includes(m)) {
      issues.push({ path: ['measures', i], message: `${m} is not a ${d.kind} measure; a ${d.kind} decision takes ${allowed.join(', ')}` });
    }
    if (d.measures.indexOf(m) !== i) issues.push({ path: ['measures', i], message: `${m} is listed twice` });
  });
  const has = (m: Measure) => d.measures.includes(m);
  if (has('FINE') && d.fineAmount === undefined) issues.push({ path: ['fineAmount'], message: 'is required when measures include FINE' });
  if (!has('FINE') && d.fineAmount !== undefined) issues.push({ path: ['fineAmount'], message: 'is only allowed when measures include FINE' });
  if (has('CONFISCATION') && d.confiscatedValue === undefined) {
    issues.push({ path: ['confiscatedValue'], message: 'is required when measures include CONFISCATION' });
  }
  if (!has('CONFISCATION') && d.confiscatedValue !== undefined) {
    issues.push({ path: ['confiscatedValue'], message: 'is only allowed when measures include CONFISCATION' });
  }
  if (d.kind === 'PENALTY' && d.majorReasons?.length) {
    issues.push({ path: ['majorReasons'], message: 'applies to COERCIVE decisions only' });
  }
  return issues;
}

export const decisionFacts = z.strictObject(decisionFactsShape).check(
  z.superRefine((d, ctx) => {
    for (const issue of decisionFactIssues(d)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: d });
  }),
);
export type DecisionFacts = z.infer<typeof decisionFacts>;

export const hearingThreshold = z.strictObject({
  partyType,
  amount: money,
  effectiveFrom: isoDate,
});
export type HearingThreshold = z.infer<typeof hearingThreshold>;

/** A jurisdiction's filing rules (configuration, never hard-coded: amounts differ by place and time). */
export const jurisdictionRulesShape = {
  filingPeriodWorkingDays: z._default(z.int().check(z.minimum(1), z.maximum(60)), 10),
  hearingThresholds: z._default(z.array(hearingThreshold).check(z.maxLength(100)), []),
  extraOffDays: z._default(z.array(isoDate).check(z.maxLength(366)), []),
  extraWorkingDays: z._default(z.array(isoDate).check(z.maxLength(366)), []),
};
export const jurisdictionRules = z.object(jurisdictionRulesShape);
export type JurisdictionRules = z.output<typeof jurisdictionRules>;

export const jurisdictionId = entityId;
