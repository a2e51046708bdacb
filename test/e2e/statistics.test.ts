/**
 * Issue 8: filing statistics, GET /v1/stats and GET /v1/stats.csv, end to end on the local stack.
 *
 * One jurisdiction (宝坻区) with three agencies A, B, C and 37 decisions: 35 decided in 2026-06..2026-08
 * (33 requiring filing, 2 not) and 2 outside that period (2026-05-29 and 2026-09-18). Filings are made on
 * FIXED dates (the use case is called in the test process with a fixed clock; the real processor
 * registers them), the deadline sweep runs once as of 2026-09-14, one overdue decision is then filed
 * late, and the reviews (accept / order a correction / answer it) go over HTTP with the real clock.
 *
 * Every due date and every count of working days below is counted BY HAND on the national calendar
 * (shared/domain/holiday-cn/2026.json: 端午 19-21 Jun off; 中秋 25-27 Sep and 国庆 1-7 Oct off; Sun
 * 20 Sep and Sat 10 Oct work), and every expected figure is a literal. "wd" = working days d with
 * decidedOn < d <= filedOn; due = the 10th working day after decidedOn.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { ApiDeps } from '../../functions/api/routes.ts';
import type { FilingBody } from '../../shared/schemas/filing.ts';
import { submitFiling } from '../../shared/use-cases/filings.ts';
import { apiDeps } from '../../shared/wiring/api.ts';
import {
  type Agency,
  doc,
  expectFieldErrors,
  expectProblem,
  expectStatus,
  filingBody,
  inChunks,
  notRequiredDecision,
  penaltyDocs,
  requiredDecision,
  uid,
  useFilingStack,
} from './filing-harness.ts';
import { shanghaiToday } from './harness.ts';
import { sweep } from './supervision-harness.ts';

const e2e = useFilingStack();

// ---------- the fixture ----------

type AgencyKey = 'A' | 'B' | 'C';
interface Case {
  agency: AgencyKey;
  decidedOn: string;
  /** the filing deadline counted by hand; undefined for a decision that needs no filing */
  due?: string;
  notRequired?: true;
  /** submissions on fixed dates before the sweep, in order; `incomplete` sends the decision letter only */
  filings?: { on: string; late?: true; incomplete?: true }[];
  /** flagged OVERDUE by the sweep, then filed late on this (fixed) day */
  lateAfterSweep?: string;
  /** reviews over HTTP in order: C orders a correction (answered by a new filing when a step follows), A accepts */
  review?: ('C' | 'A')[];
  /** the status once the fixture is built */
  status: string;
}

const SWEEP_DAY = '2026-09-14'; // flags every open decision due before 14 Sep; A10 and B11 (due 14 Sep) stay open

