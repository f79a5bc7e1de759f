import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import type { DeliveryRecord } from '../store/records.ts';

export interface EnqueueDeps {
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  store: { markEnqueued(trackingId: string, at: string): Promise<void> };
}

/**
 * Puts a stored submission's queued deliveries on their queues, then marks it enqueued. Safe to repeat (a second
 * message for a delivery is harmless): receive does it, a repeated POST finishes it, and the requeue sweep
 * catches what a crash between storing and queueing left behind.
 */
export async function enqueueDeliveries(
  trackingId: string,
  deliveries: DeliveryRecord[],
  deps: EnqueueDeps,
  now: Date,
): Promise<void> {
  const messages = deliveries
    .filter((d) => d.status === 'QUEUED')
    .map((d) => ({ trackingId, targetId: d.target, round: d.round ?? 0 }));
  await deps.queue.send(messages);
  await deps.store.markEnqueued(trackingId, now.toISOString());
}
