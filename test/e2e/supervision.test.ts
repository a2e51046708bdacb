/**
 * The daily deadline sweep on the local stack, day by day from 2026-09-20 to 2026-10-30 over decisions
 * made around the Mid-Autumn and National Day holidays (25-27 Sep and 1-7 Oct off; Sun 20 Sep and Sat
 * 10 Oct are make-up working days). Expected days are counted by hand below, not by the code under test.
 */
import { reportedEvent } from '../../shared/store/history.ts';
import { describe, expect, test, vi } from 'vitest';
import { doc, expectProblem, expectStatus, requiredDecision, useFilingStack, uid } from './filing-harness.ts';
import { SUBJECT, days, dayOf, kindOf, listed, settledMails, sweep } from './supervision-harness.ts';
import { shanghaiToday } from '../../shared/domain/dates.ts';

const e2e = useFilingStack();

const tomorrow = () => new Date(Date.now() + 86_400_000 * 2).toISOString().slice(0, 10);

describe('a season of daily sweeps around National Day', () => {
  test('reminders, overdue flags, escalations and weekly summaries go out on the right days, each once, as digests', async () => {
    const escalation = `${uid('jiandu')}@example.org`;
    const a = await e2e.setup({ jurisdiction: { escalationEmails: [escalation] } });
    const b = await e2e.addAgency(a.jurisdictionId, a.prefix);
    const cases = { D1: '2026-09-24', D2: '2026-09-28', D3: '2026-09-30', D4: '2026-10-03', D5: '2026-09-18' } as const;
    const ids: Record<string, string> = {};
    const caseNames: Record<string, string> = {};
    for (const [name, decidedOn] of Object.entries(cases)) {
      const agency = name === 'D4' ? b : a;
      const caseNumber = `宝市监罚〔2026〕${name}-${uid('n')}号`;
      const d = await e2e.report(agency.token, requiredDecision({ caseNumber, decidedOn }));
      ids[name] = d.id;
      caseNames[caseNumber] = name;
    }
    // 10 working days, counted by hand: D5 20 Sep (make-up Sunday) .. 9 Oct; D1 28,29,30 Sep, 8,9,10(Sat),12,13,14,15 Oct;
    // D2 the worked example of DOMAIN.md; D3 8 Oct .. 20 Oct; D4 decided in the holiday, counted from 8 Oct
    const expectedDue = { D1: '2026-10-15', D2: '2026-10-16', D3: '2026-10-20', D4: '2026-10-20', D5: '2026-10-09' };
    for (const [name, due] of Object.entries(expectedDue)) {
      expect((await e2e.get(name === 'D4' ? b.token : a.token, ids[name]!)).filingDueOn, name).toBe(due);
    }

    for (const day of days('2026-09-20', '2026-10-30')) {
      const report = await sweep(a.jurisdictionId, day);
      if (day === '2026-10-09') expect((await e2e.get(a.token, ids.D5!)).status).toBe('AWAITING_FILING');
      if (day === '2026-10-10') {
        expect(report.overdueFlagged).toBe(1);
        const d5 = await e2e.get(a.token, ids.D5!);
        expect(d5).toMatchObject({ status: 'OVERDUE', overdueSince: '2026-10-10' });
        expect((d5 as any).workingDaysOverdue).toBeGreaterThan(5); // counted whenever it is read: today is long after
      }
      if (day === '2026-10-17') {
        // D2 is overdue now: its agency explains, and the explanation travels with later notices
        const res = await e2e.api('POST', `/v1/decisions/${ids.D2}/late-explanation`, { token: a.token, body: { reason: '集体讨论记录待签字', promisedOn: tomorrow() } });
        expect(expectStatus(res, 200).json).toMatchObject({ id: ids.D2, status: 'OVERDUE', lateExplanation: { reason: '集体讨论记录待签字', promisedOn: tomorrow() } });
      }
    }

    const labels: Record<string, string> = { [a.contactEmails.join(',')]: 'A', [b.contactEmails.join(',')]: 'B', [escalation]: 'J' };
    const mails = await settledMails(e2e, [...a.contactEmails, ...b.contactEmails, escalation], 21);
    const lines = mails
      .map((m) => `${dayOf(m)} ${kindOf(m)} ${labels[m.destination.to.join(',')]}: ${listed(m, Object.keys(caseNames)).map((c) => caseNames[c]).sort().join(' ')}`)
      .sort();
    expect(lines).toEqual([
      '2026-09-29 reminder A: D5', // 3 working days before 9 Oct: 30 Sep, 8 Oct, 9 Oct
      '2026-10-09 reminder A: D5', // the due day
      '2026-10-10 overdue A: D5', // the first sweep after the deadline (a make-up Saturday)
      '2026-10-12 reminder A: D1',
      '2026-10-12 weekly J: D5', // Monday: first working day of the week
      '2026-10-13 reminder A: D2',
      '2026-10-15 escalation J: D5', // 5 working days overdue: 10, 12, 13, 14, 15 Oct
      '2026-10-15 reminder A: D1 D3', // one digest for the agency: D1 due today, D3 in 3 working days
      '2026-10-15 reminder B: D4',
      '2026-10-16 overdue A: D1',
      '2026-10-16 reminder A: D2',
      '2026-10-17 overdue A: D2', // a Saturday: the first sweep after Friday's deadline
      '2026-10-19 weekly J: D1 D2 D5',
      '2026-10-20 reminder A: D3',
      '2026-10-20 reminder B: D4',
      '2026-10-21 overdue A: D3',
      '2026-10-21 overdue B: D4',
      '2026-10-22 escalation J: D1',
      '2026-10-23 escalation J: D2',
      '2026-10-26 weekly J: D1 D2 D3 D4 D5',
      '2026-10-27 escalation J: D3 D4',
    ]);
    // the week of 5 Oct had its first working day on Thursday 8 Oct, with nothing overdue yet: no summary
    const weekly19 = mails.find((m) => dayOf(m) === '2026-10-19' && kindOf(m) === 'weekly')!;
    expect(weekly19.body.text).toContain('集体讨论记录待签字');
    expect(weekly19.body.text).toContain('宝坻区市场监督管理局');
    const escalation23 = mails.find((m) => dayOf(m) === '2026-10-23' && kindOf(m) === 'escalation')!;
    expect(escalation23.body.text).toContain('集体讨论记录待签字');
    for (const m of mails) {
      expect(m.subject, 'no agency text in a subject').not.toMatch(/宝市监罚/);
      expect(m.body.html).toMatch(/^<!doctype html>/);
    }

    // sweeping a day again, and twice at once, adds nothing
    const again = await Promise.all([sweep(a.jurisdictionId, '2026-10-15'), sweep(a.jurisdictionId, '2026-10-15'), sweep(a.jurisdictionId, '2026-10-21')]);
    for (const r of again) expect(r).toMatchObject({ reminders: 0, overdueFlagged: 0, escalations: 0, noticesWritten: 0 });
    expect((await settledMails(e2e, [...a.contactEmails, ...b.contactEmails, escalation], 21)).length).toBe(21);
  });
});

