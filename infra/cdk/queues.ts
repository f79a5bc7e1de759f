import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueuePlan } from '../../shared/config/plan.ts';
import { QUEUE_RETENTION_SECONDS, VISIBILITY_PER_FUNCTION_TIMEOUT } from './settings.ts';

export interface TargetQueuesProps {
  plan: QueuePlan;
  key: kms.IKey;
  /** The dead-letter function's timeout: its queue's visibility timeout keeps the six-to-one margin */
  deadLetterTimeout: Duration;
}

/**
 * One delivery target's queue and its dead-letter queue. Both keep messages as long as SQS allows, so a long
 * archive outage ends in dead letters a person acts on, never in messages that silently expire.
 */
export class TargetQueues extends Construct {
  readonly plan: QueuePlan;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TargetQueuesProps) {
    super(scope, id);
    const { plan, key } = props;
    this.plan = plan;
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(QUEUE_RETENTION_SECONDS),
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...common,
      queueName: plan.deadLetterQueueName,
      visibilityTimeout: Duration.seconds(props.deadLetterTimeout.toSeconds() * VISIBILITY_PER_FUNCTION_TIMEOUT),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      queueName: plan.queueName,
      visibilityTimeout: Duration.seconds(plan.settings.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: plan.settings.maxAttempts },
    });
  }
}
