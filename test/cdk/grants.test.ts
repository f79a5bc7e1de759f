import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/build.ts';
import { type Deployment, loadDeployments } from '../../infra/cdk/deployments.ts';
import type { SkjemaflytStack } from '../../infra/cdk/stack.ts';
import { authSettingsFromEnv } from '../../shared/auth/settings.ts';
import { deliveryHandlerFor, NOTIFICATIONS } from '../../shared/config/plan.ts';
import { readHubConfig, variablesIn } from '../../shared/config/read.ts';
import { fiksIoSecretVariables, readFunctionEnv, secretVariablesFor } from '../../shared/runtime/env.ts';
import { FUNCTION_NAMES, type FunctionName, needsOf, type QueueGroup } from '../../shared/runtime/functions.ts';
import { FIKS_IO_CONFIG_PATH } from '../support/fiks-io-config.ts';
import { configFolder, demoConfig, setFiksIoVariables } from './support.ts';

/**
 * Every synthesized function against what its handler reads at cold start (FUNCTION_NEEDS through
 * readFunctionEnv): its environment in the template carries each declared need, and its role's policy allows
 * what that need stands for. The expectations are written here from the declaration, not from the stack's own
 * grant code, so a stack that forgets a grant or a variable fails (as the dead-letter function once lacked the
 * notifications queue, and the provider's webhook never heard of a FAILED delivery on AWS).
 */

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

interface SynthFunction {
  name: FunctionName;
  logicalId: string;
  variables: Record<string, unknown>;
  layers: unknown[] | undefined;
  statements: Statement[];
}

interface Synth {
  deployment: Deployment;
  stack: SkjemaflytStack;
  template: Template;
  functions: Map<FunctionName, SynthFunction>;
  id: (construct: Construct) => string;
  /** Logical id of each queue by its key in the queue URLs (target id, or `notifications`) */
  queues: Map<string, string>;
  /** Queue logical ids that feed each function (event source mappings) */
  feeds: Map<string, string[]>;
}

function synthesize(deployment: Deployment, stack: SkjemaflytStack): Synth {
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const id = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');
  const functions = new Map<FunctionName, SynthFunction>();
  for (const [logicalId, r] of Object.entries(resources)) {
    // The hub's own functions (CDK's BucketDeployment function for the console's files is not one).
    if (r.Type !== 'AWS::Lambda::Function' || !r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME) continue;
    const variables = r.Properties.Environment.Variables;
    const role = r.Properties.Role['Fn::GetAtt'][0];
    functions.set(variables.POWERTOOLS_SERVICE_NAME, {
      name: variables.POWERTOOLS_SERVICE_NAME,
      logicalId,
      variables,
      layers: r.Properties.Layers,
      statements: policies
        .filter((p) => p.Properties.Roles.some((ref: any) => ref.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement),
    });
  }
  const feeds = new Map<string, string[]>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const fn = r.Properties.FunctionName.Ref;
    feeds.set(fn, [...(feeds.get(fn) ?? []), r.Properties.EventSourceArn['Fn::GetAtt'][0]]);
  }
  const queues = new Map(stack.queues.map((q) => [q.plan.targetId, id(q.queue)]));
  return { deployment, stack, template, functions, id, queues, feeds };
}

/** A template value as the function would see it, with each reference written `{LogicalId}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return `{${v.Ref}}`;
  if (v['Fn::GetAtt']) return `{${v['Fn::GetAtt'].join('.')}}`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

function environmentOf(fn: SynthFunction): Record<string, string> {
  return Object.fromEntries(Object.entries(fn.variables).map(([k, v]) => [k, render(v)]));
}

/** Whether the role may do `action` on a resource that names `logicalId` (and ends with `suffix`, if given). */
function allows(fn: SynthFunction, action: string, logicalId: string, suffix = ''): boolean {
  return fn.statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      [s.Action].flat().some((a) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))) &&
      [s.Resource].flat().some((r) => {
        const text = JSON.stringify(r);
        return text.includes(`"${logicalId}"`) && (!suffix || render(r).endsWith(suffix));
      }),
  );
}

const inGroup = (key: string, group: QueueGroup) => (group === 'notifications') === (key === NOTIFICATIONS);

