import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { record } from './process.ts';
import { type DeliveryRepository, StaleTransitionError } from './repository.ts';

/**
 * A delivery message that used up its attempts lands on the target's dead-letter queue: the delivery
 * becomes FAILED with its last failure, for a person to act on. A delivery that got through meanwhile stays DELIVERED,
 * and a message of an earlier round (a person has retried since) changes nothing.
 */
export async function markDeadLettered(
  message: DeliveryMessage,
  _control: unknown,
  deps: { store: DeliveryRepository; logger: Logger; now?: () => Date },
): Promise<void> {
  if (message.kind === 'notification') {
    // A webhook that never answered: the delivery itself is unaffected.
    deps.logger.warn('Status notification given up', { trackingId: message.trackingId, target: message.targetId });
    return;
  }
  const delivery = await deps.store.getDelivery(message.trackingId, message.targetId);
  if (!delivery) return;
  try {
    const at = (deps.now ?? (() => new Date()))();
    await record(
      delivery,
      { type: 'dead-lettered', ...(message.round !== undefined ? { round: message.round } : {}) },
      deps,
      at,
    );
    deps.logger.warn('Delivery dead-lettered', { trackingId: message.trackingId, target: message.targetId });
  } catch (error) {
    if (!(error instanceof StaleTransitionError)) throw error;
  }
}
