import type { HttpTransport } from '../config/types.ts';
import { DeliveryFailure, fail, type TargetKind } from '../delivery/failures.ts';
import type { SecretStore } from '../secrets/store.ts';

/** Targets' secrets by their variable name (`transport.auth.secret.env`), read at run time (shared/secrets). */
export type Secrets = SecretStore;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One POST to a target: auth header from the configured secret, a hard timeout, and network faults
 * turned into a `target-unavailable` failure. Redirects are never followed (see redirectedTo). Other status codes
 * are left to the caller, who knows the protocol. A 401/403 may mean the secret was rotated since it was cached:
 * it is read again from the store (forceFetch) and, when it changed, the POST is made once more with it.
 */
export async function postToTarget(
  targetKind: TargetKind,
  transport: HttpTransport,
  body: string | FormData,
  headers: Record<string, string>,
  secrets: Secrets,
): Promise<HttpAnswer> {
  const auth = transport.auth;
  if (!auth) return post(targetKind, transport, body, headers);
  const read = async (forceFetch: boolean) => {
    const secret = await secrets.get(auth.secret.env, { forceFetch });
    if (!secret) {
      throw fail.configuration('secret', auth.secret.env, `Hemmeligheten for målet er ikke satt (${auth.secret.env}).`);
    }
    return secret;
  };
  const withSecret = (secret: string) => ({
    ...headers,
    [auth.header]: auth.scheme ? `${auth.scheme} ${secret}` : secret,
  });
  const used = await read(false);
  const answer = await post(targetKind, transport, body, withSecret(used));
  if (answer.status !== 401 && answer.status !== 403) return answer;
  const fresh = await read(true);
  return fresh === used ? answer : post(targetKind, transport, body, withSecret(fresh));
}

async function post(
  targetKind: TargetKind,
  transport: HttpTransport,
  body: string | FormData,
  all: Record<string, string>,
): Promise<HttpAnswer> {
  try {
    const response = await fetch(transport.url, {
      method: 'POST',
      headers: all,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
    const redirect = redirectedTo(response, transport.url);
    if (redirect) {
      throw new DeliveryFailure(
        'target-redirected',
        `Mottakeren svarte med en omdirigering (HTTP ${response.status}) til ${redirect}, som huben ikke følger. ` +
          'Sjekk adressen i konfigurasjonen for målet.',
        { targetKind, status: response.status, location: redirect },
      );
    }
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    if (error instanceof DeliveryFailure) throw error;
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

/**
 * A 3xx from a target or a webhook is a failure, never followed: following would send the record, the fødselsnummer
 * and the target's secret header (or a signed notification) to whatever origin the answer names. The configured
 * address is wrong (or the target is compromised), and a person has to look at it. Gives only the origin of the
 * Location, not its path or query; undefined when the answer is not a redirect.
 */
export function redirectedTo(response: Response, url: string): string | undefined {
  if (response.status < 300 || response.status > 399) return undefined;
  void response.body?.cancel().catch(() => {});
  const location = response.headers.get('location');
  if (!location) return 'en adresse den ikke oppga';
  try {
    return new URL(location, url).origin;
  } catch {
    return 'en ugyldig adresse';
  }
}
