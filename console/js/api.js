/**
 * The admin API, same origin as the console. The token is the user's admin token (from the identity provider,
 * or locally `npm run --silent token -- --admin 3101`), kept for this browser tab only.
 */

const TOKEN_KEY = 'skjemaflyt.token';
const MUNICIPALITY_KEY = 'skjemaflyt.kommune';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  get municipality() {
    return sessionStorage.getItem(MUNICIPALITY_KEY);
  },
  set municipality(value) {
    if (value) sessionStorage.setItem(MUNICIPALITY_KEY, value);
    else sessionStorage.removeItem(MUNICIPALITY_KEY);
  },
};

/** Called on 401: the token is gone or expired. */
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
    headers: {
      authorization: `Bearer ${session.token ?? ''}`,
      accept: 'application/json',
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
