/**
 * Digests of the daily sweep (备案期限提醒, 逾期未备案通知, 逾期未备案案件报告), the weekly summary
 * (逾期未备案案件周报) and the operators' calendar warning: Chinese plain text and HTML, rendered from
 * the values given only (no clock, no I/O), so the same input always gives the same mail.
 *
 * Case numbers and late explanations are typed by agencies. They pass through `agencyText`, are escaped
 * in HTML, and never reach a subject (a mail header). Our own mails carry no links, and say so, so a case
 * number written as a phishing message reads as what it is: text an agency typed.
 */
import { isValidIsoDate, shanghaiDate } from '../domain/dates.ts';
import type { LateExplanation, ObligationLine } from '../domain/supervision.ts';
import type { RenderedMail } from './receipt.ts';

export type DigestKind = 'FILING_REMINDER' | 'FILING_OVERDUE' | 'ESCALATION' | 'CORRECTION_REMINDER' | 'CORRECTION_OVERDUE' | 'CORRECTION_ESCALATION';

export type { LateExplanation };

/** A line of a digest, with the agency's registered name. */
export interface DigestItem extends ObligationLine {
  /** admin-registered */
  agencyName: string;
}

/** `day`: the sweep date; `recipientName`: the agency (reminder, overdue) or the jurisdiction (escalation). */
export interface DigestContext {
  day: string;
  recipientName: string;
}

const CASE_NUMBER_MAX = 100;
const REASON_MAX = 500;
const NAME_MAX = 200;
/** dates and identifiers come from the system, yet pass through the same filter: a stray CR/LF in a day would reach the subject header */
const SYSTEM_VALUE_MAX = 100;

const PROVISIONAL_NOTE = '（暂定：次年节假日安排尚未公布，期限可能调整）';
const SIGNATURE = '区政府法制办公室';
const AUTOMATIC = '本邮件由备案系统自动发送，请勿直接回复。';
const AGENCY_TEXT_NOTE = '案号、逾期说明等内容由执法单位填报，本邮件照录其文字。备案系统的邮件不含任何链接，也不会要求您访问网址或提供账户、密码。';
// the period is the jurisdiction's (10 working days in Baodi, other places differ): the table gives each date
const FILING_RULE = '根据规定，重大行政执法决定应当在作出后的规定工作日期限内报区政府备案（作出决定当日不计入），各案备案期限见下表。';

