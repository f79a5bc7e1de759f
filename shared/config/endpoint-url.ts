/**
 * Where the hub may send records and notifications: https, or plain http to this machine only (the local runner
 * and the tests talk to stand-ins on 127.0.0.1). Anything else would carry fødselsnummer, documents, the target's
 * secret or a signed notification in clear text over a network. On AWS (synth) only https is accepted.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why `url` is not an address the hub may send to, or undefined when it is. */
export function endpointUrlProblem(url: string, options: { httpsOnly?: boolean } = {}): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password (use auth.secret)';
  if (parsed.protocol === 'https:') return undefined;
  if (options.httpsOnly) {
    return `must use https on AWS (${parsed.protocol}// is allowed only to 127.0.0.1 in the local runner)`;
  }
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  return `must use https (http:// is allowed only to 127.0.0.1, [::1] or localhost, for the local runner and tests)`;
}
