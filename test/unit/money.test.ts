import { describe, expect, test } from 'vitest';
import { compareMoney, isMoney, toFen } from '../../shared/domain/money.ts';

describe('toFen', () => {
  test.each([
    ['0', 0n],
    ['0.1', 10n],
    ['0.2', 20n],
    ['0.3', 30n],
    ['0.07', 7n],
    ['1.10', 110n],
    ['5000', 500_000n],
    ['99999.99', 9_999_999n],
    ['100000', 10_000_000n],
    ['100000.5', 10_000_050n],
    ['999999999999999.99', 99_999_999_999_999_999n], // beyond 2^53: exact only in integers
  ])('%s yuan is %s fen', (yuan, fen) => {
    expect(toFen(yuan)).toBe(fen);
  });

  test('no binary floating-point pitfalls: 0.1 + 0.2 is exactly 0.3', () => {
    expect(toFen('0.1') + toFen('0.2')).toBe(toFen('0.3'));
    expect(toFen('1.15') * 100n).toBe(11_500n); // 1.15 * 100 is 114.99999999999999 in floating point
  });

  test.each(['12.345', '-1', '1e5', '', ' 5', '5 ', '05', '1,000', '5.', '.5', '+5', 'NaN', 'Infinity', '0x10', '1000000000000000'])(
    'refuses %j',
    (value) => {
      expect(isMoney(value)).toBe(false);
      expect(() => toFen(value)).toThrow(RangeError);
    },
  );
});

describe('compareMoney', () => {
  test.each([
    ['100000', '99999.99', 1],
    ['99999.99', '100000', -1],
    ['5000', '5000.00', 0],
    ['5000.1', '5000.10', 0],
    ['4999.99', '5000', -1],
    ['5000.01', '5000', 1],
    ['0.3', '0.30', 0],
    // these two are the same double (999999999999999.99 === 999999999999999.98 in JavaScript numbers)
    ['999999999999999.99', '999999999999999.98', 1],
    ['9', '10', -1], // not a string comparison
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareMoney(a, b)).toBe(expected);
  });

  test('refuses a non-money operand', () => {
    expect(() => compareMoney('1e5', '100000')).toThrow(RangeError);
  });
});
