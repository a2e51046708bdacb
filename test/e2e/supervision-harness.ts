/**
 * The deadline sweep on the local stack: sweeps run in the test process against the stack's DynamoDB
 * Local (as `npm run sweep` does), and their notices reach the SES emulator through the stack's own
 * notice sender (the table's stream). Helpers to read the digests back from the emulator's store.
 */
import { expect, vi } from 'vitest';
import type { SweepDeps, SweepReport } from '../../shared/use-cases/supervision.ts';
import { sweepJurisdiction } from '../../shared/use-cases/supervision.ts';
import { supervisionDeps } from '../../shared/wiring/supervision.ts';
import type { FilingE2E, StoredMail } from './filing-harness.ts';

export const SUBJECT = {
  reminder: '【备案提醒】',
  overdue: '【逾期未备案】',
  escalation: '【逾期报告】',
  weekly: '【逾期周报】',
  calendar: '【日历预警】',
} as const;
export type MailKind = keyof typeof SUBJECT;

/** The real sweep dependencies, built after the stack has set the environment; quiet logs. */
export function sweepDeps(overrides: Partial<SweepDeps> = {}): SweepDeps {
  return { ...supervisionDeps(), log: () => {}, ...overrides };
}

export const sweep = (jurisdictionId: string, day: string, deps: SweepDeps = sweepDeps()): Promise<SweepReport> => sweepJurisdiction(deps, jurisdictionId, day);

/** Every calendar day from `from` to `to`, inclusive. */
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

export const kindOf = (m: StoredMail): MailKind | undefined => (Object.keys(SUBJECT) as MailKind[]).find((k) => m.subject.startsWith(SUBJECT[k]));
export const dayOf = (m: StoredMail) => /（(\d{4}-\d{2}-\d{2})）$/.exec(m.subject)?.[1];
/** Which of `caseNumbers` the mail lists, in text and HTML alike. */
export function listed(m: StoredMail, caseNumbers: readonly string[]): string[] {
  const found = caseNumbers.filter((c) => m.body.text?.includes(c));
  expect(caseNumbers.filter((c) => m.body.html?.includes(c)), `the HTML lists what the text lists: ${m.subject}`).toEqual(found);
  return found;
}

/** The mails to any of `addresses`, waiting until there are `count` of them, then checking no more arrive. */
export async function settledMails(e2e: FilingE2E, addresses: readonly string[], count: number, timeout = 30_000): Promise<StoredMail[]> {
  const pick = async () => (await e2e.mails()).filter((m) => m.destination.to.some((a) => addresses.includes(a)));
  await vi.waitFor(async () => expect((await pick()).length).toBeGreaterThanOrEqual(count), { timeout, interval: 200 });
  await new Promise((r) => setTimeout(r, 1_500)); // a second copy would arrive within the stream poller's interval
  return pick();
}

/** "kind day recipient: case, case" lines, sorted: a readable picture of what was mailed. */
export function summary(mails: readonly StoredMail[], caseNames: Record<string, string>): string[] {
  return mails
    .map((m) => {
      const names = listed(m, Object.keys(caseNames)).map((c) => caseNames[c]!).sort();
      return `${dayOf(m)} ${kindOf(m)} ${m.destination.to.join(',')}: ${names.join(' ')}`;
    })
    .sort();
}
