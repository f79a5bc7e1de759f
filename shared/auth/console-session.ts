import { timingSafeEqual } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { reject } from '../domain/rejection.ts';
import type { Principal } from './claims.ts';
import { AuthenticationError } from './errors.ts';
import type { Session, SessionClaims, SessionStore } from './sessions.ts';
import { type StaffAccess, staffPrincipal } from './staff.ts';

/**
 * The console's backend-for-frontend (OAuth 2.0 for Browser-Based Apps, BCP): the hub, not the browser, signs the
 * person in with their identity provider (authorization code with PKCE, a confidential client) and keeps what it
 * learns server side; the browser gets an HttpOnly, SameSite=Strict cookie with a random session id, and no token
 * at all. Plain functions from request data to response data; functions/console-session is the thin handler.
 */

export interface ConsoleSessionSettings {
  /** `<origin>/console/` */
  consoleUrl: string;
}

export interface StaffSignInSettings extends ConsoleSessionSettings {
  issuer: string;
  clientId: string;
  /** Read when needed (shared/secrets: cached, and a rotation reaches it within minutes) */
  clientSecret: () => Promise<string>;
  scopes: string[];
  sessionMinutes: number;
}

/** The header the console sends its session's CSRF token in, on every state-changing call. */
export const CSRF_HEADER = 'x-skjemaflyt-csrf';
const SIGN_IN_MINUTES = 10;

/**
 * Cookie names and attributes: `__Host-` (Secure, Path=/, no Domain: no other host can set or read it) over
 * HTTPS; without that prefix and Secure only on the local hub's plain http://127.0.0.1.
 */
