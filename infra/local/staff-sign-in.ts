import * as oauth from 'oauth4webapi';
import { LOCAL_ADMIN_API } from './identity-provider.ts';

/**
 * Signing a person in at the local identity provider without a browser, the way a browser does it: follow the
 * redirects, fill in the login form, keep the cookies each site sets. For `npm run token -- --admin` (a bearer
 * token for the admin API, through authorization code with PKCE) and for tests that need a console session.
 */

/** The command-line client: public (PKCE, no secret); its redirect URI is read off the Location, never served. */
export const LOCAL_CLI_CLIENT = {
  clientId: 'skjemaflyt-cli',
  redirectUri: 'http://127.0.0.1/skjemaflyt-token',
} as const;

/** A minimal browser: cookies per origin, redirects followed by hand so each hop can be seen. */
export class HeadlessBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    this.cookies.set(origin, jar);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (!value || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects while `stay(url)` holds; returns the last response and the first location outside. */
  async follow(url: string, stay: (url: URL) => boolean, init: RequestInit = {}) {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const location = new URL(response.headers.get('location') ?? '', current);
      if (!stay(location)) return { response, location: location.href };
      current = location.href;
      response = await this.request(current);
    }
    return { response, location: undefined };
  }

  cookie(origin: string, name: string): string | undefined {
    return this.cookies.get(origin)?.get(name);
  }

  cookieHeader(origin: string): string {
    return [...(this.cookies.get(origin) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** At the identity provider's login page (reached from `authorizeUrl`): types the person's name and password. */
export async function signInAtProvider(
  browser: HeadlessBrowser,
  authorizeUrl: string,
  issuer: string,
  username: string,
  password = 'demo',
): Promise<string> {
  const atProvider = (url: URL) => url.origin === new URL(issuer).origin;
  const { response: page } = await browser.follow(authorizeUrl, atProvider);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`The identity provider showed no login form (HTTP ${page.status})`);
  const { location, response } = await browser.follow(
    new URL(
      action.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))),
      issuer,
    ).href,
    atProvider,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ brukernavn: username, passord: password }),
    },
  );
  if (!location) throw new Error(`Sign-in as ${username} failed (HTTP ${response.status})`);
  return location;
}

/** A bearer token for the admin API from the local identity provider: authorization code with PKCE, as `username`. */
export async function staffAccessToken(issuer: string, username: string, password = 'demo'): Promise<string> {
  const url = new URL(issuer);
  const insecure = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
  const client: oauth.Client = { client_id: LOCAL_CLI_CLIENT.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = new URL(as.authorization_endpoint ?? '');
  authorize.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: LOCAL_CLI_CLIENT.redirectUri,
    response_type: 'code',
    scope: `openid ${LOCAL_ADMIN_API.scope}`,
    resource: LOCAL_ADMIN_API.audience,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  const back = await signInAtProvider(new HeadlessBrowser(), authorize.href, issuer, username, password);
  const params = oauth.validateAuthResponse(as, client, new URL(back), state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    LOCAL_CLI_CLIENT.redirectUri,
    verifier,
    { ...insecure, additionalParameters: { resource: LOCAL_ADMIN_API.audience } },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: false });
  return result.access_token;
}

/**
 * A console session on a running hub, as the console gets one: /auth/login, the identity provider's login form,
 * back through /auth/callback. Returns the cookie header to send and the session's CSRF token.
 */
export async function consoleSession(hubUrl: string, issuer: string, username: string, password = 'demo') {
  const browser = new HeadlessBrowser();
  const hub = new URL(hubUrl).origin;
  const login = await browser.request(`${hub}/auth/login?returnTo=${encodeURIComponent('/console/')}`);
  const authorize = login.headers.get('location');
  if (login.status !== 303 || !authorize) throw new Error(`/auth/login answered ${login.status}`);
  const callback = await signInAtProvider(browser, authorize, issuer, username, password);
  const done = await browser.request(callback);
  if (done.status !== 303) throw new Error(`/auth/callback answered ${done.status}`);
  const cookie = browser.cookieHeader(hub);
  const session = await fetch(`${hub}/auth/session`, { headers: { cookie } });
  const body = (await session.json()) as { csrfToken?: string };
  return { cookie, csrfToken: body.csrfToken ?? '', browser, returnedTo: done.headers.get('location') };
}