// Line breaks and tabs become spaces; other C0/C1 controls a visible U+FFFD; invisible formatting characters
// (all of \p{Cf}: zero-width, bidirectional controls, BOM, soft hyphen, tag characters) and blank fillers go.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const INVISIBLE = /[\p{Cf}\u00ad\u034f\u115f\u1160\u200b-\u200f\u202a-\u202e\u2066-\u2069\u3164\ufeff\uffa0]/gu;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text chosen by an agency, made safe for a mail body: control, bidirectional-override and invisible
 * formatting characters (C0/C1 controls incl. CR/LF/NUL, U+200B-U+200F, U+202A-U+202E, U+2066-U+2069,
 * U+FEFF, U+00AD) replaced by U+FFFD or removed, URLs defanged (hxxps://, www[.]), whitespace runs collapsed,
 * and cut to `max` characters with "…".
 *
 * Line breaks and tabs become spaces, other controls U+FFFD, invisible characters are removed; `max`
 * counts code points (a surrogate pair is never split) and includes the "…".
 */
export function agencyText(s: string, max: number): string {
  const cleaned = String(s ?? '')
    .replace(LONE_SURROGATES, '\ufffd')
    .replace(LINE_BREAKS, ' ')
    .replace(CONTROLS, '\ufffd')
    .replace(INVISIBLE, '')
    // addresses typed by an agency are shown, not linked: mail clients make links of bare URLs
    .replace(/\bh(?:tt|xx)p(s?):\/\//giu, 'hxxp$1://')
    .replace(/\bwww\./giu, 'www[.]')
    .replace(/\s+/gu, ' ')
    .trim();
  const limit = Math.floor(max);
  if (!(limit >= 1)) return '';
  const chars = Array.from(cleaned);
  if (chars.length <= limit) return cleaned;
  return chars.slice(0, limit - 1).join('').trimEnd() + '…';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const orDash = (s: string) => s || '—';
const systemText = (s: string) => orDash(agencyText(s, SYSTEM_VALUE_MAX));

/** The Shanghai date of an explanation: stored as an instant, shown as the day it was given there. */
function explainedOn(explainedAt: string): string {
  if (isValidIsoDate(explainedAt)) return explainedAt;
  try {
    return shanghaiDate(explainedAt);
  } catch {
    return systemText(explainedAt);
  }
}

/** An item with every string made safe for a body (not yet escaped for HTML). */
interface SafeItem {
  decisionId: string;
  caseNumber: string;
  agencyId: string;
  agencyName: string;
  decidedOn: string;
  filingDueOn: string;
  dueProvisional: boolean;
  workingDaysLeft?: number;
  workingDaysOverdue?: number;
  late?: { reason: string; promisedOn: string; explainedOn: string };
}

const wholeNumber = (n: number | undefined) => (typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined);

function safeItem(item: DigestItem): SafeItem {
  const left = wholeNumber(item.workingDaysLeft);
  const overdue = wholeNumber(item.workingDaysOverdue);
  const late = item.lateExplanation;
  return {
    decisionId: systemText(item.decisionId),
    caseNumber: orDash(agencyText(item.caseNumber, CASE_NUMBER_MAX)),
    agencyId: String(item.agencyId ?? ''),
    agencyName: orDash(agencyText(item.agencyName, NAME_MAX)),
    decidedOn: systemText(item.decidedOn),
    filingDueOn: systemText(item.filingDueOn),
    dueProvisional: item.dueProvisional === true,
    ...(left !== undefined && { workingDaysLeft: left }),
    ...(overdue !== undefined && { workingDaysOverdue: overdue }),
    ...(late && {
      late: { reason: orDash(agencyText(late.reason, REASON_MAX)), promisedOn: systemText(late.promisedOn), explainedOn: explainedOn(late.explainedAt) },
    }),
  };
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** By due date, then case number; the decision id settles ties, so the order never depends on the input's. */
function sortedSafeItems(items: readonly DigestItem[]): SafeItem[] {
  return items
    .map(safeItem)
    .sort((a, b) => byCode(a.filingDueOn, b.filingDueOn) || byCode(a.caseNumber, b.caseNumber) || byCode(a.decisionId, b.decisionId));
}

function remainingWording(days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  if (days < 0) return '已超过备案期限';
  return days === 0 ? '今日到期（请于今日 24 时前完成备案）' : `剩余 ${days} 个工作日`;
}

function overdueWording(days: number | undefined): string {
  if (days === undefined || days < 0) return '已超过备案期限';
  return days === 0 ? '期限已过，逾期未满一个工作日' : `已逾期 ${days} 个工作日`;
}

/** A value shown in both parts: `html` is already escaped and may carry markup of ours. */
interface Cell {
  lines: string[];
  html: string;
}
const plainCell = (...lines: string[]): Cell => ({ lines, html: lines.map(escapeHtml).join('<br>') });

interface Palette {
  accent: string;
  background: string;
  ink: string;
}
const AMBER: Palette = { accent: '#d97706', background: '#fffbeb', ink: '#92400e' };
const RED: Palette = { accent: '#dc2626', background: '#fef2f2', ink: '#991b1b' };

interface Column {
  label: string;
  /** undefined: nothing to show (the text part leaves the line out, the HTML table shows "—") */
  cell: (item: SafeItem, day: string, palette: Palette) => Cell | undefined;
}

const caseNumberColumn: Column = { label: '案号', cell: (i) => plainCell(i.caseNumber) };
const agencyColumn: Column = { label: '执法单位', cell: (i) => plainCell(i.agencyName) };
const decidedOnColumn: Column = { label: '决定日期', cell: (i) => plainCell(i.decidedOn) };
const dueColumn: Column = {
  label: '备案期限',
  cell: (i, _day, palette) => ({
    lines: [i.filingDueOn + (i.dueProvisional ? PROVISIONAL_NOTE : '')],
    html: escapeHtml(i.filingDueOn) + (i.dueProvisional ? `<br><small style="color:${palette.ink}">${escapeHtml(PROVISIONAL_NOTE)}</small>` : ''),
  }),
};
const correctionDueColumn: Column = { ...dueColumn, label: '整改期限' };
const correctionActionColumn: Column = {
  label: '办理方式',
  cell: (i) => ({ lines: [`${filingRoute(i)}（重新提交整改后的备案材料）`], html: `${codeHtml(filingRoute(i))}（重新提交整改后的备案材料）` }),
};
const CORRECTION_RULE = '区政府法制办公室审查备案材料后责令纠正的，执法单位应当在整改期限内纠正并重新提交备案材料，各案整改期限见下表。';

const remainingColumn: Column = {
  label: '剩余时间',
  cell: (i) => {
    const wording = remainingWording(i.workingDaysLeft);
    return wording === undefined ? undefined : plainCell(wording);
  },
};
const overdueColumn: Column = { label: '逾期情况', cell: (i) => plainCell(overdueWording(i.workingDaysOverdue)) };
const lateExplanationColumn: Column = {
  label: '逾期说明',
  cell: (i, day) => {
    if (!i.late) return undefined;
    const { reason, promisedOn, explainedOn } = i.late;
    const promiseMissed = isValidIsoDate(promisedOn) && isValidIsoDate(day) && promisedOn < day;
    return plainCell(`${reason}（承诺备案日期：${promisedOn}${promiseMissed ? '，已过承诺日期' : ''}；说明日期：${explainedOn}）`);
  },
};
const decisionIdColumn: Column = { label: '决定编号', cell: (i) => plainCell(i.decisionId) };

const filingRoute = (i: SafeItem) => `PUT /v1/decisions/${i.decisionId}/filing`;
const explanationRoute = (i: SafeItem) => `POST /v1/decisions/${i.decisionId}/late-explanation`;
const codeHtml = (s: string) => `<code>${escapeHtml(s)}</code>`;

const reminderActionColumn: Column = {
  label: '办理方式',
  cell: (i) => ({ lines: [`${filingRoute(i)}（提交备案材料）`], html: `${codeHtml(filingRoute(i))}（提交备案材料）` }),
};
const overdueActionColumn: Column = {
  label: '办理方式',
  cell: (i) => {
    const filing = ['补报备案：', filingRoute(i), '（须在 lateReason 中填写逾期原因）'] as const;
    const explain = ['说明逾期：', explanationRoute(i), '（填写逾期原因 reason 和承诺备案日期 promisedOn）'] as const;
    return {
      lines: [filing.join(''), explain.join('')],
      html: [filing, explain].map(([head, route, tail]) => `${escapeHtml(head)}${codeHtml(route)}${escapeHtml(tail)}`).join('<br>'),
    };
  },
};

interface KindSpec {
  title: string;
  subject: (count: number, day: string) => string;
  palette: Palette;
  /** `agencies`: how many distinct agencies the items belong to */
  intro: (count: number, day: string, agencies: number) => string[];
  columns: Column[];
}

const KINDS: Record<DigestKind, KindSpec> = {
  FILING_REMINDER: {
    title: '备案期限提醒',
    subject: (n, day) => `【备案提醒】${n} 件重大行政执法决定备案期限临近（${day}）`,
    palette: AMBER,
    intro: (n, day) => [
      `截至 ${day}，你单位有以下 ${n} 件重大行政执法决定尚未备案，备案期限临近。`,
      `${FILING_RULE}请在备案期限届满前提交备案材料。`,
    ],
    columns: [caseNumberColumn, decidedOnColumn, dueColumn, remainingColumn, lateExplanationColumn, reminderActionColumn],
  },
  FILING_OVERDUE: {
    title: '逾期未备案通知',
    subject: (n, day) => `【逾期未备案】${n} 件重大行政执法决定已超过备案期限（${day}）`,
    palette: RED,
    intro: (n, day) => [
      `截至 ${day}，你单位有以下 ${n} 件重大行政执法决定已超过备案期限，尚未备案。`,
      `${FILING_RULE}请尽快补报备案，逾期备案须在备案材料中填写逾期原因（lateReason）；暂时不能备案的，请先说明逾期原因并承诺备案日期。`,
    ],
    columns: [caseNumberColumn, decidedOnColumn, dueColumn, overdueColumn, lateExplanationColumn, overdueActionColumn],
  },
  ESCALATION: {
    title: '逾期未备案案件报告',
    subject: (n, day) => `【逾期报告】${n} 件重大行政执法决定逾期未备案（${day}）`,
    palette: RED,
    intro: (n, day, agencies) => [
      `截至 ${day}，本辖区以下 ${n} 件重大行政执法决定已超过备案期限仍未备案，涉及执法单位 ${agencies} 个，现予报告。`,
      `${FILING_RULE}请督促相关执法单位尽快补报备案，发现问题的及时纠正。`,
    ],
    columns: [agencyColumn, caseNumberColumn, decidedOnColumn, dueColumn, overdueColumn, lateExplanationColumn, decisionIdColumn],
  },
  CORRECTION_REMINDER: {
    title: '整改期限提醒',
    subject: (n, day) => `【整改提醒】${n} 件备案案件整改期限临近（${day}）`,
    palette: AMBER,
    intro: (n, day) => [`截至 ${day}，你单位有以下 ${n} 件被责令纠正的备案案件尚未重新提交，整改期限临近。`, `${CORRECTION_RULE}请在整改期限届满前纠正并重新提交。`],
    columns: [caseNumberColumn, decidedOnColumn, correctionDueColumn, remainingColumn, correctionActionColumn],
  },
  CORRECTION_OVERDUE: {
    title: '逾期未整改通知',
    subject: (n, day) => `【逾期未整改】${n} 件备案案件已超过整改期限（${day}）`,
    palette: RED,
    intro: (n, day) => [`截至 ${day}，你单位有以下 ${n} 件被责令纠正的备案案件已超过整改期限，尚未重新提交。`, `${CORRECTION_RULE}请尽快纠正并重新提交，逾期提交须在备案材料中填写逾期原因（lateReason）。`],
    columns: [caseNumberColumn, decidedOnColumn, correctionDueColumn, overdueColumn, correctionActionColumn],
  },
  CORRECTION_ESCALATION: {
    title: '逾期未整改案件报告',
    subject: (n, day) => `【整改逾期报告】${n} 件备案案件逾期未整改（${day}）`,
    palette: RED,
    intro: (n, day, agencies) => [`截至 ${day}，本辖区以下 ${n} 件被责令纠正的备案案件已超过整改期限仍未重新提交，涉及执法单位 ${agencies} 个，现予报告。`, `${CORRECTION_RULE}请督促相关执法单位尽快整改。`],
    columns: [agencyColumn, caseNumberColumn, decidedOnColumn, correctionDueColumn, overdueColumn, decisionIdColumn],
  },
};

const distinctAgencies = (items: readonly SafeItem[]) => new Set(items.map((i) => i.agencyId)).size;

function textItems(items: readonly SafeItem[], columns: readonly Column[], day: string, palette: Palette): string[] {
  return items.flatMap((item, index) => {
    const lines = columns.flatMap((column) => {
      const cell = column.cell(item, day, palette);
      if (!cell) return [];
      const [first = '', ...rest] = cell.lines;
      return [`${column.label}：${first}`, ...rest.map((line) => `${' '.repeat(column.label.length * 2 + 2)}${line}`)];
    });
    const [head = '', ...body] = lines;
    return [`${index + 1}. ${head}`, ...body.map((line) => `   ${line}`), ''];
  });
}

const CELL_STYLE = 'border:1px solid #d1d5db;padding:4px 6px;vertical-align:top';

function htmlTable(items: readonly SafeItem[], columns: readonly Column[], day: string, palette: Palette): string[] {
  return [
    '<table cellpadding="4" style="border-collapse:collapse;font-size:14px">',
    `<tr style="background:${palette.background}"><th style="${CELL_STYLE}">序号</th>${columns.map((c) => `<th align="left" style="${CELL_STYLE}">${escapeHtml(c.label)}</th>`).join('')}</tr>`,
    ...items.map(
      (item, index) =>
        `<tr><td style="${CELL_STYLE}">${index + 1}</td>${columns.map((c) => `<td style="${CELL_STYLE}">${c.cell(item, day, palette)?.html ?? '—'}</td>`).join('')}</tr>`,
    ),
    '</table>',
  ];
}

/** The frame every mail shares: heading band, greeting, paragraphs, content, signature. */
function htmlMail(subject: string, title: string, palette: Palette, greeting: string, paragraphs: readonly string[], content: readonly string[], signature = SIGNATURE): string {
  return [
    `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>${escapeHtml(subject)}</title>`,
    '<body style="font-family:sans-serif;color:#1f2937">',
    `<div style="border-left:4px solid ${palette.accent};background:${palette.background};color:${palette.ink};padding:8px 12px;font-weight:bold">${escapeHtml(title)}</div>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...content,
    `<p>${escapeHtml(signature)}<br><small>${escapeHtml(AUTOMATIC)}</small></p>`,
    '</body></html>',
  ].join('\n');
}

const greetingOf = (name: string) => `${agencyText(name, NAME_MAX) || '您好'}：`;

/**
 * A digest of one sweep day for one recipient: every item given, sorted by due date then case number.
 * The subject carries only the kind, the count and the day.
 */
export function renderDigest(kind: DigestKind, ctx: DigestContext, items: readonly DigestItem[]): RenderedMail {
  const spec = KINDS[kind];
  const day = systemText(ctx.day);
  const safe = sortedSafeItems(items);
  const n = safe.length;
  const subject = spec.subject(n, day);
  const greeting = greetingOf(ctx.recipientName);
  const paragraphs = n ? spec.intro(n, day, distinctAgencies(safe)) : [`截至 ${day}，没有需要列出的案件。`];
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...textItems(safe, spec.columns, day, spec.palette),
    ...(n ? [AGENCY_TEXT_NOTE, ''] : []),
    SIGNATURE,
    `（${AUTOMATIC}）`,
  ].join('\n');
  const content = n ? [...htmlTable(safe, spec.columns, day, spec.palette), `<p><small>${escapeHtml(AGENCY_TEXT_NOTE)}</small></p>`] : [];
  const html = htmlMail(subject, spec.title, spec.palette, greeting, paragraphs, content);
  return { subject, text, html };
}

interface AgencyTally {
  agencyId: string;
  agencyName: string;
  cases: number;
  longestOverdue?: number;
}

/** Per agency: how many cases are overdue and the longest overdue; most cases first, then by name. */
function tallyByAgency(items: readonly SafeItem[]): AgencyTally[] {
  const tallies = new Map<string, AgencyTally>();
  for (const item of items) {
    const tally = tallies.get(item.agencyId) ?? { agencyId: item.agencyId, agencyName: item.agencyName, cases: 0 };
    tally.cases += 1;
    const days = item.workingDaysOverdue;
    if (days !== undefined && (tally.longestOverdue === undefined || days > tally.longestOverdue)) tally.longestOverdue = days;
    tallies.set(item.agencyId, tally);
  }
  return [...tallies.values()].sort((a, b) => b.cases - a.cases || byCode(a.agencyName, b.agencyName) || byCode(a.agencyId, b.agencyId));
}

const longestWording = (t: AgencyTally) => (t.longestOverdue === undefined ? '—' : `${t.longestOverdue} 个工作日`);

const weeklyColumns: Column[] = [agencyColumn, caseNumberColumn, decidedOnColumn, dueColumn, overdueColumn, lateExplanationColumn, decisionIdColumn];

/**
 * The weekly summary (逾期未备案案件周报) to a jurisdiction's escalation addresses: every case of the
 * jurisdiction still overdue on `day`, with a count per agency. 本周 is the week of `weekOf`.
 */
export function renderWeeklySummary(
  ctx: { day: string; weekOf: string; jurisdictionName: string; /** a long summary comes in parts, each one mail */ part?: number; parts?: number },
  items: readonly DigestItem[],
): RenderedMail {
  const day = systemText(ctx.day);
  const weekOf = systemText(ctx.weekOf);
  const safe = sortedSafeItems(items);
  const n = safe.length;
  const tallies = tallyByAgency(safe);
  const inParts = ctx.part !== undefined && ctx.parts !== undefined && ctx.parts > 1;
  const partLabel = inParts ? `第 ${ctx.part}/${ctx.parts} 部分` : '';
  const subject = `【逾期周报】${n} 件重大行政执法决定逾期未备案${inParts ? `，${partLabel}` : ''}（${day}）`;
  const greeting = greetingOf(ctx.jurisdictionName);
  const paragraphs = n
    ? [
        inParts
          ? `本周（${weekOf} 所在周）逾期未备案案件周报（${partLabel}，按备案期限排列）如下。本部分列出 ${n} 件重大行政执法决定，涉及执法单位 ${tallies.length} 个。`
          : `本周（${weekOf} 所在周）逾期未备案案件周报如下。截至 ${day}，本辖区共有 ${n} 件重大行政执法决定逾期未备案，涉及执法单位 ${tallies.length} 个。`,
        `${FILING_RULE}请督促相关执法单位尽快补报备案。`,
      ]
    : [`本周（${weekOf} 所在周）逾期未备案案件周报：截至 ${day}，本辖区没有逾期未备案的重大行政执法决定。`];
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...(n
      ? [
          '一、按执法单位统计',
          ...tallies.map((t) => `- ${t.agencyName}：${t.cases} 件，最长逾期 ${longestWording(t)}`),
          '',
          '二、案件清单',
          ...textItems(safe, weeklyColumns, day, RED),
          AGENCY_TEXT_NOTE,
          '',
        ]
      : []),
    SIGNATURE,
    `（${AUTOMATIC}）`,
  ].join('\n');
  const content = n
    ? [
        '<h3>一、按执法单位统计</h3>',
        '<table cellpadding="4" style="border-collapse:collapse;font-size:14px">',
        `<tr style="background:${RED.background}"><th align="left" style="${CELL_STYLE}">执法单位</th><th style="${CELL_STYLE}">逾期未备案</th><th style="${CELL_STYLE}">最长逾期</th></tr>`,
        ...tallies.map(
          (t) => `<tr><td style="${CELL_STYLE}">${escapeHtml(t.agencyName)}</td><td style="${CELL_STYLE}">${t.cases} 件</td><td style="${CELL_STYLE}">${escapeHtml(longestWording(t))}</td></tr>`,
        ),
        '</table>',
        '<h3>二、案件清单</h3>',
        ...htmlTable(safe, weeklyColumns, day, RED),
        `<p><small>${escapeHtml(AGENCY_TEXT_NOTE)}</small></p>`,
      ]
    : [];
  const html = htmlMail(subject, '逾期未备案案件周报', RED, greeting, paragraphs, content);
  return { subject, text, html };
}

/** 2007, 2008, ..., 2026, 2028 -> "2007–2026、2028". */
function yearRanges(years: readonly number[]): string {
  const sorted = [...new Set(years.filter((y) => Number.isSafeInteger(y)))].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join('、') || '无';
}

/**
 * To operators: next year's national holiday schedule (国务院办公厅关于部分节假日安排的通知) is not
 * loaded, so deadlines reaching into it are provisional; how to load it.
 */
export function renderCalendarWatch(ctx: { day: string; missingYear: number; loadedYears: readonly number[] }): RenderedMail {
  const day = systemText(ctx.day);
  const year = String(Number.isSafeInteger(ctx.missingYear) ? ctx.missingYear : agencyText(String(ctx.missingYear), 10));
  const subject = `【日历预警】${year} 年全国节假日安排尚未载入（${day}）`;
  const greeting = '运维人员：';
  const paragraphs = [
    `截至 ${day}，备案系统尚未载入 ${year} 年全国节假日安排（国务院办公厅关于 ${year} 年部分节假日安排的通知）。已载入年份：${yearRanges(ctx.loadedYears)}。`,
    `影响：备案期限延伸至 ${year} 年的决定，目前只按周末和固定的法定节假日（1月1日，5月1日至2日，10月1日至3日）计算，不含调休，均标记为暂定，并在提醒和通知中告知执法单位期限可能调整。载入后（无需重新部署，一分钟内全部生效），暂定期限按正式安排重新计算，每次调整记入该决定的历史。`,
    '该通知通常于每年 11 月前后公布，公布后请尽快载入：',
  ];
  const steps = [
    `按 holiday-cn 格式准备 ${year}.json：{year, papers[], days[{name, date, isOffDay}]}，只列与平常周一至周五、周末规则不同的日子（放假日 isOffDay 为 true，调休上班日为 false），papers 填写通知原文的链接。`,
    `载入运行中的系统（管理员令牌）：npm run calendar -- add <file> --api <API 地址> --token <令牌>，或 PUT /v1/calendar/${year}；系统校验文件，有误时逐项说明且不保存。`,
    `核对：GET /v1/calendar/${year} 显示载入人与时间；暂定期限已重新计算的数目见载入结果 recomputedDeadlines。`,
    '（可选）下一版本随附该年数据：npm run calendar -- add <file>，运行 npm test 后重新部署。',
  ];
  const signature = `${SIGNATURE}备案系统`;
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']).slice(0, -1), ...steps.map((s, i) => `${i + 1}. ${s}`), '', signature, `（${AUTOMATIC}）`].join('\n');
  const content = [`<ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`];
  const html = htmlMail(subject, '节假日日历预警', AMBER, greeting, paragraphs, content, signature);
  return { subject, text, html };
}
