import { describe, expect, test } from 'vitest';
import { agencyText, type DigestItem, type DigestKind, renderCalendarWatch, renderDigest, renderWeeklySummary } from '../../shared/notices/digests.ts';

const KINDS: DigestKind[] = ['FILING_REMINDER', 'FILING_OVERDUE', 'ESCALATION'];
const DAY = '2026-09-25';
const PROVISIONAL = '（暂定：次年节假日安排尚未公布，期限可能调整）';
/** characters that must never reach any part of a mail */
const FORBIDDEN = ['\r', '\n', '\u202e', '\u0000', '\u200b', '\u2066', '\ufeff', '\u00ad'];

function item(overrides: Partial<DigestItem> = {}): DigestItem {
  return {
    decisionId: '3f1c2a4e-0000-4000-8000-000000000001',
    caseNumber: '津西青市监罚〔2026〕12号',
    agencyId: 'agency-market',
    agencyName: '西青区市场监督管理局',
    decidedOn: '2026-09-11',
    filingDueOn: '2026-09-28',
    dueProvisional: false,
    workingDaysLeft: 1,
    workingDaysOverdue: 2,
    ...overrides,
  };
}

const threeItems: DigestItem[] = [
  item({ decisionId: '3f1c2a4e-0000-4000-8000-00000000000c', caseNumber: '津西青应急罚〔2026〕3号', filingDueOn: '2026-10-16', agencyId: 'agency-safety', agencyName: '西青区应急管理局' }),
  item({ decisionId: '3f1c2a4e-0000-4000-8000-00000000000a', caseNumber: 'B-2026-002', filingDueOn: '2026-09-28' }),
  item({ decisionId: '3f1c2a4e-0000-4000-8000-00000000000b', caseNumber: 'A-2026-001', filingDueOn: '2026-09-28' }),
];

const allParts = (mail: { subject: string; text: string; html: string }) => [mail.subject, mail.text, mail.html];
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const ctx = { day: DAY, recipientName: '西青区市场监督管理局' };

