import type { Logger } from '@aws-lambda-powertools/logger';
import { dynamoDb } from '../aws/dynamodb.ts';
import { sqsClient } from '../aws/sqs.ts';
import type { Registry } from '../config/registry.ts';
import { readEnv } from '../runtime/env.ts';
import { SubmissionStore } from '../store/submissions.ts';
import { withStatusNotifications } from './notifier.ts';

/** The submission store of a function whose status changes the provider's webhook hears of. */
export function notifyingStore(registry: Registry, logger: Logger): SubmissionStore {
  const env = readEnv();
  return withStatusNotifications(new SubmissionStore(dynamoDb().dynamo, env.tableName), {
    registry,
    sqs: sqsClient(),
    queueUrls: env.queueUrls,
    logger,
  });
}
