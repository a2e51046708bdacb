/**
 * CDK entry (cdk.json "app"): validated context -> Beian-<stage>-Stateful and Beian-<stage>-Stateless,
 * checked by cdk-nag's AWS Solutions rules. Every finding is fixed, or acknowledged with a reason next
 * to the construct it concerns.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { functions, queues } from '../functions/manifest.ts';
import { type BeianConfig, ConfigError, readConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface BeianApp {
  app: App;
  config: BeianConfig;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function buildApp(props: AppProps = {}, manifest = { functions, queues }): BeianApp {
  const app = new App(props);
  const config = readConfig((key) => app.node.tryGetContext(key));
  const prefix = `Beian-${config.stage}`;
  const tags = { project: 'beian', stage: config.stage };
  // A concrete environment, so the partition (aws or aws-cn) is a literal in the templates: account and
  // region from the context, else the CLI's (its credentials and profile). Without either (an offline
  // synth), the templates stay environment-agnostic, which only a global region can deploy.
  const account = config.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = config.region ?? process.env.CDK_DEFAULT_REGION;
  const env = account || region ? { ...(account && { account }), ...(region && { region }) } : undefined;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    description: `Beian ${config.stage}: table, queues, documents bucket, ${config.identity === 'cognito' ? 'user pool, ' : ''}${config.mailTransport === 'ses' ? 'mail identity, ' : ''}alarm topic (protected)`,
    terminationProtection: true,
    env,
    tags,
    config,
    queues: manifest.queues,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    description: `Beian ${config.stage}: functions, API, schedules, alarms (freely redeployable)`,
    env,
    tags,
    config,
    stateful: {
      table: stateful.table,
      cursorSecretName: stateful.cursorSecretName,
      identity: stateful.identity,
      mail: stateful.mail,
      queues: stateful.queues,
      streamDeadLetterQueue: stateful.streamDeadLetterQueue,
      alarmTopic: stateful.alarmTopic,
    },
    functions: manifest.functions,
  });
  // Named in a dynamic reference rather than referenced, so CDK cannot infer this ordering.
  stateless.addStackDependency(stateful, 'the cursor-signing key must exist before the functions that read it');

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stateful, stateless };
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isEntry) {
  try {
    buildApp().app.synth();
  } catch (e) {
    // a bad context key: its message says which and why; a stack trace would only bury it
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}
