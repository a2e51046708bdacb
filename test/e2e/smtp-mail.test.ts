/**
 * The local stack with mail over SMTP (MAIL_TRANSPORT=smtp, as in the AWS China regions): the notice
 * sender speaks SMTP to the local sink, whose viewer answers `/store` as the SES emulator does.
 */
import { expect, test } from 'vitest';
import { portInUse } from '../../infra/local/processes.ts';
import { expectStatus, filingBody, onTimePenalty, penaltyDocs, useFilingStack } from './filing-harness.ts';

const e2e = useFilingStack({ mailTransport: 'smtp' });

test('a filed decision\'s receipt goes over SMTP to the local sink: /store lists it once, the viewer shows it escaped', async () => {
  expect(e2e.stack.mailTransport).toBe('smtp');
  expect(await portInUse(e2e.stack.smtpPort!)).toBe(true);
  const agency = await e2e.setup({ prefix: '宝坻备' });
  const d = await e2e.report(agency.token, onTimePenalty());
  const documents = await e2e.upload(agency.token, d.id, penaltyDocs());
  expectStatus(await e2e.file(agency.token, d.id, filingBody(documents)), 202);
  const got = await e2e.waitForStatus(agency.token, d.id, ['RECEIVED']);

  const receipts = (all: Awaited<ReturnType<typeof e2e.mails>>) => all.filter((m) => m.destination.to.includes(agency.contactEmails[0]!) && m.body.text?.includes(d.caseNumber));
  const [mail, ...more] = await e2e.waitForMails(receipts);
  expect(more).toEqual([]);
  expect(new Set(mail!.destination.to)).toEqual(new Set(agency.contactEmails));
  expect(mail!.from).toBe('beian@example.gov.cn');
  expect(mail!.subject).toBe(`备案回执 ${got.filing!.filingNumber}`);
  for (const part of [mail!.body.text!, mail!.body.html!]) {
    expect(part).toContain(got.filing!.filingNumber);
    expect(part).toContain('按期备案');
  }
  expect(mail!.body.html).toMatch(/^<!doctype html>/);

  // the viewer lists it, with the mail's HTML escaped into a sandboxed frame and nothing allowed to run
  const page = await fetch(`${e2e.stack.sesEndpoint}/`);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  const html = await page.text();
  expect(html).toContain(`<h2>${mail!.subject}</h2>`);
  expect(html).toContain('<iframe sandbox srcdoc="&#60;!doctype html&#62;');

  // the queue settles and still one receipt
  await e2e.waitQueueEmpty(e2e.filingsQueue.url);
  expect(receipts(await e2e.mails())).toHaveLength(1);
});
