/**
 * Must a decision be filed, and by when? Section 四(二) of the 2013 opinion widened to Penalty Law Art. 63,
 * with hearing thresholds as dated configuration per party type (DOMAIN.md).
 */
import * as z from 'zod/mini';
import { describe, expect, test } from 'vitest';
import { InvalidDecisionError, classify, thresholdInForce } from '../../shared/domain/classify.ts';
import { nationalCalendar } from '../../shared/domain/national-calendar.ts';
import {
  type DecisionFacts,
  type JurisdictionRules,
  MAJOR_REASONS,
  decisionFacts,
  jurisdictionRules,
} from '../../shared/schemas/decision.ts';

const calendar = nationalCalendar();

/** Made-up thresholds (DOMAIN.md: never hard-coded; figures seen elsewhere are 5,000/10,000 and 100,000). */
const rules: JurisdictionRules = jurisdictionRules.parse({
  hearingThresholds: [
    { partyType: 'INDIVIDUAL', amount: '5000', effectiveFrom: '2020-01-01' },
    { partyType: 'INDIVIDUAL', amount: '10000', effectiveFrom: '2026-06-01' },
    { partyType: 'ORGANIZATION', amount: '100000', effectiveFrom: '2020-01-01' },
  ],
});

/** 2026-09-28 is the first worked example of DOMAIN.md: due 2026-10-16. */
const DECIDED = '2026-09-28';
const DUE = '2026-10-16';

function penalty(overrides: Partial<DecisionFacts> = {}): DecisionFacts {
  return { kind: 'PENALTY', measures: ['WARNING'], party: { type: 'INDIVIDUAL' }, decidedOn: DECIDED, ...overrides };
}

describe('rules', () => {
  test('the filing period defaults to 10 working days and thresholds to none', () => {
    const defaults = jurisdictionRules.parse({});
    expect(defaults.filingPeriodWorkingDays).toBe(10);
    expect(defaults.hearingThresholds).toEqual([]);
  });
});

describe('penalty measures, one at a time', () => {
  test('a warning alone needs no filing', () => {
    expect(classify(penalty(), rules, calendar)).toEqual({ filingRequired: false, filingReasons: [], filingDueOn: null, dueProvisional: false });
  });

  test.each(['SUSPEND_PRODUCTION_OR_BUSINESS', 'CLOSURE', 'REVOKE_PERMIT', 'LOWER_QUALIFICATION', 'RESTRICT_PRACTICE', 'OTHER_SEVERE_PENALTY'] as const)(
    '%s alone must be filed, with that reason code',
    (m) => {
      for (const type of ['INDIVIDUAL', 'ORGANIZATION'] as const) {
        const c = classify(penalty({ measures: [m], party: { type } }), rules, calendar);
        expect(c.filingRequired).toBe(true);
        expect(c.filingReasons.map((r) => r.code)).toEqual([m]);
        expect(c.filingReasons[0]!.text.length).toBeGreaterThan(0);
        expect(c.filingDueOn).toBe(DUE);
        expect(c.dueProvisional).toBe(false);
      }
    },
  );

  test('several severe measures give one reason each', () => {
    const c = classify(penalty({ measures: ['WARNING', 'REVOKE_PERMIT', 'CLOSURE'] }), rules, calendar);
    expect(c.filingReasons.map((r) => r.code).sort()).toEqual(['CLOSURE', 'REVOKE_PERMIT']);
  });
});