const CASES: Record<string, Case> = {
  // ----- agency A -----
  // decided 06-01 (Mon), due 06-15 (Mon); filed 06-03: 06-02, 06-03 = 2 wd, on time; accepted
  A1: { agency: 'A', decidedOn: '2026-06-01', due: '2026-06-15', filings: [{ on: '2026-06-03' }], review: ['A'], status: 'ACCEPTED' },
  // decided 06-10 (Wed), due 06-25 (Thu: 11,12,15,16,17,18, 19 端午 off, 22,23,24,25); filed ON the due day 06-25: 10 wd, on time
  A2: { agency: 'A', decidedOn: '2026-06-10', due: '2026-06-25', filings: [{ on: '2026-06-25' }], status: 'RECEIVED' },
  // decided 06-12 (Fri), due 06-29 (Mon, across 端午); filed 06-30: 11 wd, late (1 day after the deadline)
  A3: { agency: 'A', decidedOn: '2026-06-12', due: '2026-06-29', filings: [{ on: '2026-06-30', late: true }], status: 'RECEIVED' },
  // decided 07-02 (Thu), due 07-16 (Thu); never filed: OVERDUE after the sweep
  A4: { agency: 'A', decidedOn: '2026-07-02', due: '2026-07-16', status: 'OVERDUE' },
  // decided 06-20 (Sat, 端午 holiday: counting starts 06-22), due 07-03 (Fri); filed 07-03: 22..26, 29, 30, 1, 2, 3 = 10 wd,
  // on time; correction ordered, answered, accepted (corrections 1, accepted 1, still on time at 10 wd)
  A5: { agency: 'A', decidedOn: '2026-06-20', due: '2026-07-03', filings: [{ on: '2026-07-03' }], review: ['C', 'A'], status: 'ACCEPTED' },
  // decided 07-01 (Wed), due 07-15 (Wed); filed INCOMPLETE on 07-02, then complete on 07-03: the first REGISTERED filing
  // is 07-03: 07-02, 07-03 = 2 wd, on time
  A6: { agency: 'A', decidedOn: '2026-07-01', due: '2026-07-15', filings: [{ on: '2026-07-02', incomplete: true }, { on: '2026-07-03' }], status: 'RECEIVED' },
  // decided 07-15 (Wed), due 07-29 (Wed); filed 08-05: 16,17, 20..24, 27..31, 3,4,5 Aug = 15 wd, late; accepted
  A7: { agency: 'A', decidedOn: '2026-07-15', due: '2026-07-29', filings: [{ on: '2026-08-05', late: true }], review: ['A'], status: 'ACCEPTED' },
  // decided 07-31 (Fri), due 08-14 (Fri); unfiled, flagged OVERDUE by the sweep, then filed late on 09-18 (Fri):
  // 5 full weeks of August from 3 Aug + 31 Aug + 1..4, 7..11, 14..18 Sep = 5*5 + 1 + 4 + 5 + 5 = 35 wd; moves to filedLate
  A8: { agency: 'A', decidedOn: '2026-07-31', due: '2026-08-14', lateAfterSweep: '2026-09-18', status: 'RECEIVED' },
  // decided 08-03: a warning, needs no filing: counts nowhere
  A9: { agency: 'A', decidedOn: '2026-08-03', notRequired: true, status: 'NOT_REQUIRED' },
  // decided 08-31 (Mon), due 09-14 (Mon) = the sweep day, not before it: still AWAITING_FILING, counts in requiringFiling only
  A10: { agency: 'A', decidedOn: '2026-08-31', due: '2026-09-14', status: 'AWAITING_FILING' },
  // decided 08-14 (Fri), due 08-28 (Fri); filed 08-20: 17,18,19,20 = 4 wd, on time; correction ordered, not answered yet
  A11: { agency: 'A', decidedOn: '2026-08-14', due: '2026-08-28', filings: [{ on: '2026-08-20' }], review: ['C'], status: 'CORRECTION_REQUIRED' },
  // decided 07-20 (Mon), due 08-03 (Mon); filed 07-24: 21,22,23,24 = 4 wd, on time; left RECEIVED (the last test orders a correction)
  A12: { agency: 'A', decidedOn: '2026-07-20', due: '2026-08-03', filings: [{ on: '2026-07-24' }], status: 'RECEIVED' },

  // ----- agency B -----
  // decided 06-02 (Tue), due 06-16 (Tue); filed 06-09: 3,4,5,8,9 = 5 wd, on time
  B1: { agency: 'B', decidedOn: '2026-06-02', due: '2026-06-16', filings: [{ on: '2026-06-09' }], status: 'RECEIVED' },
  // decided 06-05 (Fri), due 06-22 (Mon: 8..12, 15..18, 19 端午 off, 22); filed ON the due day 06-22: 10 wd, on time; accepted
  B2: { agency: 'B', decidedOn: '2026-06-05', due: '2026-06-22', filings: [{ on: '2026-06-22' }], review: ['A'], status: 'ACCEPTED' },
  // decided 06-08 (Mon), due 06-23 (Tue, across 端午); never filed: OVERDUE
  B3: { agency: 'B', decidedOn: '2026-06-08', due: '2026-06-23', status: 'OVERDUE' },
  // decided 06-15 (Mon), due 06-30 (Tue); filed INCOMPLETE on 06-25 and never completed: the sweep flags it OVERDUE
  B4: { agency: 'B', decidedOn: '2026-06-15', due: '2026-06-30', filings: [{ on: '2026-06-25', incomplete: true }], status: 'OVERDUE' },
  // decided 07-06 (Mon), due 07-20 (Mon); filed 07-21: 7..10, 13..17, 20, 21 = 11 wd, late; correction ordered, answered
  // (on time against the correction's deadline), accepted: still filedLate, 11 wd
  B5: { agency: 'B', decidedOn: '2026-07-06', due: '2026-07-20', filings: [{ on: '2026-07-21', late: true }], review: ['C', 'A'], status: 'ACCEPTED' },
  // decided 07-10 (Fri), due 07-24 (Fri); filed 07-13: 1 wd, on time; accepted
  B6: { agency: 'B', decidedOn: '2026-07-10', due: '2026-07-24', filings: [{ on: '2026-07-13' }], review: ['A'], status: 'ACCEPTED' },
  // decided 07-22 (Wed), due 08-05 (Wed); filed 07-31: 23,24,27,28,29,30,31 = 7 wd, on time
  B7: { agency: 'B', decidedOn: '2026-07-22', due: '2026-08-05', filings: [{ on: '2026-07-31' }], status: 'RECEIVED' },
  // decided 08-05 (Wed), due 08-19 (Wed); never filed: OVERDUE
  B8: { agency: 'B', decidedOn: '2026-08-05', due: '2026-08-19', status: 'OVERDUE' },
  // decided 08-12 (Wed), due 08-26 (Wed); filed 09-02: 13,14, 17..21, 24..28, 31, 1, 2 = 15 wd, late
  B9: { agency: 'B', decidedOn: '2026-08-12', due: '2026-08-26', filings: [{ on: '2026-09-02', late: true }], status: 'RECEIVED' },
  // decided 08-27 (Thu), due 09-10 (Thu, before the sweep day); never filed: OVERDUE
  B10: { agency: 'B', decidedOn: '2026-08-27', due: '2026-09-10', status: 'OVERDUE' },
  // decided 08-31 (Mon), due 09-14 (Mon); filed INCOMPLETE on 09-07, not swept (due on the sweep day): requiringFiling only
  B11: { agency: 'B', decidedOn: '2026-08-31', due: '2026-09-14', filings: [{ on: '2026-09-07', incomplete: true }], status: 'INCOMPLETE' },
  // decided 08-28 (Fri), due 09-11 (Fri); filed 09-10: 31, 1..4, 7..10 = 9 wd, on time; accepted
  B12: { agency: 'B', decidedOn: '2026-08-28', due: '2026-09-11', filings: [{ on: '2026-09-10' }], review: ['A'], status: 'ACCEPTED' },

  // ----- agency C -----
  // decided 06-03 (Wed), due 06-17 (Wed); filed 06-04: 1 wd, on time; accepted
  C1: { agency: 'C', decidedOn: '2026-06-03', due: '2026-06-17', filings: [{ on: '2026-06-04' }], review: ['A'], status: 'ACCEPTED' },
  // decided 06-16 (Tue), due 07-01 (Wed: 17,18, 22..26, 29,30, 1); filed 07-06: + 2, 3, 6 Jul = 13 wd, late
  C2: { agency: 'C', decidedOn: '2026-06-16', due: '2026-07-01', filings: [{ on: '2026-07-06', late: true }], status: 'RECEIVED' },
  // decided 06-22 (Mon), due 07-06 (Mon); filed 06-26: 23,24,25,26 = 4 wd, on time; correction ordered TWICE (answered each
  // time), then accepted: corrections 2, accepted 1
  C3: { agency: 'C', decidedOn: '2026-06-22', due: '2026-07-06', filings: [{ on: '2026-06-26' }], review: ['C', 'C', 'A'], status: 'ACCEPTED' },
  // decided 06-29 (Mon), due 07-13 (Mon); never filed: OVERDUE
  C4: { agency: 'C', decidedOn: '2026-06-29', due: '2026-07-13', status: 'OVERDUE' },
  // decided 07-03 (Fri), due 07-17 (Fri); filed 07-16: 6..10, 13..16 = 9 wd, on time
  C5: { agency: 'C', decidedOn: '2026-07-03', due: '2026-07-17', filings: [{ on: '2026-07-16' }], status: 'RECEIVED' },
  // decided 07-08 (Wed), due 07-22 (Wed); never filed: OVERDUE
  C6: { agency: 'C', decidedOn: '2026-07-08', due: '2026-07-22', status: 'OVERDUE' },
  // decided 07-24 (Fri), due 08-07 (Fri); filed 08-10 (Mon): 27..31, 3..7, 10 = 11 wd, late; accepted
  C7: { agency: 'C', decidedOn: '2026-07-24', due: '2026-08-07', filings: [{ on: '2026-08-10', late: true }], review: ['A'], status: 'ACCEPTED' },
  // decided 07-28: a warning, needs no filing: counts nowhere
  C8: { agency: 'C', decidedOn: '2026-07-28', notRequired: true, status: 'NOT_REQUIRED' },
  // decided 08-07 (Fri), due 08-21 (Fri); filed 08-12: 10,11,12 = 3 wd, on time
  C9: { agency: 'C', decidedOn: '2026-08-07', due: '2026-08-21', filings: [{ on: '2026-08-12' }], status: 'RECEIVED' },
  // decided 08-19 (Wed), due 09-02 (Wed); filed 09-04 (Fri): 20,21, 24..28, 31, 1..4 = 12 wd, late; accepted
  C10: { agency: 'C', decidedOn: '2026-08-19', due: '2026-09-02', filings: [{ on: '2026-09-04', late: true }], review: ['A'], status: 'ACCEPTED' },
  // decided 08-24 (Mon), due 09-07 (Mon); filed 09-08: 25..28, 31, 1..4, 7, 8 = 11 wd, late
  C11: { agency: 'C', decidedOn: '2026-08-24', due: '2026-09-07', filings: [{ on: '2026-09-08', late: true }], status: 'RECEIVED' },

  // ----- outside 2026-06..2026-08: must not count there -----
  // decided 05-29 (Fri), due 06-12 (Fri); filed 06-01: 1 wd, on time; correction ordered (in December, like all reviews here)
  D1: { agency: 'A', decidedOn: '2026-05-29', due: '2026-06-12', filings: [{ on: '2026-06-01' }], review: ['C'], status: 'CORRECTION_REQUIRED' },
  // decided 09-18 (Fri), due 10-09 (Fri: Sun 20 Sep works, 21..24, 25 中秋 off, 28..30, 1..7 Oct off, 8, 9); filed 09-30:
  // 20, 21, 22, 23, 24, 28, 29, 30 = 8 wd, on time
  D2: { agency: 'C', decidedOn: '2026-09-18', due: '2026-10-09', filings: [{ on: '2026-09-30' }], status: 'RECEIVED' },
};

