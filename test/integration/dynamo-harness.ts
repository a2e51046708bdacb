/**
 * DynamoDB Local for store-level integration tests: one in-memory instance per test file, the table from
 * the one definition, a document client made as the functions make it, and a recorder of every command
 * the client sends (to prove reads are Queries, never Scans).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { ensureTable, startDynamoLocal } from '../../infra/local/dynamodb.ts';
import { freePort, stopProcess } from '../../infra/local/processes.ts';
import { BeianStore } from '../../shared/store/beian-store.ts';
import { createDocumentClient } from '../../shared/store/dynamo.ts';

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

export interface DynamoHarness {
  readonly doc: DynamoDBDocumentClient;
  readonly store: BeianStore;
  readonly tableName: string;
  /** every command sent through the document client since the last reset */
  readonly sent: SentCommand[];
}

export function useDynamo(tableName = 'beian-it'): DynamoHarness {
  let child: ChildProcess | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  let store: BeianStore | undefined;
  const sent: SentCommand[] = [];

  beforeAll(async () => {
    // as infra/local/stack.ts does: DynamoDB Local accepts any credentials
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const port = await freePort();
    child = await startDynamoLocal(port);
    const endpoint = `http://127.0.0.1:${port}`;
    const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(admin, tableName);
    admin.destroy();
    doc = createDocumentClient({ endpoint });
    // record at the client's first middleware step: every command, whatever class sent it
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    store = new BeianStore(doc, tableName);
  });

  afterAll(async () => {
    doc?.destroy();
    await stopProcess(child);
  });

  return {
    get doc() {
      if (!doc) throw new Error('DynamoDB Local is not started');
      return doc;
    },
    get store() {
      if (!store) throw new Error('DynamoDB Local is not started');
      return store;
    },
    tableName,
    sent,
  };
}