/** The deployment's Fiks IO secrets (none without a Fiks IO archive). */
const fiksIoSecretsOf = (synth: Synth) => fiksIoSecretVariables([synth.deployment.config]);

/** The function, or undefined for the Fiks IO receiver of a stack without a Fiks IO archive (it has none). */
function functionIn(synth: Synth, name: FunctionName): SynthFunction | undefined {
  const fn = synth.functions.get(name);
  if (name === 'fiks-io-receiver' && fiksIoSecretsOf(synth).length === 0) {
    expect(fn).toBeUndefined();
    return undefined;
  }
  if (!fn) throw new Error(`no function ${name} in the stack`);
  return fn;
}

/** The Secrets Manager secrets the role may read (their names, `skjemaflyt/<deployment>/<ENV>`). */
function readableSecrets(fn: SynthFunction): string[] {
  return fn.statements
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => [s.Resource].flat().map(render))
    .flatMap((arn) => [/:secret:(.*)-\?{6}$/.exec(arn)?.[1] ?? arn]);
}

/** The assertions for one stack: each function against its declared needs. */
function checkStack(get: () => Synth) {
  it.each(FUNCTION_NAMES)('%s: its handler finds every variable it needs at cold start', (name) => {
    const synth = get();
    const fn = functionIn(synth, name);
    if (!fn) return;
    const env = readFunctionEnv(name, environmentOf(fn)) as Record<string, any>;
    const needs = needsOf(name);
    const { storage } = synth.stack;
    if (needs.table === 'none') expect(fn.variables.SKJEMAFLYT_TABLE).toBeUndefined();
    else expect(env.tableName).toBe(`{${synth.id(storage.table)}}`);
    if (needs.idempotencyTable) expect(env.idempotencyTableName).toBe(`{${synth.id(storage.idempotencyTable)}}`);
    if (needs.documents || needs.deletesDocuments) expect(env.bucketName).toBe(`{${synth.id(storage.documents)}}`);

    // Queue URLs: exactly those of the queues it sends to or backs off on.
    const groups = [...(needs.sendsTo ?? []), ...(needs.backsOffOn ? [needs.backsOffOn] : [])];
    const expected = [...synth.queues].filter(([key]) => groups.some((g) => inGroup(key, g)));
    if (groups.length > 0) {
      expect(env.queueUrls).toEqual(Object.fromEntries(expected.map(([key, queue]) => [key, `{${queue}}`])));
    } else {
      expect(fn.variables.SKJEMAFLYT_QUEUE_URLS).toBeUndefined();
    }

    if (needs.config) {
      expect(fn.layers).toHaveLength(1);
      expect(env.config.path).toBe(`/opt/skjemaflyt/config/${synth.deployment.file}`);
      for (const variable of variablesIn(synth.deployment.config).filter((v) => v !== 'SKJEMAFLYT_DATA_DIR')) {
        expect([variable, env.config.variable(variable)]).toEqual([variable, expect.any(String)]);
      }
    }
    if (needs.jwt) {
      const issuer = synth.deployment.aws.auth[needs.jwt];
      // Only the issuer of the callers its routes accept: Maskinporten for providers, the staff's IdP for admins.
      expect(authSettingsFromEnv(env.jwt)).toEqual({
        [needs.jwt === 'provider' ? 'providers' : 'admins']: expect.objectContaining({
          keys: { jwksUrl: issuer.jwksUrl },
          issuer: issuer.issuer,
          audience: issuer.audience,
        }),
      });
    }
    const { config } = synth.deployment;
    const secrets =
      needs.secrets === 'targets'
        ? [
            ...config.targets.flatMap((t) =>
              t.transport.type === 'http' && t.transport.auth && deliveryHandlerFor(t) === name
                ? [t.transport.auth.secret.env]
                : [],
            ),
            // the folder-key pseudonyms' secret (shared/mapping/folder-key.ts)
            ...(name === 'deliver-archive' ? ['FOLDER_KEY_SECRET'] : []),
          ]
        : needs.secrets === 'search'
          ? ['FOLDER_KEY_SECRET']
          : needs.secrets === 'webhooks'
            ? config.providers.flatMap((p) => (p.webhook ? [p.webhook.secret.env] : []))
            : needs.secrets === 'staff-sign-in'
              ? [config.aws?.auth.admins.clientSecret?.env ?? 'none']
              : [];
    // Every secret is read from Secrets Manager at run time: never a value or a deploy-time reference in the
    // environment (a rotation would not reach the function, and anyone who may read its configuration could read it).
    const fiksIoSecrets = needs.fiksIoSecrets ? fiksIoSecretsOf(synth) : [];
    for (const secret of [...secrets, ...fiksIoSecretsOf(synth)]) expect(fn.variables[secret]).toBeUndefined();
    expect(JSON.stringify(fn.variables)).not.toContain('resolve:secretsmanager');
    if (secrets.length + fiksIoSecrets.length > 0) {
      expect(env.secrets?.prefix ?? env.fiksIoSecrets?.prefix).toBe(`skjemaflyt/${config.deployment}/`);
    } else {
      expect(fn.variables.SKJEMAFLYT_SECRETS_PREFIX).toBeUndefined();
    }
  });

  it.each(FUNCTION_NAMES)('%s: its role allows what it declared', (name) => {
    const synth = get();
    const fn = functionIn(synth, name);
    if (!fn) return;
    const needs = needsOf(name);
    const { storage } = synth.stack;
    const table = synth.id(storage.table);
    const bucket = synth.id(storage.documents);
    const can = (action: string, resource: string, suffix?: string) => [
      action,
      resource,
      allows(fn, action, resource, suffix),
    ];
    // The environment is encrypted with the stack's key.
    expect(can('kms:Decrypt', synth.id(synth.stack.key))).toEqual(['kms:Decrypt', synth.id(synth.stack.key), true]);
    for (const action of ['dynamodb:GetItem', 'dynamodb:Query']) {
      expect(can(action, table)).toEqual([action, table, needs.table !== 'none']);
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(can(action, table)).toEqual([action, table, needs.table === 'readWrite']);
    }
    if (needs.idempotencyTable) {
      const records = synth.id(storage.idempotencyTable);
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
        expect(can(action, records)).toEqual([action, records, true]);
      }
    }
    if (needs.documents?.includes('get')) expect(can('s3:GetObject', bucket, '/submissions/*')[2]).toBe(true);
    if (needs.documents?.includes('put')) expect(can('s3:PutObject', bucket, '/submissions/*')[2]).toBe(true);
    if (needs.deletesDocuments) {
      expect(can('s3:ListBucket', bucket)[2]).toBe(true);
      expect(can('s3:DeleteObject', bucket, '/submissions/*')[2]).toBe(true);
    }
    for (const [key, queue] of synth.queues) {
      const sends = (needs.sendsTo ?? []).some((g: QueueGroup) => inGroup(key, g));
      expect(can('sqs:SendMessage', queue)).toEqual(['sqs:SendMessage', queue, sends]);
    }
    // Its backoff puts off messages of the queues that feed it: their URLs are in its environment (checked above).
    if (needs.backsOffOn) {
      const fed = (synth.feeds.get(fn.logicalId) ?? []).filter((queue) =>
        [...synth.queues].some(([key, id]) => id === queue && inGroup(key, needs.backsOffOn as QueueGroup)),
      );
      expect(fed.length).toBeGreaterThan(0);
      for (const queue of fed) expect(can('sqs:ChangeMessageVisibility', queue)[2]).toBe(true);
    }
    // Its own secrets (its targets' tokens, the webhooks' secrets, Fiks IO's), and no other function's.
    const deployment = synth.deployment.config.deployment;
    const own = [
      ...secretVariablesFor(name, [synth.deployment.config]),
      ...(needs.fiksIoSecrets ? fiksIoSecretsOf(synth) : []),
    ];
    expect(readableSecrets(fn).sort()).toEqual(
      [...new Set(own)].sort().map((env) => `skjemaflyt/${deployment}/${env}`),
    );
  });
}