// ---------- the expected figures, by hand ----------

interface Figures {
  requiringFiling: number;
  filedOnTime: number;
  filedLate: number;
  overdueUnfiled: number;
  correctionsOrdered: number;
  accepted: number;
  medianWorkingDaysToFile: number | null;
  onTimeRate: number | null;
}
const figures = (
  requiringFiling: number, filedOnTime: number, filedLate: number, overdueUnfiled: number, correctionsOrdered: number, accepted: number,
  medianWorkingDaysToFile: number | null, onTimeRate: number | null,
): Figures => ({ requiringFiling, filedOnTime, filedLate, overdueUnfiled, correctionsOrdered, accepted, medianWorkingDaysToFile, onTimeRate });
const ZERO = figures(0, 0, 0, 0, 0, 0, null, null);

// 2026-06..2026-08 by agency
//   A: required A1-A8, A10-A12 = 11; on time A1 A2 A5 A6 A11 A12; late A3 A7 A8; overdue A4; corrections A5 + A11;
//      accepted A1 A5 A7; wd 2,2,4,4,10,10,11,15,35 -> median 10; rate 6/10
//   B: required B1-B12 = 12; on time B1 B2 B6 B7 B12; late B5 B9; overdue B3 B4 B8 B10; corrections B5; accepted B2 B5 B6 B12;
//      wd 1,5,7,9,10,11,15 -> median 9; rate 5/11 = 0.454545.. -> 0.4545
//   C: required C1-C7, C9-C11 = 10; on time C1 C3 C5 C9; late C2 C7 C10 C11; overdue C4 C6; corrections C3 x2;
//      accepted C1 C3 C7 C10; wd 1,3,4,9,11,11,12,13 -> (9 + 11) / 2 = 10; rate 4/10
//                       required onTime late overdue corrections accepted median rate
const BY_AGENCY = {
  A: figures(               11,     6,   3,      1,          2,       3,    10, 0.6),
  B: figures(               12,     5,   2,      4,          1,       4,     9, 0.4545),
  C: figures(               10,     4,   4,      2,          2,       4,    10, 0.4),
};
// 2026-06..2026-08 by month
//   06: A1 A2 A3 A5 / B1 B2 B3 B4 / C1 C2 C3 C4 = 12; on time A1 A2 A5 B1 B2 C1 C3; late A3 C2; overdue B3 B4 C4;
//       corrections A5 + C3 x2; accepted A1 A5 B2 C1 C3; wd 1,2,4,5,10,10,10,11,13 -> 10; rate 7/12 = 0.58333.. -> 0.5833
//   07: A4 A6 A7 A8 A12 / B5 B6 B7 / C5 C6 C7 = 11; on time A6 A12 B6 B7 C5; late A7 A8 B5 C7; overdue A4 C6; corrections B5;
//       accepted A7 B5 B6 C7; wd 1,2,4,7,9,11,11,15,35 -> 9; rate 5/11 -> 0.4545
//   08: A10 A11 / B8 B9 B10 B11 B12 / C9 C10 C11 = 10; on time A11 B12 C9; late B9 C10 C11; overdue B8 B10; corrections A11;
//       accepted B12 C10; wd 3,4,9,11,12,15 -> (9 + 11) / 2 = 10; rate 3/8 = 0.375
const BY_MONTH = {
  '2026-06': figures(       12,     7,   2,      3,          3,       5,    10, 0.5833),
  '2026-07': figures(       11,     5,   4,      2,          1,       4,     9, 0.4545),
  '2026-08': figures(       10,     3,   3,      2,          1,       2,    10, 0.375),
};
// all 24 first registered filings of the period: 1,1,2,2,3,4,4,4,5,7,9,9 | 10,10,10,11,11,11,11,12,13,15,15,35
// -> (9 + 10) / 2 = 9.5; rate 15 / (15 + 9 + 7) = 0.48387.. -> 0.4839
const TOTALS = figures(     33,    15,   9,      7,          5,      11,   9.5, 0.4839);

