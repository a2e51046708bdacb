/**
 * The local SMTP server for MAIL_TRANSPORT=smtp (smtp-server, in this process): it keeps every mail it
 * accepts in memory and shows them as the SES emulator does, a list at `/` and JSON at `/store` in the
 * emulator's shape, so the same helpers and the README's viewer link work with either transport.
 */
import { type Server, createServer } from 'node:http';
import type { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the SES emulator's `/store` lists it (the fields Beian uses). */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string | undefined; html?: string | undefined };
  /** seconds since the epoch, as the emulator counts */
  at: number;
}

const addresses = (field: unknown): string[] => {
  const list = (Array.isArray(field) ? field : field ? [field] : []) as { value: { address?: string }[] }[];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
};

/** The message as it arrived, decoded (MIME words, quoted-printable, base64); `recipients` is the SMTP envelope's. */
export async function readMail(message: Readable, recipients: string[]): Promise<StoredMail> {
  const parsed = await simpleParser(message);
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  return {
    messageId: parsed.messageId ?? '',
    from: parsed.from?.text ?? '',
    // whoever the envelope names and the headers do not was a blind copy
    destination: { to, cc, bcc: recipients.filter((r) => !to.includes(r) && !cc.includes(r)) },
    subject: parsed.subject ?? '',
    body: { text: parsed.text, html: parsed.html === false ? undefined : parsed.html },
    at: Math.floor(Date.now() / 1000),
  };
}

export interface SmtpSink {
  smtpPort: number;
  /** the viewer: `/` and `/store` */
  endpoint: string;
  mails: StoredMail[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 unless `host` says otherwise. No AUTH and no STARTTLS: only the local functions
 * speak to it, over loopback, where the mailer needs neither (shared/mail/smtp.ts).
 */
export async function startSmtpSink(smtpPort: number, viewerPort: number, host = '127.0.0.1'): Promise<SmtpSink> {
  const mails: StoredMail[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: 10 * 1024 * 1024,
    onData(stream, session, done) {
      readMail(stream, session.envelope.rcptTo.map((r) => r.address)).then(
        (mail) => (mails.push(mail), done()),
        (e: Error) => done(e),
      );
    },
  });
  smtp.on('error', (e) => console.error('[beian] SMTP sink:', e.message));
  await listen((cb) => smtp.listen(smtpPort, host, cb), smtp.server);
  const viewer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' || (path !== '/' && path !== '/store')) return void res.writeHead(404).end();
    if (path === '/store') return void res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ emails: mails }));
    // the mails' HTML is shown in sandboxed frames; the policy lets no script run and nothing load
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(viewerPage(mails));
  });
  await listen((cb) => viewer.listen(viewerPort, host, cb), viewer);
  return {
    smtpPort,
    endpoint: `http://127.0.0.1:${viewerPort}`,
    mails,
    close: async () => {
      viewer.closeAllConnections();
      await Promise.all([new Promise((r) => viewer.close(r)), new Promise<void>((r) => smtp.close(() => r()))]);
    },
  };
}

function listen(start: (ready: () => void) => void, server: Server | import('node:net').Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => (server.off('error', reject), resolve()));
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function viewerPage(mails: readonly StoredMail[]): string {
  const items = [...mails].reverse().map((m) => {
    const to = [...m.destination.to, ...m.destination.cc, ...m.destination.bcc].join(', ');
    return `<section><h2>${escapeHtml(m.subject)}</h2>
<p>${escapeHtml(new Date(m.at * 1000).toISOString())} &middot; from ${escapeHtml(m.from)} &middot; to ${escapeHtml(to)}</p>
${m.body.html ? `<iframe sandbox srcdoc="${escapeHtml(m.body.html)}"></iframe>` : ''}
<pre>${escapeHtml(m.body.text ?? '')}</pre></section>`;
  });
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>Beian: sent mail (SMTP)</title>
<style>body{font-family:sans-serif;margin:2em}section{border-top:1px solid #ccc;padding:1em 0}iframe{width:100%;height:20em;border:1px solid #eee}pre{white-space:pre-wrap}</style></head>
<body><h1>Sent mail (${mails.length})</h1><p>Received by the local SMTP sink; as JSON at <a href="/store">/store</a>.</p>
${items.join('\n') || '<p>None yet.</p>'}</body></html>`;
}
