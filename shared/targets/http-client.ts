import type { HttpTransport } from '../config/types.ts';
import { fail, type TargetKind } from '../delivery/failures.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One POST to a target: auth header from the configured secret, a hard timeout, and network faults
 * turned into a `target-unavailable` failure. Status codes are left to the caller, who knows the protocol.
 */
export async function postToTarget(
  targetKind: TargetKind,
  transport: HttpTransport,
  body: string | FormData,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  const auth = transport.auth;
  const all: Record<string, string> = { ...headers };
  if (auth) {
    const secret = process.env[auth.secret.env];
    if (!secret) {
      throw fail.configuration('secret', auth.secret.env, `Hemmeligheten for målet er ikke satt (${auth.secret.env}).`);
    }
    all[auth.header] = auth.scheme ? `${auth.scheme} ${secret}` : secret;
  }
  try {
    const response = await fetch(transport.url, {
      method: 'POST',
      headers: all,
      body,
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw fail.unavailable(
        targetKind,
        `Mottakeren svarte ikke innen ${transport.timeoutMs} ms.`,
        { reason: 'timeout', timeoutMs: transport.timeoutMs },
        error,
      );
    }
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? name) || 'ukjent';
    throw fail.unavailable(targetKind, `Kunne ikke nå mottakeren (${code}).`, { reason: 'network', code }, error);
  }
}

/** HTTP statuses that mean "later" rather than "never". */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
