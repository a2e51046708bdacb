/** The records moved to shared/domain/records.ts (the use cases' types come from no adapter); kept for the benchmarks and the local runner. */
export * from '../domain/records.ts';
