/**
 * `node --import tsx infra/split-bundle.ts <entry> <outdir>`: replaces the single-file bundle that
 * NodejsFunction wrote into <outdir> with the split bundle of bundling.ts (index.mjs + chunks/).
 * NodejsFunction bundles with `--outfile`, and esbuild splits only with an output folder.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction } from './bundling.ts';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: split-bundle.ts <entry> <outdir>');
  process.exit(2);
}
for (const file of readdirSync(outdir)) rmSync(join(outdir, file), { recursive: true, force: true });
await bundleFunction(entry, outdir);