export function cookiePolicy(consoleUrl: string) {
  const secure = new URL(consoleUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  const attributes = (sameSite: 'Strict' | 'Lax', maxAge: number) =>
    `Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
  return {
    session: `${prefix}skjemaflyt-session`,
    signIn: `${prefix}skjemaflyt-signin`,
    /** Strict: the browser never sends the session with a request another site started */
    sessionCookie: (name: string, value: string, maxAge: number) => `${name}=${value}; ${attributes('Strict', maxAge)}`,
    /** Lax: it must come back with the identity provider's redirect to the callback, a top-level navigation */
    signInCookie: (name: string, value: string, maxAge: number) => `${name}=${value}; ${attributes('Lax', maxAge)}`,
  };
}

/** One cookie's value from API Gateway's `cookies` (payload 2.0); a name sent twice counts as none (a planted twin). */
export function cookieValue(cookies: readonly string[] | undefined, name: string): string | undefined {
  const values = (cookies ?? []).flatMap((c) => {
    const at = c.indexOf('=');
    return at > 0 && c.slice(0, at).trim() === name ? [c.slice(at + 1).trim()] : [];
  });
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Where to go after signing in: a console page of this origin only (`/console/…`, with its `#/…` route), never
 * another site (no open redirect). Anything else is the console's front page.
 */
export function safeReturnTo(value: string | undefined): string {
  const fallback = '/console/';
  if (!value || value.length > 1024 || !value.startsWith('/console/')) return fallback;
  // Control characters, backslashes and encoded ones a browser may still read as a path separator
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  if (/\\|%5c|%2f%2f|\/\//i.test(value)) return fallback;
  const base = 'https://console.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || !url.pathname.startsWith('/console/')) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

const insecureLocal = (issuer: URL) =>
  issuer.protocol === 'http:' && (issuer.hostname === '127.0.0.1' || issuer.hostname === 'localhost')
    ? { [oauth.allowInsecureRequests]: true }
    : {};

const servers = new Map<string, Promise<oauth.AuthorizationServer>>();

/** The identity provider's metadata (/.well-known/openid-configuration), fetched once per cold start. */
export function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  let server = servers.get(issuer);
  if (!server) {
    const url = new URL(issuer);
    server = oauth
      .discoveryRequest(url, { algorithm: 'oidc', ...insecureLocal(url) })
      .then((response) => oauth.processDiscoveryResponse(url, response));
    server.catch(() => servers.delete(issuer));
    servers.set(issuer, server);
  }
  return server;
}

export const redirectUri = (consoleUrl: string) => new URL('/auth/callback', consoleUrl).href;

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: unknown;
}

const redirect = (location: string, cookies: string[] = []): HttpAnswer => ({
  status: 303,
  headers: { location, 'cache-control': 'no-store' },
  cookies,
});

/** GET /auth/login?returnTo=/console/#/… : off to the identity provider, with state, nonce and PKCE. */
export async function startSignIn(
  settings: StaffSignInSettings,
  store: SessionStore,
  returnTo: string | undefined,
  now = new Date(),
): Promise<HttpAnswer> {
  const as = await discover(settings.issuer);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const id = await store.createSignIn({
    state,
    nonce,
    codeVerifier,
    returnTo: safeReturnTo(returnTo),
    expiresAt: new Date(now.getTime() + SIGN_IN_MINUTES * 60_000).toISOString(),
  });
  const url = new URL(as.authorization_endpoint ?? '');
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    redirect_uri: redirectUri(settings.consoleUrl),
    response_type: 'code',
    scope: settings.scopes.join(' '),
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();
  const cookies = cookiePolicy(settings.consoleUrl);
  return redirect(url.href, [cookies.signInCookie(cookies.signIn, id, SIGN_IN_MINUTES * 60)]);
}

/** Why a sign-in did not complete; the person is sent back to the console with a message, nothing is kept. */
export type SignInFailure = 'no-sign-in' | 'refused' | 'invalid-response';

/**
 * GET /auth/callback?code=…&state=… : the sign-in this browser started (its cookie; used once), the state it
 * sent, the code exchanged with the PKCE verifier and the client's secret, the ID token's issuer, audience, expiry
 * and nonce checked. Then a new session (a fresh id: no fixation) and back to the page the person came from.
 */
export async function finishSignIn(
  settings: StaffSignInSettings,
  store: SessionStore,
  request: { url: URL; cookies: readonly string[] | undefined },
  now = new Date(),
): Promise<HttpAnswer & { failure?: SignInFailure }> {
  const cookies = cookiePolicy(settings.consoleUrl);
  const clearSignIn = cookies.signInCookie(cookies.signIn, '', 0);
  const failed = (failure: SignInFailure): HttpAnswer & { failure: SignInFailure } => ({
    ...redirect(`/console/?innlogging=${failure === 'refused' ? 'avbrutt' : 'feilet'}`, [clearSignIn]),
    failure,
  });
  const signIn = await store.takeSignIn(cookieValue(request.cookies, cookies.signIn));
  if (!signIn) return failed('no-sign-in');
  const as = await discover(settings.issuer);
  const client: oauth.Client = { client_id: settings.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, request.url, signIn.state);
  } catch (error) {
    return failed(error instanceof oauth.AuthorizationResponseError ? 'refused' : 'invalid-response');
  }
  let claims: oauth.IDToken;
  let idToken: string | undefined;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(await settings.clientSecret()),
      params,
      redirectUri(settings.consoleUrl),
      signIn.codeVerifier,
      insecureLocal(new URL(settings.issuer)),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: signIn.nonce,
      requireIdToken: true,
    });
    claims = oauth.getValidatedIdTokenClaims(result) as oauth.IDToken;
    idToken = result.id_token;
  } catch {
    return failed('invalid-response');
  }
  const expiresAt = new Date(now.getTime() + settings.sessionMinutes * 60_000);
  const { id } = await store.createSession({
    claims: sessionClaims(claims),
    expiresAt: expiresAt.toISOString(),
    ...(idToken ? { idToken } : {}),
  });
  return redirect(signIn.returnTo, [
    clearSignIn,
    cookies.sessionCookie(cookies.session, id, settings.sessionMinutes * 60),
  ]);
}

function sessionClaims(claims: oauth.IDToken): SessionClaims {
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 500) : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : undefined);
  const groups = list(claims.groups);
  const roles = list(claims.roles);
  const name = text(claims.name);
  const username = text(claims.preferred_username);
  return {
    sub: claims.sub,
    ...(name ? { name } : {}),
    ...(username ? { preferred_username: username } : {}),
    ...(groups ? { groups } : {}),
    ...(roles ? { roles } : {}),
  };
}