describe('fines and confiscations against the hearing threshold', () => {
  const cases: [string, 'INDIVIDUAL' | 'ORGANIZATION', string, boolean][] = [
    ['at the individual threshold', 'INDIVIDUAL', '5000', true],
    ['at it, written with decimals', 'INDIVIDUAL', '5000.00', true],
    ['0.01 below it', 'INDIVIDUAL', '4999.99', false],
    ['above it', 'INDIVIDUAL', '5000.01', true],
    ['far above it', 'INDIVIDUAL', '60000', true],
    ['at the organisation threshold', 'ORGANIZATION', '100000', true],
    ['0.01 below it', 'ORGANIZATION', '99999.99', false],
    ['above it', 'ORGANIZATION', '100000.01', true],
    ['an individual\'s threshold does not apply to an organisation', 'ORGANIZATION', '60000', false],
  ];
  // decided 2026-03-02: the individual threshold of 5000 (from 2020) is in force
  const decidedOn = '2026-03-02';

  for (const what of ['FINE', 'CONFISCATION'] as const) {
    test.each(cases)(`${what}: %s (%s, %s yuan) -> required %s`, (_label, type, amount, required) => {
      const facts =
        what === 'FINE'
          ? penalty({ measures: [what], fineAmount: amount, party: { type }, decidedOn })
          : penalty({ measures: [what], confiscatedValue: amount, party: { type }, decidedOn });
      const c = classify(facts, rules, calendar);
      expect(c.filingRequired).toBe(required);
      if (required) {
        expect(c.filingReasons).toHaveLength(1);
        expect(c.filingReasons[0]).toMatchObject({
          code: `${what}_REACHES_HEARING_THRESHOLD`,
          amount,
          threshold: type === 'INDIVIDUAL' ? '5000' : '100000',
          thresholdEffectiveFrom: '2020-01-01',
        });
        // 2026-03-02 (Mon) + 10 working days: 3-6 Mar, 9-13 Mar, 16 Mar
        expect(c.filingDueOn).toBe('2026-03-16');
      } else {
        expect(c.filingReasons).toEqual([]);
        expect(c.filingDueOn).toBeNull();
      }
    });
  }

  test('a fine and a confiscation both reaching the threshold give two reasons', () => {
    const c = classify(penalty({ measures: ['FINE', 'CONFISCATION'], fineAmount: '12000', confiscatedValue: '15000' }), rules, calendar);
    expect(c.filingReasons.map((r) => r.code)).toEqual(['FINE_REACHES_HEARING_THRESHOLD', 'CONFISCATION_REACHES_HEARING_THRESHOLD']);
  });

  test('a fine below and a warning: no filing', () => {
    const c = classify(penalty({ measures: ['WARNING', 'FINE'], fineAmount: '200' }), rules, calendar);
    expect(c.filingRequired).toBe(false);
  });
});

describe('thresholds change over time: the one in force on the decision date applies', () => {
  test('8000 yuan for an individual: reaches the 5000 threshold on 2026-05-29, not the 10000 one from 2026-06-01', () => {
    const before = classify(penalty({ measures: ['FINE'], fineAmount: '8000', decidedOn: '2026-05-29' }), rules, calendar);
    expect(before.filingRequired).toBe(true);
    expect(before.filingReasons[0]).toMatchObject({ threshold: '5000', thresholdEffectiveFrom: '2020-01-01' });

    const onTheDay = classify(penalty({ measures: ['FINE'], fineAmount: '8000', decidedOn: '2026-06-01' }), rules, calendar);
    expect(onTheDay.filingRequired).toBe(false);

    const reaching = classify(penalty({ measures: ['FINE'], fineAmount: '10000', decidedOn: '2026-06-01' }), rules, calendar);
    expect(reaching.filingReasons[0]).toMatchObject({ code: 'FINE_REACHES_HEARING_THRESHOLD', threshold: '10000', thresholdEffectiveFrom: '2026-06-01' });
  });

  test('the order of the configured thresholds does not matter', () => {
    const reversed = { ...rules, hearingThresholds: [...rules.hearingThresholds].reverse() };
    const c = classify(penalty({ measures: ['FINE'], fineAmount: '8000', decidedOn: '2026-07-01' }), reversed, calendar);
    expect(c.filingRequired).toBe(false);
    expect(thresholdInForce(reversed.hearingThresholds, 'INDIVIDUAL', '2026-07-01')?.amount).toBe('10000');
    expect(thresholdInForce(reversed.hearingThresholds, 'INDIVIDUAL', '2026-05-31')?.amount).toBe('5000');
  });

  test('before any threshold is in force: FINE_THRESHOLD_NOT_CONFIGURED, and filing is required to be safe', () => {
    const c = classify(penalty({ measures: ['FINE'], fineAmount: '1', decidedOn: '2019-12-31' }), rules, calendar);
    expect(c.filingRequired).toBe(true);
    expect(c.filingReasons.map((r) => r.code)).toEqual(['FINE_THRESHOLD_NOT_CONFIGURED']);
    expect(c.filingDueOn).not.toBeNull();
  });

  test('no threshold at all for the party type: CONFISCATION_THRESHOLD_NOT_CONFIGURED', () => {
    const onlyIndividuals = { ...rules, hearingThresholds: rules.hearingThresholds.filter((t) => t.partyType === 'INDIVIDUAL') };
    const c = classify(
      penalty({ measures: ['CONFISCATION'], confiscatedValue: '10', party: { type: 'ORGANIZATION' } }),
      onlyIndividuals,
      calendar,
    );
    expect(c.filingRequired).toBe(true);
    expect(c.filingReasons.map((r) => r.code)).toEqual(['CONFISCATION_THRESHOLD_NOT_CONFIGURED']);
    expect(c.filingDueOn).toBe(DUE);
  });
});

