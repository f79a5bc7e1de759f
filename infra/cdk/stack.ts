import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  Annotations,
  AssetHashType,
  CfnOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { planHub } from '../../shared/config/plan.ts';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';
import {
  fiksIoSecretVariables,
  functionEnvironment,
  type HubEnvironment,
  queueInGroup,
  secretVariablesFor,
} from '../../shared/runtime/env.ts';
import { needsOf } from '../../shared/runtime/functions.ts';
import { HubApi } from './api.ts';
import { ConsoleHosting } from './console-hosting.ts';
import type { Deployment } from './deployments.ts';
import {
  documentActions,
  FUNCTIONS,
  type FunctionName,
  SCHEDULES,
  type ScheduledFunctionName,
  SkjemaflytFunction,
} from './functions.ts';
import { Monitoring } from './monitoring.ts';
import { acknowledgeConsoleFindings, acknowledgeFindings } from './nag.ts';
import { TargetQueues } from './queues.ts';
import { awsDeadLetterQueueName, awsQueueName, deliveryFunctionTimeouts, LAMBDA_DATA_DIR } from './settings.ts';
import { redirectUriOf, staffSignInEnvironment } from './sign-in.ts';
import { DOCUMENTS_PREFIX, Storage } from './storage.ts';

/** Where the configuration layer puts the deployment's file (layers are extracted under /opt). */
const CONFIG_DIR_IN_LAYER = 'skjemaflyt/config';
const DEAD_LETTER_BATCH_SIZE = 10;

export interface SkjemaflytStackProps extends StackProps {
  deployment: Deployment;
}

/** The stack's name: one per configuration file, named after its deployment (`skjemaflyt-halden`). */
export function stackNameFor(deployment: string): string {
  return `skjemaflyt-${deployment}`;
}

/**
 * One deployment (a municipality, or a cooperation such as a samkommune) on AWS, from its configuration file:
 * HTTP API → receive → one queue per target (with its dead-letter queue) → delivery functions → DynamoDB and S3,
 * all under the stack's own KMS key, with alarms and a dashboard.
 */
export class SkjemaflytStack extends Stack {
  readonly storage: Storage;
  readonly key: kms.Key;
  readonly queues: TargetQueues[];
  readonly functions = new Map<FunctionName, SkjemaflytFunction>();
  readonly api: HubApi;
  readonly monitoring: Monitoring;
  readonly console: ConsoleHosting;
  readonly deployment: Deployment;
  /** Secrets the Fiks IO functions read at run time (skjemaflyt/<deployment>/<ENV>) */
  private readonly fiksIoSecretNames: string[];
  private readonly deploymentName: string;
  private readonly deploymentConfig: Deployment['config'];

