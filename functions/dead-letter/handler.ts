import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { queueConsumer } from '../../shared/delivery/consumer.ts';
import { markDeadLettered } from '../../shared/delivery/dead-letter.ts';
import { withStatusNotifications } from '../../shared/notify/notifier.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/** SQS: every target's dead-letter queue → the delivery is FAILED, for a person to act on. */
export function createHandler(env: FunctionEnv<'dead-letter'>) {
  const { dynamo } = createDynamoDb(env.aws);
  const sqs = createSqs(env.aws);
  const registry = registryLoader(env.config);
  return queueConsumer('dead-letter', {
    deps: async (logger) => ({
      // FAILED is news for the provider's webhook: the store queues a notification with each status change.
      store: withStatusNotifications(new SubmissionStore(dynamo, env.tableName), {
        registry: await registry(),
        sqs,
        queueUrls: env.queueUrls,
        logger,
      }),
      logger,
    }),
    handle: markDeadLettered,
  });
}

export const handler = atColdStart('dead-letter', createHandler);
