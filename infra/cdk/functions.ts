import { resolve } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionName, ScheduledFunctionName } from '../../shared/runtime/functions.ts';

export type { FunctionName, ScheduledFunctionName };

/**
 * How each function runs on Lambda. What it may touch, and so its environment and its grants, is declared in
 * FUNCTION_NEEDS (shared/runtime/functions.ts), which the handlers read too.
 */
export interface FunctionSpec {
  description: string;
  memoryMb: number;
  /** HTTP functions; a delivery function's timeout follows its queues' visibility timeout */
  timeoutSeconds?: number;
  /** Validates arkivmelding against the Fiks Arkiv XSDs: ships them and xmllint-wasm (a worker + wasm file) */
  archiveSchemas?: boolean;
}

/** API Gateway waits at most 30 s for an integration. */
const HTTP_TIMEOUT_SECONDS = 29;

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  receive: {
    description: 'POST /v1/submissions: validate, authorise, store the original, queue the deliveries',
    memoryMb: 1024,
    timeoutSeconds: HTTP_TIMEOUT_SECONDS,
  },
  'get-submission': {
    description: 'GET /v1/submissions/{trackingId}: the status of a submission',
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  'form-types': {
    description: "GET /v1/form-types: the provider's form types, their data contracts (XSD / JSON Schema) and examples",
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  admin: {
    description: 'The admin API: list, inspect, retry and resolve deliveries',
    memoryMb: 512,
    timeoutSeconds: HTTP_TIMEOUT_SECONDS,
  },
  'console-session': {
    description: "The console's sign-in (backend-for-frontend): OpenID Connect with the staff's identity provider",
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  'deliver-archive': {
    description: 'Archive targets: arkivmelding to the archive, receipt recorded',
    memoryMb: 1024,
    archiveSchemas: true,
  },
  'deliver-fagsystem': {
    description: 'Specialist-system targets: payload to the system, receipt recorded',
    memoryMb: 512,
  },
  'dead-letter': {
    description: 'Every dead-letter queue: the delivery becomes FAILED for a person to act on',
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  notify: {
    description: "Status notifications: a signed POST to the provider's webhook",
    memoryMb: 256,
    // The notifications queue's visibility timeout (30 s) is six times this.
    timeoutSeconds: 5,
  },
  requeue: {
    description: 'Every few minutes: queue what a crash between storing and queueing left behind',
    memoryMb: 256,
    timeoutSeconds: 60,
  },
  'fiks-io-receiver': {
    description: "Every minute: the archive's Fiks IO replies (mottatt, kvittering, feil) move the deliveries",
    memoryMb: 512,
    // Drains until 15 s before the timeout: a minute of reading per run, runs a minute apart.
    timeoutSeconds: 75,
  },
  retention: {
    description: 'Daily: delete originals and documents whose retention has passed',
    memoryMb: 512,
    timeoutSeconds: 300,
  },
};

/** When the scheduled functions run. */
export const SCHEDULES: Record<ScheduledFunctionName, string> = {
  requeue: 'rate(5 minutes)',
  retention: 'cron(15 2 * * ? *)',
  'fiks-io-receiver': 'rate(1 minute)',
};

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Relative to the project root, where CDK runs esbuild. */
const LAMBDA_CREDENTIALS = './shared/aws/lambda-credentials.ts';

/**
 * The bundling of one function, the same in every stack: that is what lets CDK's asset cache bundle each
 * function once per synth, however many municipality stacks there are (tenant values go in the environment,
 * never in `define`). The bundle is placed where its source sits (functions/<name>/index.mjs) so module-relative
 * paths in shared code, like the XSD folder, resolve on Lambda as they do in the repository.
 */
export function bundlingFor(name: FunctionName): BundlingOptions {
  const spec = FUNCTIONS[name];
  return {
    format: OutputFormat.ESM,
    target: 'node24',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    bundleAwsSDK: true,
    // Lambda hands the function its credentials in the environment: the SDK's default credential chain (SSO,
    // STS, ini files, IMDS …) is dead weight there, so the bundle gets the environment provider alone (see
    // shared/aws/lambda-credentials.ts). esbuild resolves the path from its working directory, the project root.
    esbuildArgs: { '--alias': [`@aws-sdk/credential-provider-node=${LAMBDA_CREDENTIALS}`] },
    // Starts a worker from its own folder and loads a .wasm file beside it: shipped as is, not bundled.
    externalModules: ['xmllint-wasm'],
    // CommonJS dependencies that call require() for Node built-ins need a real require inside an ES module.
    banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    logLevel: LogLevel.WARNING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => [
        `mkdir -p "${outputDir}/functions/${name}"`,
        `mv "${outputDir}/index.mjs" "${outputDir}/index.mjs.map" "${outputDir}/functions/${name}/"`,
        ...(spec.archiveSchemas
          ? [
              `mkdir -p "${outputDir}/schemas/fiks-arkiv-v1" "${outputDir}/schemas/eformidling" "${outputDir}/node_modules"`,
              `cp "${inputDir}"/schemas/fiks-arkiv-v1/*.xsd "${inputDir}/schemas/fiks-arkiv-v1/LICENSE" "${outputDir}/schemas/fiks-arkiv-v1/"`,
              `cp "${inputDir}"/schemas/eformidling/*.xsd "${outputDir}/schemas/eformidling/"`,
              `cp -RL "${inputDir}/node_modules/xmllint-wasm" "${outputDir}/node_modules/"`,
              // The rendered form (shared/documents/form-pdf.ts): pdfkit reads its sRGB profile beside the bundle
              // (import.meta.url), the fonts come from dejavu-fonts-ttf (resolved from node_modules).
              `mkdir -p "${outputDir}/functions/${name}/data" "${outputDir}/node_modules/dejavu-fonts-ttf/ttf"`,
              `cp "${inputDir}/node_modules/pdfkit/js/data/sRGB_IEC61966_2_1.icc" "${outputDir}/functions/${name}/data/"`,
              `cp "${inputDir}/node_modules/dejavu-fonts-ttf/package.json" "${inputDir}/node_modules/dejavu-fonts-ttf/LICENSE" "${outputDir}/node_modules/dejavu-fonts-ttf/"`,
              `cp "${inputDir}/node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf" "${inputDir}/node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf" "${outputDir}/node_modules/dejavu-fonts-ttf/ttf/"`,
            ]
          : []),
      ],
    },
  };
}

export interface SkjemaflytFunctionProps {
  name: FunctionName;
  timeout: Duration;
  environment: Record<string, string>;
  layers: lambda.ILayerVersion[];
  logRetentionDays: number;
  /** X-Ray active tracing (aws.tracing, default on) */
  tracing: boolean;
  environmentKey: lambda.FunctionProps['environmentEncryption'];
}

/**
 * One of the hub's functions: Node.js 24 on ARM, its own log group, and its own role that may write to that log
 * group and nothing else until the stack grants what the function declared it needs (FUNCTION_NEEDS).
 */
export class SkjemaflytFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly name: FunctionName;
  readonly spec: FunctionSpec;
  readonly logGroup: logs.LogGroup;
  readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: SkjemaflytFunctionProps) {
    super(scope, id);
    this.name = props.name;
    this.spec = FUNCTIONS[props.name];
    this.tracing = props.tracing;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.logGroup = logGroup;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Skjemaflyt ${props.name}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: resolve(REPO_ROOT, 'functions', props.name, 'handler.ts'),
      projectRoot: REPO_ROOT,
      depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
      handler: `functions/${props.name}/index.handler`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: this.spec.memoryMb,
      timeout: props.timeout,
      description: this.spec.description,
      role: this.role,
      logGroup,
      layers: props.layers,
      environment: props.environment,
      environmentEncryption: props.environmentKey,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: bundlingFor(props.name),
    });
  }
}

/** The S3 actions a function's document access stands for. */
export function documentActions(access: 'put' | 'get' | 'get-put'): string[] {
  return access === 'get-put' ? ['s3:GetObject', 's3:PutObject'] : [access === 'put' ? 's3:PutObject' : 's3:GetObject'];
}