// 2026-06 only, by agency
//   A: A1 A2 A3 A5: on time A1 A2 A5, late A3; corrections A5; accepted A1 A5; wd 2,10,10,11 -> 10; rate 3/4
//   B: B1 B2 B3 B4: on time B1 B2, overdue B3 B4; accepted B2; wd 5,10 -> 7.5; rate 2/4
//   C: C1 C2 C3 C4: on time C1 C3, late C2, overdue C4; corrections C3 x2; accepted C1 C3; wd 1,4,13 -> 4; rate 2/4
const JUNE_BY_AGENCY = {
  A: figures(                4,     3,   1,      0,          1,       2,    10, 0.75),
  B: figures(                4,     2,   0,      2,          0,       1,   7.5, 0.5),
  C: figures(                4,     2,   1,      1,          2,       2,     4, 0.5),
};

// 2024-01..2026-12 (36 months) by month: the period plus D1 (2026-05) and D2 (2026-09)
//   05: D1 on time, 1 wd, its correction; 09: D2 on time, 8 wd
//   totals: 35 required, 17 on time, 9 late, 7 overdue, 6 corrections, 11 accepted;
//   26 filings: 1,1,1,2,2,3,4,4,4,5,7,8,9 | 9,10,... -> 9; rate 17/33 = 0.51515.. -> 0.5152
const MAY = figures(         1,     1,   0,      0,          1,       0,     1, 1);
const SEPTEMBER = figures(   1,     1,   0,      0,          0,       0,     8, 1);
const TOTALS_36_MONTHS = figures(35, 17, 9,      7,          6,      11,     9, 0.5152);

