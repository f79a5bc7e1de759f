import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError, Rejection, RejectionKind } from '../domain/rejection.ts';

export type { FieldError } from '../domain/rejection.ts';

/** An RFC 9457 problem, thrown by any layer and rendered by the HTTP middleware. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[];
  readonly type: string;
  /** Extension members (RFC 9457 §3.2): facts a program can act on */
  readonly extensions: Record<string, string>;

  constructor(
    status: number,
    title: string,
    options: { detail?: string; errors?: FieldError[]; type?: string; extensions?: Record<string, string> } = {},
  ) {
    super(options.detail ?? title);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors ?? [];
    this.type = options.type ?? `https://skjemaflyt.no/problems/${status}`;
    this.extensions = options.extensions ?? {};
  }
}

export const problems = {
  badRequest: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(400, 'Ugyldig forespørsel', {
      detail,
      errors,
      type: 'https://skjemaflyt.no/problems/invalid-request',
    }),
  unauthorized: (detail: string) =>
    new HttpProblem(401, 'Ikke autentisert', { detail, type: 'https://skjemaflyt.no/problems/unauthorized' }),
  forbidden: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(403, 'Ingen tilgang', { detail, errors, type: 'https://skjemaflyt.no/problems/forbidden' }),
  notFound: (detail: string) =>
    new HttpProblem(404, 'Finnes ikke', { detail, type: 'https://skjemaflyt.no/problems/not-found' }),
  conflict: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(409, 'Konflikt', { detail, errors, type: 'https://skjemaflyt.no/problems/conflict' }),
  tooLarge: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(413, 'For stor', { detail, errors, type: 'https://skjemaflyt.no/problems/too-large' }),
  unsupportedMediaType: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(415, 'Feil innholdstype', {
      detail,
      errors,
      type: 'https://skjemaflyt.no/problems/unsupported-media-type',
    }),
  tooManyRequests: (detail: string) =>
    new HttpProblem(429, 'For mange forespørsler', {
      detail,
      type: 'https://skjemaflyt.no/problems/too-many-requests',
    }),
  unprocessable: (detail: string, errors: FieldError[] = []) =>
    new HttpProblem(422, 'Innsendingen oppfyller ikke skjemaets regler', {
      detail,
      errors,
      type: 'https://skjemaflyt.no/problems/rejected-by-form-rules',
    }),
};

/**
 * On every JSON answer: a browser must not sniff one into HTML or script (an error that quotes a field would
 * otherwise be one upload away from stored XSS). API Gateway adds nothing, so the functions set it.
 */
export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** The problem for each kind of domain rejection. */
const FOR_REJECTION: Record<RejectionKind, (detail: string, errors: FieldError[]) => HttpProblem> = {
  invalid: (d, e) => problems.badRequest(d, e),
  unauthenticated: (d) => problems.unauthorized(d),
  forbidden: (d, e) => problems.forbidden(d, e),
  'not-found': (d) => problems.notFound(d),
  conflict: (d, e) => problems.conflict(d, e),
  'too-large': (d, e) => problems.tooLarge(d, e),
  'unsupported-media-type': (d, e) => problems.unsupportedMediaType(d, e),
  'too-many-requests': (d) => problems.tooManyRequests(d),
  unprocessable: (d, e) => problems.unprocessable(d, e),
};

export function problemFor(rejection: Rejection): HttpProblem {
  const problem = FOR_REJECTION[rejection.kind](rejection.detail, rejection.errors);
  Object.assign(problem.extensions, rejection.facts);
  return problem;
}

export function problemResponse(problem: HttpProblem, instance?: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...NOSNIFF },
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
