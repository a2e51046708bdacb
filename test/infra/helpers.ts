/** Builds the CDK app the way `cdk synth` does, for template assertions. */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { functions, queues, type FunctionSpec, type QueueSpec } from '../../functions/manifest.ts';
import { type BeianApp, buildApp } from '../../infra/app.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The context `cdk synth` passes to the app. `new App()` does not read cdk.json, so tests pass it. */
export const CDK_CONTEXT: Readonly<Record<string, unknown>> = cdkJson.context;

/** The context of issue 10's example: `npx cdk synth -c account=123456789012 -c region=cn-north-1 -c oidcIssuer=... ...` */
export const CHINA_CONTEXT = {
  account: '123456789012',
  region: 'cn-north-1',
  oidcIssuer: 'https://idp.example.cn/realms/beian',
  oidcAudience: 'beian',
  smtpHost: 'smtpdm.aliyun.com',
  smtpPort: '465',
  smtpSecretName: 'beian/smtp',
} as const;

export interface SynthOptions {
  /** context on top of cdk.json's, like `-c key=value` */
  context?: Record<string, unknown>;
  /** run esbuild for every function (about 1 s each); off by default */
  bundle?: boolean;
  /** CDK's built-in CloudFormation template validation, which `cdk synth` runs (about 10 s the first time) */
  cfnValidation?: boolean;
  /** another function manifest than functions/manifest.ts */
  manifest?: { functions: readonly FunctionSpec[]; queues: readonly QueueSpec[] };
}

export interface SynthesizedBeian extends BeianApp {
  assembly: CloudAssembly;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/** Builds and synthesizes the app; synthesis runs cdk-nag and throws on any unacknowledged finding. */
export function synthBeian(options: SynthOptions = {}): SynthesizedBeian {
  const context = {
    ...CDK_CONTEXT,
    ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    ...options.context,
  };
  const beian = buildApp(
    { context, builtinCloudFormationValidation: options.cfnValidation ?? false },
    options.manifest ?? { functions, queues },
  );
  // One synthesis, kept on disk (under TMPDIR, removed after the run): Template.fromStack would
  // synthesize again and delete the output folder the app keeps writing to.
  const assembly = beian.app.synth();
  return {
    ...beian,
    assembly,
    statefulTemplate: Template.fromJSON(assembly.getStackByName(beian.stateful.stackName).template),
    statelessTemplate: Template.fromJSON(assembly.getStackByName(beian.stateless.stackName).template),
  };
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** [logicalId, resource] of every resource of a type. */
export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

/** The one resource of a type; fails if there is not exactly one. */
export function onlyResource(template: Template, type: string): [string, CfnResource] {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}

/** Every IAM statement attached to a role (by logical id) in a template. */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<Record<string, any>> {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap(([, policy]) => policy.Properties?.PolicyDocument.Statement as Array<Record<string, any>>);
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
