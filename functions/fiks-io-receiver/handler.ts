import type { Context } from 'aws-lambda';
import { sqsClient } from '../../shared/aws/sqs.ts';
import { runtimeRegistry } from '../../shared/config/runtime.ts';
import { createReplyReceivers } from '../../shared/delivery/fiks-io-replies.ts';
import type { ReceiptDeps } from '../../shared/delivery/receipts.ts';
import type { FiksIoReceiver } from '../../shared/fiks-io/receiver.ts';
import { notifyingStore } from '../../shared/notify/notifying-store.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';

const logger = createLogger('fiks-io-receiver');
/** Stop taking messages this long before the function's timeout: the last one must be written and acked. */
const MARGIN_MS = 15_000;

let receivers: Promise<FiksIoReceiver[]> | undefined;

async function replyDeps(): Promise<ReceiptDeps & { registry: Awaited<ReturnType<typeof runtimeRegistry>> }> {
  const registry = await runtimeRegistry();
  return {
    registry,
    store: notifyingStore(registry, logger),
    queue: new DeliveryQueue(sqsClient(), readEnv().queueUrls),
    logger,
  };
}

function replyReceivers(): Promise<FiksIoReceiver[]> {
  receivers ??= replyDeps()
    .then((deps) => createReplyReceivers(deps.registry.config, deps))
    .catch((error: unknown) => {
      receivers = undefined;
      throw error;
    });
  return receivers;
}

/**
 * Scheduled every minute: reads the archive's replies from the hub's Fiks IO queues until shortly before the
 * timeout (Lambda cannot subscribe to a broker outside Amazon MQ). Each reply is acked after its delivery is written.
 */
export const handler = async (_event: unknown, context: Context) => {
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

/** The local hub: the same receivers, consuming continuously until stopped. */
export async function startReceiving(): Promise<{ stop(): Promise<void> }> {
  const started = await replyReceivers();
  await Promise.all(started.map((r) => r.start()));
  return {
    async stop() {
      await Promise.all(started.map((r) => r.close()));
      receivers = undefined;
    },
  };
}
