/** Scheduled: queues again the filings that were stored but never processed (a failed send, a lost message). */
import { lambda } from '../../shared/observability/middleware.ts';
import { reconcileFilings } from '../../shared/use-cases/filings.ts';
import { reconcilerDeps } from '../../shared/wiring/reconciler.ts';

const deps = reconcilerDeps();

export const handler = lambda(async () => ({ requeued: await reconcileFilings(deps) }));
