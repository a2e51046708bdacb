/**
 * Money is yuan as a decimal string with at most 2 decimals ("5000", "100000.50"), compared as integer
 * fen (cents) in BigInt. No binary floating point touches an amount.
 */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;
export const MONEY_RULE = 'must be yuan as a plain decimal string with at most 2 decimals, e.g. "5000" or "1234.50"';

export function isMoney(value: string): boolean {
  return MONEY_PATTERN.test(value);
}

/** Amount in fen. Throws on anything that is not a money string. */
export function toFen(value: string): bigint {
  if (!isMoney(value)) throw new RangeError(`"${value}" ${MONEY_RULE}`);
  const [yuan, fraction = ''] = value.split('.');
  return BigInt(yuan!) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  const x = toFen(a);
  const y = toFen(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
