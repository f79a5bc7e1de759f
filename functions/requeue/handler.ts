import { dynamoDb } from '../../shared/aws/dynamodb.ts';
import { sqsClient } from '../../shared/aws/sqs.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { requeueStranded } from '../../shared/submission/requeue.ts';

const logger = createLogger('requeue');

/** Scheduled (every few minutes): queue what a crash between storing and queueing left behind. */
export const handler = async () => {
  const env = readEnv();
  const requeued = await requeueStranded({
    store: new SubmissionStore(dynamoDb().dynamo, env.tableName),
    queue: new DeliveryQueue(sqsClient(), env.queueUrls),
    logger,
  });
  return { requeued };
};
