import { mailConfig } from '../config.ts';
import { log } from '../log.ts';
import { sesMailer } from '../mail/mailer.ts';
import { smtpMailer } from '../mail/smtp.ts';
import type { Mailer, NoticeDeps } from '../use-cases/notices.ts';
import { storage } from './storage.ts';

export function noticeDeps(): NoticeDeps {
  return { filings: storage().filings, now: () => new Date(), log, mailer: mailer() };
}

/** SES where it exists; SMTP in the regions without it (MAIL_TRANSPORT=smtp). */
function mailer(config = mailConfig()): Mailer {
  return config.transport === 'smtp' ? smtpMailer(config) : sesMailer(config);
}
