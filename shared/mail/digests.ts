/** The digests' texts moved to shared/notices/digests.ts (they are no mail transport); kept for bench/sweep.ts. */
export type { DigestItem } from '../notices/digests.ts';
