import type { RetrySettings } from '../config/types.ts';

/** Defaults in the spirit of eFormidling: first retry after about 20 s, factor 3, at most an hour apart. */
export const DEFAULT_RETRY: RetrySettings = { firstDelaySeconds: 20, factor: 3, maxDelaySeconds: 3600 };

/** SQS's ceiling for a message's visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/** Seconds to wait before the attempt after `attempt` (1-based): capped exponential backoff. */
export function retryDelaySeconds(attempt: number, retry: RetrySettings = DEFAULT_RETRY): number {
  const delay = retry.firstDelaySeconds * retry.factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(delay, retry.maxDelaySeconds, MAX_VISIBILITY_SECONDS));
}
