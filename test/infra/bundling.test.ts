/** The one test that runs esbuild for real, as `cdk synth` and `cdk deploy` do. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, queues } from '../../functions/manifest.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import { synthBeian } from './helpers.ts';

const api = functions.find((f) => f.name === 'api')!;

describe('bundling the api function', () => {
  let assetDir: string;
  let deployedEnv: Record<string, unknown>;

  beforeAll(() => {
    const { assembly, stateless } = synthBeian({ bundle: true, manifest: { functions: [api], queues } });
    const template = assembly.getStackByName(stateless.stackName).template as { Resources: Record<string, any> };
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs22.x');
    const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    assetDir = path.join(assembly.directory, `asset.${assetHash}`);
    deployedEnv = fn.Properties.Environment.Variables as Record<string, unknown>;
  });

  it('produces the split ESM bundle: index.mjs and its chunks, each with a source map', () => {
    expect(existsSync(assetDir)).toBe(true);
    expect(readdirSync(assetDir).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
    const chunks = readdirSync(path.join(assetDir, 'chunks'));
    const code = chunks.filter((f) => f.endsWith('.mjs'));
    expect(code.length).toBeGreaterThan(0);
    for (const f of code) {
      expect(chunks).toContain(`${f}.map`);
      expect(readFileSync(path.join(assetDir, 'chunks', f), 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    }
  });

  it('keeps the SQS client out of what a cold start loads: it sits in a chunk read at the first send', () => {
    const index = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    const startChunks = [...index.matchAll(/from"\.\/(chunks\/[^"]+\.mjs)"/g)].map((m) => m[1]!);
    const loadedAtStart = [path.join(assetDir, 'index.mjs.map'), ...startChunks.map((c) => path.join(assetDir, `${c}.map`))];
    const startSources = loadedAtStart.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { sources: string[] }).sources);
    expect(startSources.some((s) => s.includes('client-dynamodb/'))).toBe(true);
    expect(startSources.filter((s) => s.includes('client-sqs/'))).toEqual([]);
  });

  it('defines require for CommonJS dependencies, is minified and points to its source map', () => {
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    const averageLineLength = code.length / code.split('\n').length;
    expect(averageLineLength).toBeGreaterThan(1000); // minified: a few very long lines
  });

  it('maps back to the TypeScript sources without embedding them', () => {
    const map = sourceMap();
    expect(map.sources.some((s) => s.endsWith(api.entry))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('takes credentials from the environment only (infra/bundling.ts alias), like the benchmarked bundle', () => {
    const sources = sourceMap().sources;
    expect(sources.some((s) => s.endsWith('infra/lambda-credentials.ts'))).toBe(true);
    expect(sources.filter((s) => /credential-provider-(node|ini|sso|process|web-identity)\//.test(s))).toEqual([]);
  });

  it('ships no browser user-agent parser: bowser is replaced by a stub (infra/no-browser-user-agent.ts)', () => {
    const sources = sourceMap().sources;
    expect(sources.some((s) => s.endsWith('infra/no-browser-user-agent.ts'))).toBe(true);
    expect(sources.filter((s) => s.includes('node_modules/bowser/'))).toEqual([]);
  });

  /** every source map of the bundle, merged */
  function sourceMap(): { sources: string[]; sourcesContent?: unknown } {
    const maps = [path.join(assetDir, 'index.mjs.map'), ...readdirSync(path.join(assetDir, 'chunks')).filter((f) => f.endsWith('.map')).map((f) => path.join(assetDir, 'chunks', f))];
    const parsed = maps.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { sources: string[]; sourcesContent?: unknown });
    return { sources: parsed.flatMap((m) => m.sources), ...(parsed.some((m) => m.sourcesContent) && { sourcesContent: parsed.find((m) => m.sourcesContent)!.sourcesContent }) };
  }

  it('loads under Node as an ES module and exports handler (no "Dynamic require" crash at start)', async () => {
    // Exactly the variables the template gives the function (values resolved by CloudFormation become
    // placeholders), plus what Lambda sets: the code's start-up checks pass only if CDK binds all it needs.
    const awsEnv: Record<string, string> = { AWS_REGION: 'ap-east-1' };
    for (const [name, value] of Object.entries(deployedEnv)) {
      awsEnv[name] = typeof value === 'string' && !value.startsWith('{{resolve:') ? value : placeholderFor(name);
    }
    const saved = Object.fromEntries(Object.keys(awsEnv).map((key) => [key, process.env[key]]));
    Object.assign(process.env, awsEnv);
    try {
      const loaded = (await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof loaded.handler).toBe('function');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

/** A stand-in for a value CloudFormation fills in at deploy time, shaped like the real one. */
function placeholderFor(name: string): string {
  if (name.endsWith('_QUEUE_URL')) return `https://sqs.ap-east-1.amazonaws.com/123456789012/${name.toLowerCase()}`;
  if (name === 'CURSOR_SECRET') return 'k'.repeat(64);
  return `placeholder-${name.toLowerCase()}`;
}

describe('bundling the notice sender', () => {
  it('keeps nodemailer and the Secrets Manager client out of what a cold start loads, and out of every other function', async () => {
    const { bundleFunction } = await import('../../infra/bundling.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'beian-bundles-'));
    const smtpOnly = /node_modules\/(nodemailer|@aws-sdk\/client-secrets-manager)\//;
    try {
      for (const spec of functions) {
        const built = await bundleFunction(spec.entry, path.join(dir, spec.name), { sourcemap: false, metafile: true });
        const outputs = Object.entries(built.metafile!.outputs);
        const index = outputs.find(([f]) => f.endsWith('/index.mjs'))![1];
        const atStart = new Set(['index.mjs', ...index.imports.filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path))]);
        const inputsOf = (loaded: boolean) => outputs.filter(([f]) => atStart.has(path.basename(f)) === loaded).flatMap(([, o]) => Object.keys(o.inputs));
        expect(inputsOf(true).filter((s) => smtpOnly.test(s)), `${spec.name} at start`).toEqual([]);
        // read at the first SMTP mail; no other function can send one
        const lazy = inputsOf(false).filter((s) => smtpOnly.test(s));
        if (spec.name === 'send-notices') expect(lazy.some((s) => s.includes('nodemailer/')) && lazy.some((s) => s.includes('client-secrets-manager/'))).toBe(true);
        else expect(lazy, spec.name).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
