/**
 * Issue 8: calendar administration without a redeploy, end to end on the local stack. An admin loads a
 * year's national schedule (holiday-cn format) with PUT /v1/calendar/{year}; a malformed file is a 400
 * naming the entry and stores nothing; GET says where a year came from; the API counts on a loaded year at
 * once; loading it turns the provisional deadlines that reach into it final (filing and correction), each
 * with a DEADLINE_RECOMPUTED event, and sends no notice again.
 *
 * The decisions are reported, filed and reviewed on 2026-12-24 (the use cases called in the test process
 * with a fixed clock, as the statistics test does), when 2027's notice is not shipped: counted then,
 * 2026-12-24 + 10 working days = Dec 25, 28, 29, 30, 31, (Jan 1 assumed off), Jan 4, 5, 6, 7, 8 ->
 * 2027-01-08, provisional. The 2027 schedule loaded here is TEST DATA, not the official notice: Jan 1-4
 * off, Sat Jan 9 a make-up working day. On it the 10th working day is Dec 25, 28, 29, 30, 31, Jan 5, 6, 7,
 * 8, 9 -> 2027-01-09, final. (If a later version ships an official 2027 with days, this test must move to
 * the first year not shipped.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { shanghaiToday } from '../../shared/domain/dates.ts';
import { nationalYearFiles } from '../../shared/domain/holiday-cn/index.ts';
import { reportDecision } from '../../shared/use-cases/decisions.ts';
import { submitFiling } from '../../shared/use-cases/filings.ts';
import { reviewFiling } from '../../shared/use-cases/review.ts';
import { apiDeps } from '../../shared/wiring/api.ts';
import { expectFieldErrors, expectProblem, expectStatus, filingBody, penaltyDocs, requiredDecision, useFilingStack } from './filing-harness.ts';
import { sweep } from './supervision-harness.ts';

const e2e = useFilingStack();

const TEST_2027 = {
  $schema: 'https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json',
  year: 2027,
  papers: ['https://example.org/test-data-not-the-official-notice'],
  days: [
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    { name: '元旦', date: '2027-01-02', isOffDay: true },
    { name: '元旦', date: '2027-01-03', isOffDay: true },
    { name: '元旦', date: '2027-01-04', isOffDay: true },
    { name: '元旦', date: '2027-01-09', isOffDay: false },
    ...['02-08', '02-09', '02-10', '02-11', '02-12', '05-03', '05-04', '05-05', '10-01', '10-04', '10-05', '10-06', '10-07'].map((d) => ({ name: '节日', date: `2027-${d}`, isOffDay: true })),
  ],
};
/** the same schedule with Mon 4 Jan a working day: the correction of a wrongly loaded file */
const CORRECTED_2027 = { ...TEST_2027, days: TEST_2027.days.filter((d) => d.date !== '2027-01-04') };
const DEC_24 = () => new Date('2026-12-24T02:00:00Z'); // 10:00 in Shanghai

const workingDays = async (from: string, count: number) =>
  expectStatus(await e2e.api('GET', `/v1/calendar/working-days?from=${from}&count=${count}`, { token: await e2e.admin() }), 200).json;
const put = async (year: string | number, body: unknown, token?: string) => e2e.api('PUT', `/v1/calendar/${year}`, { token: token ?? (await e2e.admin()), body });
const history = async (token: string, id: string) => expectStatus(await e2e.api('GET', `/v1/decisions/${id}/history`, { token }), 200).json.items as { kind: string; detail: string; actor: { role: string } }[];

