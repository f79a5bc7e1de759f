import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { requeueStranded } from '../../shared/submission/requeue.ts';

/** Scheduled (every few minutes): queue what a crash between storing and queueing left behind. */
export function createHandler(env: FunctionEnv<'requeue'>) {
  const logger = createLogger('requeue');
  const store = new SubmissionStore(createDynamoDb(env.aws).dynamo, env.tableName);
  const queue = new DeliveryQueue(createSqs(env.aws), env.queueUrls);
  return async (_event?: unknown, _context?: unknown) => {
    const requeued = await requeueStranded({ store, queue, logger });
    return { requeued };
  };
}

export const handler = atColdStart('requeue', createHandler);
