import * as z from 'zod/mini';
import { entityId, isoDate } from './common.ts';

/** A message of the sweeps queue: sweep this jurisdiction as of this Shanghai date. */
export const sweepMessage = z.strictObject({ jurisdictionId: entityId, day: isoDate });
