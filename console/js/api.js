/**
 * The admin API, same origin as the console. The person signs in with their identity provider through the hub's
 * backend (/auth/…): the browser holds only an HttpOnly session cookie, never a token, and nothing about the
 * session is in localStorage or sessionStorage. State-changing calls carry the session's CSRF token in a header;
 * the token lives in this module's memory only (gone on reload, fetched again from /auth/session).
 */

const MUNICIPALITY_KEY = 'skjemaflyt.kommune';
const CSRF_HEADER = 'x-skjemaflyt-csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
  }
}

let csrfToken;

/** The municipality picked in this tab (a preference, not a secret). */
export const session = {
  get municipality() {
    return sessionStorage.getItem(MUNICIPALITY_KEY);
  },
  set municipality(value) {
    if (value) sessionStorage.setItem(MUNICIPALITY_KEY, value);
    else sessionStorage.removeItem(MUNICIPALITY_KEY);
  },
};

/** The signed-in person (name, CSRF token), or undefined when there is no session. */
export async function loadSession() {
  const response = await fetch('/auth/session', { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => undefined));
  const body = await response.json();
  csrfToken = body.signedIn ? body.csrfToken : undefined;
  return body.signedIn ? body : undefined;
}

/** Where "Logg inn" goes: the hub's sign-in, coming back to this very page (a console path; the hub checks it). */
export function signInUrl() {
  const returnTo = `${location.pathname}${location.hash}`;
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Ends the session here and at the identity provider. */
export async function signOut() {
  const response = await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: csrfToken ?? '' },
  });
  csrfToken = undefined;
  session.municipality = null;
  const body = await response.json().catch(() => ({}));
  location.assign(body.location ?? '/console/');
}

/** Whether the person may retry and resolve in this municipality (else the buttons are not offered). */
export function mayRetryResolve(me, kommunenummer) {
  return Boolean(me?.municipalities.find((m) => m.kommunenummer === kommunenummer)?.canRetryResolve);
}

/** Called on 401: the session is gone or expired. */
let onUnauthorised = () => {};
export function whenUnauthorised(handler) {
  onUnauthorised = handler;
}

export async function api(method, path, { query, body } = {}) {
  const url = new URL(`/v1/admin${path}`, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(method !== 'GET' ? { [CSRF_HEADER]: csrfToken ?? '' } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    cache: 'no-store',
  });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.status === 401) {
    csrfToken = undefined;
    onUnauthorised();
    throw new ApiError(401, data);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * A file from the admin API (a document, the produced arkivmelding): its bytes as a Blob and its name, signed in
 * the same way as api(). Problems come back as ApiError, like api()'s.
 */
export async function apiFile(path, { query } = {}) {
  const url = new URL(`/v1/admin${path}`, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${session.token ?? ''}` },
    cache: 'no-store',
  });
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = undefined;
    }
    if (response.status === 401) onUnauthorised();
    throw new ApiError(response.status, problem);
  }
  return { blob: await response.blob(), contentType: response.headers.get('content-type') ?? '' };
}
