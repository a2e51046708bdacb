/**
 * Notices over SMTP (the AWS China regions have no SES): real SMTP servers (smtp-server, in this process)
 * that check the account, DynamoDB Local for the outbox, and a stand-in for Secrets Manager (AWS cannot be
 * reached here): a small HTTP server speaking its JSON protocol, reached through SECRETS_MANAGER_ENDPOINT
 * as the mailer would reach the real one.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { type Socket, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SMTPServerOptions, SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoredMail, readMail } from '../../infra/local/smtp-sink.ts';
import type { Mailer } from '../../shared/use-cases/notices.ts';
import { type SmtpConfig, type SmtpCredentials, smtpMailer } from '../../shared/mail/smtp.ts';
import type { FilingStore } from '../../shared/store/filing-store.ts';
import { processFiling, receiptNoticeId } from '../../shared/use-cases/filings.ts';
import { type NoticeDeps, deliverNotice } from '../../shared/use-cases/notices.ts';
import { useDynamo } from './dynamo-harness.ts';
import { expectGranted } from './iam.ts';
import { processorDeps, submittedDecision } from './receipt-fixture.ts';

const db = useDynamo('beian-smtp');
const FROM = '区政府法制办公室 <beian@example.gov.cn>';
const ACCOUNT: SmtpCredentials = { username: 'beian@example.gov.cn', password: '正确的 password' };

// ---------- Secrets Manager, as the SDK speaks to it (AWS JSON 1.1, X-Amz-Target) ----------

const secrets = new Map<string, string>();
const secretReads: string[] = [];
let secretsManager: Server;
let secretsEndpoint: string;

function answerSecretsManager(target: string | undefined, body: string): [number, unknown] {
  if (target !== 'secretsmanager.GetSecretValue') return [400, { __type: 'UnknownOperationException', message: `not served here: ${target}` }];
  const { SecretId } = JSON.parse(body) as { SecretId: string };
  secretReads.push(SecretId);
  const value = secrets.get(SecretId);
  if (value === undefined) return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }];
  return [200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}`, Name: SecretId, SecretString: value, VersionId: randomUUID() }];
}

// ---------- a self-signed certificate for 127.0.0.1 ----------

let certDir: string;
let tlsKey: string;
let tlsCert: string;

beforeAll(async () => {
  secretsManager = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const [status, answer] = answerSecretsManager(req.headers['x-amz-target'] as string | undefined, body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => secretsManager.listen(0, '127.0.0.1', r));
  secretsEndpoint = `http://127.0.0.1:${(secretsManager.address() as { port: number }).port}`;

  certDir = mkdtempSync(join(tmpdir(), 'beian-smtp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  tlsKey = readFileSync(join(certDir, 'key.pem'), 'utf8');
  tlsCert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
});

afterAll(async () => {
  await new Promise((r) => secretsManager?.close(r));
  for (const s of servers) await s.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

// ---------- SMTP servers ----------

interface TestServer {
  port: number;
  /** mails accepted (250 after DATA), with whether the session was encrypted */
  mails: (StoredMail & { secure: boolean })[];
  /** DATA commands answered, accepted or refused */
  attempts: number;
  /** AUTH attempts, by user name */
  logins: string[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

/**
 * An SMTP server on 127.0.0.1: with `account`, AUTH is required and checked (535 otherwise); `refuse`
 * answers the first DATA commands 451 after reading the message; `tls` is `implicit` (TLS from the first
 * byte), `starttls` (offered) or `none` (not offered).
 */
async function smtpServer(options: { account?: SmtpCredentials; refuse?: number; tls?: 'implicit' | 'starttls' | 'none' } = {}): Promise<TestServer> {
  const tls = options.tls ?? 'none';
  const server: TestServer = { port: 0, mails: [], attempts: 0, logins: [], close: async () => {} };
  const smtpOptions: SMTPServerOptions = {
    secure: tls === 'implicit',
    ...(tls !== 'none' && { key: tlsKey, cert: tlsCert }),
    disabledCommands: [...(tls === 'none' ? ['STARTTLS'] : []), ...(options.account ? [] : ['AUTH'])],
    authOptional: !options.account,
    // these servers take AUTH in clear on loopback; that the mailer never sends it in clear elsewhere is tested below
    allowInsecureAuth: true,
    disableReverseLookup: true,
    closeTimeout: 1_000,
    onAuth(auth, _session, done) {
      server.logins.push(auth.username ?? '');
      if (auth.username === options.account?.username && auth.password === options.account?.password) return done(null, { user: auth.username });
      done(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, done) {
      server.attempts++;
      const refused = server.attempts <= (options.refuse ?? 0);
      readMail(stream, session.envelope.rcptTo.map((r) => r.address)).then((mail) => {
        if (refused) return done(Object.assign(new Error('Requested action aborted: try again later'), { responseCode: 451 }));
        server.mails.push({ ...mail, secure: session.secure });
        done();
      }, done);
    },
  };
  const smtp = new SMTPServer(smtpOptions);
  smtp.on('error', () => {}); // a client that gives up (a refused certificate) is the test's point, not an error
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  server.port = (smtp.server.address() as { port: number }).port;
  server.close = () => new Promise<void>((r) => smtp.close(() => r()));
  servers.push(server);
  return server;
}

/** A mailer as the notice sender makes it from its environment, with the account in a secret of its own. */
function mailerFor(server: TestServer, account: SmtpCredentials | string | undefined, config: Partial<SmtpConfig> = {}, options: { ca?: string } = {}) {
  const secretName = account === undefined ? undefined : `beian/smtp-${randomUUID()}`;
  if (secretName) secrets.set(secretName, typeof account === 'string' ? account : JSON.stringify(account));
  const mailer = smtpMailer({ from: FROM, host: '127.0.0.1', port: server.port, tls: 'none', secretName, secretsEndpoint, ...config }, options);
  return { mailer, secretName: secretName!, reads: () => secretReads.filter((s) => s === secretName).length };
}

const deps = (filings: FilingStore, mailer: Mailer): NoticeDeps => ({ filings, now: () => new Date(), log: () => {}, mailer });

/** A registered decision whose receipt waits PENDING in the outbox. */
async function pendingReceipt() {
  const contact = `${randomUUID()}@example.org`;
  const { message, filings } = await submittedDecision(db, contact);
  expect(await processFiling(processorDeps(db, filings), message)).toBe('registered');
  const id = receiptNoticeId(message);
  const notice = await filings.getNotice(id);
  expect(notice?.status).toBe('PENDING');
  return { id, filings, contact, notice: notice! };
}

const lines = (s: string | undefined) => (s ?? '').replace(/\r\n/g, '\n').trimEnd();

describe('notices over SMTP', () => {
  it('a receipt goes out once through deliverNotice, logged in with the account from Secrets Manager: From, To, the Chinese subject, text and HTML arrive as written', async () => {
    const server = await smtpServer({ account: ACCOUNT });
    const { mailer, reads } = mailerFor(server, ACCOUNT);
    const { id, filings, contact, notice } = await pendingReceipt();
    expect(notice.subject).toMatch(/^备案回执 测备〔\d{4}〕\d{4}$/);

    db.sent.length = 0;
    expect(await deliverNotice(deps(filings, mailer), id)).toBe('sent');
    expect(await deliverNotice(deps(filings, mailer), id)).toBe('none');
    expectGranted('send-notices', db.sent);
    expect((await filings.getNotice(id))?.status).toBe('SENT');

    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail!.destination.to).toEqual([contact]);
    expect(mail!.from).toBe(`"区政府法制办公室" <beian@example.gov.cn>`);
    expect(mail!.subject).toBe(notice.subject);
    expect(lines(mail!.body.text)).toBe(lines(notice.text));
    expect(lines(mail!.body.html)).toBe(lines(notice.html));
    expect(server.logins).toEqual([ACCOUNT.username]);

    // a warm function: the next mail reuses the transport and the account read once
    const second = await pendingReceipt();
    expect(await deliverNotice(deps(second.filings, mailer), second.id)).toBe('sent');
    expect(server.mails).toHaveLength(2);
    expect(reads()).toBe(1);
  });

  it('a server that refuses the first attempt (451): the send fails, the notice stays PENDING, the retry sends it, and one mail arrives in all', async () => {
    const server = await smtpServer({ account: ACCOUNT, refuse: 1 });
    const { mailer } = mailerFor(server, ACCOUNT);
    const { id, filings } = await pendingReceipt();

    await expect(deliverNotice(deps(filings, mailer), id)).rejects.toMatchObject({ responseCode: 451 });
    expect((await filings.getNotice(id))?.status).toBe('PENDING'); // the claim was given back, nothing marked sent
    expect(server.mails).toHaveLength(0);

    expect(await deliverNotice(deps(filings, mailer), id)).toBe('sent');
    expect(await deliverNotice(deps(filings, mailer), id)).toBe('none');
    expect((await filings.getNotice(id))?.status).toBe('SENT');
    expect(server.attempts).toBe(2);
    expect(server.mails).toHaveLength(1);
  });

  it('a secret of the wrong shape: the send fails saying what shape is expected, and works once the secret is right', async () => {
    const server = await smtpServer({ account: ACCOUNT });
    const { mailer, secretName, reads } = mailerFor(server, JSON.stringify({ user: ACCOUNT.username, pass: ACCOUNT.password }));
    const { id, filings } = await pendingReceipt();

    const failed = deliverNotice(deps(filings, mailer), id);
    await expect(failed).rejects.toThrow(`secret ${secretName} is not an SMTP account: its SecretString must be JSON {"username":"...","password":"..."} ("username" is missing, empty or not a string)`);
    await expect(failed).rejects.not.toThrow(ACCOUNT.password);
    expect((await filings.getNotice(id))?.status).toBe('PENDING');
    expect(server.logins).toEqual([]);

    // a failed read is not remembered: the operator fixes the secret, the next delivery reads it again
    secrets.set(secretName, JSON.stringify(ACCOUNT));
    expect(await deliverNotice(deps(filings, mailer), id)).toBe('sent');
    expect(server.mails).toHaveLength(1);
    expect(reads()).toBe(2);
  });

  it('a missing secret fails the send with Secrets Manager\'s own error; the notice stays PENDING', async () => {
    const server = await smtpServer({ account: ACCOUNT });
    const { mailer, secretName } = mailerFor(server, ACCOUNT);
    secrets.delete(secretName);
    const { id, filings } = await pendingReceipt();
    await expect(deliverNotice(deps(filings, mailer), id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await filings.getNotice(id))?.status).toBe('PENDING');
  });

  it('a wrong password (535): the send fails; once the secret is rotated, the same warm mailer reads it again and sends', async () => {
    const server = await smtpServer({ account: ACCOUNT });
    const { mailer, secretName, reads } = mailerFor(server, { username: ACCOUNT.username, password: 'the old password' });
    const { id, filings } = await pendingReceipt();

    await expect(deliverNotice(deps(filings, mailer), id)).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect((await filings.getNotice(id))?.status).toBe('PENDING');
    expect(server.mails).toHaveLength(0);
    expect(reads()).toBe(1);

    secrets.set(secretName, JSON.stringify(ACCOUNT));
    expect(await deliverNotice(deps(filings, mailer), id)).toBe('sent');
    expect(reads()).toBe(2);
    expect(server.logins).toEqual([ACCOUNT.username, ACCOUNT.username]);
    expect(server.mails).toHaveLength(1);
  });

  it('a server that accepts the connection and never greets: the send gives up well inside the function\'s 30 s, the notice stays PENDING', async () => {
    const held = new Set<Socket>();
    const silent = createNetServer((socket) => held.add(socket)); // holds every connection, says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const { id, filings } = await pendingReceipt();
      const started = Date.now();
      const mailer = smtpMailer({ from: FROM, host: '127.0.0.1', port, tls: 'none' });
      await expect(deliverNotice(deps(filings, mailer), id)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await filings.getNotice(id))?.status).toBe('PENDING');
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it('without a secret the mailer does not log in (the local sink)', async () => {
    const server = await smtpServer();
    const { mailer } = mailerFor(server, undefined);
    const { messageId } = await mailer.send({ to: ['fazhi@example.org'], subject: '【备案提醒】测试', text: '正文', html: '<p>正文</p>' });
    expect(messageId).toMatch(/^<.+@.+>$/);
    expect(server.mails.map((m) => m.subject)).toEqual(['【备案提醒】测试']);
    expect(server.logins).toEqual([]);
  });
});

describe('recipients (after the outside review)', () => {
  it.each([['b@example.org\r\nBcc: evil@attacker.org'], ['a@example.org, evil@attacker.org'], ['Name <evil@attacker.org>'], ['no-at-sign']])(
    'refuses a recipient that is not a plain address (%j): nothing reaches the server',
    async (address) => {
      const server = await smtpServer();
      const { mailer } = mailerFor(server, undefined);
      await expect(mailer.send({ to: ['fazhi@example.org', address], subject: 's', text: 't', html: '<p>t</p>' })).rejects.toThrow(/not plain addresses/);
      expect(server.mails).toEqual([]);
      expect(server.attempts).toBe(0);
    },
  );
});

describe('SMTP over TLS', () => {
  it('implicit TLS (as on port 465) with a self-signed certificate: sent when the mailer is told to trust it, refused when not', async () => {
    const server = await smtpServer({ account: ACCOUNT, tls: 'implicit' });
    const trusted = mailerFor(server, ACCOUNT, { tls: 'implicit' }, { ca: tlsCert }).mailer;
    await trusted.send({ to: ['fazhi@example.org'], subject: '备案回执 测备〔2026〕0001', text: '正文', html: '<p>正文</p>' });
    expect(server.mails.map((m) => [m.subject, m.secure])).toEqual([['备案回执 测备〔2026〕0001', true]]);

    // the system's trust store does not know the certificate: no mail, and no password sent
    const untrusted = mailerFor(server, ACCOUNT, { tls: 'implicit' }).mailer;
    await expect(untrusted.send({ to: ['fazhi@example.org'], subject: 'x', text: 'x', html: 'x' })).rejects.toThrow(/self-signed certificate/);
    expect(server.mails).toHaveLength(1);
    expect(server.logins).toEqual([ACCOUNT.username]);
  });

  it('STARTTLS is required off loopback: sent encrypted when the server offers it; a server that does not gets neither password nor mail', async () => {
    const offering = await smtpServer({ account: ACCOUNT, tls: 'starttls' });
    await mailerFor(offering, ACCOUNT, { tls: 'starttls' }, { ca: tlsCert }).mailer.send({ to: ['fazhi@example.org'], subject: '主题', text: '正文', html: '<p>正文</p>' });
    expect(offering.mails.map((m) => m.secure)).toEqual([true]);

    const plain = await smtpServer({ account: ACCOUNT, tls: 'none' });
    const refused = mailerFor(plain, ACCOUNT, { tls: 'starttls' }).mailer.send({ to: ['fazhi@example.org'], subject: '主题', text: '正文', html: '<p>正文</p>' });
    await expect(refused).rejects.toMatchObject({ code: 'ETLS' });
    expect(plain.logins).toEqual([]);
    expect(plain.mails).toEqual([]);
  });
});