describe('agencyText', () => {
  test.each([
    ['CR and LF', 'A\r\nB', 'A B'],
    ['tab and vertical tab', 'A\t\u000bB', 'A B'],
    ['NUL becomes a visible replacement character', 'A\u0000B', 'A\ufffdB'],
    ['C1 control', 'A\u009bB', 'A\ufffdB'],
    ['DEL', 'A\u007fB', 'A\ufffdB'],
    ['right-to-left override', 'A\u202eB', 'AB'],
    ['every bidi embedding and override', '\u202a\u202b\u202c\u202d\u202eA', 'A'],
    ['bidi isolates', '\u2066\u2067\u2068A\u2069', 'A'],
    ['zero-width space, non-joiner, joiner, marks', 'A\u200b\u200c\u200d\u200e\u200fB', 'AB'],
    ['byte order mark', '\ufeffA', 'A'],
    ['soft hyphen', 'A\u00adB', 'AB'],
    ['word joiner (other Cf)', 'A\u2060B', 'AB'],
    ['tag characters (hidden text)', 'A\u{e0041}\u{e0042}B', 'AB'],
    ['line and paragraph separators', 'A\u2028\u2029B', 'A B'],
    ['whitespace runs collapse, ends trimmed', '  A  \u3000\u00a0 B  ', 'A B'],
    ['a zero-width character between spaces leaves one space', 'A \u200b B', 'A B'],
    ['a lone surrogate', 'A\ud800B', 'A\ufffdB'],
    ['Chinese and full-width punctuation kept', '津西青市监罚〔2026〕12号', '津西青市监罚〔2026〕12号'],
  ])('%s', (_name, input, expected) => {
    expect(agencyText(input, 100)).toBe(expected);
  });

  test('cuts to max characters, the ellipsis included', () => {
    expect(agencyText('一二三四五六七八九十', 5)).toBe('一二三四…');
    expect(agencyText('一二三四五', 5)).toBe('一二三四五');
    expect(agencyText('abcdef', 1)).toBe('…');
    expect(agencyText('abc', 0)).toBe('');
  });

  test('counts characters as code points and never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(10);
    const cut = agencyText(emoji, 4);
    expect(cut).toBe('😀😀😀…');
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  test('is measured after cleaning: invisible characters do not use up the budget', () => {
    expect(agencyText('\u200b'.repeat(50) + 'ABC', 3)).toBe('ABC');
  });

  test('a long reason is bounded', () => {
    const cut = agencyText('很长的理由'.repeat(1000), 500);
    expect(Array.from(cut)).toHaveLength(500);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('renderDigest: every kind', () => {
  test.each(KINDS)('%s lists every case number in text and HTML', (kind) => {
    const mail = renderDigest(kind, ctx, threeItems);
    for (const { caseNumber } of threeItems) {
      expect(mail.text).toContain(caseNumber);
      expect(mail.html).toContain(caseNumber);
    }
  });

  test.each(KINDS)('%s subject has the count and the day and no case number', (kind) => {
    const mail = renderDigest(kind, ctx, threeItems);
    expect(mail.subject).toContain('3 件');
    expect(mail.subject).toContain(`（${DAY}）`);
    for (const { caseNumber, agencyName } of threeItems) {
      expect(mail.subject).not.toContain(caseNumber);
      expect(mail.subject).not.toContain(agencyName);
    }
  });

  test.each(KINDS)('%s is a UTF-8 Chinese HTML document signed by the Legal Affairs Office', (kind) => {
    const mail = renderDigest(kind, ctx, threeItems);
    expect(mail.html.startsWith('<!doctype html><html lang="zh-CN"><meta charset="utf-8">')).toBe(true);
    expect(mail.html.trimEnd().endsWith('</html>')).toBe(true);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('区政府法制办公室');
      expect(part).toContain('本邮件由备案系统自动发送，请勿直接回复。');
      expect(part).toContain('西青区市场监督管理局：');
    }
  });

  test.each(KINDS)('%s sorts by due date, then case number', (kind) => {
    const { text, html } = renderDigest(kind, ctx, threeItems);
    for (const part of [text, html]) {
      const a = part.indexOf('A-2026-001');
      const b = part.indexOf('B-2026-002');
      const c = part.indexOf('津西青应急罚〔2026〕3号');
      expect(a).toBeGreaterThan(-1);
      expect(a).toBeLessThan(b);
      expect(b).toBeLessThan(c);
    }
  });

  test.each(KINDS)('%s is deterministic and independent of the input order', (kind) => {
    const once = renderDigest(kind, ctx, threeItems);
    expect(renderDigest(kind, ctx, threeItems)).toEqual(once);
    expect(renderDigest(kind, ctx, [...threeItems].reverse())).toEqual(once);
  });

  test.each(KINDS)('%s does not reorder or change the caller\'s array', (kind) => {
    const items = [...threeItems];
    renderDigest(kind, ctx, items);
    expect(items).toEqual(threeItems);
  });

  test.each(KINDS)('%s lists every item it is given, even many', (kind) => {
    const many = Array.from({ length: 120 }, (_, i) => item({ decisionId: `id-${i}`, caseNumber: `CASE-${String(i).padStart(3, '0')}` }));
    const mail = renderDigest(kind, ctx, many);
    expect(mail.subject).toContain('120 件');
    for (const { caseNumber } of many) {
      expect(count(mail.text, caseNumber)).toBeGreaterThanOrEqual(1);
      expect(count(mail.html, caseNumber)).toBeGreaterThanOrEqual(1);
    }
    expect(mail.text).toMatch(/^120\. /m);
    expect(mail.text).not.toMatch(/^121\. /m);
  });

  test.each(KINDS)('%s marks only provisional due dates as provisional', (kind) => {
    const items = [
      item({ decisionId: 'p1', caseNumber: 'PROV-1', filingDueOn: '2027-01-08', dueProvisional: true }),
      item({ decisionId: 'f1', caseNumber: 'FINAL-1', filingDueOn: '2026-12-11', dueProvisional: false }),
      item({ decisionId: 'f2', caseNumber: 'FINAL-2', filingDueOn: '2026-12-14', dueProvisional: false }),
    ];
    const mail = renderDigest(kind, ctx, items);
    expect(count(mail.text, PROVISIONAL)).toBe(1);
    expect(count(mail.html, PROVISIONAL)).toBe(1);
    expect(mail.text).toContain(`2027-01-08${PROVISIONAL}`);
    expect(mail.subject).not.toContain('暂定');
    const none = renderDigest(kind, ctx, [items[1]!, items[2]!]);
    expect(none.text).not.toContain('暂定');
    expect(none.html).not.toContain('暂定');
  });

  test.each(KINDS)('%s shows the late explanation: reason, promised date, day explained (in Beijing)', (kind) => {
    const explained = item({
      caseNumber: 'LATE-1',
      lateExplanation: { reason: '当事人申请听证，决定书送达延迟', promisedOn: '2026-10-09', explainedAt: '2026-09-23T16:30:00.000Z' },
    });
    const mail = renderDigest(kind, ctx, [explained, item({ decisionId: 'other', caseNumber: 'NO-EXPLANATION' })]);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('当事人申请听证，决定书送达延迟');
      expect(part).toContain('承诺备案日期：2026-10-09');
      expect(part).toContain('说明日期：2026-09-24'); // 00:30 on the 24th in Beijing
      expect(count(part, '承诺备案日期：')).toBe(1); // only the explained case
    }
    expect(mail.subject).not.toContain('听证');
  });

  test.each(KINDS)('%s says when the promised filing date has passed', (kind) => {
    const late = (promisedOn: string) =>
      renderDigest(kind, ctx, [item({ lateExplanation: { reason: '人员调整', promisedOn, explainedAt: '2026-09-20T02:00:00Z' } })]).text;
    expect(late('2026-09-24')).toContain('已过承诺日期');
    expect(late(DAY)).not.toContain('已过承诺日期');
    expect(late('2026-10-09')).not.toContain('已过承诺日期');
  });

  test('the three kinds differ in subject, title and colour', () => {
    const [reminder, overdue, escalation] = KINDS.map((kind) => renderDigest(kind, ctx, threeItems));
    expect(reminder!.subject).toBe(`【备案提醒】3 件重大行政执法决定备案期限临近（${DAY}）`);
    expect(overdue!.subject).toContain('逾期未备案');
    expect(escalation!.subject).toContain('逾期报告');
    expect(reminder!.html).toContain('备案期限提醒');
    expect(overdue!.html).toContain('逾期未备案通知');
    expect(escalation!.html).toContain('逾期未备案案件报告');
    expect(reminder!.html).toContain('#d97706'); // amber
    expect(reminder!.html).not.toContain('#dc2626');
    expect(overdue!.html).toContain('#dc2626'); // red
    expect(overdue!.html).not.toContain('#d97706');
  });

  test.each(KINDS)('%s with no items still renders a coherent mail', (kind) => {
    const mail = renderDigest(kind, ctx, []);
    expect(mail.subject).toContain('0 件');
    expect(mail.text).toContain('没有需要列出的案件');
    expect(mail.html).not.toContain('<table');
  });
});

describe('renderDigest: reminders', () => {
  test('0 working days left is due today, 3 is 剩余 3 个工作日', () => {
    const mail = renderDigest('FILING_REMINDER', ctx, [
      item({ decisionId: 'd0', caseNumber: 'TODAY', filingDueOn: DAY, workingDaysLeft: 0 }),
      item({ decisionId: 'd3', caseNumber: 'LATER', filingDueOn: '2026-09-30', workingDaysLeft: 3 }),
    ]);
    for (const part of [mail.text, mail.html]) {
      expect(count(part, '今日到期')).toBe(1);
      expect(count(part, '剩余 3 个工作日')).toBe(1);
      expect(part).not.toContain('剩余 0 个工作日');
    }
    expect(mail.text).toMatch(/TODAY[\s\S]*今日到期[\s\S]*LATER[\s\S]*剩余 3 个工作日/);
  });

  test('tells the agency to file through the API, per decision; no overdue wording', () => {
    const mail = renderDigest('FILING_REMINDER', ctx, [item({ decisionId: 'dec-42' })]);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('PUT /v1/decisions/dec-42/filing');
      expect(part).not.toContain('late-explanation');
      expect(part).not.toContain('已逾期');
    }
  });

  test('a reminder without a working-day count leaves the line out', () => {
    const { workingDaysLeft: _, ...noCount } = item();
    const mail = renderDigest('FILING_REMINDER', ctx, [noCount]);
    expect(mail.text).not.toContain('剩余时间');
    expect(mail.text).not.toContain('undefined');
    expect(mail.html).not.toContain('undefined');
  });
});

describe('renderDigest: overdue notices', () => {
  test('working days overdue, and 0 as less than one working day', () => {
    const mail = renderDigest('FILING_OVERDUE', ctx, [
      item({ decisionId: 'o0', caseNumber: 'WEEKEND-ONLY', workingDaysOverdue: 0 }),
      item({ decisionId: 'o5', caseNumber: 'FIVE', filingDueOn: '2026-09-29', workingDaysOverdue: 5 }),
    ]);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('已逾期 5 个工作日');
      expect(part).toContain('期限已过，逾期未满一个工作日');
      expect(part).not.toContain('已逾期 0 个工作日');
    }
  });

  test('tells the agency to file with lateReason, or to explain with reason and promised date', () => {
    const mail = renderDigest('FILING_OVERDUE', ctx, [item({ decisionId: 'dec-7' })]);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('PUT /v1/decisions/dec-7/filing');
      expect(part).toContain('POST /v1/decisions/dec-7/late-explanation');
      expect(part).toContain('lateReason');
      expect(part).toContain('promisedOn');
    }
  });
});

