import { type CfnElement, Token, Validations } from 'aws-cdk-lib';
import { needsOf } from '../../shared/runtime/functions.ts';
import { documentActions } from './functions.ts';
import type { SkjemaflytStack } from './stack.ts';
import { DOCUMENTS_PREFIX } from './storage.ts';

/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each on the one role it concerns and with the reason a
 * security reviewer can check. Everything else cdk-nag reports stops the synth.
 */
export function acknowledgeFindings(stack: SkjemaflytStack): void {
  const arnOf = (element: unknown) => `<${stack.getLogicalId(element as CfnElement)}.Arn>`;
  const table = arnOf(stack.storage.table.node.defaultChild);
  const documents = arnOf(stack.storage.documents.node.defaultChild);

  for (const fn of stack.functions.values()) {
    const access = needsOf(fn.name);
    const acks = [
      {
        id: `AwsSolutions-IAM5[Resource::${table}/index/*]`,
        reason:
          "Queries read the table's own secondary indexes (the admin's deliveries by municipality and status). " +
          'The wildcard stands for index names of this one table only, so an index added in shared/store/table.ts ' +
          'needs no policy change; no other table is reachable.',
      },
    ];
    if (access.deletesDocuments) {
      acks.push({
        id: `AwsSolutions-IAM5[Resource::${documents}/${DOCUMENTS_PREFIX}*]`,
        reason:
          `Retention deletes the originals and documents of submissions whose time is up: objects under ` +
          `${DOCUMENTS_PREFIX}<trackingId>/, named at run time. One action (s3:DeleteObject), this stack's bucket, ` +
          'that prefix only.',
      });
    }
    if (access.documents) {
      acks.push({
        id: `AwsSolutions-IAM5[Resource::${documents}/${DOCUMENTS_PREFIX}*]`,
        reason:
          `Objects are keyed ${DOCUMENTS_PREFIX}<trackingId>/…, one prefix per submission, named at run time. The ` +
          `statement allows ${documentActions(access.documents).join(' and ')} in this ` +
          "stack's bucket under that prefix only; no listing, no deletion.",
      });
    }
    if (access.table === 'readWrite' || access.idempotencyTable || access.sendsTo) {
      const reason =
        "CDK's grant for writing to the KMS-encrypted table and queues. The wildcard expands only to variants of " +
        'the same operation (GenerateDataKey[WithoutPlaintext|Pair…], ReEncryptFrom/To) and the resource is this ' +
        "stack's own key; DynamoDB and SQS use it on the function's behalf.";
      acks.push(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
      );
    }
    if (fn.tracing) {
      acks.push({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions (the X-Ray service authorization reference lists none), so CDK grants them on *. Only those ' +
          'two write actions are on *; turn tracing off with "aws": { "tracing": false }.',
      });
    }
    Validations.of(fn.role).acknowledge(...acks);
  }
}

/**
 * The console's hosting (infra/cdk/console-hosting.ts): what cdk-nag reports on CDK's own BucketDeployment function
 * (it copies the console's files from the CDK asset bucket into the console's bucket at deploy), and on a
 * distribution the deployment has not given its own domain or WAF web ACL.
 */
export function acknowledgeConsoleFindings(stack: SkjemaflytStack): void {
  const hosting = stack.console;
  const bucketArn = `<${stack.getLogicalId(hosting.bucket.node.defaultChild as CfnElement)}.Arn>`;
  const deployer = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (deployer) {
    const copy =
      "CDK's BucketDeployment grant: it reads the console's files from this account's CDK asset bucket and writes " +
      "them to the console's own bucket (only these two buckets); the action wildcards are CDK's read/write sets.";
    Validations.of(deployer).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: copy },
      {
        id: `AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}/*]`,
        reason: `${copy} The asset's object key is known only at deploy.`,
      },
      { id: `AwsSolutions-IAM5[Resource::${bucketArn}/*]`, reason: `${copy} It replaces every file of the console.` },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudfront:CreateInvalidation and GetInvalidation (after a new console is copied) on *: CDK grants them ' +
          "so; the only distribution it invalidates is this stack's, named in the custom resource.",
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's BucketDeployment function writes its own logs with the managed basic-execution policy.",
      },
      {
        id: 'AwsSolutions-L1',
        reason: "CDK's BucketDeployment function: its runtime is the one this aws-cdk-lib version ships and tests.",
      },
    );
  }
  const distribution = hosting.distribution;
  const acks = [
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: archive staff sign in from wherever they work (travel, VPN exits abroad); the API ' +
        'authenticates every request, and a WAF web ACL (aws.console.webAclArn) can add geo rules.',
    },
  ];
  if (!stack.deployment.aws.console.webAclArn) {
    acks.push({
      id: 'AwsSolutions-CFR2',
      reason:
        'WAF is a deployment option (aws.console.webAclArn: a CLOUDFRONT-scope web ACL, which only us-east-1 ' +
        'holds; docs/operators.md shows one with rate-based and managed rule groups). This deployment has none.',
    });
  }
  if (!stack.deployment.aws.console.certificateArn) {
    acks.push({
      id: 'AwsSolutions-CFR4',
      reason:
        "The distribution's default *.cloudfront.net certificate has a fixed security policy; with its own domain " +
        '(aws.console.domainName + certificateArn) it refuses TLS below 1.2. Browsers negotiate TLS 1.2+ anyway.',
    });
  }
  Validations.of(distribution).acknowledge(...acks);
}
