import type { HttpTransport } from '../config/types.ts';
import { PermanentDeliveryError } from '../delivery/errors.ts';

/** A target that could not be reached or answered "try later": the queue retries it with backoff. */
export class TargetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetUnavailableError';
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One POST to a target: auth header from the configured secret, a hard timeout, and network faults
 * turned into TargetUnavailableError. Redirects are never followed (see refuseRedirect). Other status codes are
 * left to the caller, who knows the protocol.
 */
export async function postToTarget(
  transport: HttpTransport,
  body: string | FormData,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  const auth = transport.auth;
  const all: Record<string, string> = { ...headers };
  if (auth) {
    const secret = process.env[auth.secret.env];
    if (!secret) throw new PermanentDeliveryError(`Hemmeligheten for målet er ikke satt (${auth.secret.env}).`);
    all[auth.header] = auth.scheme ? `${auth.scheme} ${secret}` : secret;
  }
  try {
    const response = await fetch(transport.url, {
      method: 'POST',
      headers: all,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
    refuseRedirect(response, transport.url, 'Mottakeren');
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    if (error instanceof PermanentDeliveryError) throw error;
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

/**
 * A 3xx from a target or a webhook is a failure, never followed: following would send the record, the fødselsnummer
 * and the target's secret header (or a signed notification) to whatever origin the answer names. Permanent: the
 * configured address is wrong (or the target is compromised), and a person has to look at it. The message names
 * only the origin of the Location, not its path or query.
 */
export function refuseRedirect(response: Response, url: string, who: string): void {
  if (response.status < 300 || response.status > 399) return;
  void response.body?.cancel().catch(() => {});
  const location = response.headers.get('location');
  let where = 'en adresse den ikke oppga';
  if (location) {
    try {
      where = new URL(location, url).origin;
    } catch {
      where = 'en ugyldig adresse';
    }
  }
  throw new PermanentDeliveryError(
    `${who} svarte med en omdirigering (HTTP ${response.status}) til ${where}, som huben ikke følger. ` +
      'Sjekk adressen i konfigurasjonen for målet.',
  );
}
