import * as z from 'zod/mini';
import { isValidIsoDate } from '../domain/dates.ts';
import { MONEY_PATTERN, MONEY_RULE } from '../domain/money.ts';

/** A real calendar date; years 1990-2199 (the law in question and its calendar data live there). */
export const isoDate = z.string().check(
  z.refine(isValidIsoDate, { message: 'must be a real calendar date YYYY-MM-DD (e.g. 2026-02-28)', abort: true }),
  z.refine((d) => d >= '1990-01-01' && d <= '2199-12-31', { message: 'must be a date from 1990 to 2199', abort: true }),
);
export const money = z.string().check(z.regex(MONEY_PATTERN, MONEY_RULE));
export const entityId = z.string().check(z.regex(/^[a-z0-9-]{2,64}$/, 'must be 2-64 characters of a-z, 0-9 and -'));
export const email = z.email('must be an email address');
