/** The local stack in its own process for the benchmarks: prints {"apiUrl", ...} once it listens. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../infra/local/stack.ts';

const stack = await startLocalStack({ port: 0, dynamoPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'beian-bench-stack-')), persist: false });
console.log(JSON.stringify({ apiUrl: stack.apiUrl, dynamoEndpoint: stack.dynamoEndpoint, tableName: stack.tableName, stateDir: stack.stateDir }));
process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