// ---------- helpers ----------

const AGENCY_NAME = '宝坻区市场监督管理局';
const CSV_HEADER_AGENCY = '机构编号,机构名称,应备案数,按时备案数,逾期备案数,逾期未备案数,责令纠正数,予以备案数,备案用时中位数（工作日）,按时备案率';
const CSV_HEADER_MONTH = '月份,应备案数,按时备案数,逾期备案数,逾期未备案数,责令纠正数,予以备案数,备案用时中位数（工作日）,按时备案率';
const PERIOD = 'from=2026-06&to=2026-08';

let agencies: Record<AgencyKey, Agency>;
let J: string;
let reviewer: string;
const ids: Record<string, string> = {};
let baseDeps: ApiDeps;
let sweepReport: Awaited<ReturnType<typeof sweep>>;

/** 10:00 in Shanghai on `day` */
const tenOClock = (day: string) => new Date(`${day}T02:00:00Z`);

/**
 * submits a filing as if on `day` (the use case in the test process, with a fixed clock), then waits for the processor;
 * its files are uploaded first over HTTP (real clock: when a file was uploaded is not what the statistics count)
 */
async function fileOn(name: string, day: string, options: { late?: boolean; incomplete?: boolean } = {}) {
  const agency = agencies[CASES[name]!.agency];
  const deps = { ...baseDeps, now: () => tenOClock(day) };
  const documents = await e2e.upload(agency.token, ids[name]!, options.incomplete ? [doc('DECISION_LETTER')] : penaltyDocs());
  const caller = { role: 'agency' as const, subject: 'stats-test', agencyId: agency.agencyId, jurisdictionId: agency.jurisdictionId };
  const body = filingBody(documents, options.late ? { lateReason: '案情复杂' } : {}) as FilingBody;
  const submitted = await submitFiling(deps, caller, ids[name]!, body);
  expect(submitted.body, `${name} filed on ${day}`).toMatchObject({ filedOn: day, onTime: !options.late });
  const d = await e2e.waitForStatus(agency.token, ids[name]!, ['RECEIVED', 'INCOMPLETE']);
  expect(d.status, `${name} after its filing of ${day}`).toBe(options.incomplete ? 'INCOMPLETE' : 'RECEIVED');
}

/** the case's reviews over HTTP (real clock); a correction followed by another step is answered first */
async function runReviews(name: string) {
  const steps = CASES[name]!.review ?? [];
  const agency = agencies[CASES[name]!.agency];
  for (const [i, step] of steps.entries()) {
    const body = step === 'A' ? { outcome: 'ACCEPTED', comments: '材料齐全，予以备案。' } : { outcome: 'CORRECTION_REQUIRED', comments: '集体讨论记录缺少签名，请补正。' };
    const res = expectStatus(await e2e.api('POST', `/v1/decisions/${ids[name]}/review`, { token: reviewer, body }), 200);
    expect(res.json.status, `${name} review ${i + 1}`).toBe(body.outcome);
    if (step === 'C' && i < steps.length - 1) {
      expectStatus(await e2e.file(agency.token, ids[name]!, filingBody(await e2e.upload(agency.token, ids[name]!, penaltyDocs()))), 202);
      const d = await e2e.waitForStatus(agency.token, ids[name]!, ['RECEIVED', 'INCOMPLETE']);
      expect(d.status, `${name} after answering correction ${i + 1}`).toBe('RECEIVED');
    }
  }
}

const stats = (token: string, query: string) => e2e.api('GET', `/v1/stats?${query}`, { token });

