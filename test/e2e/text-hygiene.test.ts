/**
 * Text that looks like something else: a case number made "new" with an invisible or full-width character,
 * and control, bidirectional or invisible characters in any free-text field (security review, issue 12 item 5).
 */
import { describe, expect, test } from 'vitest';
import { expectFieldErrors, expectProblem, expectStatus, requiredDecision, uid, useStack } from './harness.ts';

const e2e = useStack();

describe('case numbers are compared in one normalized form', () => {
  test.each([
    ['full-width digits', (n: string) => n.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
    ['extra inner and outer spaces', (n: string) => `  ${n.replace(' 号', '   号')} `],
    ['an ideographic space for the space', (n: string) => n.replace(' 号', '\u3000号')],
    // a second attack pass: case and combining marks made "new" cases
    ['a combining accent after a digit', (n: string) => n.replace(' 号', '\u0301 号')],
  ])('%s: the same case -> 409 naming the existing decision', async (_, variant) => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const caseNumber = `宝市监罚〔2026〕${Math.floor(Math.random() * 1e6)} 号`;
    const first = await e2e.report(token, requiredDecision({ caseNumber }));
    const again = await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ caseNumber: variant(caseNumber) }) });
    expect(expectProblem(again, 409)).toMatchObject({ existingId: first.id });
  });

  test('upper and lower case: the same case -> 409', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const first = await e2e.report(token, requiredDecision({ caseNumber: `TJ-SCJG-${uid('n')}` }));
    const again = await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision({ caseNumber: first.caseNumber.toLowerCase() }) });
    expect(expectProblem(again, 409)).toMatchObject({ existingId: first.id });
  });

  test('another agency may use the same case number', async () => {
    const { jurisdictionId, token } = await e2e.newAgencyAndJurisdiction();
    const other = await e2e.newAgency(jurisdictionId);
    const caseNumber = `宝市监罚〔2026〕${uid('n')}号`;
    await e2e.report(token, requiredDecision({ caseNumber }));
    await e2e.report(other.token, requiredDecision({ caseNumber }));
  });
});

describe('control, bidirectional and invisible characters are refused with the field named', () => {
  test.each([
    ['a zero-width space in the case number', { caseNumber: `宝罚〔2026〕1号\u200b` }, 'caseNumber'],
    ['CR LF in the case number', { caseNumber: '宝罚〔2026〕1号\r\nBcc: x@evil.example' }, 'caseNumber'],
    ['NUL in the case number', { caseNumber: '宝罚\u0000〔2026〕1号' }, 'caseNumber'],
    ['a right-to-left override in the party name', { party: { type: 'ORGANIZATION', name: '某公司\u202Eexe.pdf' } }, 'party.name'],
    ['a BOM in the summary', { summary: '\ufeff摘要' }, 'summary'],
    ['an escape in the legal basis', { legalBasis: '第九条\u001b[31m' }, 'legalBasis'],
    ['a Hangul filler in the case number', { caseNumber: '宝罚〔2026〕1号\u3164' }, 'caseNumber'],
    ['a variation selector in the case number', { caseNumber: '宝罚〔2026〕1\ufe0f号' }, 'caseNumber'],
    ['a combining grapheme joiner in the case number', { caseNumber: '宝罚〔2026〕1\u034f号' }, 'caseNumber'],
    ['a braille blank in the party name', { party: { type: 'ORGANIZATION', name: '某\u2800公司' } }, 'party.name'],
    ['a lone surrogate in the party name', { party: { type: 'ORGANIZATION', name: 'A\udc00B' } }, 'party.name'],
    ['a line separator in the party name', { party: { type: 'ORGANIZATION', name: 'A\u2028B' } }, 'party.name'],
  ])('%s -> 400', async (_, overrides, field) => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const res = await e2e.api('POST', '/v1/decisions', { token, body: requiredDecision(overrides) });
    const problem = expectFieldErrors(res, 'body', [field]);
    expect(problem.errors!.find((e) => e.field === field)!.reason).toMatch(/control, bidirectional or invisible formatting characters \(U\+[0-9A-F]{4,} at character \d+\)/);
  });

  test('line breaks and tabs are fine in multi-line text', async () => {
    const { token } = await e2e.newAgencyAndJurisdiction();
    const d = await e2e.report(token, requiredDecision({ summary: '第一段。\n第二段：\t详见附件。', legalBasis: '《行政许可法》\n第八十一条' }));
    expect(d.summary).toBe('第一段。\n第二段：\t详见附件。');
  });

  test('registry names, filing titles and reasons are checked too', async () => {
    const admin = await e2e.admin();
    expectFieldErrors(await e2e.api('PUT', `/v1/jurisdictions/${uid('j')}`, { token: admin, body: { name: '宝坻区\u2066' } }), 'body', ['name']);
    const { jurisdictionId, token } = await e2e.newAgencyAndJurisdiction();
    expectFieldErrors(await e2e.api('PUT', `/v1/agencies/${uid('a')}`, { token: admin, body: { name: '局\u0007', jurisdictionId } }), 'body', ['name']);
    const d = await e2e.report(token, requiredDecision());
    // a document's title and file name are checked where they are declared (issue 9)
    const document = await e2e.api('POST', `/v1/decisions/${d.id}/documents`, {
      token,
      body: { kind: 'DECISION_LETTER', title: '决定书\u200d', fileName: '决定书\u202egpj.pdf', contentType: 'application/pdf', sizeBytes: 1, sha256: 'a'.repeat(64) },
    });
    expectFieldErrors(document, 'body', ['title', 'fileName']);
    const filing = await e2e.api('PUT', `/v1/decisions/${d.id}/filing`, {
      token,
      body: { documents: [{ documentId: '00000000-0000-4000-8000-000000000000' }], contact: { name: '李四\r\n' }, lateReason: '原因\u202e' },
    });
    expectFieldErrors(filing, 'body', ['lateReason']);
    // a contact name with a trailing CR LF: trimmed first (whitespace), so it is accepted as 李四
    expect(filing.json.errors.map((e: { field: string }) => e.field)).not.toContain('contact.name');
    expectStatus(await e2e.api('GET', `/v1/decisions/${d.id}`, { token }), 200);
  });
});