let demo: Synth[];
let withWebhook: Synth;
let fiksIo: Synth[];
beforeAll(async () => {
  const deployments = await loadDeployments();
  const { stacks } = buildApp(deployments, { skipBundling: true });
  demo = deployments.map((d, i) => synthesize(d, stacks[i] as SkjemaflytStack));

  // An HTTP archive with a token, and a provider with a webhook: the variables and secrets the demo lacks.
  const halden = await demoConfig('halden.json');
  const archive = halden.targets.find((t: any) => t.kind === 'archive');
  archive.transport = {
    type: 'http',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    url: '${GRANTS_ARCHIVE_URL}',
    timeoutMs: 10_000,
    auth: { header: 'authorization', scheme: 'Bearer', secret: { env: 'GRANTS_ARCHIVE_TOKEN' } },
  };
  archive.delivery.visibilityTimeoutSeconds = 200;
  halden.providers[0].webhook = {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    url: '${GRANTS_WEBHOOK_URL}',
    secret: { env: 'GRANTS_WEBHOOK_SECRET' },
  };
  process.env.GRANTS_ARCHIVE_URL = 'https://arkiv.halden.example/fiks';
  process.env.GRANTS_WEBHOOK_URL = 'https://eskjema.example/skjemaflyt';
  const [deployment] = await loadDeployments(await configFolder({ 'halden.json': halden }));
  const {
    stacks: [stack],
  } = buildApp([deployment as Deployment], { skipBundling: true });
  withWebhook = synthesize(deployment as Deployment, stack as SkjemaflytStack);

  // The Fiks IO demo: its endpoints are variables; its secrets are read at run time.
  setFiksIoVariables();
  const fiksIoDeployments = await loadDeployments(FIKS_IO_CONFIG_PATH);
  const fiksIoApp = buildApp(fiksIoDeployments, { skipBundling: true });
  fiksIo = fiksIoDeployments.map((d, i) => synthesize(d, fiksIoApp.stacks[i] as SkjemaflytStack));
});

