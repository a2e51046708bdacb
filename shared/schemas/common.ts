import * as z from 'zod/mini';
import { isValidIsoDate } from '../domain/dates.ts';
import { forbiddenCharacter } from '../domain/text.ts';
import { MONEY_PATTERN, MONEY_RULE } from '../domain/money.ts';

/** A real calendar date; years 1990-2199 (the law in question and its calendar data live there). */
export const isoDate = z.string().check(
  z.refine(isValidIsoDate, { message: 'must be a real calendar date YYYY-MM-DD (e.g. 2026-02-28)', abort: true }),
  z.refine((d) => d >= '1990-01-01' && d <= '2199-12-31', { message: 'must be a date from 1990 to 2199', abort: true }),
);
export const money = z.string().check(z.regex(MONEY_PATTERN, MONEY_RULE));
export const entityId = z.string().check(z.regex(/^[a-z0-9-]{2,64}$/, 'must be 2-64 characters of a-z, 0-9 and -'));
export const email = z.email('must be an email address');

/** Refuses control, bidirectional and invisible formatting characters (line breaks and tabs allowed in multi-line text). */
export const noForbidden = (multiline: boolean) =>
  z.superRefine<string>((s, ctx) => {
    const why = forbiddenCharacter(s, multiline);
    if (why) ctx.addIssue({ code: 'custom', message: why, input: s });
  });

/** A one-line text: trimmed, not empty, at most `max` characters, no control or invisible characters. */
export const line = (max: number) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max), noForbidden(false));
