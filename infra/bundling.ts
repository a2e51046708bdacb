/**
 * How every function is bundled, in one place: the CDK construct (infra/constructs/beian-function.ts)
 * and the benchmark (bench/bundles.ts) both use these esbuild settings, so what is measured is what ships.
 */
import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Lambda gets its credentials from the environment: see lambda-credentials.ts. */
export const LAMBDA_CREDENTIALS_ALIAS = {
  '@aws-sdk/credential-provider-node': fileURLToPath(new URL('./lambda-credentials.ts', import.meta.url)),
  // the SDK's browser user-agent parser, reached only where `window` exists: see no-browser-user-agent.ts
  bowser: fileURLToPath(new URL('./no-browser-user-agent.ts', import.meta.url)),
};

/**
 * esbuild's ESM output has no `require`; packages bundled from CommonJS (the AWS SDK among them) call it
 * for Node built-ins, so the bundle defines one. Without this the function dies at start with
 * `Dynamic require of "node:https" is not supported`.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const bundlingOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  charset: 'utf8',
  sourcemap: true,
  sourcesContent: false,
  alias: LAMBDA_CREDENTIALS_ALIAS,
} satisfies BuildOptions;

/**
 * The function's final bundle, split (ESM code splitting): modules that the code loads with `import()`
 * (the SQS client in the API, the SES client in the notice sender) go into chunks of their own, read
 * only when first used, so a cold start parses none of them. Used by the CDK construct (after its own
 * esbuild run, see split-bundle.ts) and by the benchmark, so what is measured is what ships.
 */
export async function bundleFunction(entry: string, outdir: string, options: Partial<BuildOptions> = {}) {
  const { build } = await import('esbuild');
  return build({
    ...bundlingOptions,
    entryPoints: { index: entry },
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
    ...options,
  });
}
