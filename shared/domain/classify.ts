/**
 * Must a decision be filed (备案), and by when? Section 四(二) of the 2013 opinion, widened to the hearing
 * list of the Administrative Penalty Law (2021) Art. 63; "major" coercive decisions follow the reason
 * codes of 国办发〔2018〕118号, chosen by the agency.
 */
import { InvalidInputError } from '../errors.ts';
import type { WorkingCalendar } from './calendar.ts';
import { compareMoney } from './money.ts';
import {
  type DecisionFacts,
  type HearingThreshold,
  type JurisdictionRules,
  type MajorReason,
  type Measure,
  type PartyType,
  decisionFactIssues,
} from '../schemas/decision.ts';

export interface FilingReason {
  /** stable code, e.g. REVOKE_PERMIT, FINE_REACHES_HEARING_THRESHOLD, MAJOR_COERCIVE_PUBLIC_INTEREST */
  code: string;
  /** what a person reads */
  text: string;
  amount?: string;
  threshold?: string;
  thresholdEffectiveFrom?: string;
}

export interface Classification {
  filingRequired: boolean;
  filingReasons: FilingReason[];
  /** the last day to file (10th working day after decidedOn by default); null when no filing is required */
  filingDueOn: string | null;
  /** true when the due date depends on a year whose holiday schedule is not loaded yet */
  dueProvisional: boolean;
}

/** Facts of a reported decision that do not go together: invalid input, each named by its path in the report. */
export class InvalidDecisionError extends InvalidInputError {
  override name = 'InvalidDecisionError';
  constructor(readonly issues: { path: (string | number)[]; message: string }[]) {
    super(issues.map((i) => ({ field: i.path.join('.'), in: 'body', reason: i.message })));
  }
}

const SEVERE_MEASURE_TEXT: Partial<Record<Measure, string>> = {
  SUSPEND_PRODUCTION_OR_BUSINESS: 'order to suspend production or business (责令停产停业)',
  CLOSURE: 'order to close (责令关闭)',
  REVOKE_PERMIT: 'revocation of a permit or licence (吊销许可证件)',
  LOWER_QUALIFICATION: 'lowering of a qualification grade (降低资质等级)',
  RESTRICT_PRACTICE: 'restriction of practice (限制从业)',
  OTHER_SEVERE_PENALTY: 'other severe penalty (其他较重的行政处罚)',
};

const MAJOR_REASON_TEXT: Record<MajorReason, string> = {
  PUBLIC_INTEREST: 'major public interest or social risk (涉及重大公共利益)',
  HEARING_HELD: 'decided after a hearing (经过听证)',
  COMPLEX_CASE: 'complex case or several legal relations (案件情况疑难复杂)',
  OTHER_LEGAL: 'another case named by law (法律规定的其他情形)',
};

/** The threshold in force on `on` for the party type: the latest one effective on or before that day. */
export function thresholdInForce(
  thresholds: readonly HearingThreshold[],
  partyType: PartyType,
  on: string,
): HearingThreshold | undefined {
  let best: HearingThreshold | undefined;
  for (const t of thresholds) {
    if (t.partyType === partyType && t.effectiveFrom <= on && (!best || t.effectiveFrom > best.effectiveFrom)) best = t;
  }
  return best;
}

function amountReason(
  what: 'FINE' | 'CONFISCATION',
  amount: string,
  threshold: HearingThreshold | undefined,
  partyType: PartyType,
): FilingReason | undefined {
  const label = what === 'FINE' ? 'fine' : 'confiscated value';
  if (!threshold) {
    return {
      code: `${what}_THRESHOLD_NOT_CONFIGURED`,
      text: `${label} ${amount} yuan: no hearing threshold for ${partyType} is configured for this date, so filing is required to be safe; an admin should set the jurisdiction's hearingThresholds`,
      amount,
    };
  }
  if (compareMoney(amount, threshold.amount) < 0) return undefined;
  return {
    code: `${what}_REACHES_HEARING_THRESHOLD`,
    text: `${label} ${amount} yuan reaches the hearing threshold of ${threshold.amount} yuan for ${partyType} (听证数额, in force from ${threshold.effectiveFrom})`,
    amount,
    threshold: threshold.amount,
    thresholdEffectiveFrom: threshold.effectiveFrom,
  };
}

/** Which filing rules a decision meets, and its due date. Throws InvalidDecisionError on invalid combinations. */
export function classify(decision: DecisionFacts, rules: JurisdictionRules, calendar: WorkingCalendar): Classification {
  const issues = decisionFactIssues(decision);
  if (issues.length) throw new InvalidDecisionError(issues);

  const reasons: FilingReason[] = [];
  if (decision.kind === 'PENALTY') {
    for (const m of decision.measures) {
      const text = SEVERE_MEASURE_TEXT[m];
      if (text) reasons.push({ code: m, text });
    }
    const threshold = thresholdInForce(rules.hearingThresholds, decision.party.type, decision.decidedOn);
    if (decision.fineAmount !== undefined) {
      const r = amountReason('FINE', decision.fineAmount, threshold, decision.party.type);
      if (r) reasons.push(r);
    }
    if (decision.confiscatedValue !== undefined) {
      const r = amountReason('CONFISCATION', decision.confiscatedValue, threshold, decision.party.type);
      if (r) reasons.push(r);
    }
  } else {
    for (const reason of new Set(decision.majorReasons ?? [])) {
      reasons.push({ code: `MAJOR_COERCIVE_${reason}`, text: `major coercive decision: ${MAJOR_REASON_TEXT[reason]}` });
    }
  }

  if (!reasons.length) return { filingRequired: false, filingReasons: [], filingDueOn: null, dueProvisional: false };
  const due = calendar.addWorkingDays(decision.decidedOn, rules.filingPeriodWorkingDays);
  return { filingRequired: true, filingReasons: reasons, filingDueOn: due.date, dueProvisional: due.provisional };
}
