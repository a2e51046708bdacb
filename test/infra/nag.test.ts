/**
 * cdk-nag (AWS Solutions rules) over the whole app: no finding may be left unacknowledged, and every
 * acknowledgement must be one we meant, with a reason, for a finding that really occurs.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKeys } from '../../functions/api/route-keys.ts';
import { functions, queues, type FunctionSpec } from '../../functions/manifest.ts';
import { buildApp } from '../../infra/app.ts';
import { CDK_CONTEXT, CHINA_CONTEXT, synthBeian, type SynthesizedBeian } from './helpers.ts';

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Findings with every acknowledgement ignored: what the acknowledgements hide. */
function findingsIgnoringAcknowledgements(root: IConstruct): Array<{ rule: string; path: string }> {
  const pack = new AwsSolutionsChecks();
  Object.assign(pack, { isAcknowledged: () => false });
  return pack.validateScope(root).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
}

const publicRoutes = routeKeys.filter((r) => !r.authorized).length;

describe('cdk-nag AwsSolutions on the app as `cdk synth` builds it', () => {
  let beian: SynthesizedBeian;
  beforeAll(() => {
    // cfnValidation: CDK's own CloudFormation checks too, as the CLI runs them
    beian = synthBeian({ cfnValidation: true, context: { agencyClients: ['baodi-market'], alarmEmails: ['ops@beian.example.gov.cn'] } });
  });

  it('synthesizes with no violation report from any validation plugin', () => {
    const report = JSON.parse(readFileSync(path.join(beian.assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });

  it('finds no unacknowledged error or warning', () => {
    expect(new AwsSolutionsChecks().validateScope(beian.app).violations).toEqual([]);
  });

  it('acknowledges only the expected rules, each with a specific reason', () => {
    const acks = acknowledgements(beian.app);
    const counts: Record<string, number> = {};
    for (const ack of acks) counts[ack.id] = (counts[ack.id] ?? 0) + 1;
    expect(counts).toEqual({
      'AwsSolutions-SMG4': 1, // cursor key rotated by hand
      'AwsSolutions-COG8': 1, // Essentials plan, not Plus
      'AwsSolutions-IAM5[Resource::*]': functions.length, // X-Ray, per function role
      'AwsSolutions-L1': functions.length, // nodejs22.x pinned
      'AwsSolutions-APIG4': publicRoutes, // public routes
      'AwsSolutions-SQS3': 1, // the stream dead-letter queue is itself a DLQ
      // CDK's bucket-notification custom resource (the documents bucket's events to the documents queue)
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': 1,
      // the documents prefix: the API (presigns PUT and GET) and the verifier (reads)
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::beian-dev-docs-<AWS::AccountId>-<AWS::Region>/documents/*]': functions.filter((f) => f.needs.documents).length,
    });
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
  });

  it('has no stale acknowledgement: each hides a finding that occurs at or under its construct', () => {
    const findings = findingsIgnoringAcknowledgements(beian.app);
    for (const ack of acknowledgements(beian.app)) {
      const hidden = findings.filter((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(hidden.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(0);
    }
  });
});

describe('cdk-nag AwsSolutions on the AWS China deployment (issue 10: external OIDC issuer, SMTP, no X-Ray)', () => {
  let china: SynthesizedBeian;
  beforeAll(() => {
    china = synthBeian({ cfnValidation: true, context: { ...CHINA_CONTEXT, alarmEmails: ['ops@beian.example.gov.cn'] } });
  });

  it('finds no unacknowledged error or warning, and no plugin reports anything', () => {
    const report = JSON.parse(readFileSync(path.join(china.assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(china.app).violations).toEqual([]);
  });

  it('acknowledges no user pool, no X-Ray wildcard, and nothing of the SMTP secret grant (one secret, its ARN suffix ?????? is no wildcard finding)', () => {
    const counts: Record<string, number> = {};
    for (const ack of acknowledgements(china.app)) counts[ack.id] = (counts[ack.id] ?? 0) + 1;
    expect(counts['AwsSolutions-COG8']).toBeUndefined();
    expect(counts['AwsSolutions-IAM5[Resource::*]']).toBeUndefined();
    expect(Object.keys(counts).filter((id) => id.includes('secretsmanager'))).toEqual([]);
  });

  it('has no stale acknowledgement', () => {
    const findings = findingsIgnoringAcknowledgements(china.app);
    for (const ack of acknowledgements(china.app)) {
      const hidden = findings.filter((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(hidden.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(0);
    }
  });
});

describe('cdk-nag AwsSolutions with queue and schedule triggers', () => {
  it('finds nothing unacknowledged in queues, mappings, schedules, mail and queue grants', () => {
    const base = { entry: 'functions/api/handler.ts', description: 'test function', timeoutSeconds: 30, memoryMb: 512 };
    const extra: FunctionSpec[] = [
      { ...base, name: 'test-consumer', trigger: { kind: 'queue', queue: 'filings', batchSize: 10, maxBatchingWindowSeconds: 0 }, needs: { table: 'readWrite', mail: true } },
      { ...base, name: 'test-daily', trigger: { kind: 'schedule', everyMinutes: 24 * 60 }, needs: { table: 'read', sendTo: ['filings'] } },
    ];
    const beian = synthBeian({ manifest: { functions: [...functions, ...extra], queues } });
    expect(new AwsSolutionsChecks().validateScope(beian.app).violations).toEqual([]);
  });
});

describe('cdk-nag is wired into the app', () => {
  it('stops synthesis on a non-compliant resource', () => {
    const context = { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] };
    const clean = buildApp({ context, builtinCloudFormationValidation: false }, { functions: [], queues: [] });
    expect(() => clean.app.synth()).not.toThrow();

    const tainted = buildApp({ context, builtinCloudFormationValidation: false }, { functions: [], queues: [] });
    new Queue(tainted.stateless, 'PlainQueue', { encryption: QueueEncryption.UNENCRYPTED });
    expect(() => tainted.app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
