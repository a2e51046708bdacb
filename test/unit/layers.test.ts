/**
 * Issue 11, the layers say what they mean: the use cases and the domain rules depend on no adapter (not
 * even through a helper they import), shared/errors.ts depends on nothing, and only the HTTP side makes
 * HTTP problems. Read from the sources, so a violation fails here before a review finds it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What talks to DynamoDB, S3, SQS, mail, HTTP or Lambda, and what wires them. */
const ADAPTERS = ['shared/store/', 'shared/http/', 'shared/files/', 'shared/queue/', 'shared/mail/', 'shared/wiring/', 'functions/'];
const ADAPTER_PACKAGES = /^(@aws-sdk\/|@aws-lambda-powertools\/|@middy\/|aws-lambda$|nodemailer$)/;
/** The layers that must know none of them. */
const INNER = ['shared/use-cases/', 'shared/domain/'];
/** Where an HTTP problem may be made: the HTTP side, the functions, and the local stand-in for API Gateway (its own 401, 404, 405, 413). */
const PROBLEM_MAKERS = ['shared/http/', 'functions/', 'infra/local/http-adapter.ts'];
const PROBLEM_MODULE = 'shared/http/problem.ts';

type SourceOf = (file: string) => string | undefined;

/** Every module a source imports or re-exports, statically or dynamically, type-only ones included; comments are not code. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const statics = [...code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s*)?['"]([^'"\n]+)['"]/g)];
  const dynamics = [...code.matchAll(/\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g)];
  return [...statics, ...dynamics].map((m) => m[1]!);
}

/** A specifier as a path from the repository root (a relative one), or as written (a package). */
const resolve = (from: string, spec: string) => (spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)) : spec);
const isAdapter = (target: string) => ADAPTERS.some((dir) => target.startsWith(dir)) || ADAPTER_PACKAGES.test(target);

/** Each way `file` reaches an adapter through the modules it imports: "a.ts -> b.ts -> shared/store/x.ts". */
function adapterPaths(file: string, sourceOf: SourceOf): string[] {
  const found: string[] = [];
  const seen = new Set<string>([file]);
  const walk = (current: string, trail: string[]) => {
    for (const spec of importsOf(sourceOf(current) ?? '')) {
      const target = resolve(current, spec);
      if (isAdapter(target)) found.push([...trail, target].join(' -> '));
      else if (target.endsWith('.ts') && !seen.has(target)) {
        seen.add(target);
        walk(target, [...trail, target]);
      }
    }
  };
  walk(file, [file]);
  return found;
}

/** Whether a source makes HTTP problems: it imports the problem module, or writes a problem type itself. */
const makesProblems = (file: string, source: string) =>
  importsOf(source).some((spec) => resolve(file, spec) === PROBLEM_MODULE) || source.includes('urn:beian:problem:');

const filesUnder = (dir: string) =>
  (readdirSync(path.join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
const fromDisk: SourceOf = (file) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : undefined);

describe('the checks themselves', () => {
  const sample = [
    "/* import { x } from '../store/in-a-comment.ts' */",
    '// import { y } from "../http/in-a-comment.ts"',
    "import type { DecisionRecord } from '../store/records.ts';",
    'import {',
    '  fieldErrors,',
    '  type Problem,',
    "} from '../http/problem.ts';",
    "export * from '../mail/mailer.ts';",
    "import '@aws-sdk/client-s3';",
    "import * as z from 'zod/mini';",
    "import { helper } from './helper.ts';",
    "export const text = 'say from \"../files/not-an-import.ts\"';",
    "const later = () => import('../queue/filing-queue.ts');",
  ].join('\n');

  it('reads every form of import and re-export, and nothing in comments or strings', () => {
    expect(importsOf(sample)).toEqual(['../store/records.ts', '../http/problem.ts', '../mail/mailer.ts', '@aws-sdk/client-s3', 'zod/mini', './helper.ts', '../queue/filing-queue.ts']);
  });

  it('finds an adapter reached directly and through a helper', () => {
    const sources: Record<string, string> = { 'shared/use-cases/fake.ts': sample, 'shared/use-cases/helper.ts': "import { keys } from '../store/keys.ts';" };
    expect(adapterPaths('shared/use-cases/fake.ts', (f) => sources[f])).toEqual([
      'shared/use-cases/fake.ts -> shared/store/records.ts',
      'shared/use-cases/fake.ts -> shared/http/problem.ts',
      'shared/use-cases/fake.ts -> shared/mail/mailer.ts',
      'shared/use-cases/fake.ts -> @aws-sdk/client-s3',
      'shared/use-cases/fake.ts -> shared/use-cases/helper.ts -> shared/store/keys.ts',
      'shared/use-cases/fake.ts -> shared/queue/filing-queue.ts',
    ]);
    expect(adapterPaths('shared/domain/clean.ts', () => "import { x } from './dates.ts';\nimport * as z from 'zod/mini';")).toEqual([]);
  });

  it('tells a module that makes problems', () => {
    expect(makesProblems('shared/auth/caller.ts', "import { notAllowed } from '../errors.ts';")).toBe(false);
    expect(makesProblems('shared/auth/caller.ts', "import { unauthorized } from '../http/problem.ts';")).toBe(true);
    expect(makesProblems('scripts/x.ts', "const type = 'urn:beian:problem:forbidden';")).toBe(true);
  });
});

describe('the layers', () => {
  it('use cases and domain rules reach no adapter, not even through a helper', () => {
    const files = INNER.flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((f) => adapterPaths(f, fromDisk))).toEqual([]);
  });

  it('shared/errors.ts imports nothing', () => {
    expect(importsOf(fromDisk('shared/errors.ts')!)).toEqual([]);
  });

  it('only the HTTP side makes HTTP problems', () => {
    const files = ['shared/', 'scripts/', 'infra/'].flatMap(filesUnder).filter((f) => !PROBLEM_MAKERS.some((allowed) => f.startsWith(allowed)));
    expect(files.filter((f) => makesProblems(f, fromDisk(f)!))).toEqual([]);
  });
});