describe('calendar administration', () => {
  test('the precondition: 2027 is shipped without days (its notice was not out), so days in it are provisional', async () => {
    const shipped = nationalYearFiles.find((f) => (f.content as { year: number }).year === 2027);
    expect((shipped?.content as { days: unknown[] }).days).toEqual([]);
    expect(await workingDays('2026-12-24', 10)).toMatchObject({ dueOn: '2027-01-08', provisional: true });
  });

  test('GET a year says where it came from; a year neither shipped nor loaded is a 404', async () => {
    const reviewer = await e2e.token({ role: 'reviewer', jurisdiction: 'any-j' });
    const y2026 = expectStatus(await e2e.api('GET', '/v1/calendar/2026', { token: reviewer }), 200).json;
    expect(y2026).toMatchObject({ year: 2026, source: 'shipped', papers: ['https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm'] });
    expect(y2026.days).toContainEqual(expect.objectContaining({ date: '2026-10-01', isOffDay: true }));
    expect(y2026.days).toContainEqual(expect.objectContaining({ date: '2026-10-10', isOffDay: false }));
    expect(y2026).not.toHaveProperty('loadedBy');
    expectProblem(await e2e.api('GET', '/v1/calendar/2041', { token: reviewer }), 404);
    expectFieldErrors(await e2e.api('GET', '/v1/calendar/27', { token: reviewer }), 'path', ['year']);
    // the literal route still wins over /v1/calendar/{year}
    expect(await workingDays('2026-12-01', 1)).toMatchObject({ dueOn: '2026-12-02' });
  });

  test('only an admin loads a year; a malformed file is a 400 naming the entry, and nothing is stored', async () => {
    const agency = await e2e.setup();
    expectProblem(await put(2027, TEST_2027, agency.token), 403);
    expectProblem(await put(2027, TEST_2027, await e2e.token({ role: 'reviewer', jurisdiction: agency.jurisdictionId })), 403);

    const withDay = (i: number, day: Record<string, unknown>) => ({ ...TEST_2027, days: TEST_2027.days.map((d, k) => (k === i ? { ...d, ...day } : d)) });
    expectFieldErrors(await put(2027, withDay(1, { date: '2027-02-30' })), 'body', ['days.1.date']);
    expectFieldErrors(await put(2027, withDay(2, { date: '2027/01/03' })), 'body', ['days.2.date']);
    expectFieldErrors(await put(2027, withDay(0, { isOffDay: 'yes' })), 'body', ['days.0.isOffDay']);
    expectFieldErrors(await put(2027, withDay(3, { date: '2031-01-04' })), 'body', ['days.3.date']);
    // what the file says of the year: no date twice, no date of another year (but the last two weeks of the
    // year before), nothing that contradicts the year before, a plausible number of days off
    expectFieldErrors(await put(2027, withDay(3, { date: '2027-01-02' })), 'body', ['days.3.date']);
    expectFieldErrors(await put(2027, withDay(3, { date: '2026-12-02' })), 'body', ['days.3.date']);
    expectFieldErrors(await put(2027, withDay(3, { date: '2028-01-03' })), 'body', ['days.3.date']);
    const everyDayWorking = { ...TEST_2027, days: Array.from({ length: 52 }, (_, w) => ({ name: '班', date: new Date(Date.UTC(2027, 0, 2 + 7 * w)).toISOString().slice(0, 10), isOffDay: false })) };
    expectFieldErrors(await put(2027, everyDayWorking), 'body', ['days']);
    expectFieldErrors(await put(2027, withDay(0, { name: '元旦\u202e' })), 'body', ['days.0.name']);
    expectFieldErrors(await put(2027, { ...TEST_2027, extra: 1 }), 'body', ['extra']);
    expectFieldErrors(await put(2027, { ...TEST_2027, papers: ['javascript:alert(1)'] }), 'body', ['papers.0']);
    expectFieldErrors(await put(2031, { ...TEST_2027, year: 2031 }), 'path', ['year']);
    expectFieldErrors(await put(2027, { ...TEST_2027, year: 2028 }), 'body', ['year']);
    expectFieldErrors(await put(2027, { ...TEST_2027, days: [] }), 'body', ['days']);
    expectFieldErrors(await put(2027, { year: 2027, days: TEST_2027.days }), 'body', ['papers']);
    const notJson = await e2e.api('PUT', '/v1/calendar/2027', { token: await e2e.admin(), rawBody: '{"year": 2027,', headers: { 'content-type': 'application/json' } });
    expectProblem(notJson, 400);

    const after = expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: await e2e.admin() }), 200).json;
    expect(after).toMatchObject({ year: 2027, source: 'shipped', days: [] });
    expect(await workingDays('2026-12-24', 10)).toMatchObject({ dueOn: '2027-01-08', provisional: true });
  });

  test('loading 2027 turns the provisional deadlines that reach into it final, with an event each, and resends nothing', async () => {
    const agency = await e2e.setup();
    const deps = { ...apiDeps(), now: DEC_24 };
    const caller = { role: 'agency' as const, subject: 'calendar-test', agencyId: agency.agencyId, jurisdictionId: agency.jurisdictionId };
    // one awaiting its filing, one filed and ordered to correct (10 working days from the review)
    const awaiting = await reportDecision(deps, caller, requiredDecision({ decidedOn: '2026-12-24' }) as never);
    const corrected = await reportDecision(deps, caller, requiredDecision({ decidedOn: '2026-12-23' }) as never);
    const awaitingId = awaiting.body.id;
    const correctedId = corrected.body.id;
    // its files uploaded over HTTP (real clock), the filing itself made on 2026-12-24
    await submitFiling(deps, caller, correctedId, filingBody(await e2e.upload(agency.token, correctedId, penaltyDocs())) as never);
    await e2e.waitForStatus(agency.token, correctedId, ['RECEIVED']);
    const reviewer = { role: 'reviewer' as const, subject: 'calendar-reviewer', jurisdictionId: agency.jurisdictionId };
    await reviewFiling(deps, reviewer, correctedId, { outcome: 'CORRECTION_REQUIRED', comments: '补充听证告知书', correctionDueInWorkingDays: 10 });

    expect(await e2e.get(agency.token, awaitingId)).toMatchObject({ filingDueOn: '2027-01-08', dueProvisional: true });
    expect(await e2e.get(agency.token, correctedId)).toMatchObject({ status: 'CORRECTION_REQUIRED', correctionDueOn: '2027-01-08', correctionDueProvisional: true });

    // the sweep of 2027-01-05 (3 working days before the provisional 01-08) reminds of both
    const before = await sweep(agency.jurisdictionId, '2027-01-05');
    expect(before.reminders).toBe(2);
    // both digests (the filing's 【备案提醒】 and the correction's 【整改提醒】) have arrived before counting
    const reminders = await e2e.waitForMails((all) => {
      const mine = all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!));
      return mine.some((m) => m.subject.startsWith('【备案提醒】')) && mine.some((m) => m.subject.startsWith('【整改提醒】')) ? mine : [];
    });
    // and nothing else is on its way (receipt, correction order): the count holds for a second
    let mailsBefore = -1;
    for (let n = (await e2e.mailsTo(agency.contactEmails[0]!)).length; n !== mailsBefore; n = (await e2e.mailsTo(agency.contactEmails[0]!)).length) {
      mailsBefore = n;
      await new Promise((r) => setTimeout(r, 1000));
    }

    const res = expectStatus(await put(2027, TEST_2027), 200);
    expect(res.json).toMatchObject({ year: 2027, source: 'loaded', provisional: false, recomputedDeadlines: 2, loadedBy: { role: 'admin' } });
    expect(res.json.days).toHaveLength(TEST_2027.days.length);
    expect(Date.now() - Date.parse(res.json.loadedAt)).toBeLessThan(60_000);
    expect(res.json).not.toHaveProperty('$schema');

    // the API counts on it at once; GET says it was loaded, when and by whom
    expect(await workingDays('2026-12-24', 10)).toMatchObject({ dueOn: '2027-01-09', provisional: false });
    const got = expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: agency.token }), 200).json;
    expect(got).toMatchObject({ year: 2027, source: 'loaded', loadedAt: res.json.loadedAt, papers: TEST_2027.papers });
    expect(got.loadedBy).toEqual({ role: 'admin' }); // which admin is the admins' business
    expect(got).not.toHaveProperty('versions');
    const asAdmin = expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: await e2e.admin() }), 200).json;
    expect(asAdmin).toMatchObject({ loadedBy: res.json.loadedBy, versions: [{ loadedAt: res.json.loadedAt, loadedBy: res.json.loadedBy, days: TEST_2027.days.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }] });

    // the stored dates are final, each change an event with the admin as actor
    expect(await e2e.get(agency.token, awaitingId)).toMatchObject({ filingDueOn: '2027-01-09', dueProvisional: false });
    expect(await e2e.get(agency.token, correctedId)).toMatchObject({ correctionDueOn: '2027-01-09', correctionDueProvisional: false });
    const recomputed = (await history(agency.token, awaitingId)).filter((ev) => ev.kind === 'DEADLINE_RECOMPUTED');
    expect(recomputed).toEqual([expect.objectContaining({ detail: 'filing due 2027-01-09, was 2027-01-08 (provisional)', actor: expect.objectContaining({ role: 'admin' }) })]);
    const correctionEvents = (await history(agency.token, correctedId)).filter((ev) => ev.kind === 'DEADLINE_RECOMPUTED');
    expect(correctionEvents).toEqual([expect.objectContaining({ detail: 'correction due 2027-01-09, was 2027-01-08 (provisional)' })]);

    // nothing is sent again: loading wrote no notice, and the day's sweep run again writes no reminder
    const again = await sweep(agency.jurisdictionId, '2027-01-05');
    expect(again.reminders).toBe(0);
    expect(again.dueDatesCorrected).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e2e.mailsTo(agency.contactEmails[0]!)).length).toBe(mailsBefore);
    expect(reminders.length).toBeGreaterThan(0);

    // loading the same year again recomputes nothing more
    expect(expectStatus(await put(2027, TEST_2027), 200).json.recomputedDeadlines).toBe(0);

    // a wrongly loaded file is repaired by loading the right one: the deadlines it moved (now final) move back
    const repaired = expectStatus(await put(2027, CORRECTED_2027), 200).json;
    expect(repaired.recomputedDeadlines).toBe(2);
    expect(await e2e.get(agency.token, awaitingId)).toMatchObject({ filingDueOn: '2027-01-08', dueProvisional: false });
    expect(await e2e.get(agency.token, correctedId)).toMatchObject({ correctionDueOn: '2027-01-08', correctionDueProvisional: false });
    expect((await history(agency.token, awaitingId)).filter((ev) => ev.kind === 'DEADLINE_RECOMPUTED').map((ev) => ev.detail)).toEqual([
      'filing due 2027-01-09, was 2027-01-08 (provisional)',
      'filing due 2027-01-08, was 2027-01-09',
    ]);
    const versions = expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: await e2e.admin() }), 200).json.versions;
    expect(versions).toHaveLength(3);
    expect(versions[0]).toMatchObject({ loadedAt: repaired.loadedAt, days: CORRECTED_2027.days.length });
    expect(versions[0].sha256).not.toBe(versions[1].sha256);
  });

  test('npm run calendar -- add FILE --api URL loads a year into a running stack (and refuses a bad file or token)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beian-calendar-api-'));
    try {
      const file = join(dir, '2027.json');
      writeFileSync(file, JSON.stringify(TEST_2027));
      const ok = await cli(['add', file, '--api', e2e.stack.apiUrl]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`Loaded 2027 into ${new URL(e2e.stack.apiUrl).origin} (${TEST_2027.days.length} days)`);
      const loaded = expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: await e2e.admin() }), 200).json;
      expect(loaded).toMatchObject({ source: 'loaded', loadedBy: { role: 'admin' }, days: TEST_2027.days });
      const status = await cli(['status', '--api', e2e.stack.apiUrl]);
      expect(status.code).toBe(0);
      const nextYear = Number(shanghaiToday().slice(0, 4)) + 1;
      expect(status.stdout).toContain(nextYear === 2027 ? `Next year (2027) in ${new URL(e2e.stack.apiUrl).origin}: in force (loaded ${loaded.loadedAt}` : `Next year (${nextYear})`);

      // the server's validation, every field it names
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ ...TEST_2027, days: [{ name: '元旦', date: '2027-02-30', isOffDay: true }, { name: '元旦', date: '2027-01-04', isOffDay: 'yes' }] }));
      const refused = await cli(['add', bad, '--api', e2e.stack.apiUrl]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refused 2027 \(400\)/);
      expect(refused.stderr).toMatch(/days\.0\.date: must be a real calendar date/);
      expect(refused.stderr).toMatch(/days\.1\.isOffDay/);
      const agencyToken = await e2e.token({ role: 'agency', agency: 'some-agency' });
      const forbidden = await cli(['add', file, '--api', e2e.stack.apiUrl, '--token', agencyToken]);
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toMatch(/refused 2027 \(403\)/);
      expect(expectStatus(await e2e.api('GET', '/v1/calendar/2027', { token: await e2e.admin() }), 200).json.loadedAt).toBe(loaded.loadedAt);
      const typo = await cli(['add', file, '--api', e2e.stack.apiUrl, '--tokn', 'x']);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/unknown option '--tokn'[\s\S]*usage: npm run calendar/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The calendar tool as an operator runs it, signing local tokens with this stack's key. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-warnings', '--import', 'tsx', 'scripts/calendar.ts', ...args],
      { cwd: root, timeout: 30_000, env: { ...process.env, BEIAN_STATE_DIR: e2e.stack.stateDir } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
