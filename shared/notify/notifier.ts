import type { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { NOTIFICATIONS } from '../config/plan.ts';
import type { Registry } from '../config/registry.ts';
import { loggableError } from '../runtime/safe-error.ts';
import type { DeliveryRecord } from '../store/records.ts';
import type { SubmissionStore } from '../store/submissions.ts';

/**
 * A store whose status changes also queue a notification for the provider's webhook, if it has one.
 * Never blocking: the status is already written when the notification is queued, and a failure to queue
 * is logged, not passed on (the provider can always read the status).
 */
export function withStatusNotifications(
  store: SubmissionStore,
  deps: { registry: Registry; sqs: SQSClient; queueUrls: Record<string, string>; logger: Logger },
): SubmissionStore {
  const notifying = Object.create(store) as SubmissionStore;
  notifying.transition = async (delivery, change) => {
    const updated = await store.transition(delivery, change);
    await queueNotification(updated, deps);
    return updated;
  };
  return notifying;
}

async function queueNotification(
  delivery: DeliveryRecord,
  deps: { registry: Registry; sqs: SQSClient; queueUrls: Record<string, string>; logger: Logger },
): Promise<void> {
  if (!delivery.providerId || !deps.registry.provider(delivery.providerId)?.webhook) return;
  const QueueUrl = deps.queueUrls[NOTIFICATIONS];
  if (!QueueUrl) {
    // The function's environment lacks the queue (shared/runtime/functions.ts): say so, the webhook will not hear.
    deps.logger.warn('No notifications queue in this function’s environment; status notification not queued', {
      trackingId: delivery.trackingId,
    });
    return;
  }
  try {
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: JSON.stringify({
          kind: 'notification',
          trackingId: delivery.trackingId,
          targetId: delivery.target,
        }),
      }),
    );
  } catch (error) {
    deps.logger.warn('Could not queue a status notification', {
      trackingId: delivery.trackingId,
      ...loggableError(error),
    });
  }
}
