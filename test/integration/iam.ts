/**
 * What a function's DynamoDB calls need in IAM terms, from the commands a test recorded, checked against
 * what the CDK app grants it (functions/manifest.ts needs -> infra/table-actions.ts). An action the code
 * uses but the manifest does not grant would be an AccessDenied in AWS and nothing here otherwise.
 */
import { expect } from 'vitest';
import { functions } from '../../functions/manifest.ts';
import { TABLE_ACTIONS, TABLE_KEY_PREFIXES, leadingKeyAllowed, leadingKeysOf } from '../../infra/table-actions.ts';
import type { SentCommand } from './dynamo-harness.ts';

const SIMPLE: Record<string, string> = {
  Get: 'GetItem',
  Query: 'Query',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
  Scan: 'Scan',
};

export function iamActions(sent: readonly SentCommand[]): Set<string> {
  const actions = new Set<string>();
  for (const { name, input } of sent) {
    const base = name.replace(/Command$/, '').replace(/Items?$/, '');
    if (base === 'TransactWrite') {
      for (const item of (input.TransactItems as Record<string, unknown>[]) ?? []) {
        for (const kind of Object.keys(item)) actions.add(`dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : SIMPLE[kind]}`);
      }
    } else {
      actions.add(`dynamodb:${SIMPLE[base] ?? base}`);
    }
  }
  return actions;
}

export function expectGranted(functionName: string, sent: readonly SentCommand[]) {
  const spec = functions.find((f) => f.name === functionName);
  if (!spec) throw new Error(`no function ${functionName} in the manifest`);
  const granted = spec.needs.table ? TABLE_ACTIONS[spec.needs.table] : [];
  const used = [...iamActions(sent)];
  expect(used.length, 'the test recorded no DynamoDB call').toBeGreaterThan(0);
  expect(used.filter((a) => !granted.includes(a)), `${functionName} calls DynamoDB beyond its manifest grant`).toEqual([]);
  // and only on the partition keys its dynamodb:LeadingKeys condition allows (DynamoDB Local checks no IAM)
  const patterns = TABLE_KEY_PREFIXES[functionName]!;
  const touched = [...new Set(sent.flatMap(({ name, input }) => leadingKeysOf(name, input)))];
  expect(touched.filter((k) => !leadingKeyAllowed(patterns, k)), `${functionName} touches partition keys outside its LeadingKeys grant`).toEqual([]);
}