/** the raw bytes of a CSV answer, read with fetch (no decoding that could drop the BOM) */
async function rawGet(path: string, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(e2e.stack.apiUrl + path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const byAgencyId = (a: { agencyId: string }, b: { agencyId: string }) => (a.agencyId < b.agencyId ? -1 : a.agencyId > b.agencyId ? 1 : 0);
const agencyGroups = (figs: Record<AgencyKey, Figures>) =>
  (['A', 'B', 'C'] as const).map((k) => ({ agencyId: agencies[k].agencyId, agencyName: AGENCY_NAME, ...figs[k] })).sort(byAgencyId);

const expectedByAgency = () => ({ jurisdictionId: J, from: '2026-06', to: '2026-08', groupBy: 'agency', groups: agencyGroups(BY_AGENCY), totals: TOTALS });
const expectedByMonth = () => ({
  jurisdictionId: J, from: '2026-06', to: '2026-08', groupBy: 'month',
  groups: Object.entries(BY_MONTH).map(([month, f]) => ({ month, ...f })),
  totals: TOTALS,
});

function expectJson(res: { status: number; headers: Headers; text: string }) {
  expectStatus(res as any, 200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

// ---------- building the fixture ----------

beforeAll(async () => {
  baseDeps = apiDeps();
  const a = await e2e.setup();
  J = a.jurisdictionId;
  agencies = { A: a, B: await e2e.addAgency(J, a.prefix), C: await e2e.addAgency(J, a.prefix) };
  reviewer = await e2e.token({ role: 'reviewer', jurisdiction: J });

  // report every decision (4 in flight); the API's deadline must be the one counted by hand
  await inChunks(Object.entries(CASES), 4, async ([name, c]) => {
    const input = c.notRequired ? notRequiredDecision({ decidedOn: c.decidedOn }) : requiredDecision({ decidedOn: c.decidedOn });
    const d = await e2e.report(agencies[c.agency].token, input);
    ids[name] = d.id;
    if (c.notRequired) expect(d.status, name).toBe('NOT_REQUIRED');
    else expect({ name, status: d.status, filingDueOn: d.filingDueOn }).toEqual({ name, status: 'AWAITING_FILING', filingDueOn: c.due });
  });

  // the fixed-date filings, each case's in order
  await inChunks(Object.entries(CASES), 4, async ([name, c]) => {
    for (const f of c.filings ?? []) await fileOn(name, f.on, { late: f.late, incomplete: f.incomplete });
  });

  // the sweep flags the 8 open decisions due before 14 Sep: A4 A8 B3 B4 (incomplete) B8 B10 C4 C6
  sweepReport = await sweep(J, SWEEP_DAY);

  // one of them is filed late after being flagged
  for (const [name, c] of Object.entries(CASES)) if (c.lateAfterSweep) await fileOn(name, c.lateAfterSweep, { late: true });

  // the reviews, over HTTP
  await inChunks(Object.keys(CASES), 4, runReviews);
}, 240_000);

describe('the fixture', () => {
  test('every decision is where the hand-made table says: the sweep flagged 8, the rest as filed and reviewed', async () => {
    expect(sweepReport.overdueFlagged).toBe(8);
    const statuses: Record<string, string> = {};
    await inChunks(Object.entries(CASES), 4, async ([name, c]) => {
      statuses[name] = (await e2e.get(agencies[c.agency].token, ids[name]!)).status;
    });
    expect(statuses).toEqual(Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c.status])));
  });
});

// ---------- JSON ----------

describe('GET /v1/stats', () => {
  test('groupBy=agency as the reviewer: the three agencies sorted by agencyId, with their registered name, and the totals', async () => {
    const res = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`);
    expectJson(res);
    expect(res.json).toEqual(expectedByAgency());
    // nothing changed: the same figures again
    expect((await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`)).json).toEqual(res.json);
  });

  test('groupBy=month: one group per month, ascending, and the same totals', async () => {
    const res = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=month`);
    expectJson(res);
    expect(res.json).toEqual(expectedByMonth());
  });

  test('as admin: the same body; a reviewer may omit jurisdictionId (their own) and groupBy (agency)', async () => {
    const admin = await e2e.admin();
    const asAdmin = await stats(admin, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`);
    expectJson(asAdmin);
    expect(asAdmin.json).toEqual(expectedByAgency());
    const monthAdmin = await stats(admin, `jurisdictionId=${J}&${PERIOD}&groupBy=month`);
    expect(expectStatus(monthAdmin, 200).json).toEqual(expectedByMonth());

    const implicit = await stats(reviewer, PERIOD);
    expectJson(implicit);
    expect(implicit.json).toEqual(expectedByAgency());
  });

  test('a period of June only gives June’s figures only', async () => {
    const res = await stats(reviewer, `jurisdictionId=${J}&from=2026-06&to=2026-06&groupBy=agency`);
    expectJson(res);
    expect(res.json).toEqual({
      jurisdictionId: J, from: '2026-06', to: '2026-06', groupBy: 'agency',
      groups: agencyGroups(JUNE_BY_AGENCY),
      totals: BY_MONTH['2026-06'],
    });
    const byMonth = await stats(reviewer, `jurisdictionId=${J}&from=2026-06&to=2026-06&groupBy=month`);
    expect(expectStatus(byMonth, 200).json).toEqual({
      jurisdictionId: J, from: '2026-06', to: '2026-06', groupBy: 'month',
      groups: [{ month: '2026-06', ...BY_MONTH['2026-06'] }],
      totals: BY_MONTH['2026-06'],
    });
  });

  test('a month without decisions: zeros and nulls (by month), and the registered agencies with zeros (by agency)', async () => {
    const res = await stats(reviewer, `jurisdictionId=${J}&from=2026-01&to=2026-01&groupBy=month`);
    expectJson(res);
    expect(res.json).toEqual({ jurisdictionId: J, from: '2026-01', to: '2026-01', groupBy: 'month', groups: [{ month: '2026-01', ...ZERO }], totals: ZERO });

    const byAgency = await stats(reviewer, `jurisdictionId=${J}&from=2026-01&to=2026-01&groupBy=agency`);
    expect(expectStatus(byAgency, 200).json).toEqual({
      jurisdictionId: J, from: '2026-01', to: '2026-01', groupBy: 'agency',
      groups: agencyGroups({ A: ZERO, B: ZERO, C: ZERO }),
      totals: ZERO,
    });
  });

  test('36 months (the most allowed): every month listed, the decisions of May and September in their own months', async () => {
    const res = await stats(reviewer, `jurisdictionId=${J}&from=2024-01&to=2026-12&groupBy=month`);
    expectJson(res);
    const months: string[] = [];
    for (let y = 2024; y <= 2026; y++) for (let m = 1; m <= 12; m++) months.push(`${y}-${String(m).padStart(2, '0')}`);
    const special: Record<string, Figures> = { '2026-05': MAY, ...BY_MONTH, '2026-09': SEPTEMBER };
    expect(res.json).toEqual({
      jurisdictionId: J, from: '2024-01', to: '2026-12', groupBy: 'month',
      groups: months.map((month) => ({ month, ...(special[month] ?? ZERO) })),
      totals: TOTALS_36_MONTHS,
    });
  });

  test('defaults: to = this month in Shanghai, from = January of that year, groupBy = agency', async () => {
    const res = await stats(reviewer, '');
    expectJson(res);
    const month = shanghaiToday().slice(0, 7);
    expect(res.json).toMatchObject({ jurisdictionId: J, from: `${month.slice(0, 4)}-01`, to: month, groupBy: 'agency' });
    expect(res.json.groups.map((g: { agencyId: string }) => g.agencyId)).toEqual(agencyGroups(BY_AGENCY).map((g) => g.agencyId));
  });
});

