import { mailConfig } from '../config.ts';
import { log } from '../log.ts';
import { sesMailer } from '../mail/mailer.ts';
import type { NoticeDeps } from '../use-cases/notices.ts';
import { storage } from './storage.ts';

export function noticeDeps(): NoticeDeps {
  return { filings: storage().filings, now: () => new Date(), log, mailer: sesMailer(mailConfig()) };
}