describe('renderDigest: escalation', () => {
  test('names the agency of every case, counts the agencies, and gives no agency instructions', () => {
    const mail = renderDigest('ESCALATION', { day: DAY, recipientName: '西青区' }, threeItems);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('西青区：');
      expect(count(part, '西青区市场监督管理局')).toBe(2);
      expect(count(part, '西青区应急管理局')).toBe(1);
      expect(part).toContain('涉及执法单位 2 个');
      expect(part).not.toContain('PUT /v1/');
    }
  });

  test('reminders and overdue notices, addressed to one agency, do not repeat its name per case', () => {
    const mail = renderDigest('FILING_OVERDUE', ctx, [item({ decisionId: 'x1', caseNumber: 'X-1' }), item({ decisionId: 'x2', caseNumber: 'X-2' })]);
    expect(count(mail.text, '西青区市场监督管理局')).toBe(1); // the greeting only
  });
});

describe('untrusted text', () => {
  const phishing = '您的账户已冻结，请访问 https://evil.example/verify 核验';
  const hostile = item({
    decisionId: 'hostile',
    caseNumber: `<script>alert("x")</script>'罚'&\r\nBcc: victim@example.com\u202eFDP.exe\u0000\u200b`,
    agencyName: '<b>单位</b>\r\n',
    lateExplanation: { reason: `<img src=x onerror="alert(1)">\r\n理由\u202e\u0000\u200b'`, promisedOn: '2026-10-09', explainedAt: '2026-09-20T02:00:00Z' },
  });

  test.each(KINDS)('%s escapes HTML in case numbers, reasons and names', (kind) => {
    const { html, text } = renderDigest(kind, { day: DAY, recipientName: '<i>收件人</i>"\'' }, [hostile]);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39;罚&#39;&#38;');
    expect(html).toContain('onerror=&#34;alert(1)&#34;');
    expect(html).toContain('&#60;i&#62;收件人&#60;/i&#62;&#34;&#39;');
    // the text part keeps the characters, as characters
    expect(text).toContain('<script>alert("x")</script>');
  });

  test.each(KINDS)('%s lets no control, bidi or zero-width character through, subject included', (kind) => {
    const mail = renderDigest(kind, { day: `${DAY}\r\nBcc: x@example.com\u202e\u0000\u200b`, recipientName: '单位\r\n\u202e\u0000' }, [hostile]);
    for (const part of allParts(mail)) {
      for (const c of FORBIDDEN.slice(2)) expect(part).not.toContain(c);
    }
    for (const c of FORBIDDEN) expect(mail.subject).not.toContain(c);
    expect(mail.subject).not.toContain('\r');
    expect(mail.subject).not.toContain('\n');
    // the bodies keep their own line breaks, but none comes from the agency: the header injection stays on its line
    expect(mail.text).toMatch(/案号：[^\n]*Bcc: victim@example\.com/);
    expect(mail.text).not.toMatch(/^Bcc:/m);
    expect(mail.html).not.toContain('\r');
    expect(mail.text).toContain('FDP.exe\ufffd');
  });

  test.each(KINDS)('%s shows a phishing case number as escaped text, never as a link', (kind) => {
    const mail = renderDigest(kind, ctx, [item({ caseNumber: phishing }), item({ decisionId: 'b', caseNumber: '<a href="https://evil.example">点此</a>' })]);
    expect(mail.html).toContain(phishing.replace('https://', 'hxxps://')); // shown, defanged: no client makes a link of it
    expect(mail.html).not.toContain('https://evil');
    expect(mail.html).not.toMatch(/<a[\s>]/i);
    expect(mail.html).not.toMatch(/href\s*=\s*["']/i); // an attribute needs a raw quote; the escaped text has none
    expect(mail.html).toContain('&#60;a href=&#34;hxxps://evil.example&#34;&#62;点此&#60;/a&#62;');
    expect(mail.subject).not.toContain('evil');
    expect(mail.text).toContain('备案系统的邮件不含任何链接');
  });

  test.each(KINDS)('%s bounds case numbers to 100 characters and reasons to 500', (kind) => {
    const longCase = '号'.repeat(5000);
    const longReason = '因'.repeat(5000);
    const mail = renderDigest(kind, ctx, [item({ caseNumber: longCase, lateExplanation: { reason: longReason, promisedOn: '2026-10-09', explainedAt: '2026-09-20T02:00:00Z' } })]);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(`${'号'.repeat(99)}…`);
      expect(part).not.toContain('号'.repeat(100));
      expect(part).toContain(`${'因'.repeat(499)}…`);
      expect(part).not.toContain('因'.repeat(500));
    }
    expect(mail.text.length).toBeLessThan(3000);
  });

  test.each(KINDS)('%s bounds agency and recipient names to 200 characters', (kind) => {
    const mail = renderDigest(kind, { day: DAY, recipientName: '名'.repeat(1000) }, [item({ agencyName: '局'.repeat(1000) })]);
    expect(mail.text).toContain(`${'名'.repeat(199)}…：`);
    expect(mail.text).not.toContain('名'.repeat(200));
    expect(mail.text).not.toContain('局'.repeat(200));
  });

  test('an empty case number shows a dash, not nothing', () => {
    const mail = renderDigest('FILING_REMINDER', ctx, [item({ caseNumber: '\u200b\r\n  ' })]);
    expect(mail.text).toContain('案号：—');
  });
});

describe('renderWeeklySummary', () => {
  const weekCtx = { day: '2026-09-25', weekOf: '2026-09-21', jurisdictionName: '西青区' };
  const overdue = [
    item({ decisionId: 'w1', caseNumber: 'W-1', agencyId: 'agency-market', agencyName: '西青区市场监督管理局', filingDueOn: '2026-09-10', workingDaysOverdue: 11 }),
    item({ decisionId: 'w2', caseNumber: 'W-2', agencyId: 'agency-market', agencyName: '西青区市场监督管理局', filingDueOn: '2026-09-18', workingDaysOverdue: 5 }),
    item({
      decisionId: 'w3',
      caseNumber: 'W-3',
      agencyId: 'agency-safety',
      agencyName: '西青区应急管理局',
      filingDueOn: '2026-09-22',
      workingDaysOverdue: 0,
      lateExplanation: { reason: '需补充鉴定意见', promisedOn: '2026-09-30', explainedAt: '2026-09-23T01:00:00Z' },
    }),
  ];

  test('lists every case with agency, dates, working days overdue and explanation', () => {
    const mail = renderWeeklySummary(weekCtx, overdue);
    for (const part of [mail.text, mail.html]) {
      for (const { caseNumber, decidedOn, filingDueOn } of overdue) {
        expect(part).toContain(caseNumber);
        expect(part).toContain(decidedOn);
        expect(part).toContain(filingDueOn);
      }
      expect(part).toContain('西青区市场监督管理局');
      expect(part).toContain('西青区应急管理局');
      expect(part).toContain('已逾期 11 个工作日');
      expect(part).toContain('已逾期 5 个工作日');
      expect(part).toContain('期限已过，逾期未满一个工作日');
      expect(part).toContain('需补充鉴定意见');
      expect(part).toContain('承诺备案日期：2026-09-30');
      expect(part).toContain('2026-09-21 所在周');
      expect(part).toContain('西青区：');
      expect(part).toContain('涉及执法单位 2 个');
    }
  });

  test('counts per agency, most cases first, with the longest overdue', () => {
    const { text, html } = renderWeeklySummary(weekCtx, overdue);
    expect(text).toContain('- 西青区市场监督管理局：2 件，最长逾期 11 个工作日');
    expect(text).toContain('- 西青区应急管理局：1 件，最长逾期 0 个工作日');
    expect(text.indexOf('- 西青区市场监督管理局')).toBeLessThan(text.indexOf('- 西青区应急管理局'));
    expect(html).toMatch(/西青区市场监督管理局<\/td><td[^>]*>2 件<\/td><td[^>]*>11 个工作日/);
  });

  test('subject: kind, count and day only', () => {
    const { subject } = renderWeeklySummary(weekCtx, overdue);
    expect(subject).toBe('【逾期周报】3 件重大行政执法决定逾期未备案（2026-09-25）');
  });

  test('is deterministic, sorted by due date then case number, whatever the input order', () => {
    const once = renderWeeklySummary(weekCtx, overdue);
    expect(renderWeeklySummary(weekCtx, [...overdue].reverse())).toEqual(once);
    expect(once.text.indexOf('W-1')).toBeLessThan(once.text.indexOf('W-2'));
    expect(once.text.indexOf('W-2')).toBeLessThan(once.text.indexOf('W-3'));
  });

  test('escapes and cleans untrusted text', () => {
    const mail = renderWeeklySummary({ ...weekCtx, jurisdictionName: '西青区\r\n\u202e' }, [
      item({ caseNumber: '<script>x</script>\r\n\u202e\u0000\u200b', lateExplanation: { reason: '"\'&<>', promisedOn: '2026-10-09', explainedAt: '2026-09-20T02:00:00Z' } }),
    ]);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).toContain('&#34;&#39;&#38;&#60;&#62;');
    for (const part of allParts(mail)) for (const c of FORBIDDEN.slice(2)) expect(part).not.toContain(c);
    expect(mail.html).not.toContain('\r');
  });

  test('a week with no overdue case says so', () => {
    const mail = renderWeeklySummary(weekCtx, []);
    expect(mail.subject).toContain('0 件');
    expect(mail.text).toContain('没有逾期未备案的重大行政执法决定');
    expect(mail.html).not.toContain('<table');
  });
});