// ---------- CSV ----------

describe('GET /v1/stats.csv and Accept: text/csv', () => {
  const bom = (s: string) => `\uFEFF${s}`;
  const crlf = (lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

  function expectCsv(res: { status: number; headers: Headers; bytes: Buffer }, expected: string, from: string, to: string) {
    if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.bytes.toString('utf8')}`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...res.bytes.subarray(0, 3)], 'the UTF-8 BOM').toEqual([0xef, 0xbb, 0xbf]);
    expect(res.bytes.toString('utf8')).toBe(bom(expected));
    expect(res.bytes.equals(Buffer.from(bom(expected), 'utf8')), 'byte for byte').toBe(true);

    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment\s*;/);
    expect(/filename="([^"]*)"/.exec(disposition)?.[1], disposition).toBe(`beian-stats-${J}-${from}-${to}.csv`);
    const star = /filename\*=UTF-8''([^;\s]+)/.exec(disposition)?.[1];
    expect(star, disposition).toMatch(/^[A-Za-z0-9%\-_.!~*'()]+$/);
    expect(decodeURIComponent(star!)).toBe(`备案统计-宝坻区-${from}-${to}.csv`);
  }

  const agencyCsv = () => {
    const rows: Record<AgencyKey, string> = {
      A: `${agencies.A.agencyId},宝坻区市场监督管理局,11,6,3,1,2,3,10,60.0%`,
      B: `${agencies.B.agencyId},宝坻区市场监督管理局,12,5,2,4,1,4,9,45.5%`,
      C: `${agencies.C.agencyId},宝坻区市场监督管理局,10,4,4,2,2,4,10,40.0%`,
    };
    const sorted = (['A', 'B', 'C'] as const).map((k) => ({ agencyId: agencies[k].agencyId, row: rows[k] })).sort(byAgencyId).map((r) => r.row);
    return crlf([CSV_HEADER_AGENCY, ...sorted, '合计,,33,15,9,7,5,11,9.5,48.4%']);
  };

  test('groupBy=agency: /v1/stats.csv and /v1/stats with Accept: text/csv give the same bytes', async () => {
    const query = `jurisdictionId=${J}&${PERIOD}&groupBy=agency`;
    const viaPath = await rawGet(`/v1/stats.csv?${query}`, reviewer);
    expectCsv(viaPath, agencyCsv(), '2026-06', '2026-08');
    const viaAccept = await rawGet(`/v1/stats?${query}`, reviewer, { accept: 'text/csv' });
    expectCsv(viaAccept, agencyCsv(), '2026-06', '2026-08');
    expect(viaAccept.bytes.equals(viaPath.bytes)).toBe(true);
  });

  test('groupBy=month, and an empty month (empty median and rate cells)', async () => {
    const month = await rawGet(`/v1/stats.csv?jurisdictionId=${J}&${PERIOD}&groupBy=month`, await e2e.admin());
    expectCsv(
      month,
      crlf([
        CSV_HEADER_MONTH,
        '2026-06,12,7,2,3,3,5,10,58.3%',
        '2026-07,11,5,4,2,1,4,9,45.5%',
        '2026-08,10,3,3,2,1,2,10,37.5%',
        '合计,33,15,9,7,5,11,9.5,48.4%',
      ]),
      '2026-06',
      '2026-08',
    );
    const empty = await rawGet(`/v1/stats?jurisdictionId=${J}&from=2026-01&to=2026-01&groupBy=month`, reviewer, { accept: 'text/csv' });
    expectCsv(empty, crlf([CSV_HEADER_MONTH, '2026-01,0,0,0,0,0,0,,', '合计,0,0,0,0,0,0,,']), '2026-01', '2026-01');
  });

  test('errors stay problem+json', async () => {
    expectProblem(await e2e.api('GET', `/v1/stats.csv?jurisdictionId=${J}&${PERIOD}`, { token: agencies.A.token }), 403);
    expectFieldErrors(await e2e.api('GET', `/v1/stats.csv?jurisdictionId=${J}&${PERIOD}&groupBy=week`, { token: reviewer }), 'query', ['groupBy']);
    expectFieldErrors(
      await e2e.api('GET', `/v1/stats?jurisdictionId=${J}&from=2026-13&to=2026-08`, { token: reviewer, headers: { accept: 'text/csv' } }),
      'query',
      ['from'],
    );
  });
});

// ---------- access and validation ----------

describe('access and validation', () => {
  test('an agency token: 403', async () => {
    expectProblem(await stats(agencies.A.token, `jurisdictionId=${J}&${PERIOD}`), 403);
    expectProblem(await stats(agencies.B.token, PERIOD), 403);
  });

  test('a reviewer of another jurisdiction naming this one: 404; an unknown jurisdiction: 404', async () => {
    const other = await e2e.setup();
    const otherReviewer = await e2e.token({ role: 'reviewer', jurisdiction: other.jurisdictionId });
    expectProblem(await stats(otherReviewer, `jurisdictionId=${J}&${PERIOD}`), 404);
    expectProblem(await stats(otherReviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=month`), 404);
    expectProblem(await stats(await e2e.admin(), `jurisdictionId=${uid('jur')}&${PERIOD}`), 404);
    // its own jurisdiction is empty: the other jurisdiction's decisions are not counted there
    const own = await stats(otherReviewer, PERIOD);
    expect(expectStatus(own, 200).json).toEqual({
      jurisdictionId: other.jurisdictionId, from: '2026-06', to: '2026-08', groupBy: 'agency',
      groups: [{ agencyId: other.agencyId, agencyName: AGENCY_NAME, ...ZERO }],
      totals: ZERO,
    });
  });

  test('admin without jurisdictionId: 400 naming jurisdictionId', async () => {
    expectFieldErrors(await stats(await e2e.admin(), `${PERIOD}&groupBy=agency`), 'query', ['jurisdictionId']);
  });

  test('malformed months, to before from, more than 36 months, an unknown groupBy: 400 naming the field', async () => {
    const q = (rest: string) => stats(reviewer, `jurisdictionId=${J}&${rest}`);
    expectFieldErrors(await q('from=2026-13&to=2026-12'), 'query', ['from']);
    expectFieldErrors(await q('from=2026-6&to=2026-08'), 'query', ['from']);
    expectFieldErrors(await q('from=2026-06&to=2026-8'), 'query', ['to']);
    expectFieldErrors(await q('from=2026-08&to=2026-06'), 'query', ['to']);
    expectFieldErrors(await q('from=2024-01&to=2027-01'), 'query', ['to']); // 37 months
    expectFieldErrors(await q(`${PERIOD}&groupBy=week`), 'query', ['groupBy']);
  });
});

