import type { DeliverySettings, RetrySettings } from '../config/types.ts';
import { retryDelaySeconds } from '../delivery/backoff.ts';

/**
 * When a webhook that does not answer 2xx hears again: 10 s, 30 s, 1.5 min, 4.5 min, 13.5 min, 40 min, 2 h, then
 * every 6 h: 20 attempts, the last 75 h (about three days) after the first (docs/api.md has the table). After the last, the
 * notification goes to the notifications' dead-letter queue (kept 14 days); the feed has the state at any time.
 */
export const WEBHOOK_RETRY: RetrySettings = { firstDelaySeconds: 10, factor: 3, maxDelaySeconds: 6 * 3600 };
export const WEBHOOK_MAX_ATTEMPTS = 20;

/** The notifications queue's settings (shared/config/plan.ts): receives before dead letter = attempts. */
export const NOTIFICATION_DELIVERY: DeliverySettings = {
  maxAttempts: WEBHOOK_MAX_ATTEMPTS,
  batchSize: 10,
  visibilityTimeoutSeconds: 30,
  maxConcurrency: 2,
  retry: WEBHOOK_RETRY,
};

/** How far a signature's timestamp may be from the receiver's clock; older ones should be refused (replay). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Seconds from the first attempt to each attempt (attempt 1 at 0). */
export function webhookSchedule(retry: RetrySettings = WEBHOOK_RETRY, maxAttempts = WEBHOOK_MAX_ATTEMPTS): number[] {
  const at = [0];
  for (let attempt = 1; attempt < maxAttempts; attempt++) {
    at.push((at.at(-1) ?? 0) + retryDelaySeconds(attempt, retry));
  }
  return at;
}