describe('renderCalendarWatch', () => {
  const years = Array.from({ length: 20 }, (_, i) => 2007 + i);
  const mail = renderCalendarWatch({ day: '2026-11-20', missingYear: 2027, loadedYears: years });

  test('names the missing year in subject and bodies, and the loaded years', () => {
    expect(mail.subject).toBe('【日历预警】2027 年全国节假日安排尚未载入（2026-11-20）');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('2027 年全国节假日安排');
      expect(part).toContain('国务院办公厅关于 2027 年部分节假日安排的通知');
      expect(part).toContain('已载入年份：2007–2026');
      expect(part).toContain('暂定');
    }
  });

  test('gives the command, the data format, the tests and the redeploy', () => {
    expect(mail.text).toContain('npm run calendar -- add <file> --api <API 地址>');
    expect(mail.text).toContain('无需重新部署');
    expect(mail.html).toContain('npm run calendar -- add &#60;file&#62;');
    expect(mail.html).not.toContain('<file>');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('holiday-cn');
      expect(part).toContain('2027.json');
      expect(part).toContain('npm test');
      expect(part).toContain('重新部署');
    }
    expect(mail.html.startsWith('<!doctype html><html lang="zh-CN"><meta charset="utf-8">')).toBe(true);
  });

  test('lists gaps in the loaded years, and none', () => {
    expect(renderCalendarWatch({ day: '2026-11-20', missingYear: 2027, loadedYears: [2026, 2024, 2025, 2020] }).text).toContain('已载入年份：2020、2024–2026');
    expect(renderCalendarWatch({ day: '2026-11-20', missingYear: 2027, loadedYears: [] }).text).toContain('已载入年份：无');
  });

  test('is deterministic and clean', () => {
    expect(renderCalendarWatch({ day: '2026-11-20', missingYear: 2027, loadedYears: years })).toEqual(mail);
    const dirty = renderCalendarWatch({ day: '2026-11-20\r\nBcc: x@example.com', missingYear: 2027, loadedYears: years });
    expect(dirty.subject).not.toMatch(/[\r\n]/);
  });
});

