import type { Context } from 'aws-lambda';
import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createSecretReader } from '../../shared/aws/secrets.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { createReplyReceivers } from '../../shared/delivery/fiks-io-replies.ts';
import type { FiksIoReceiver } from '../../shared/fiks-io/receiver.ts';
import { withStatusNotifications } from '../../shared/notify/notifier.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/** Stop taking messages this long before the function's timeout: the last one must be written and acked. */
const MARGIN_MS = 15_000;

export interface FiksIoReceiverHandler {
  /** Scheduled: drains the hub's Fiks IO queues until shortly before the timeout */
  (
    event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<{
    handled: number;
    refused: number;
    failed: number;
  }>;
  /** The local hub: the same receivers, consuming continuously until stopped */
  startReceiving(): Promise<{ stop(): Promise<void> }>;
}

/**
 * Scheduled every minute: reads the archive's replies from the hub's Fiks IO queues until shortly before the
 * timeout (Lambda cannot subscribe to a broker outside Amazon MQ). Each reply is acked after its delivery is written.
 */
export function createHandler(env: FunctionEnv<'fiks-io-receiver'>): FiksIoReceiverHandler {
  const logger = createLogger('fiks-io-receiver');
  const { dynamo } = createDynamoDb(env.aws);
  const sqs = createSqs(env.aws);
  const registry = registryLoader(env.config);
  const secrets = createSecretReader(env.fiksIoSecrets, env.aws);
  let receivers: Promise<FiksIoReceiver[]> | undefined;

  const replyReceivers = (): Promise<FiksIoReceiver[]> => {
    receivers ??= registry()
      .then((loaded) =>
        createReplyReceivers(
          loaded.config,
          {
            registry: loaded,
            // A delivery's status changes are news for the provider's webhook.
            store: withStatusNotifications(new SubmissionStore(dynamo, env.tableName), {
              registry: loaded,
              sqs,
              queueUrls: env.queueUrls,
              logger,
            }),
            queue: new DeliveryQueue(sqs, env.queueUrls),
            logger,
          },
          { secrets },
        ),
      )
      .catch((error: unknown) => {
        receivers = undefined;
        throw error;
      });
    return receivers;
  };

  const handler = async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS;
    const totals = { handled: 0, refused: 0, failed: 0 };
    for (const receiver of await replyReceivers()) {
      try {
        const result = await receiver.drain({ deadline });
        totals.handled += result.handled;
        totals.refused += result.refused;
        totals.failed += result.failed;
      } finally {
        // A frozen instance would lose the connection anyway; the next run connects with a fresh token.
        await receiver.close();
      }
    }
    logger.info('Fiks IO replies read', totals);
    return totals;
  };

  const startReceiving = async () => {
    const started = await replyReceivers();
    await Promise.all(started.map((r) => r.start()));
    return {
      async stop() {
        await Promise.all(started.map((r) => r.close()));
        receivers = undefined;
      },
    };
  };

  return Object.assign(handler, { startReceiving });
}

export const handler = atColdStart('fiks-io-receiver', createHandler);
