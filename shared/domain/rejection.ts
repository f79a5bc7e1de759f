/**
 * Why the hub refuses a request, as the domain says it: a kind, a sentence for the caller, and the fields at fault
 * (JSON pointers into the request). Thrown by receive, tracking and the admin logic; the HTTP layer
 * (shared/http/problem.ts) turns each kind into a status and an RFC 9457 problem.
 */

export interface FieldError {
  /** JSON pointer into the request, e.g. /submitter/nationalId */
  path: string;
  message: string;
  /** What is wrong, for a program (e.g. `required`, `invalid-checksum`); docs/api.md lists them */
  code?: string;
}

export type RejectionKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'too-many-requests'
  | 'unprocessable';

export class Rejection extends Error {
  readonly kind: RejectionKind;
  readonly detail: string;
  readonly errors: FieldError[];
  /** Facts the caller may act on (RFC 9457 extension members), e.g. the trackingId a submissionId already has */
  readonly facts: Record<string, string>;
  /** The problem type (its URI's last segment, listed in docs/api.md) when more precise than the kind's own */
  type: string | undefined;

  constructor(kind: RejectionKind, detail: string, errors: FieldError[] = [], facts: Record<string, string> = {}) {
    super(detail);
    this.name = 'Rejection';
    this.kind = kind;
    this.detail = detail;
    this.errors = errors;
    this.facts = facts;
    this.type = undefined;
  }

  /** The same rejection with a more precise problem type, e.g. `submission-id-reused` for a conflict. */
  withType(type: string): this {
    this.type = type;
    return this;
  }
}

export const reject = {
  invalid: (detail: string, errors: FieldError[] = []) => new Rejection('invalid', detail, errors),
  unauthenticated: (detail: string) => new Rejection('unauthenticated', detail),
  forbidden: (detail: string, errors: FieldError[] = []) => new Rejection('forbidden', detail, errors),
  notFound: (detail: string) => new Rejection('not-found', detail),
  conflict: (detail: string, errors: FieldError[] = [], facts: Record<string, string> = {}) =>
    new Rejection('conflict', detail, errors, facts),
  tooLarge: (detail: string, errors: FieldError[] = []) => new Rejection('too-large', detail, errors),
  unsupportedMediaType: (detail: string, errors: FieldError[] = []) =>
    new Rejection('unsupported-media-type', detail, errors),
  tooManyRequests: (detail: string) => new Rejection('too-many-requests', detail),
  unprocessable: (detail: string, errors: FieldError[] = []) => new Rejection('unprocessable', detail, errors),
};