describe('coercive decisions', () => {
  test.each([['SEAL_UP'], ['SEIZE'], ['FREEZE'], ['ENFORCE']] as const)('%s without major reasons: no filing', (m) => {
    expect(classify({ kind: 'COERCIVE', measures: [m], party: { type: 'ORGANIZATION' }, decidedOn: DECIDED }, rules, calendar).filingRequired).toBe(false);
    expect(
      classify({ kind: 'COERCIVE', measures: [m], party: { type: 'ORGANIZATION' }, decidedOn: DECIDED, majorReasons: [] }, rules, calendar).filingRequired,
    ).toBe(false);
  });

  test.each(MAJOR_REASONS.map((r) => [r]))('major for reason %s: filed, with that reason code', (reason) => {
    const c = classify({ kind: 'COERCIVE', measures: ['SEAL_UP', 'SEIZE'], party: { type: 'INDIVIDUAL' }, decidedOn: DECIDED, majorReasons: [reason] }, rules, calendar);
    expect(c.filingRequired).toBe(true);
    expect(c.filingReasons.map((r) => r.code)).toEqual([`MAJOR_COERCIVE_${reason}`]);
    expect(c.filingDueOn).toBe(DUE);
  });

  test('several reasons give one code each', () => {
    const c = classify(
      { kind: 'COERCIVE', measures: ['FREEZE'], party: { type: 'ORGANIZATION' }, decidedOn: DECIDED, majorReasons: ['PUBLIC_INTEREST', 'HEARING_HELD'] },
      rules,
      calendar,
    );
    expect(c.filingReasons.map((r) => r.code).sort()).toEqual(['MAJOR_COERCIVE_HEARING_HELD', 'MAJOR_COERCIVE_PUBLIC_INTEREST']);
  });
});