describe('exactly once under faults', () => {
  async function overdueCases(count: number, agencies = 1) {
    const first = await e2e.setup({ jurisdiction: { escalationEmails: [`${uid('j')}@example.org`] } });
    const all = [first];
    while (all.length < agencies) all.push(await e2e.addAgency(first.jurisdictionId, first.prefix));
    const cases: { id: string; caseNumber: string; agency: typeof first }[] = [];
    for (let i = 0; i < count; i++) {
      const agency = all[i % all.length]!;
      const caseNumber = `津罚〔2026〕${uid('x')}号`;
      cases.push({ id: (await e2e.report(agency.token, requiredDecision({ caseNumber, decidedOn: '2026-09-01' }))).id, caseNumber, agency });
    }
    return { jurisdictionId: first.jurisdictionId, agencies: all, cases }; // due 2026-09-15: overdue on 2026-09-16
  }

  /** Every case number appears in exactly one overdue digest of its agency. */
  async function expectEachOnce(setup: Awaited<ReturnType<typeof overdueCases>>, mailCount: number) {
    const addresses = setup.agencies.flatMap((a) => a.contactEmails);
    const mails = (await settledMails(e2e, addresses, mailCount)).filter((m) => kindOf(m) === 'overdue');
    expect(mails.length).toBe(mailCount);
    for (const c of setup.cases) {
      const holding = mails.filter((m) => listed(m, [c.caseNumber]).length);
      expect(holding.length, `${c.caseNumber} is in exactly one digest`).toBe(1);
      expect(holding[0]!.destination.to).toEqual(c.agency.contactEmails);
    }
  }

  test('a sweep that crashes halfway, then runs again, flags each case once and lists each in one digest', async () => {
    const setup = await overdueCases(12);
    const deps = (await import('./supervision-harness.ts')).sweepDeps();
    let flags = 0;
    const crashing = { ...deps, concurrency: 1, sweeps: Object.assign(Object.create(deps.sweeps), {
      flagOverdue: async (...args: Parameters<typeof deps.sweeps.flagOverdue>) => {
        if (++flags > 5) throw new Error('injected crash after 5 flags');
        return deps.sweeps.flagOverdue(...args);
      },
    }) };
    await expect(sweep(setup.jurisdictionId, '2026-09-16', crashing)).rejects.toThrow('injected crash');
    const rerun = await sweep(setup.jurisdictionId, '2026-09-16');
    expect(rerun.overdueFlagged).toBe(7);
    expect(rerun.recoveredEntries).toBe(5);
    await expectEachOnce(setup, 1);
    for (const c of setup.cases) expect((await e2e.get(c.agency.token, c.id)).status).toBe('OVERDUE');
  });

  test('a sweep that crashes between two digests, then runs again, writes the missing one only', async () => {
    const setup = await overdueCases(6, 2);
    const deps = (await import('./supervision-harness.ts')).sweepDeps();
    let digests = 0;
    const crashing = { ...deps, concurrency: 1, sweeps: Object.assign(Object.create(deps.sweeps), {
      writeDigest: async (...args: Parameters<typeof deps.sweeps.writeDigest>) => {
        if (++digests > 1) throw new Error('injected crash after the first digest');
        return deps.sweeps.writeDigest(...args);
      },
    }) };
    // the failed digest is logged, the sweep fails (its message comes back), the other digests are written
    await expect(sweep(setup.jurisdictionId, '2026-09-16', crashing)).rejects.toThrow(/1 digest\(s\) of .* could not be written/);
    const rerun = await sweep(setup.jurisdictionId, '2026-09-16');
    // the first agency's digest was written before the crash; the second's 3 entries wait for the rerun
    // (which also sends the week's summary: no sweep of this jurisdiction has completed this week)
    expect(rerun).toMatchObject({ overdueFlagged: 0, recoveredEntries: 3, noticesWritten: 2, weeklySummary: true });
    await expectEachOnce(setup, 2);
  });

  test('two sweeps at once: every case flagged once and in exactly one digest', async () => {
    const setup = await overdueCases(20, 2);
    const [r1, r2] = await Promise.all([sweep(setup.jurisdictionId, '2026-09-16'), sweep(setup.jurisdictionId, '2026-09-16')]);
    expect(r1.overdueFlagged + r2.overdueFlagged).toBe(20);
    const mails = await settledMails(e2e, setup.agencies.flatMap((a) => a.contactEmails), 2);
    for (const c of setup.cases) expect(mails.filter((m) => listed(m, [c.caseNumber]).length).length, c.caseNumber).toBe(1);
  });

  test('a missed day is caught up: the next sweep flags and escalates, and sends no late reminder', async () => {
    const setup = await overdueCases(1);
    // due 2026-09-15; nothing ran until 2026-09-25 (8 working days overdue: 16-18, 21-24 Sep ... counted by the engine)
    const report = await sweep(setup.jurisdictionId, '2026-09-25');
    expect(report).toMatchObject({ reminders: 0, overdueFlagged: 1, escalations: 1 });
    // an overdue decision is still filed, late, with its reason
    const [c] = setup.cases;
    const late = await e2e.file(c!.agency.token, c!.id, { documents: await e2e.upload(c!.agency.token, c!.id, [doc('DECISION_LETTER')]), contact: { name: '赵六' }, lateReason: '案卷整理延误' });
    expect(expectStatus(late, 202).json).toMatchObject({ status: 'SUBMITTED', onTime: false });
  });

  test('a filing that lands while the sweep works wins: no overdue flag and no overdue notice for it', async () => {
    const setup = await overdueCases(3);
    const [racing, ...others] = setup.cases;
    const racingDocuments = await e2e.upload(racing!.agency.token, racing!.id, [doc('DECISION_LETTER')]);
    const deps = (await import('./supervision-harness.ts')).sweepDeps();
    const racingSweep = { ...deps, sweeps: Object.assign(Object.create(deps.sweeps), {
      // the sweep has read the open items (racing still AWAITING_FILING) when the filing lands
      async *openDue(...args: Parameters<typeof deps.sweeps.openDue>) {
        for await (const page of deps.sweeps.openDue(...args)) {
          expect(page.map((d) => d.id)).toContain(racing!.id);
          const filed = await e2e.file(racing!.agency.token, racing!.id, {
            documents: racingDocuments,
            contact: { name: '李四' },
            lateReason: '材料补正',
          });
          expectStatus(filed, 202);
          yield page;
        }
      },
    }) };
    const report = await sweep(setup.jurisdictionId, '2026-09-16', racingSweep);
    expect(report.overdueFlagged).toBe(2);
    expect((await e2e.get(racing!.agency.token, racing!.id)).status).not.toBe('OVERDUE');
    const [mail] = await settledMails(e2e, racing!.agency.contactEmails, 1);
    expect(listed(mail!, setup.cases.map((c) => c.caseNumber)).sort()).toEqual(others.map((c) => c.caseNumber).sort());
  });
});

