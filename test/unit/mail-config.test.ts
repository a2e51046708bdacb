/** MAIL_TRANSPORT and SMTP_*: what they mean, and the errors that say what is wrong. */
import { describe, expect, it } from 'vitest';
import { mailConfig, smtpTlsFor } from '../../shared/config.ts';
import { parseSmtpSecret } from '../../shared/mail/smtp.ts';

const base = { MAIL_FROM: 'beian@example.gov.cn' };

describe('mailConfig', () => {
  it('is SES when MAIL_TRANSPORT is unset, empty or ses', () => {
    for (const transport of [undefined, '', 'ses']) {
      expect(mailConfig({ ...base, MAIL_TRANSPORT: transport, MAIL_CONFIGURATION_SET: 'beian-dev', SES_ENDPOINT: 'http://127.0.0.1:8005' })).toEqual({
        transport: 'ses', from: 'beian@example.gov.cn', configurationSet: 'beian-dev', endpoint: 'http://127.0.0.1:8005',
      });
    }
  });

  it('is SMTP with host, port, the TLS its port and host call for, and the secret', () => {
    expect(mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'smtp.example.com.cn', SMTP_PORT: '465', SMTP_SECRET_NAME: 'beian/smtp' })).toEqual({
      transport: 'smtp', from: 'beian@example.gov.cn', host: 'smtp.example.com.cn', port: 465, tls: 'implicit', secretName: 'beian/smtp', secretsEndpoint: undefined,
    });
    // 587 unless said otherwise: the submission port, with STARTTLS
    expect(mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'smtp.example.com.cn' })).toMatchObject({ port: 587, tls: 'starttls', secretName: undefined });
    expect(mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525', SMTP_SECRET_NAME: '', SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:9' })).toMatchObject({
      port: 2525, tls: 'none', secretName: undefined, secretsEndpoint: 'http://127.0.0.1:9',
    });
  });

  it('says which variable is wrong and what it should be', () => {
    expect(() => mailConfig({ MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'smtp.example.com.cn' })).toThrow('MAIL_FROM is not set');
    expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'sendgrid' })).toThrow('MAIL_TRANSPORT="sendgrid" is not a mail transport: use ses (the default) or smtp');
    expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'SMTP', SMTP_HOST: 'smtp.example.com.cn' })).toThrow('MAIL_TRANSPORT="SMTP"');
    expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'smtp' })).toThrow("SMTP_HOST is not set: MAIL_TRANSPORT=smtp needs the SMTP server's host name");
    expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: '  ' })).toThrow('SMTP_HOST is not set');
    for (const host of ['smtp://smtp.example.com.cn', 'smtp.example.com.cn:465', 'smtp example']) {
      expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: host })).toThrow(`SMTP_HOST="${host}" is not a host name or IP address`);
    }
    for (const port of ['0', '65536', 'abc', '25.5', '-1', '465 ']) {
      expect(() => mailConfig({ ...base, MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'smtp.example.com.cn', SMTP_PORT: port })).toThrow(`SMTP_PORT="${port}" is not a port (1-65535)`);
    }
  });
});

describe('smtpTlsFor: credentials never travel in clear outside this machine', () => {
  it('465 is TLS from the start, whatever the host', () => {
    expect(smtpTlsFor('smtp.example.com.cn', 465)).toBe('implicit');
    expect(smtpTlsFor('127.0.0.1', 465)).toBe('implicit');
  });

  it('any other port must upgrade with STARTTLS, unless the host is loopback', () => {
    for (const host of ['smtp.example.com.cn', '10.0.0.5', '::2', 'localhost.example.org', '128.0.0.1']) expect(smtpTlsFor(host, 587)).toBe('starttls');
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1']) expect(smtpTlsFor(host, 2525)).toBe('none');
  });
});

describe('parseSmtpSecret', () => {
  it('reads {"username","password"}', () => {
    expect(parseSmtpSecret('beian/smtp', '{"username":"beian@example.com.cn","password":"p@ss 密码"}')).toEqual({ username: 'beian@example.com.cn', password: 'p@ss 密码' });
  });

  it('says what shape is expected, and never repeats the value', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'it has no SecretString: a binary secret?'],
      ['hunter2', 'it is not JSON'],
      ['["hunter2"]', 'it is not a JSON object'],
      ['{"user":"beian","pass":"hunter2"}', '"username" is missing, empty or not a string'],
      ['{"username":"beian","password":""}', '"password" is missing, empty or not a string'],
      ['{"username":"beian","password":12345}', '"password" is missing, empty or not a string'],
    ];
    for (const [value, why] of cases) {
      let error: Error | undefined;
      try {
        parseSmtpSecret('beian/smtp', value);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toBe(`secret beian/smtp is not an SMTP account: its SecretString must be JSON {"username":"...","password":"..."} (${why})`);
      expect(error?.message).not.toContain('hunter2');
      expect(error?.message).not.toContain('12345');
    }
  });
});
