/**
 * `npm run bench`: prints the machine, then runs each section in order. It prints figures and never
 * asserts timings; a section that throws is reported and the run goes on, and the exit code says whether
 * every section ran. Sections import their code lazily, so one that cannot load fails alone.
 */
import { cpus } from 'node:os';

interface Section {
  name: string;
  run: () => Promise<Record<string, number | string> | void>;
}

// the SDK's notice about Node 22 would be printed by every section; the README says it once
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sections: Section[] = [
  { name: 'calendar', run: async () => (await import('./calendar.ts')).benchCalendar() },
  { name: 'function bundles and cold starts', run: async () => (await import('./bundles.ts')).benchBundles() },
  { name: 'API throughput: POST /v1/decisions', run: async () => (await import('./api.ts')).benchApi() },
  { name: 'processor throughput: filings queue', run: async () => (await import('./processor.ts')).benchProcessor(1) },
  { name: 'deadline sweep: read units and time', run: async () => (await import('./sweep.ts')).benchSweep() },
  { name: 'decision lists: read units per request on 100,000 decisions', run: async () => (await import('./lists.ts')).benchLists() },
  { name: 'statistics: GET /v1/stats on 1,000 and 100,000 decisions', run: async () => (await import('./statistics.ts')).benchStatistics() },
  { name: 'documents: verification of 100 x 1 MB and 10 x 20 MB files', run: async () => (await import('./documents.ts')).benchDocuments() },
];

// `npm run bench -- bundles`: only the sections whose name contains one of the words given
const only = process.argv.slice(2).map((w) => w.toLowerCase());
const chosen = only.length ? sections.filter((s) => only.some((w) => s.name.toLowerCase().includes(w))) : sections;
if (!chosen.length) {
  console.error(`no section matches ${only.join(' ')}; sections: ${sections.map((s) => s.name).join('; ')}`);
  process.exit(2);
}

const cpu = cpus();
console.log('Beian benchmarks');
console.log(`  node ${process.version} on ${process.platform}/${process.arch}`);
console.log(`  cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`);
console.log(`  ${new Date().toISOString()}`);

const failed: string[] = [];
for (const section of chosen) {
  console.log(`\n== ${section.name} ==`);
  const start = performance.now();
  try {
    await section.run();
    console.log(`  (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed.push(section.name);
    console.error(`  section ${section.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

console.log(failed.length ? `\n${failed.length} of ${chosen.length} sections failed: ${failed.join(', ')}` : `\nall ${chosen.length} sections ran`);
if (failed.length) process.exitCode = 1;