describe('filing and explaining against the real clock', () => {
  test('a filing that lands on the deadline day is never flagged', async () => {
    const { nationalCalendar } = await import('../../shared/domain/national-calendar.ts');
    const { addDays } = await import('../../shared/domain/supervision.ts');
    const calendar = nationalCalendar();
    const today = shanghaiToday();
    // the deadline is today when today is a working day, else the next working day (the filing is then early)
    const due = calendar.isWorkingDay(today).working ? today : calendar.nextWorkingDay(today).date;
    let decidedOn = addDays(due, -1);
    while (calendar.addWorkingDays(decidedOn, 10).date !== due) decidedOn = addDays(decidedOn, -1);
    const a = await e2e.setup();
    const d = await e2e.report(a.token, requiredDecision({ decidedOn, kind: 'COERCIVE', measures: ['SEAL_UP'], majorReasons: ['PUBLIC_INTEREST'] }));
    expect(d.filingDueOn).toBe(due);
    const filed = await e2e.file(a.token, d.id, { documents: await e2e.upload(a.token, d.id, [doc('DECISION_LETTER')]), contact: { name: '王五' } });
    expect(expectStatus(filed, 202).json).toMatchObject({ onTime: true });
    await e2e.waitForStatus(a.token, d.id, ['RECEIVED']);
    for (const day of days(addDays(due, 1), addDays(due, 10))) {
      expect((await sweep(a.jurisdictionId, day)).overdueFlagged, day).toBe(0);
    }
    expect((await e2e.get(a.token, d.id)).status).toBe('RECEIVED');
  });

  test('late explanation: allowed when overdue or due soon, refused otherwise, and only for the agency’s own decisions', async () => {
    const a = await e2e.setup();
    const other = await e2e.addAgency(a.jurisdictionId, a.prefix);
    const overdue = await e2e.report(a.token, requiredDecision({ decidedOn: '2026-09-01' }));
    const body = { reason: '当事人申请听证，听证笔录待整理', promisedOn: tomorrow() };
    // another agency's decision is not found; a decision that needs no filing has nothing to explain
    expectProblem(await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: other.token, body }), 404);
    const warning = await e2e.report(a.token, requiredDecision({ measures: ['WARNING'] }));
    expect(expectProblem(await e2e.api('POST', `/v1/decisions/${warning.id}/late-explanation`, { token: a.token, body }), 409).type).toMatch(/filing-not-required/);
    // a bad body names the field
    const bad = await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: a.token, body: { reason: '', promisedOn: '2026-13-01' } });
    expect(expectProblem(bad, 400).errors!.map((e) => e.field).sort()).toEqual(['promisedOn', 'reason']);
    const past = await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: a.token, body: { ...body, promisedOn: '2026-09-02' } });
    expect(expectProblem(past, 400).errors![0]!.field).toBe('promisedOn');
    // a promise is held to one more filing period at most; a reason of invisible characters says nothing
    const far = await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: a.token, body: { ...body, promisedOn: '2199-12-31' } });
    expect(expectProblem(far, 400).errors![0]).toMatchObject({ field: 'promisedOn', reason: expect.stringMatching(/at most one filing period ahead/) });
    const blank = await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: a.token, body: { ...body, reason: '\u200b\u202e' } });
    expect(expectProblem(blank, 400).errors![0]!.field).toBe('reason');
    // past its deadline (not yet swept): allowed, and shown on the decision
    const ok = expectStatus(await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: a.token, body }), 200);
    expect(ok.json).toMatchObject({ lateExplanation: body, workingDaysOverdue: expect.any(Number) });
    expect((await e2e.get(a.token, overdue.id)).lateExplanation).toMatchObject(body);
    // due within the reminder window (2 working days from today): allowed; 6 working days away: not yet
    const { nationalCalendar } = await import('../../shared/domain/national-calendar.ts');
    const { addDays } = await import('../../shared/domain/supervision.ts');
    const calendar = nationalCalendar();
    const decidedFor = (due: string) => {
      let d = addDays(due, -1);
      while (calendar.addWorkingDays(d, 10).date !== due) d = addDays(d, -1);
      return d;
    };
    const today = shanghaiToday();
    const soon = await e2e.report(a.token, requiredDecision({ decidedOn: decidedFor(calendar.addWorkingDays(today, 2).date) }));
    expectStatus(await e2e.api('POST', `/v1/decisions/${soon.id}/late-explanation`, { token: a.token, body }), 200);
    const notYet = await e2e.report(a.token, requiredDecision({ decidedOn: decidedFor(calendar.addWorkingDays(today, 6).date) }));
    expect(expectProblem(await e2e.api('POST', `/v1/decisions/${notYet.id}/late-explanation`, { token: a.token, body }), 409).type).toMatch(/deadline-not-near/);
    // a reviewer or an admin does not explain for an agency
    expectProblem(await e2e.api('POST', `/v1/decisions/${overdue.id}/late-explanation`, { token: await e2e.admin(), body }), 403);
  });
});

