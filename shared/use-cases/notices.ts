/**
 * Notices (receipts now; reminders and overdue notices later) leave through an outbox: written PENDING
 * in the transaction of the change they report, then sent once by the notice sender.
 */
import { shanghaiDate } from '../domain/dates.ts';
import type { Notice } from '../domain/records.ts';

/** The outbox's notices (shared/store/filing-store.ts). */
export interface Outbox {
  /** the notice, claimed for `leaseSeconds`; or another delivery's claim, or nothing to send */
  claimNotice(id: string, now: Date, leaseSeconds: number): Promise<Notice | { busyUntil: string } | 'done' | 'absent'>;
  /** gives a claimed notice back (its send failed), so the next delivery sends it at once */
  releaseNotice(id: string): Promise<void>;
  /** counts one mail for the agency on the day; false when its cap is reached */
  countAgencyMail(agencyId: string, day: string, cap: number): Promise<boolean>;
  /** the claimed notice went out (or had nobody to go to, or was over the cap), an event in each decision's history */
  markNoticeSent(
    id: string,
    status: 'SENT' | 'NO_RECIPIENT' | 'SUPPRESSED',
    sentAt: string,
    messageId?: string,
    notice?: Pick<Notice, 'kind' | 'to' | 'decisionId' | 'decisionIds'>,
  ): Promise<void>;
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Sends mail (shared/mail/: SES, or SMTP where there is none). */
export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

export interface NoticeDeps {
  filings: Outbox;
  /** mails a day that one agency's activity may cause (receipts, its digests); more are recorded SUPPRESSED */
  agencyDailyMailCap?: number;
  now: () => Date;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
  mailer: Mailer;
}

/** Mails a day one agency's activity may cause by default: far above a district agency's real volume, far below a flood. */
export const AGENCY_DAILY_MAIL_CAP = 200;

/** How long a notice claim lasts: longer than the sender's timeout, so a live sender never loses it. */
export const NOTICE_LEASE_SECONDS = 40;

export class NoticeBusyError extends Error {
  override name = 'NoticeBusyError';
  constructor(
    message: string,
    /** when the other delivery's claim lapses */
    readonly claimedUntil: string,
  ) {
    super(message);
  }
}

/**
 * Sends a pending notice once: claim, send, mark sent. Nothing to do when it is absent or already sent.
 * While another delivery holds the claim this one fails, so its message comes back later and finds the
 * notice sent, or the claim lapsed (that delivery crashed) and sends it then.
 */
export async function deliverNotice(deps: NoticeDeps, noticeId: string): Promise<'sent' | 'none'> {
  const claim = await deps.filings.claimNotice(noticeId, deps.now(), NOTICE_LEASE_SECONDS);
  if (typeof claim === 'object' && 'busyUntil' in claim) {
    throw new NoticeBusyError(`notice ${noticeId} is being sent by another delivery; try again after ${claim.busyUntil}`, claim.busyUntil);
  }
  return typeof claim === 'string' ? 'none' : sendClaimed(deps, claim);
}

async function sendClaimed(deps: NoticeDeps, notice: Notice): Promise<'sent' | 'none'> {
  const noticeId = notice.id;
  if (!notice.to.length) {
    deps.log('WARN', 'notice has no recipient: no address is registered for it (agency contactEmails, jurisdiction escalationEmails, or the operators\' OPERATOR_EMAILS)', {
      noticeId,
      kind: notice.kind,
      ...(notice.decisionId && { decisionId: notice.decisionId }),
      ...(notice.jurisdictionId && { jurisdictionId: notice.jurisdictionId }),
    });
    await deps.filings.markNoticeSent(noticeId, 'NO_RECIPIENT', deps.now().toISOString());
    return 'none';
  }
  if (notice.agencyId && !(await deps.filings.countAgencyMail(notice.agencyId, shanghaiDate(deps.now()), deps.agencyDailyMailCap ?? AGENCY_DAILY_MAIL_CAP))) {
    deps.log('WARN', 'notice not sent: the agency reached its daily mail cap', { noticeId, kind: notice.kind, agencyId: notice.agencyId });
    await deps.filings.markNoticeSent(noticeId, 'SUPPRESSED', deps.now().toISOString());
    return 'none';
  }
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({ to: notice.to, subject: notice.subject, text: notice.text, html: notice.html }));
  } catch (e) {
    await deps.filings.releaseNotice(noticeId).catch(() => {}); // the claim lapses anyway
    throw e;
  }
  await deps.filings.markNoticeSent(noticeId, 'SENT', deps.now().toISOString(), messageId, notice);
  return 'sent';
}

