import { defineConfig } from 'vitest/config';
import { TEST_TMPDIR } from './test/global-setup.ts';

// Set before the forks start, so each inherits it: os.tmpdir() is read at every call.
process.env.TMPDIR = TEST_TMPDIR;

export default defineConfig({
  test: {
    // 'threads' breaks esbuild bundling inside CDK synth; forks do not.
    pool: 'forks',
    // the e2e files wait on emulators more than they compute: two at a time use both cores
    maxWorkers: 2,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    env: { TMPDIR: TEST_TMPDIR },
  },
});