  constructor(scope: Construct, id: string, props: SkjemaflytStackProps) {
    super(scope, id, props);
    const { config, aws } = props.deployment;
    this.deployment = props.deployment;
    const name = config.deployment;
    this.deploymentName = name;
    this.deploymentConfig = config;
    this.fiksIoSecretNames = fiksIoSecretVariables([config]);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/skjemaflyt/${name}`,
      description: `Skjemaflyt ${name}: table, documents, queues, alarm topic and function settings`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.storage = new Storage(this, 'Storage', { key: this.key, documents: aws.documents });

    // Queues and routes from the plan the local runner uses too; table and bucket are named by CloudFormation.
    const plan = planHub({ deployments: [config] }, { tableName: 'unused', bucketName: 'unused' });
    const deadLetterTimeout = Duration.seconds(FUNCTIONS['dead-letter'].timeoutSeconds ?? 10);
    // Named after the stack, so two deployment folders in one account never share a queue (awsQueueName).
    this.queues = plan.queues.map(
      (queue) =>
        new TargetQueues(this, `Target-${queue.targetId}`, {
          plan: {
            ...queue,
            queueName: awsQueueName(name, queue.targetId),
            deadLetterQueueName: awsDeadLetterQueueName(name, queue.targetId),
          },
          key: this.key,
          deadLetterTimeout,
        }),
    );
    // What the functions get from this stack; each takes what it declared (FUNCTION_NEEDS) and no more.
    const resources: HubEnvironment = {
      tableName: this.storage.table.tableName,
      idempotencyTableName: this.storage.idempotencyTable.tableName,
      bucketName: this.storage.documents.bucketName,
      queueUrls: Object.fromEntries(this.queues.map((q) => [q.plan.targetId, q.queue.queueUrl])),
      configPath: `/opt/${CONFIG_DIR_IN_LAYER}/${props.deployment.file}`,
      dataDir: LAMBDA_DATA_DIR,
      configVariables: props.deployment.variables,
      jwt: aws.auth,
      deployments: [config],
      // Every secret is read at run time (shared/secrets): never a value, nor a deploy-time reference, in the
      // environment. A rotation reaches the functions within minutes without a deploy.
      secretsPrefix: `skjemaflyt/${name}/`,
      // The console's sign-in with the staff's identity provider (infra/cdk/sign-in.ts).
      staffSignIn: staffSignInEnvironment(config),
    };

    // The function code is the same in every stack; the deployment's configuration comes in its own layer.
    const configLayer = new lambda.LayerVersion(this, 'Configuration', {
      code: configurationCode(
        props.deployment.path,
        config.formTypes.map((f) => f.id),
      ),
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      description: `Skjemaflyt configuration ${props.deployment.file}`,
    });

    const timeouts = deliveryFunctionTimeouts(config);
    const names = new Set<FunctionName>([
      ...plan.routes.map((r) => r.handler),
      ...plan.queues.map((q) => q.handler),
      'dead-letter',
      ...(Object.keys(SCHEDULES) as ScheduledFunctionName[]),
    ]);
    // The Fiks IO receiver only where an archive answers over Fiks IO.
    const fiksIo = this.fiksIoSecretNames.length > 0;
    if (!fiksIo) names.delete('fiks-io-receiver');
    for (const fnName of names) {
      const spec = FUNCTIONS[fnName];
      const timeout = spec.timeoutSeconds ?? timeouts.get(fnName as 'deliver-archive' | 'deliver-fagsystem');
      if (!timeout) throw new Error(`No timeout for function ${fnName}`);
      const fn = new SkjemaflytFunction(this, fnName, {
        name: fnName,
        timeout: Duration.seconds(timeout),
        layers: needsOf(fnName).config ? [configLayer] : [],
        logRetentionDays: aws.logRetentionDays,
        tracing: aws.tracing,
        environmentKey: this.key,
        environment: {
          SKJEMAFLYT_DEPLOYMENT: name,
          ...functionEnvironment(fnName, resources),
          POWERTOOLS_SERVICE_NAME: fnName,
          POWERTOOLS_LOG_LEVEL: aws.logLevel,
          POWERTOOLS_METRICS_NAMESPACE: 'Skjemaflyt',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
      this.grant(fn);
      this.functions.set(fnName, fn);
    }

    for (const { plan: queuePlan, queue, deadLetterQueue } of this.queues) {
      const { batchSize, maxConcurrency } = queuePlan.settings;
      this.fn(queuePlan.handler).addEventSource(
        new SqsEventSource(queue, { batchSize, maxConcurrency, reportBatchItemFailures: true }),
      );
      this.fn('dead-letter').addEventSource(
        new SqsEventSource(deadLetterQueue, {
          batchSize: DEAD_LETTER_BATCH_SIZE,
          maxConcurrency: 2,
          reportBatchItemFailures: true,
        }),
      );
    }

    for (const [fnName, schedule] of Object.entries(SCHEDULES) as [ScheduledFunctionName, string][]) {
      if (!this.functions.has(fnName)) continue;
      new events.Rule(this, `Schedule-${fnName}`, {
        description: FUNCTIONS[fnName].description,
        schedule: events.Schedule.expression(schedule),
        targets: [new eventTargets.LambdaFunction(this.fn(fnName))],
      });
    }

    const lambdas = new Map([...this.functions].map(([fnName, f]) => [fnName, f.fn as lambda.IFunction]));
    this.api = new HubApi(this, 'Http', { deployment: name, routes: plan.routes, functions: lambdas, aws });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      deployment: name,
      key: this.key,
      aws,
      api: this.api.api,
      queues: this.queues,
      functions: lambdas,
      ...(fiksIo ? { receiptOverdueLogs: this.functions.get('deliver-archive')?.logGroup } : {}),
    });

    // Only a stack marked "demo": true gets this far with file-drop targets (checkForAws refuses them otherwise).
    if (config.targets.some((t) => t.transport.type === 'file-drop')) {
      Annotations.of(this).addWarningV2(
        'skjemaflyt:demo-file-drop',
        `${props.deployment.file} is a demo stack with file-drop targets: on Lambda they write to ${LAMBDA_DATA_DIR}, ` +
          'which does not outlive the function instance. Use HTTP or Fiks IO targets for real deliveries.',
      );
    }
    // The console, and the API on the same origin (/v1/*, /auth/*): no CORS, a first-party cookie for the sign-in.
    this.console = new ConsoleHosting(this, 'Console', {
      deployment: name,
      api: this.api.api,
      console: aws.console,
      accessLogs: this.storage.accessLogs,
    });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The archive staff console' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Alarms go here' });
    new CfnOutput(this, 'Dashboard', { value: this.monitoring.dashboard.dashboardName });
    // What to register in the staff's identity provider (Entra ID: the app registration's Web redirect URIs).
    new CfnOutput(this, 'StaffRedirectUri', {
      value: redirectUriOf(resources.staffSignIn.consoleUrl),
      description: "The console's sign-in redirect URI; the console URL itself is the post-logout redirect URI",
    });
    acknowledgeFindings(this);
    acknowledgeConsoleFindings(this);
  }

  private fn(name: FunctionName): lambda.Function {
    const found = this.functions.get(name);
    if (!found) throw new Error(`No function ${name}`);
    return found.fn;
  }

  /** What the function declared it needs (FUNCTION_NEEDS), and nothing more. */
  private grant(fn: SkjemaflytFunction): void {
    const needs = needsOf(fn.name);
    const { table, idempotencyTable, documents } = this.storage;
    // Lambda decrypts the environment (encrypted with the stack's key) with the function's own role.
    this.key.grantDecrypt(fn.role);
    if (needs.table === 'read') table.grantReadData(fn.role);
    else if (needs.table === 'readWrite') table.grantReadWriteData(fn.role);
    if (needs.idempotencyTable) idempotencyTable.grantReadWriteData(fn.role);
    if (needs.documents) {
      const actions = documentActions(needs.documents);
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions, resources: [documents.arnForObjects(`${DOCUMENTS_PREFIX}*`)] }),
      );
      // SSE-KMS: a single-part upload needs a data key, a download its decryption.
      this.key.grant(
        fn.role,
        ...(actions.includes('s3:PutObject') ? ['kms:GenerateDataKey'] : []),
        ...(actions.includes('s3:GetObject') ? ['kms:Decrypt'] : []),
      );
    }
    for (const group of needs.sendsTo ?? []) {
      for (const { plan, queue } of this.queues) {
        if (queueInGroup(plan.targetId, group)) queue.grantSendMessages(fn.role);
      }
    }
    // Its secrets (targets' tokens, webhook secrets; Fiks IO's certificates, keys and password), read at run time
    // under SKJEMAFLYT_SECRETS_PREFIX: each function only its own.
    const secretNames = new Set([
      ...secretVariablesFor(fn.name, [this.deploymentConfig]),
      ...(needs.fiksIoSecrets ? this.fiksIoSecretNames : []),
    ]);
    for (const env of secretNames) this.secret(this.deploymentName, env).grantRead(fn.role);
    if (needs.deletesDocuments) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [documents.bucketArn] }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: [documents.arnForObjects(`${DOCUMENTS_PREFIX}*`)],
        }),
      );
    }
  }

  /** The operator's secret `skjemaflyt/<deployment>/<ENV>` (created before deploying). */
  private secret(deployment: string, env: string): secrets.ISecret {
    const id = `Secret-${env}`;
    return (
      (this.node.tryFindChild(id) as secrets.ISecret | undefined) ??
      secrets.Secret.fromSecretNameV2(this, id, `skjemaflyt/${deployment}/${env}`)
    );
  }
}

/**
 * The deployment's configuration file as a layer (`/opt/skjemaflyt/config/<file>`), hashed by its content so a
 * change to another deployment's file does not touch this stack.
 */
function configurationCode(file: string, formTypeIds: string[]): lambda.Code {
  // The deployment file and the mapping definitions of its form types (form-types/<id>.json beside it).
  const definitions = [...new Set(formTypeIds)].sort().map((id) => join(dirname(file), DEFINITIONS_DIR, `${id}.json`));
  const hash = createHash('sha256').update(readFileSync(file));
  for (const definition of definitions) hash.update(readFileSync(definition));
  return lambda.Code.fromAsset(dirname(file), {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: hash.digest('hex'),
    bundling: {
      // Never pulled: the local step below always succeeds.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string) {
          const target = join(outputDir, CONFIG_DIR_IN_LAYER);
          mkdirSync(target, { recursive: true });
          copyFileSync(file, join(target, basename(file)));
          mkdirSync(join(target, DEFINITIONS_DIR), { recursive: true });
          for (const definition of definitions) {
            copyFileSync(definition, join(target, DEFINITIONS_DIR, basename(definition)));
          }
          return true;
        },
      },
    },
  });
}
