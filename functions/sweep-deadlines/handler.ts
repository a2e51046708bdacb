/**
 * Scheduled daily (Asia/Shanghai): queues one deadline sweep per jurisdiction on the sweeps queue (the
 * fan-out: each jurisdiction is swept by its own invocation of sweep-jurisdiction), and warns the
 * operators while next year's holiday schedule is missing. `day` in the event overrides today.
 */
import { shanghaiToday } from '../../shared/domain/dates.ts';
import { lambda } from '../../shared/observability/middleware.ts';
import { planSweeps } from '../../shared/use-cases/supervision.ts';
import { operatorEmails, supervisionDeps, sweepQueue } from '../../shared/wiring/supervision.ts';

const deps = supervisionDeps();
const queue = sweepQueue();
const operators = operatorEmails();

export const handler = lambda(async (event: { day?: string } | null) =>
  planSweeps({ ...deps, queue, operatorEmails: operators, jurisdictions: () => deps.store.listJurisdictions() }, event?.day ?? shanghaiToday(deps.now())),
);
