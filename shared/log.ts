/** Where the functions' log lines come from: the Powertools Logger (shared/observability/logger.ts). */
export { log, logError, type LogLevel } from './observability/logger.ts';