describe('agency text never becomes a link', () => {
  test('URLs and www. names typed by an agency are defanged', () => {
    const out = agencyText('您的账户已冻结，请访问 https://evil.example/verify 或 HTTP://x.example 或 www.evil.example 核验', 200);
    expect(out).not.toMatch(/https?:\/\//i);
    expect(out).toContain('hxxps://evil.example/verify');
    expect(out).toContain('hxxp://x.example');
    expect(out).toContain('www[.]evil.example');
  });
});

describe('the filing receipt', () => {
  test('keeps the agency-typed case number out of the subject, and cleans it in the body', async () => {
    const { renderReceipt } = await import('../../shared/notices/receipt.ts');
    const caseNumber = 'X1\r\nBcc: evil@example.com\u202Eexe.pdf https://evil.example';
    const decision = {
      caseNumber, kind: 'PENALTY', decidedOn: '2026-11-27', filingDueOn: '2026-12-11', id: 'd-1',
      filing: {
        onTime: true, workingDaysLate: 0, filedOn: '2026-12-01',
        // issue 9: the receipt lists each registered file with its SHA-256; names are agency text too
        documents: [{ documentId: 'doc-1', kind: 'DECISION_LETTER', title: '决定书\u202E', fileName: '<b>决定书</b>.pdf', contentType: 'application/pdf', sizeBytes: 10, sha256: 'ab'.repeat(32) }],
      },
    } as any;
    const mail = renderReceipt(decision, '宝坻区市场监督管理局', '宝坻备〔2026〕0001');
    expect(mail.subject).toBe('备案回执 宝坻备〔2026〕0001');
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toMatch(/[\r\u202E]|Bcc: evil@example.com\r|https:\/\//);
      expect(part).toContain('X1 Bcc: evil@example.comexe.pdf hxxps://evil.example');
      expect(part).toContain(`SHA-256 ${'ab'.repeat(32)}`);
    }
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&#60;b&#62;决定书');
  });
});
