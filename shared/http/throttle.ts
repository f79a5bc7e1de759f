import type { Principal } from '../auth/claims.ts';

/**
 * Token buckets per caller, as API Gateway throttles (a steady rate plus a burst). Plain data and a clock:
 * the local runner keys it by provider; on AWS the stage's throttling settings take the same two numbers.
 */
export interface ThrottleSettings {
  /** Tokens added per second */
  requestsPerSecond: number;
  /** Bucket size: how many requests may come at once */
  burst: number;
}

export interface Throttle {
  /** Takes one token for `key`; returns 0 when allowed, else the seconds until the next token. */
  take(key: string): number;
}

export function createThrottle(
  settings: (key: string) => ThrottleSettings,
  now: () => number = () => performance.now(),
  maxKeys = 10_000,
): Throttle {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const { requestsPerSecond, burst } = settings(key);
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * requestsPerSecond);
      bucket.at = t;
      // Re-inserted so the map stays in least-recently-used order; the oldest go when it is full.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond));
    },
  };
}

/**
 * Whom a request counts against: the provider (or admin) of a token that verifies; anything else by its
 * address, so a flood of bad tokens cannot use up a provider's share.
 */
export async function callerKey(
  authorization: string | undefined,
  sourceIp: string,
  verify: (authorization: string | undefined) => Promise<Principal>,
): Promise<string> {
  try {
    const principal = await verify(authorization);
    return principal.kind === 'provider' ? `provider:${principal.providerId}` : `admin:${principal.subject}`;
  } catch {
    return `ip:${sourceIp}`;
  }
}
