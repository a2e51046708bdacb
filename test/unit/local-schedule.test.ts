import { describe, expect, test } from 'vitest';
import { msUntilShanghai } from '../../infra/local/stack.ts';

describe('the local daily timer runs at the daily run time in Asia/Shanghai (UTC+8), as the deployed schedule does', () => {
  const at = (iso: string) => Date.parse(iso);
  test('before 09:00 Shanghai: later the same Shanghai day', () => {
    // 2026-10-09 00:30 UTC is 08:30 in Shanghai: 30 minutes to go
    expect(msUntilShanghai('09:00', at('2026-10-09T00:30:00Z'))).toBe(30 * 60_000);
  });
  test('after 09:00 Shanghai: the next day', () => {
    // 01:00 UTC is 09:00 + 1 h in Shanghai: 23 h to go
    expect(msUntilShanghai('09:00', at('2026-10-09T02:00:00Z'))).toBe(23 * 3_600_000);
  });
  test('exactly at the time: tomorrow, never 0', () => {
    expect(msUntilShanghai('09:00', at('2026-10-09T01:00:00Z'))).toBe(24 * 3_600_000);
  });
  test('a Shanghai day that starts on the previous UTC day', () => {
    // 2026-09-30 20:00 UTC is 1 Oct 04:00 in Shanghai: 5 h to 09:00 on 1 Oct
    expect(msUntilShanghai('09:00', at('2026-09-30T20:00:00Z'))).toBe(5 * 3_600_000);
    expect(msUntilShanghai('23:59', at('2026-09-30T20:00:00Z'))).toBe((19 * 60 + 59) * 60_000);
  });
});
