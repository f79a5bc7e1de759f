import { runtimeRegistry } from '../../shared/config/runtime.ts';
import { queueConsumer } from '../../shared/delivery/consumer.ts';
import { markDeadLettered } from '../../shared/delivery/dead-letter.ts';
import { notifyingStore } from '../../shared/notify/notifying-store.ts';

/** SQS: every target's dead-letter queue → the delivery is FAILED, for a person to act on. */
export const handler = queueConsumer('dead-letter', {
  deps: async (logger) => ({ store: notifyingStore(await runtimeRegistry(), logger), logger }),
  handle: markDeadLettered,
});