describe('invalid combinations are refused', () => {
  const invalid: [string, DecisionFacts, string][] = [
    ['a PENALTY with SEAL_UP', penalty({ measures: ['SEAL_UP'] }), 'measures.0'],
    ['a COERCIVE decision with FINE', { kind: 'COERCIVE', measures: ['SEIZE', 'FINE'], fineAmount: '10', party: { type: 'INDIVIDUAL' }, decidedOn: DECIDED }, 'measures.1'],
    ['a fineAmount without FINE', penalty({ measures: ['WARNING'], fineAmount: '100' }), 'fineAmount'],
    ['FINE without a fineAmount', penalty({ measures: ['FINE'] }), 'fineAmount'],
    ['a confiscatedValue without CONFISCATION', penalty({ measures: ['WARNING'], confiscatedValue: '100' }), 'confiscatedValue'],
    ['CONFISCATION without a confiscatedValue', penalty({ measures: ['CONFISCATION'] }), 'confiscatedValue'],
    ['majorReasons on a PENALTY', penalty({ measures: ['REVOKE_PERMIT'], majorReasons: ['PUBLIC_INTEREST'] }), 'majorReasons'],
    ['a measure listed twice', penalty({ measures: ['FINE', 'WARNING', 'FINE'], fineAmount: '100' }), 'measures.2'],
  ];

  test.each(invalid)('%s -> InvalidDecisionError naming %s', (_label, facts, path) => {
    let error: unknown;
    try {
      classify(facts, rules, calendar);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidDecisionError);
    const issues = (error as InvalidDecisionError).issues;
    expect(issues.map((i) => i.path.join('.'))).toContain(path);
    expect((error as Error).message).toContain(path);
  });

  test.each(invalid)('the decisionFacts schema refuses %s too, at %s', (_label, facts, path) => {
    const r = decisionFacts.safeParse(facts);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('decisionFacts schema: money strings', () => {
  test.each(['12.345', '-1', '1e5', '', ' 5', '05', '1,000'])('fineAmount %j is refused, and the message names the field', (bad) => {
    const r = decisionFacts.safeParse(penalty({ measures: ['FINE'], fineAmount: bad }));
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i) => i.path.join('.') === 'fineAmount')).toBe(true);
    expect(z.prettifyError(r.error!)).toMatch(/fineAmount/);
    expect(z.prettifyError(r.error!)).toMatch(/decimal/);
  });

  test.each(['12.345', '1,000'])('confiscatedValue %j is refused at confiscatedValue', (bad) => {
    const r = decisionFacts.safeParse(penalty({ measures: ['CONFISCATION'], confiscatedValue: bad }));
    expect(r.success).toBe(false);
    expect(z.prettifyError(r.error!)).toMatch(/confiscatedValue/);
  });

  test('a good decision parses', () => {
    const r = decisionFacts.safeParse(penalty({ measures: ['FINE'], fineAmount: '5000.50' }));
    expect(r.success).toBe(true);
  });

  test('a bad decision date is refused at decidedOn', () => {
    const r = decisionFacts.safeParse(penalty({ decidedOn: '2026-02-30' }));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('decidedOn');
  });

  test('a number instead of a money string is refused', () => {
    const r = decisionFacts.safeParse({ ...penalty({ measures: ['FINE'] }), fineAmount: 5000 });
    expect(r.success).toBe(false);
  });
});

describe('due date', () => {
  test('a filing period other than 10 working days changes the due date', () => {
    const facts = penalty({ measures: ['REVOKE_PERMIT'] });
    // 2026-09-28: 29, 30 Sep, 8, 9 Oct, then Sat 10 Oct (a make-up working day) is the 5th
    expect(classify(facts, { ...rules, filingPeriodWorkingDays: 5 }, calendar).filingDueOn).toBe('2026-10-10');
    // ... 12-16 Oct are the 6th-10th, 19-23 Oct the 11th-15th
    expect(classify(facts, { ...rules, filingPeriodWorkingDays: 15 }, calendar).filingDueOn).toBe('2026-10-23');
    expect(classify(facts, rules, calendar).filingDueOn).toBe(DUE);
  });

  test('the second worked example: decided 2026-11-27 -> due 2026-12-11, final', () => {
    const c = classify(penalty({ measures: ['CLOSURE'], decidedOn: '2026-11-27' }), rules, calendar);
    expect(c).toMatchObject({ filingDueOn: '2026-12-11', dueProvisional: false });
  });

  test('a due date reaching into 2027 (not loaded) is provisional', () => {
    const c = classify(penalty({ measures: ['CLOSURE'], decidedOn: '2026-12-24' }), rules, calendar);
    expect(c).toMatchObject({ filingRequired: true, filingDueOn: '2027-01-08', dueProvisional: true });
  });

  test('a decision on a holiday counts from the next working day', () => {
    const c = classify(penalty({ measures: ['CLOSURE'], decidedOn: '2026-10-03' }), rules, calendar);
    expect(c.filingDueOn).toBe('2026-10-20');
  });

  test("a jurisdiction's extra holiday, given as the calendar, moves the due date", () => {
    const local = calendar.withExtras({ extraOffDays: ['2026-10-14'] });
    expect(classify(penalty({ measures: ['CLOSURE'] }), rules, local).filingDueOn).toBe('2026-10-19');
  });
});
