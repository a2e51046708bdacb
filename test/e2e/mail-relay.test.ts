/**
 * The receipt was a phishing relay (security review, issue 12 item 1): an agency chose both the text (the
 * case number) and the address (the filing's contact.email). Official mail now goes only to registered
 * addresses, agency text stays out of subjects, and bodies carry it cleaned and defanged.
 */
import { expect, test } from 'vitest';
import { expectStatus, penaltyDocs, filingBody, requiredDecision, uid, useFilingStack } from './filing-harness.ts';

const e2e = useFilingStack();
const phishing = '您的账户已冻结，请访问 https://evil.example/verify 核验';

test('the reproduction: a phishing case number filed with an outsider as contact -> no mail reaches the outsider, the subject carries no agency text', async () => {
  const a = await e2e.setup();
  const outsider = `${uid('victim')}@outside.example`;
  const d = await e2e.report(a.token, requiredDecision({ caseNumber: phishing, decidedOn: '2026-11-27' }));
  expectStatus(await e2e.file(a.token, d.id, filingBody(await e2e.upload(a.token, d.id, penaltyDocs()), { contact: { name: '李四', email: outsider }, lateReason: '材料整理' })), 202);
  await e2e.waitForStatus(a.token, d.id, ['RECEIVED']);
  const [receipt] = await e2e.waitForMails((all) => all.filter((m) => m.destination.to.includes(a.contactEmails[0]!)));
  expect(receipt!.destination.to.sort()).toEqual([...a.contactEmails].sort());
  expect(receipt!.subject).not.toMatch(/evil|账户|冻结/);
  expect(receipt!.body.text).toContain('hxxps://evil.example/verify');
  expect(receipt!.body.html).not.toContain('https://evil.example');
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await e2e.mailsTo(outsider)).toEqual([]);
});

test('a filer whose address is in a domain the admin allowed for the agency gets the receipt too', async () => {
  const a = await e2e.setup();
  const domain = `${uid('bureau')}.gov.example`;
  const agency = expectStatus(await e2e.api('GET', `/v1/agencies/${a.agencyId}`, { token: await e2e.admin() }), 200).json;
  const { agencyId: _id, createdAt: _c, updatedAt: _u, ...body } = agency;
  expectStatus(await e2e.api('PUT', `/v1/agencies/${a.agencyId}`, { token: await e2e.admin(), body: { ...body, contactEmailDomains: [domain.toUpperCase()] } }), 200);
  const filer = `wangwu@${domain}`;
  const d = await e2e.report(a.token, requiredDecision({ decidedOn: '2026-11-27' }));
  expectStatus(await e2e.file(a.token, d.id, filingBody(await e2e.upload(a.token, d.id, penaltyDocs()), { contact: { name: '王五', email: filer }, lateReason: '材料整理' })), 202);
  const [receipt] = await e2e.waitForMails((all) => all.filter((m) => m.destination.to.includes(filer)));
  expect(receipt!.destination.to.sort()).toEqual([...a.contactEmails, filer].sort());
});

test('contactEmailDomains must be mail domains', async () => {
  const a = await e2e.setup();
  const res = await e2e.api('PUT', `/v1/agencies/${a.agencyId}`, { token: await e2e.admin(), body: { name: 'x', jurisdictionId: a.jurisdictionId, contactEmailDomains: ['*.example', 'a@b.example'] } });
  expect(res.status).toBe(400);
  expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['contactEmailDomains.0', 'contactEmailDomains.1']);
});
