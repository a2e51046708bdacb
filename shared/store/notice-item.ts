import { CORRELATION_ATTRIBUTE, correlationId } from '../observability/correlation.ts';
import { keys } from './keys.ts';

/**
 * A notice as the outbox stores it: its keys, its fields, and the correlation id of what wrote it (the API
 * request behind a receipt, a sweep's jurisdiction and day), which the notice sender logs with the mail.
 */
export function noticeItem<N extends { id: string }>(notice: N): Record<string, unknown> {
  const id = correlationId();
  return { ...keys.notice(notice.id), ...notice, ...(id && { [CORRELATION_ATTRIBUTE]: id }) };
}
