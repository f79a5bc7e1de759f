import type { Logger } from '@aws-lambda-powertools/logger';
import type { SubmissionStore } from '../store/submissions.ts';
import { type EnqueueDeps, enqueueDeliveries } from './enqueue.ts';

/**
 * The sweep behind "nothing accepted is ever lost": a submission stored but never confirmed on its queues (the
 * process died between the two) is queued now. Older than a grace period, so a receive still in flight is left
 * to finish its own work.
 */
export async function requeueStranded(
  deps: EnqueueDeps & { store: Pick<SubmissionStore, 'listUnqueued' | 'get' | 'markEnqueued'>; logger: Logger },
  now = new Date(),
  graceSeconds = 120,
): Promise<number> {
  const before = new Date(now.getTime() - graceSeconds * 1000).toISOString();
  let requeued = 0;
  for (const trackingId of await deps.store.listUnqueued(before)) {
    const found = await deps.store.get(trackingId);
    if (!found || found.submission.enqueuedAt) continue;
    await enqueueDeliveries(trackingId, found.deliveries, deps, now);
    deps.logger.warn('Requeued a submission whose messages were never queued', { trackingId });
    requeued++;
  }
  return requeued;
}
