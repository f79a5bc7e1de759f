import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { StaleTransitionError, type SubmissionStore } from '../store/submissions.ts';

/**
 * A delivery message that used up its attempts lands on the target's dead-letter queue: the delivery
 * becomes FAILED with its last error, for a person to act on. A delivery that got through meanwhile stays DELIVERED.
 */
export async function markDeadLettered(
  message: DeliveryMessage,
  _control: unknown,
  deps: { store: SubmissionStore; logger: Logger; now?: () => Date },
): Promise<void> {
  if (message.kind === 'notification') {
    // A webhook that never answered: the delivery itself is unaffected.
    deps.logger.warn('Status notification given up', { trackingId: message.trackingId, target: message.targetId });
    return;
  }
  const delivery = await deps.store.getDelivery(message.trackingId, message.targetId);
  if (!delivery) return;
  try {
    await deps.store.transition(
      delivery,
      {
        to: 'FAILED',
        detail: `Ga opp etter ${delivery.attempts} forsøk${
          delivery.lastError ? `: ${delivery.lastError}` : ''
        }. Krever manuell behandling.`,
        nextAttemptAt: null,
      },
      (deps.now ?? (() => new Date()))(),
    );
    deps.logger.warn('Delivery dead-lettered', { trackingId: message.trackingId, target: message.targetId });
  } catch (error) {
    if (!(error instanceof StaleTransitionError)) throw error;
  }
}