/**
 * GET /auth/session: who is signed in, their rights, and the CSRF token; `{ signedIn: false }` when there is no
 * live session (a 200: not being signed in yet is no error).
 */
export async function describeSession(
  settings: ConsoleSessionSettings,
  store: SessionStore,
  cookies: readonly string[] | undefined,
  access: StaffAccess,
): Promise<HttpAnswer> {
  const session = await store.getSession(cookieValue(cookies, cookiePolicy(settings.consoleUrl).session));
  if (!session) return { status: 200, body: { signedIn: false } };
  const admin = staffPrincipal(session.claims, access);
  return {
    status: 200,
    body: {
      signedIn: true,
      name: admin.name ?? admin.subject,
      municipalities: admin.municipalities,
      canRetryResolve: admin.canRetryResolve,
      csrfToken: session.csrf,
      expiresAt: session.expiresAt,
    },
  };
}

/**
 * POST /auth/logout (with the CSRF header): the session is deleted here, and the browser is told where the
 * identity provider ends its own session (RP-initiated logout), coming back to the console.
 */
export async function signOut(
  settings: StaffSignInSettings,
  store: SessionStore,
  request: { cookies: readonly string[] | undefined; headers: Record<string, string | undefined> },
): Promise<HttpAnswer> {
  const cookies = cookiePolicy(settings.consoleUrl);
  const id = cookieValue(request.cookies, cookies.session);
  const session = await store.getSession(id);
  if (session) {
    checkCsrf(settings, session, request.headers);
    await store.deleteSession(id);
  }
  const clear = cookies.sessionCookie(cookies.session, '', 0);
  const as = await discover(settings.issuer);
  let location: string = settings.consoleUrl;
  if (as.end_session_endpoint) {
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', settings.clientId);
    url.searchParams.set('post_logout_redirect_uri', settings.consoleUrl);
    if (session?.idToken) url.searchParams.set('id_token_hint', session.idToken);
    location = url.href;
  }
  return { status: 200, cookies: [clear], headers: { 'cache-control': 'no-store' }, body: { location } };
}

/** A state-changing call with a session must come from the console: its Origin (when sent) and its CSRF token. */
export function checkCsrf(
  settings: ConsoleSessionSettings,
  session: Session,
  headers: Record<string, string | undefined>,
): void {
  const origin = headers.origin;
  if (origin && origin !== new URL(settings.consoleUrl).origin) throw csrfRefused();
  const given = Buffer.from(headers[CSRF_HEADER] ?? '');
  const expected = Buffer.from(session.csrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw csrfRefused();
}

/** A state-changing call without the console's CSRF token or from another origin: 403, nothing done. */
const csrfRefused = () =>
  reject.forbidden('Forespørselen kom ikke fra konsollen (mangler eller feil CSRF-token). Last siden på nytt.', [
    { path: `/headers/${CSRF_HEADER}`, message: 'Mangler eller feil CSRF-token.' },
  ]);

/**
 * The admin API's caller from the session cookie, when there is one: the person by their groups, as the
 * configuration maps them today (rights are not frozen at sign-in). A cookie naming no live session is 401, so
 * the console asks the person to sign in again. Returns undefined without a cookie (a bearer token may follow).
 */
export async function sessionPrincipal(
  settings: ConsoleSessionSettings,
  store: SessionStore,
  request: { method: string; cookies: readonly string[] | undefined; headers: Record<string, string | undefined> },
  access: StaffAccess,
): Promise<Principal | undefined> {
  const id = cookieValue(request.cookies, cookiePolicy(settings.consoleUrl).session);
  if (id === undefined) return undefined;
  const session = await store.getSession(id);
  if (!session) throw new AuthenticationError('Økten er utløpt. Logg inn på nytt.');
  if (request.method !== 'GET' && request.method !== 'HEAD') checkCsrf(settings, session, request.headers);
  return staffPrincipal(session.claims, access);
}
