import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/build.ts';
import { type Deployment, loadDeployments } from '../../infra/cdk/deployments.ts';
import { FUNCTIONS, type FunctionName } from '../../infra/cdk/functions.ts';
import { COLD_START_SECONDS, HTTP_DELIVERY_MARGIN_SECONDS } from '../../infra/cdk/settings.ts';
import type { SkjemaflytStack } from '../../infra/cdk/stack.ts';
import { CONSOLE_HEADERS } from '../../infra/local/console-files.ts';
import { ROUTES } from '../../shared/config/plan.ts';
import type { DeploymentConfig } from '../../shared/config/types.ts';
import { needsOf } from '../../shared/runtime/functions.ts';
import { FIKS_IO_CONFIG_PATH } from '../support/fiks-io-config.ts';
import { configFolder, demoConfig, setFiksIoVariables } from './support.ts';

type Resources = Record<string, { Type: string; Properties: any }>;

/** The one resource of a type whose properties match, with its logical id. */
function only(template: Template, type: string, props: Record<string, unknown>): [string, any] {
  const found = Object.entries(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] as [string, any];
}

/** The hub's own functions (CDK's BucketDeployment function for the console's files is not one). */
function hubFunctions(template: Template): Record<string, any> {
  return template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
  });
}

function arnOf(logicalId: string) {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

// One synthesized app (both demo deployments, as `npx cdk synth` builds them) shared by every assertion below.
let deployments: Deployment[];
let stacks: SkjemaflytStack[];
beforeAll(async () => {
  deployments = await loadDeployments();
  ({ stacks } = buildApp(deployments, { skipBundling: true }));
});

describe.each(['halden', 'innherred'])('the %s stack', (name) => {
  let config: DeploymentConfig;
  let stack: SkjemaflytStack;
  let template: Template;
  let resources: Resources;
  let keyId: string;
  beforeAll(() => {
    const index = deployments.findIndex((d) => d.config.deployment === name);
    config = (deployments[index] as Deployment).config;
    stack = stacks[index] as SkjemaflytStack;
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
    [keyId] = only(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('is named after its deployment and holds only its own targets', () => {
    expect(stack.stackName).toBe(`skjemaflyt-${name}`);
    const queueNames = Object.values(template.findResources('AWS::SQS::Queue')).map((q) => q.Properties.QueueName);
    expect(queueNames.sort()).toEqual(
      [
        // Named after the stack (one per deployment name in an account): two deployment folders cannot share one.
        ...config.targets.flatMap((t) => [`skjemaflyt-${name}-${t.id}`, `skjemaflyt-${name}-${t.id}-dlq`]),
        // The stack's own queue of status notifications to providers' webhooks.
        `skjemaflyt-${name}-notifications`,
        `skjemaflyt-${name}-notifications-dlq`,
      ].sort(),
    );
  });

  it('gives every target a KMS-encrypted queue with a dead-letter queue after maxAttempts, both kept 14 days', () => {
    for (const target of config.targets) {
      const [dlqId] = only(template, 'AWS::SQS::Queue', { QueueName: `skjemaflyt-${name}-${target.id}-dlq` });
      const [, queue] = only(template, 'AWS::SQS::Queue', { QueueName: `skjemaflyt-${name}-${target.id}` });
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: arnOf(keyId),
        MessageRetentionPeriod: 14 * 24 * 3600,
        VisibilityTimeout: target.delivery.visibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: target.delivery.maxAttempts },
      });
      expect(resources[dlqId]?.Properties).toMatchObject({
        KmsMasterKeyId: arnOf(keyId),
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    }
  });

  it('refuses requests to any queue that do not use TLS', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    for (const queue of queues) {
      const policy = policies.find((p) => p.Properties.Queues.some((q: any) => q.Ref === queue));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('feeds each queue to its function with partial batch responses and the configured concurrency', () => {
    const functions = hubFunctions(template);
    for (const target of config.targets) {
      const [queueId] = only(template, 'AWS::SQS::Queue', { QueueName: `skjemaflyt-${name}-${target.id}` });
      const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping', { EventSourceArn: arnOf(queueId) });
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: target.delivery.batchSize,
        ScalingConfig: { MaximumConcurrency: target.delivery.maxConcurrency },
      });
      const handler = target.kind === 'archive' ? 'deliver-archive' : 'deliver-fagsystem';
      expect(functions[mapping.Properties.FunctionName.Ref]?.Properties.Handler).toBe(
        `functions/${handler}/index.handler`,
      );
      // The dead-letter function reads every dead-letter queue the same way.
      const [dlqId] = only(template, 'AWS::SQS::Queue', { QueueName: `skjemaflyt-${name}-${target.id}-dlq` });
      const [, deadLetters] = only(template, 'AWS::Lambda::EventSourceMapping', { EventSourceArn: arnOf(dlqId) });
      expect(deadLetters.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(functions[deadLetters.Properties.FunctionName.Ref]?.Properties.Handler).toBe(
        'functions/dead-letter/index.handler',
      );
    }
  });

  it('keeps every queue visible at least six times as long as the function it feeds may run', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength((config.targets.length + 1) * 2);
    for (const mapping of mappings) {
      const queue = resources[mapping.Properties.EventSourceArn['Fn::GetAtt'][0]]?.Properties;
      const fn = resources[mapping.Properties.FunctionName.Ref]?.Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
    }
  });

  it('keeps the tables recoverable (PITR), encrypted with the stack key, and protected from deletion', () => {
    const tables = Object.entries(template.findResources('AWS::DynamoDB::GlobalTable'));
    expect(tables).toHaveLength(2);
    for (const [id, table] of tables) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas).toEqual([
        expect.objectContaining({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { KMSMasterKeyId: arnOf(keyId) },
          DeletionProtectionEnabled: true,
        }),
      ]);
      expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain' });
    }
    // The console's sessions, and search entries whose personal data is due for removal (shared/retention), expire
    // through the table's one TTL attribute.
    only(template, 'AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    // The status index the admin list reads, and the providers' feed index (from the same definition the local
    // runner uses): the feed's keeps only what the feed reads.
    only(template, 'AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byMunicipalityStatus' }),
        Match.objectLike({
          IndexName: 'byProviderUpdated',
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['trackingId', 'updatedAt'] },
        }),
      ],
    });
  });

  it('keeps documents in a private, versioned, KMS-encrypted bucket that only takes TLS, with a lifecycle rule', () => {
    const [bucketId, bucket] = only(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(keyId) } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: expect.anything(),
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          // Providers' uploads nobody referenced go after a day.
          expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
        ],
      },
    });
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', { Bucket: { Ref: bucketId } });
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('puts every provider route behind the providers’ JWT authorizer; the console’s routes are checked by their functions', () => {
    const aws = config.aws;
    const variables = (service: string) =>
      Object.values(template.findResources('AWS::Lambda::Function')).find(
        (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === service,
      )?.Properties.Environment.Variables;
    const [providersId] = only(template, 'AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: aws?.auth.providers.issuer, Audience: [aws?.auth.providers.audience] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    // Providers: the deployment's Maskinporten scope (config/<deployment>.json, providers[].maskinporten.scope).
    const providerScopes = [...new Set(config.providers.map((p) => p.maskinporten.scope))];
    expect(providerScopes).toEqual([`${name}:skjemaflyt`]);
    for (const route of routes) {
      const plan = ROUTES.find((r) => `${r.method} ${r.path}` === route.Properties.RouteKey);
      if (plan?.caller === 'provider') {
        expect(route.Properties).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: providersId },
          AuthorizationScopes: providerScopes,
        });
      } else {
        // The browser's session cookie is no bearer token: the admin and sign-in functions check every call.
        expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
        expect(plan?.session).toBeDefined();
      }
    }
    // The console's sign-in: the staff's identity provider and the console's URL from the deployment file, the
    // client secret read from Secrets Manager at run time (never in the configuration, the template or the
    // function's environment), by this function alone.
    const signIn = variables('console-session');
    expect(signIn).toMatchObject({
      SKJEMAFLYT_STAFF_ISSUER: aws?.auth.admins.issuer,
      SKJEMAFLYT_STAFF_CLIENT_ID: aws?.auth.admins.clientId,
      SKJEMAFLYT_CONSOLE_URL: aws?.auth.admins.consoleUrl,
      SKJEMAFLYT_STAFF_SCOPES: (aws?.auth.admins.signInScopes ?? ['openid', 'profile']).join(' '),
    });
    expect(signIn.SKJEMAFLYT_STAFF_CLIENT_SECRET_NAME).toBe(aws?.auth.admins.clientSecret.env);
    expect(signIn.SKJEMAFLYT_SECRETS_PREFIX).toBe(`skjemaflyt/${name}/`);
    expect(JSON.stringify(signIn)).not.toContain('resolve:secretsmanager');
    expect(variables('admin').SKJEMAFLYT_STAFF_CLIENT_SECRET_NAME).toBeUndefined();
    expect(variables('admin').SKJEMAFLYT_CONSOLE_URL).toBe(aws?.auth.admins.consoleUrl);
    // The redirect URI to register in the identity provider, as an output of the stack.
    expect(template.findOutputs('StaffRedirectUri').StaffRedirectUri?.Value).toBe(
      new URL('/auth/callback', aws?.auth.admins.consoleUrl).href,
    );
    // The handlers check again, each against its callers' issuer only.
    expect(variables('receive')).toMatchObject({
      SKJEMAFLYT_PROVIDER_ISSUER: aws?.auth.providers.issuer,
      SKJEMAFLYT_PROVIDER_AUDIENCE: aws?.auth.providers.audience,
      SKJEMAFLYT_PROVIDER_JWKS_URL: aws?.auth.providers.jwksUrl,
    });
    expect(variables('receive').SKJEMAFLYT_ADMIN_ISSUER).toBeUndefined();
    expect(variables('admin')).toMatchObject({ SKJEMAFLYT_ADMIN_ISSUER: aws?.auth.admins.issuer });
    expect(variables('admin').SKJEMAFLYT_PROVIDER_ISSUER).toBeUndefined();
  });

  it('logs access and throttles each route on the API stage', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage', { StageName: '$default' });
    expect(stage.Properties.AccessLogSettings).toMatchObject({ DestinationArn: expect.anything() });
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    expect(stage.Properties.RouteSettings['POST /v1/submissions']).toEqual({
      ThrottlingRateLimit: 25,
      ThrottlingBurstLimit: 50,
    });
  });

  it('runs every function on Node.js 24 / ARM with its Powertools settings, and the configuration layer where it reads it', () => {
    const [layerId] = only(template, 'AWS::Lambda::LayerVersion', {
      Description: Match.stringLikeRegexp('^Skjemaflyt configuration'),
    });
    const functions = Object.values(hubFunctions(template));
    // Every function but the Fiks IO receiver, which a stack gets only with a Fiks IO archive.
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length - 1);
    for (const fn of functions) {
      const service = fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as FunctionName;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: `functions/${service}/index.handler`,
        KmsKeyArn: arnOf(keyId),
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_NAMESPACE: 'Skjemaflyt',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      const config = fn.Properties.Environment.Variables.SKJEMAFLYT_CONFIG;
      if (needsOf(service).config) {
        expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
        expect(config).toBe(`/opt/skjemaflyt/config/${name}.json`);
      } else {
        expect([service, fn.Properties.Layers, config]).toEqual([service, undefined, undefined]);
      }
    }
  });

  it('traces every function with X-Ray (aws.tracing, on unless turned off)', () => {
    for (const fn of Object.values(hubFunctions(template))) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('lets CloudFormation name the tables and the bucket (unique in the account)', () => {
    for (const table of Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))) {
      expect(table.Properties.TableName).toBeUndefined();
    }
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.BucketName).toBeUndefined();
    }
  });

  it('lets each function do what it declared it needs and no more', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const [id, fn] of Object.entries(hubFunctions(template))) {
      const name = fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as keyof typeof FUNCTIONS;
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = policies
        .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const actions = new Set(statements.flatMap((s: any) => [s.Action].flat()));
      const access = needsOf(name);
      const can = (action: string) => actions.has(action);
      expect({ id, put: can('s3:PutObject'), get: can('s3:GetObject') }).toEqual({
        id,
        put: access.documents === 'put' || access.documents === 'get-put',
        get: access.documents === 'get' || access.documents === 'get-put',
      });
      expect([id, can('dynamodb:PutItem'), can('sqs:SendMessage')]).toEqual([
        id,
        access.table === 'readWrite',
        Boolean(access.sendsTo),
      ]);
      // Its environment is encrypted with the stack's key; the role decrypts it at start.
      // (A statement with one action has it as a string: the form-types function's role has only this one.)
      expect(statements.map((s: any) => ({ ...s, Action: [s.Action].flat() }))).toContainEqual(
        expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt']), Resource: arnOf(keyId) }),
      );
      expect([...actions].filter((a) => a.startsWith('s3:') && a !== 's3:PutObject' && a !== 's3:GetObject')).toEqual(
        access.deletesDocuments ? ['s3:ListBucket', 's3:DeleteObject'] : [],
      );
    }
  });

  it('alarms the operators on dead letters, waiting deliveries, function errors and throttles', () => {
    const [topicId, topic] = only(template, 'AWS::SNS::Topic', { TopicName: `skjemaflyt-${name}-alarms` });
    expect(topic.Properties.KmsMasterKeyId).toEqual(arnOf(keyId));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => a.Properties.AlarmName.replace(`skjemaflyt-${name}-`, '')).sort();
    expect(names).toEqual(
      [
        ...config.targets.flatMap((t) => [`${t.id}-dead-letters`, `${t.id}-oldest-message`]),
        'notifications-dead-letters',
        'notifications-oldest-message',
        ...[...stack.functions.keys()].flatMap((f) => [`${f}-errors`, `${f}-throttles`]),
        'api-server-errors',
      ].sort(),
    );
    // One outage is one message: each target's two conditions are parts of its "deliveries failing" composite alarm,
    // which alone tells the topic.
    const parts = new Set(config.targets.flatMap((t) => [`${t.id}-dead-letters`, `${t.id}-oldest-message`]));
    parts.add('notifications-dead-letters').add('notifications-oldest-message');
    for (const alarm of alarms) {
      const short = alarm.Properties.AlarmName.replace(`skjemaflyt-${name}-`, '');
      expect([short, alarm.Properties.AlarmActions]).toEqual([
        short,
        parts.has(short) ? undefined : [{ Ref: topicId }],
      ]);
      // Not on a single blip: 3 of 5 minutes, except a dead letter (a FAILED delivery needs a person at once).
      const expected = short.endsWith('-dead-letters') ? [1, 1] : [5, 3];
      expect([short, alarm.Properties.EvaluationPeriods, alarm.Properties.DatapointsToAlarm]).toEqual([
        short,
        ...expected,
      ]);
    }
    const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composites.map((c) => c.Properties.AlarmName).sort()).toEqual(
      [...config.targets.map((t) => t.id), 'notifications']
        .map((id) => `skjemaflyt-${name}-${id}-deliveries-failing`)
        .sort(),
    );
    for (const composite of composites) {
      expect(composite.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(composite.Properties.OKActions).toEqual([{ Ref: topicId }]);
      const id = composite.Properties.AlarmName.replace(`skjemaflyt-${name}-`, '').replace('-deliveries-failing', '');
      const rule = JSON.stringify(composite.Properties.AlarmRule);
      expect(rule).toContain('OR');
      for (const part of [`${id}-dead-letters`, `${id}-oldest-message`]) {
        const [partId] = only(template, 'AWS::CloudWatch::Alarm', { AlarmName: `skjemaflyt-${name}-${part}` });
        expect(rule).toContain(partId);
      }
    }
    // A dead letter is counted when it arrives, not only while it waits: the dead-letter function takes it at once.
    const deadLetters = alarms.find((a) => a.Properties.AlarmName.endsWith('-dead-letters'));
    expect(
      deadLetters?.Properties.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort(),
    ).toEqual(['ApproximateNumberOfMessagesVisible', 'NumberOfMessagesReceived']);
    only(template, 'AWS::CloudWatch::Dashboard', { DashboardName: `skjemaflyt-${name}` });
  });

  it('lets CloudWatch publish to the alarm topic (its policy replaces SNS’s default one), this account’s alarms only', () => {
    const [topicId] = only(template, 'AWS::SNS::Topic', { TopicName: `skjemaflyt-${name}-alarms` });
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter((p) =>
      p.Properties.Topics.some((t: unknown) => JSON.stringify(t) === JSON.stringify({ Ref: topicId })),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const publish = statements.find(
      (st: any) => st.Effect === 'Allow' && st.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(publish).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(JSON.stringify(publish.Condition.ArnLike)).toContain(':alarm:*');
  });

  it('hosts the console behind CloudFront: a private bucket only the distribution reads (OAC), the API on the same origin', () => {
    const [distributionId, distribution] = only(template, 'AWS::CloudFront::Distribution', {});
    const config = distribution.Properties.DistributionConfig;
    // The console's files: a bucket no one reads but this distribution, through origin access control.
    const [bucketOrigin] = config.Origins.filter((o: any) => o.S3OriginConfig);
    expect(bucketOrigin.OriginAccessControlId).toBeDefined();
    expect(bucketOrigin.S3OriginConfig.OriginAccessIdentity).toBe('');
    const bucketId = bucketOrigin.DomainName['Fn::GetAtt'][0];
    expect(resources[bucketId]?.Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, bucketPolicy] = only(template, 'AWS::S3::BucketPolicy', { Bucket: { Ref: bucketId } });
    const read = bucketPolicy.Properties.PolicyDocument.Statement.find(
      (st: any) => st.Principal?.Service === 'cloudfront.amazonaws.com',
    );
    expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(JSON.stringify(read.Condition)).toContain(distributionId);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    // /v1/* and /auth/* (the staff sign-in) go to the HTTP API: never cached, every viewer header but Host passed on.
    const behaviors = config.CacheBehaviors;
    expect(behaviors.map((b: any) => b.PathPattern).sort()).toEqual(['/auth/*', '/v1/*']);
    const apiOrigin = config.Origins.find((o: any) => o.CustomOriginConfig);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('ApiEndpoint');
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: apiOrigin.Id,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['POST', 'GET', 'DELETE']),
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      });
    }
    // No WAF unless the deployment names a web ACL (aws.console.webAclArn).
    expect(config.WebACLId).toBeUndefined();
  });

  it('sends the same strict Content-Security-Policy as the local runner, with HSTS, no framing and no sniffing', () => {
    const [policyId, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy', {});
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy).toEqual({
      ContentSecurityPolicy: CONSOLE_HEADERS['content-security-policy'],
      Override: true,
    });
    expect(CONSOLE_HEADERS['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(headers).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 365 * 24 * 3600, IncludeSubdomains: true },
    });
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution', {});
    const config = distribution.Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    }
  });

  it('passes cdk-nag (AwsSolutions) with nothing unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('a deployment with its own console domain and a WAF web ACL', () => {
  it('puts the web ACL on the distribution, serves the domain with its certificate, TLS 1.2 at least, cdk-nag clean', async () => {
    const halden = await demoConfig('halden.json');
    halden.aws.console = {
      domainName: 'skjemaflyt.halden.kommune.no',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0d8f7e2c-1b3a-4c5d-9e6f-7a8b9c0d1e2f',
      webAclArn:
        'arn:aws:wafv2:us-east-1:123456789012:global/webacl/skjemaflyt-halden/4f3e2d1c-0b9a-8765-4321-0fedcba98765',
    };
    const { stacks } = buildApp(await loadDeployments(await configFolder({ 'halden.json': halden })), {
      skipBundling: true,
    });
    const stack = stacks[0] as SkjemaflytStack;
    const [, distribution] = only(Template.fromStack(stack), 'AWS::CloudFront::Distribution', {});
    expect(distribution.Properties.DistributionConfig).toMatchObject({
      WebACLId: halden.aws.console.webAclArn,
      Aliases: ['skjemaflyt.halden.kommune.no'],
      ViewerCertificate: {
        AcmCertificateArn: halden.aws.console.certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('a deployment with tracing turned off (aws.tracing: false)', () => {
  it('traces no function and grants no X-Ray writes', async () => {
    const halden = await demoConfig('halden.json');
    halden.aws.tracing = false;
    const { stacks } = buildApp(await loadDeployments(await configFolder({ 'halden.json': halden })), {
      skipBundling: true,
    });
    const template = Template.fromStack(stacks[0] as SkjemaflytStack);
    for (const fn of Object.values(hubFunctions(template))) {
      expect(fn.Properties.TracingConfig?.Mode ?? 'PassThrough').not.toBe('Active');
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('xray:PutTraceSegments');
    expect(new AwsSolutionsChecks().validateScope(stacks[0] as SkjemaflytStack).violations).toEqual([]);
  });
});

describe('a deployment with an HTTP archive', () => {
  let template: Template;
  beforeAll(async () => {
    const halden = await demoConfig('halden.json');
    const archive = halden.targets.find((t: any) => t.kind === 'archive');
    archive.transport = {
      type: 'http',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
      url: '${ARCHIVE_URL}',
      timeoutMs: 10_000,
      auth: { header: 'authorization', scheme: 'Bearer', secret: { env: 'ARCHIVE_TOKEN' } },
    };
    archive.delivery.visibilityTimeoutSeconds = 198;
    process.env.ARCHIVE_URL = 'https://arkiv.halden.example/fiks';
    const { stacks } = buildApp(await loadDeployments(await configFolder({ 'halden.json': halden })), {
      skipBundling: true,
    });
    template = Template.fromStack(stacks[0] as SkjemaflytStack);
  });

  it('gives the archive function the URL from the environment at synth; the token it reads at run time', () => {
    const [, archive] = only(template, 'AWS::Lambda::Function', { Handler: 'functions/deliver-archive/index.handler' });
    const variables = archive.Properties.Environment.Variables;
    expect(variables.ARCHIVE_URL).toBe('https://arkiv.halden.example/fiks');
    // Not resolved into the environment at deploy (a rotation would never reach the function; anyone allowed
    // lambda:GetFunctionConfiguration could read it): read from Secrets Manager at run time, under this prefix.
    expect(variables.ARCHIVE_TOKEN).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toContain('resolve:secretsmanager');
    expect(variables.SKJEMAFLYT_SECRETS_PREFIX).toBe('skjemaflyt/halden/');
    const role = archive.Properties.Role['Fn::GetAtt'][0];
    const reads = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(reads)).toContain('secret:skjemaflyt/halden/ARCHIVE_TOKEN');
    // Its timeout is a sixth of its shortest queue visibility (halden-arkiv: 198 s): a cold start, the 10 s request
    // twice (a 401 reads the token again and calls once more) and the margin for documents and the receipt.
    expect(archive.Properties.Timeout).toBe(33);
    expect(archive.Properties.Timeout).toBeGreaterThanOrEqual(
      COLD_START_SECONDS + 2 * 10 + HTTP_DELIVERY_MARGIN_SECONDS,
    );
    // Other functions read the same file, so they need the URL too, but never the token.
    const [, receive] = only(template, 'AWS::Lambda::Function', { Handler: 'functions/receive/index.handler' });
    expect(receive.Properties.Environment.Variables.ARCHIVE_URL).toBe('https://arkiv.halden.example/fiks');
    expect(receive.Properties.Environment.Variables.ARCHIVE_TOKEN).toBeUndefined();
  });
});

describe('a deployment with a Fiks IO archive (config-fiks-io)', () => {
  let stack: SkjemaflytStack;
  let template: Template;
  beforeAll(async () => {
    setFiksIoVariables();
    const { stacks } = buildApp(await loadDeployments(FIKS_IO_CONFIG_PATH), { skipBundling: true });
    stack = stacks.find((s) => s.stackName === 'skjemaflyt-halden') as SkjemaflytStack;
    template = Template.fromStack(stack);
  });

  it('reads the archive’s replies with a function scheduled every minute', () => {
    const [receiverId, receiver] = only(template, 'AWS::Lambda::Function', {
      Handler: 'functions/fiks-io-receiver/index.handler',
    });
    expect(receiver.Properties.Timeout).toBe(75);
    const [, rule] = only(template, 'AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: arnOf(receiverId) })]);
  });

  it('lets the Fiks IO functions read the certificate and keys from Secrets Manager, never from the template', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const handler of ['fiks-io-receiver', 'deliver-archive']) {
      const [, fn] = only(template, 'AWS::Lambda::Function', { Handler: `functions/${handler}/index.handler` });
      const variables = fn.Properties.Environment.Variables;
      expect(variables.SKJEMAFLYT_SECRETS_PREFIX).toBe('skjemaflyt/halden/');
      expect(variables.HALDEN_FIKS_IO_PRIVATE_KEY).toBeUndefined();
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      const resources = JSON.stringify(
        policies
          .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
          .flatMap((p) => p.Properties.PolicyDocument.Statement)
          .filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue')),
      );
      for (const env of [
        'HALDEN_FIKS_IO_PRIVATE_KEY',
        'HALDEN_FIKS_IO_CERTIFICATE',
        'HALDEN_FIKS_IO_INTEGRASJONSPASSORD',
      ]) {
        expect(resources, `${handler} ${env}`).toContain(`secret:skjemaflyt/halden/${env}`);
      }
    }
    // The others get no Fiks IO secrets: receive may read the search key (FOLDER_KEY_SECRET) and nothing else.
    const [, receive] = only(template, 'AWS::Lambda::Function', { Handler: 'functions/receive/index.handler' });
    const receiveRole = receive.Properties.Role['Fn::GetAtt'][0];
    const readable = policies
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === receiveRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(readable)).not.toContain('FIKS_IO');
    expect(JSON.stringify(readable)).toContain('secret:skjemaflyt/halden/FOLDER_KEY_SECRET');
  });

  it('alarms when deliveries get no receipt by their deadline (stuck in SENT)', () => {
    const [, filter] = only(template, 'AWS::Logs::MetricFilter', {});
    expect(filter.Properties.FilterPattern).toContain('No receipt by the deadline');
    only(template, 'AWS::CloudWatch::Alarm', { AlarmName: 'skjemaflyt-halden-receipt-overdue' });
  });

  it('passes cdk-nag (AwsSolutions) with nothing unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