test('the scheduled start fans out one sweep per jurisdiction through the sweeps queue', async () => {
  const a = await e2e.setup({ jurisdiction: { escalationEmails: [`${uid('j')}@example.org`] } });
  const d = await e2e.report(a.token, requiredDecision({ decidedOn: '2026-09-01' }));
  const started = (await e2e.stack.runSchedule('sweep-deadlines', { day: '2026-09-16' })) as { jurisdictions: number };
  expect(started.jurisdictions).toBeGreaterThanOrEqual(1);
  await e2e.waitForStatus(a.token, d.id, ['OVERDUE'], 30_000);
  const [mail] = await settledMails(e2e, a.contactEmails, 1);
  expect(mail!.subject.startsWith(SUBJECT.overdue)).toBe(true);
  await e2e.waitQueueEmpty(e2e.stack.queues.get('sweeps')!.url);
});

describe('provisional deadlines and the calendar watch', () => {
  test('a deadline in a year whose schedule is not loaded is provisional in the notice, and corrected when the year is loaded', async () => {
    const { nationalCalendar } = await import('../../shared/domain/national-calendar.ts');
    const { nationalYearFiles } = await import('../../shared/domain/holiday-cn/index.ts');
    const { WorkingCalendar } = await import('../../shared/domain/calendar.ts');
    const { addDays } = await import('../../shared/domain/supervision.ts');
    const { sweepDeps } = await import('./supervision-harness.ts');
    const bundled = nationalCalendar();
    const year = Math.max(...bundled.loadedYears()) + 1;
    const a = await e2e.setup();
    // late in December, the deadline reaches into the year whose notice is not out yet
    const decidedOn = `${year - 1}-12-24`;
    const provisional = bundled.addWorkingDays(decidedOn, 10);
    expect(provisional.provisional).toBe(true);
    const deps = sweepDeps();
    const id = crypto.randomUUID();
    const at = new Date().toISOString();
    // stored as the API stores it (the API itself refuses a decision dated after today)
    const stored = {
      ...requiredDecision({ decidedOn }), id, agencyId: a.agencyId, jurisdictionId: a.jurisdictionId, status: 'AWAITING_FILING',
      filingRequired: true, filingReasons: [{ code: 'REVOKE_PERMIT', text: '吊销许可证件' }], filingDueOn: provisional.date, dueProvisional: true, createdAt: at, updatedAt: at,
    };
    await (deps as any).store.createDecision(stored, reportedEvent(stored, { role: 'agency', subject: 'test', agencyId: a.agencyId }));
    const onDueDay = await sweep(a.jurisdictionId, provisional.date, deps);
    expect(onDueDay.reminders).toBe(1);
    const [reminder] = await settledMails(e2e, a.contactEmails, 1);
    expect(reminder!.body.text).toContain('暂定');

    // the year's notice is loaded (test data: New Year 1-3 Jan off, and 4-5 Jan as extra holidays)
    const testYear = { year, papers: [], days: ['01', '02', '03', '04', '05'].map((d) => ({ name: '元旦', date: `${year}-01-${d}`, isOffDay: true })) };
    const files = [...nationalYearFiles.filter((f) => (f.content as { year: number }).year !== year), { fileName: `${year}.json`, content: testYear }];
    const loaded = WorkingCalendar.fromYearFiles(files);
    const corrected = loaded.addWorkingDays(decidedOn, 10);
    expect(corrected.provisional).toBe(false);
    expect(corrected.date > provisional.date).toBe(true);
    const withYear = { ...deps, calendarFor: () => loaded };
    // the day after the provisional deadline is not past the real one: corrected, not flagged
    const next = await sweep(a.jurisdictionId, addDays(provisional.date, 1), withYear);
    expect(next).toMatchObject({ dueDatesCorrected: 1, overdueFlagged: 0 });
    expect(await e2e.get(a.token, id)).toMatchObject({ status: 'AWAITING_FILING', filingDueOn: corrected.date, dueProvisional: false });
    // the due index follows the corrected date: its reminder comes on the real due day, no longer provisional
    expect((await sweep(a.jurisdictionId, corrected.date, withYear)).reminders).toBe(1);
    const mails = await settledMails(e2e, a.contactEmails, 2);
    const last = mails.find((m) => dayOf(m) === corrected.date)!;
    expect(last.body.text).not.toContain('暂定');
    expect((await sweep(a.jurisdictionId, addDays(corrected.date, 1), withYear)).overdueFlagged).toBe(1);
  });

  test('from 15 November, while next year is missing, operators get one calendar warning a day; with no address it is recorded NO_RECIPIENT', async () => {
    const { nationalCalendar } = await import('../../shared/domain/national-calendar.ts');
    const { calendarWatch } = await import('../../shared/use-cases/supervision.ts');
    const { sweepDeps } = await import('./supervision-harness.ts');
    const lastLoaded = Math.max(...nationalCalendar().loadedYears());
    const ops = `${uid('ops')}@example.org`;
    const deps = { ...sweepDeps(), operatorEmails: [ops] };
    expect(await calendarWatch(deps, `${lastLoaded}-11-14`)).toBe('not-needed');
    expect(await calendarWatch(deps, `${lastLoaded}-11-15`)).toBe('written');
    expect(await calendarWatch(deps, `${lastLoaded}-11-15`)).toBe('exists');
    const [mail] = await settledMails(e2e, [ops], 1);
    expect(mail!.subject).toContain(SUBJECT.calendar);
    expect(mail!.body.text).toContain(String(lastLoaded + 1));
    expect(mail!.body.text).toContain('npm run calendar -- add');
    // the local stack runs without OPERATOR_EMAILS: the scheduled start writes the notice, nobody to send to
    const started = (await e2e.stack.runSchedule('sweep-deadlines', { day: `${lastLoaded}-11-16` })) as { calendarWatch: string };
    expect(started.calendarWatch).toBe('written');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    await vi.waitFor(async () => {
      const out = await (deps as any).store.db.send(new GetCommand({ TableName: e2e.stack.tableName, Key: { pk: `NOTICE#calendar-watch#${lastLoaded}-11-16`, sk: 'NOTICE' } }));
      expect(out.Item?.status).toBe('NO_RECIPIENT');
    }, { timeout: 20_000, interval: 200 });
  });
});
