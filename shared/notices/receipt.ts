/** The filing receipt (备案回执): Chinese text and HTML, from the registered decision. */
import type { DecisionRecord } from '../domain/records.ts';
import { agencyText } from './digests.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderReceipt(decision: DecisionRecord, agencyName: string, filingNumber: string): RenderedMail {
  const filing = decision.filing!;
  // filed on the weekend after a Friday deadline: late, yet no working day late
  const timeliness = filing.onTime ? '按期备案' : filing.workingDaysLate ? `逾期备案（逾期 ${filing.workingDaysLate} 个工作日）` : '逾期备案（于期限届满后的休息日提交）';
  const rows: [string, string][] = [
    ['备案号', filingNumber],
    ['报备单位', agencyText(agencyName, 200)],
    ['案号', agencyText(decision.caseNumber, 100)],
    ['决定类型', decision.kind === 'PENALTY' ? '行政处罚' : '行政强制'],
    ['决定日期', decision.decidedOn],
    ['备案期限', decision.filingDueOn ?? '—'],
    ['备案日期', filing.filedOn],
    ['是否按期', timeliness],
    ['决定编号', decision.id],
    // the files registered, each with the SHA-256 the verifier checked it against
    ...filing.documents.map((d, i): [string, string] => [`备案材料 ${i + 1}`, `${agencyText(d.title, 200)}（${agencyText(d.fileName, 255)}，${d.sizeBytes} 字节，SHA-256 ${d.sha256}）`]),
  ];
  // agency text stays out of the subject (a mail header); the case number is in the body
  const subject = `备案回执 ${filingNumber}`;
  return { subject, ...officialLetter(agencyName, '你单位报送的重大行政执法决定备案材料已收到，经审查材料齐全，予以登记备案。', rows) };
}

/**
 * The text and HTML of a letter from the office to one agency: greeting, one paragraph, a table of
 * label/value rows, the signature. Values that came from people are cleaned by the caller (agencyText).
 */
export function officialLetter(agencyName: string, lead: string, rows: readonly (readonly [string, string])[]): { text: string; html: string } {
  const greeting = `${agencyText(agencyName, 200) || '您好'}：`;
  const text = [greeting, '', lead, '', ...rows.map(([k, v]) => `${k}：${v}`), '', '区政府法制办公室', '（本邮件由备案系统自动发送，请勿直接回复。）'].join('\n');
  const html = [
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body style="font-family:sans-serif">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    '<p>区政府法制办公室<br><small>本邮件由备案系统自动发送，请勿直接回复。</small></p>',
    '</body></html>',
  ].join('\n');
  return { text, html };
}
