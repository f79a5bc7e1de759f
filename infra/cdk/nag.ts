import { type CfnElement, Validations } from 'aws-cdk-lib';
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
