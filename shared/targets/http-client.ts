import type { HttpTransport } from '../config/types.ts';
import { PermanentDeliveryError } from '../delivery/errors.ts';

/** A target that could not be reached or answered "try later": the queue retries it with backoff. */
export class TargetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetUnavailableError';
  }
}

/** A target's secret by its variable name (`transport.auth.secret.env`), from the function's environment. */
export type Secrets = (variable: string) => string | undefined;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One POST to a target: auth header from the configured secret, a hard timeout, and network faults
 * turned into TargetUnavailableError. Status codes are left to the caller, who knows the protocol.
 */
export async function postToTarget(
  transport: HttpTransport,
  body: string | FormData,
  headers: Record<string, string>,
  secrets: Secrets,
): Promise<HttpAnswer> {
  const auth = transport.auth;
  const all: Record<string, string> = { ...headers };
  if (auth) {
    const secret = secrets(auth.secret.env);
    if (!secret) throw new PermanentDeliveryError(`Hemmeligheten for målet er ikke satt (${auth.secret.env}).`);
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
      throw new TargetUnavailableError(`Mottakeren svarte ikke innen ${transport.timeoutMs} ms.`, { cause: error });
    }
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? name) || 'ukjent';
    throw new TargetUnavailableError(`Kunne ikke nå mottakeren (${code}).`, { cause: error });
  }
}

/** HTTP statuses that mean "later" rather than "never". */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