// ---------- the figures move only when something changes (last: they change the data) ----------

describe('the figures follow the data', () => {
  test('a correction ordered on a RECEIVED decision (A12, decided in July) adds exactly 1 to correctionsOrdered', async () => {
    const before = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`);
    expect(expectStatus(before, 200).json).toEqual(expectedByAgency());

    const res = await e2e.api('POST', `/v1/decisions/${ids.A12}/review`, {
      token: reviewer,
      body: { outcome: 'CORRECTION_REQUIRED', comments: '法制审核意见未签署，请补正。' },
    });
    expect(expectStatus(res, 200).json.status).toBe('CORRECTION_REQUIRED');

    const after = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`);
    expect(expectStatus(after, 200).json).toEqual({
      ...expectedByAgency(),
      groups: agencyGroups({ ...BY_AGENCY, A: { ...BY_AGENCY.A, correctionsOrdered: 3 } }),
      totals: { ...TOTALS, correctionsOrdered: 6 },
    });
    expect(after.json.totals.correctionsOrdered - before.json.totals.correctionsOrdered).toBe(1);

    const byMonth = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=month`);
    expect(expectStatus(byMonth, 200).json).toEqual({
      ...expectedByMonth(),
      groups: Object.entries({ ...BY_MONTH, '2026-07': { ...BY_MONTH['2026-07'], correctionsOrdered: 2 } }).map(([month, f]) => ({ month, ...f })),
      totals: { ...TOTALS, correctionsOrdered: 6 },
    });
  });

  test('a newly registered agency without decisions is listed with zeros; the totals do not move', async () => {
    const d = await e2e.addAgency(J, agencies.A.prefix);
    const res = await stats(reviewer, `jurisdictionId=${J}&${PERIOD}&groupBy=agency`);
    const groupsAfterCorrection = agencyGroups({ ...BY_AGENCY, A: { ...BY_AGENCY.A, correctionsOrdered: 3 } });
    expect(expectStatus(res, 200).json).toEqual({
      ...expectedByAgency(),
      groups: [...groupsAfterCorrection, { agencyId: d.agencyId, agencyName: AGENCY_NAME, ...ZERO }].sort(byAgencyId),
      totals: { ...TOTALS, correctionsOrdered: 6 },
    });
  });
});