describe.each(['halden', 'innherred'])('the demo %s stack', (name) => {
  checkStack(() => demo.find((s) => s.deployment.config.deployment === name) as Synth);
});

describe.each(['halden', 'innherred'])('the Fiks IO demo %s stack', (name) => {
  checkStack(() => fiksIo.find((s) => s.deployment.config.deployment === name) as Synth);
});

describe('a stack with an HTTP archive and a provider webhook', () => {
  checkStack(() => withWebhook);

  it('tells the webhook of a dead-lettered delivery: dead-letter may send to the notifications queue, and has its URL', () => {
    const fn = withWebhook.functions.get('dead-letter') as SynthFunction;
    const notifications = withWebhook.queues.get(NOTIFICATIONS) as string;
    expect(allows(fn, 'sqs:SendMessage', notifications)).toBe(true);
    expect(JSON.parse(environmentOf(fn).SKJEMAFLYT_QUEUE_URLS ?? '{}')).toEqual({
      [NOTIFICATIONS]: `{${notifications}}`,
    });
    // The notify function signs with the webhook's secret, and every function reading the file can expand its URL.
    const notify = environmentOf(withWebhook.functions.get('notify') as SynthFunction);
    expect(notify.GRANTS_WEBHOOK_SECRET).toBeUndefined();
    expect(notify.SKJEMAFLYT_SECRETS_PREFIX).toBe('skjemaflyt/halden/');
    expect(readableSecrets(withWebhook.functions.get('notify') as SynthFunction)).toEqual([
      'skjemaflyt/halden/GRANTS_WEBHOOK_SECRET',
    ]);
    expect(environmentOf(fn).GRANTS_WEBHOOK_URL).toBe('https://eskjema.example/skjemaflyt');
    expect(environmentOf(fn).GRANTS_WEBHOOK_SECRET).toBeUndefined();
  });

  it('gives each function a configuration it can read with its own variables', async () => {
    for (const name of FUNCTION_NAMES.filter((n) => needsOf(n).config && withWebhook.functions.has(n))) {
      const env = readFunctionEnv(name, environmentOf(withWebhook.functions.get(name) as SynthFunction)) as any;
      const config = await readHubConfig(withWebhook.deployment.path, {}, env.config.variable);
      expect(config.deployments[0]?.providers[0]?.webhook?.url).toBe('https://eskjema.example/skjemaflyt');
    }
  });
});
