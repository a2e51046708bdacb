/**
 * Runs once around the whole test run. Tests write temporary files (every CDK synth leaves a cdk.out*
 * folder in the system temp directory) under .tmp/ in the repository: vitest.config.ts points TMPDIR at
 * a folder of this run there, this creates it and removes it at the end. One folder per run, so two runs
 * at once (two terminals, a watcher) do not delete each other's files.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_TMP_ROOT = fileURLToPath(new URL('../.tmp', import.meta.url));
export const TEST_TMPDIR = path.join(TEST_TMP_ROOT, `run-${process.pid}`);

export default function setup(): () => void {
  mkdirSync(TEST_TMPDIR, { recursive: true });
  return () => {
    rmSync(TEST_TMPDIR, { recursive: true, force: true });
    try {
      if (readdirSync(TEST_TMP_ROOT).length === 0) rmSync(TEST_TMP_ROOT, { recursive: true, force: true });
    } catch {
      // already gone
    }
  };
}
