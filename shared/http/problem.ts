import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError, Rejection, RejectionKind } from '../domain/rejection.ts';

export type { FieldError } from '../domain/rejection.ts';

/** Every problem type's URI starts so; the last segment names the kind of error (docs/api.md lists them). */
export const PROBLEM_BASE = 'https://skjemaflyt.no/problems/';

/**
 * The problem types a caller can act on, one per kind of error (not per status): the status each answers with.
 * A program switches on `type`; `title` and `detail` are for people (Norwegian).
 */
export const PROBLEM_TYPES = {
  'invalid-request': 400,
  'invalid-json': 400,
  'invalid-form-data': 400,
  'unknown-form-type': 400,
  'token-missing': 401,
  'token-invalid': 401,
  'token-expired': 401,
  forbidden: 403,
  'unknown-provider': 403,
  'not-granted': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'submission-id-reused': 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'rejected-by-form-rules': 422,
  'too-many-requests': 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ProblemTypeName = keyof typeof PROBLEM_TYPES;

/** A field error's code when the place that found it gave none: what kind of fault, from the problem's type. */
const DEFAULT_FIELD_CODE: Partial<Record<ProblemTypeName, string>> = {
  'invalid-request': 'invalid',
  'invalid-json': 'invalid-json',
  'invalid-form-data': 'invalid-form-data',
  'unknown-form-type': 'unknown-form-type',
  forbidden: 'not-allowed',
  'not-granted': 'not-granted',
  conflict: 'conflict',
  'submission-id-reused': 'submission-id-reused',
  'too-large': 'too-large',
  'unsupported-media-type': 'unsupported-media-type',
  'rejected-by-form-rules': 'rule-violated',
};

/** An RFC 9457 problem, thrown by any layer and rendered by the HTTP middleware. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[];
  readonly type: string;
  /** Extension members (RFC 9457 §3.2): facts a program can act on */
  readonly extensions: Record<string, string>;
  /** Headers the answer carries besides content type (WWW-Authenticate, Retry-After, Allow) */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    title: string,
    options: {
      detail?: string;
      errors?: FieldError[];
      type?: string;
      extensions?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(options.detail ?? title);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors ?? [];
    this.type = options.type ?? `${PROBLEM_BASE}${status}`;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

const TITLES: Record<ProblemTypeName, string> = {
  'invalid-request': 'Ugyldig forespørsel',
  'invalid-json': 'Ugyldig JSON',
  'invalid-form-data': 'Skjemadataene kan ikke leses',
  'unknown-form-type': 'Ukjent skjematype',
  'token-missing': 'Ikke autentisert',
  'token-invalid': 'Ikke autentisert',
  'token-expired': 'Tokenet er utløpt',
  forbidden: 'Ingen tilgang',
  'unknown-provider': 'Ukjent skjemaleverandør',
  'not-granted': 'Ingen tilgang',
  'not-found': 'Finnes ikke',
  'method-not-allowed': 'Metoden er ikke tillatt',
  conflict: 'Konflikt',
  'submission-id-reused': 'submissionId er brukt før',
  'too-large': 'For stor',
  'unsupported-media-type': 'Feil innholdstype',
  'rejected-by-form-rules': 'Innsendingen oppfyller ikke skjemaets regler',
  'too-many-requests': 'For mange forespørsler',
  internal: 'Intern feil',
  unavailable: 'Midlertidig utilgjengelig',
};

/** The problem of a named type: its status, title and URI from the catalog. */
export function problemOf(
  name: ProblemTypeName,
  detail: string,
  options: { errors?: FieldError[]; extensions?: Record<string, string>; headers?: Record<string, string> } = {},
): HttpProblem {
  const fallback = DEFAULT_FIELD_CODE[name] ?? 'invalid';
  return new HttpProblem(PROBLEM_TYPES[name], TITLES[name], {
    detail,
    type: `${PROBLEM_BASE}${name}`,
    errors: (options.errors ?? []).map((e) => ({ ...e, code: e.code ?? fallback })),
    ...(options.extensions ? { extensions: options.extensions } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

/** RFC 6750 §3: the challenge a 401 carries; `error` only when a token was given and failed. */
export function bearerChallenge(reason: 'missing' | 'invalid' | 'expired'): string {
  const realm = 'Bearer realm="skjemaflyt"';
  if (reason === 'missing') return realm;
  const description = reason === 'expired' ? 'The access token expired' : 'The access token is invalid';
  return `${realm}, error="invalid_token", error_description="${description}"`;
}

export const problems = {
  badRequest: (detail: string, errors: FieldError[] = []) => problemOf('invalid-request', detail, { errors }),
  unauthorized: (detail: string, reason: 'missing' | 'invalid' | 'expired' = 'invalid') =>
    problemOf(`token-${reason}`, detail, { headers: { 'www-authenticate': bearerChallenge(reason) } }),
  forbidden: (detail: string, errors: FieldError[] = []) => problemOf('forbidden', detail, { errors }),
  notFound: (detail: string) => problemOf('not-found', detail),
  conflict: (detail: string, errors: FieldError[] = []) => problemOf('conflict', detail, { errors }),
  tooLarge: (detail: string, errors: FieldError[] = []) => problemOf('too-large', detail, { errors }),
  unsupportedMediaType: (detail: string, errors: FieldError[] = []) =>
    problemOf('unsupported-media-type', detail, { errors }),
  tooManyRequests: (detail: string) => problemOf('too-many-requests', detail),
  unprocessable: (detail: string, errors: FieldError[] = []) => problemOf('rejected-by-form-rules', detail, { errors }),
};

/**
 * On every JSON answer: a browser must not sniff one into HTML or script (an error that quotes a field would
 * otherwise be one upload away from stored XSS). API Gateway adds nothing, so the functions set it.
 */
export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** The problem type of each kind of domain rejection, unless the rejection names a more precise one. */
const FOR_REJECTION: Record<RejectionKind, ProblemTypeName> = {
  invalid: 'invalid-request',
  unauthenticated: 'token-invalid',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  conflict: 'conflict',
  'too-large': 'too-large',
  'unsupported-media-type': 'unsupported-media-type',
  'too-many-requests': 'too-many-requests',
  unprocessable: 'rejected-by-form-rules',
};

function isProblemType(name: string | undefined): name is ProblemTypeName {
  return name !== undefined && Object.hasOwn(PROBLEM_TYPES, name);
}

export function problemFor(rejection: Rejection): HttpProblem {
  const named = isProblemType(rejection.type) ? rejection.type : undefined;
  // A named type answers with its kind's status: the kind decides the status, the name only refines it.
  const name = named && PROBLEM_TYPES[named] === PROBLEM_TYPES[FOR_REJECTION[rejection.kind]] ? named : undefined;
  const type = name ?? FOR_REJECTION[rejection.kind];
  return problemOf(type, rejection.detail, {
    errors: rejection.errors,
    extensions: { ...rejection.facts },
    ...(type === 'token-invalid' ? { headers: { 'www-authenticate': bearerChallenge('invalid') } } : {}),
  });
}

export function problemResponse(problem: HttpProblem, instance?: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { ...problem.headers, 'content-type': 'application/problem+json; charset=utf-8', ...NOSNIFF },
    body: JSON.stringify({
      ...problem.extensions,
      type: problem.type,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(instance ? { instance } : {}),
      errors: problem.errors,
    }),
  };
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NOSNIFF, ...headers },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}
