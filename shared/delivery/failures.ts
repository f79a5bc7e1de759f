/**
 * Why a delivery attempt failed, as typed values: a code, whether the hub's own retries can help, the details a
 * person needs (kept as data, never parsed back from text), and a short Norwegian message. What is stored on the
 * delivery is `{ code, retryable, message, details }`; `shared/admin/explain.ts` turns it into advice for staff.
 * Details hold field names, rules, element names and the target's own words, never form values.
 */
import { MappingError, type MappingFault } from '../mapping/errors.ts';

export type FailureCode =
  | 'mapping-failed'
  | 'record-format'
  | 'xsd-invalid'
  | 'target-rejected'
  | 'target-server-error'
  | 'target-unavailable'
  | 'target-redirected'
  | 'auth-refused'
  | 'configuration-missing'
  | 'receipt-overdue'
  | 'internal';

export const FAILURE_CODES: readonly FailureCode[] = [
  'mapping-failed',
  'record-format',
  'xsd-invalid',
  'target-rejected',
  'target-server-error',
  'target-unavailable',
  'target-redirected',
  'auth-refused',
  'configuration-missing',
  'receipt-overdue',
  'internal',
];

export interface XsdError {
  line?: number;
  message: string;
}

/** The details each code carries. */
export interface FailureDetails {
  'mapping-failed': Omit<MappingFault, 'advice'>;
  'record-format': { format: string; reason: string };
  'xsd-invalid': { format: string; errors: XsdError[] };
  /** The protocol's error type (ugyldigforespoersel, ikkefunnet, or `HTTP 4xx`) and the target's own words */
  'target-rejected': { targetKind: TargetKind; errorType: string; targetMessage?: string; status?: number };
  /** The target reported an error on its side (Fiks Arkiv `serverfeil`) */
  'target-server-error': { targetKind: TargetKind; errorType: string; targetMessage?: string; status?: number };
  'target-unavailable': {
    targetKind: TargetKind;
    reason: 'timeout' | 'network' | 'status' | 'no-valid-receipt';
    status?: number;
    /** A network error's code (ECONNREFUSED …) or the timeout in ms */
    code?: string;
    timeoutMs?: number;
  };
  /** A redirect is never followed: the body and the credentials would go to another origin */
  'target-redirected': { targetKind: TargetKind; status: number; location?: string };
  'auth-refused': { targetKind: TargetKind; status?: number };
  'configuration-missing': { what: 'secret' | 'form-type' | 'target' | 'mapping'; name: string };
  'receipt-overdue': Record<string, never>;
  /** Something the hub did not expect (a bug, or a store it could not read): retried */
  internal: { name: string };
}

export type TargetKind = 'archive' | 'fagsystem';

export type StoredFailure = {
  [C in FailureCode]: { code: C; retryable: boolean; message: string; details: FailureDetails[C] };
}[FailureCode];

/** Whether the hub's own retries can help (the same attempt may succeed later). */
const RETRYABLE: Record<FailureCode, boolean> = {
  'mapping-failed': false,
  'record-format': false,
  'xsd-invalid': false,
  'target-rejected': false,
  'target-server-error': true,
  'target-unavailable': true,
  'target-redirected': false,
  'auth-refused': false,
  'configuration-missing': false,
  'receipt-overdue': true,
  internal: true,
};

export function isRetryable(code: FailureCode): boolean {
  return RETRYABLE[code];
}

/** A failed delivery attempt, thrown by deliverers and adapters and stored as its `failure`. */
export class DeliveryFailure<C extends FailureCode = FailureCode> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  readonly details: FailureDetails[C];

  constructor(code: C, message: string, details: FailureDetails[C], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryFailure';
    this.code = code;
    this.retryable = RETRYABLE[code];
    this.details = details;
  }

  toStored(): StoredFailure {
    return {
      code: this.code,
      retryable: this.retryable,
      message: clip(this.message),
      details: this.details,
    } as StoredFailure;
  }
}

/** Shorthands for the failures adapters raise most. */
export const fail = {
  unavailable: (
    targetKind: TargetKind,
    message: string,
    details: Omit<FailureDetails['target-unavailable'], 'targetKind'>,
    cause?: unknown,
  ) => new DeliveryFailure('target-unavailable', message, { targetKind, ...details }, { cause }),
  rejected: (targetKind: TargetKind, message: string, details: Omit<FailureDetails['target-rejected'], 'targetKind'>) =>
    new DeliveryFailure('target-rejected', message, { targetKind, ...details }),
  serverError: (
    targetKind: TargetKind,
    message: string,
    details: Omit<FailureDetails['target-server-error'], 'targetKind'>,
  ) => new DeliveryFailure('target-server-error', message, { targetKind, ...details }),
  authRefused: (targetKind: TargetKind, status?: number) =>
    new DeliveryFailure(
      'auth-refused',
      `${targetKind === 'archive' ? 'Arkivet' : 'Fagsystemet'} avviste påloggingen${status ? ` (HTTP ${status})` : ''}.`,
      { targetKind, ...(status ? { status } : {}) },
    ),
  configuration: (what: FailureDetails['configuration-missing']['what'], name: string, message: string) =>
    new DeliveryFailure('configuration-missing', message, { what, name }),
};

/** Any error as the failure stored on the delivery. Unknown errors are `internal`, without their text's numbers. */
export function toFailure(error: unknown): StoredFailure {
  if (error instanceof DeliveryFailure) return error.toStored();
  if (error instanceof MappingError) {
    // Without a fault it is the form type's setup, not this submission: no mapping for the target at all.
    if (!error.fault) return fail.configuration('mapping', '', error.message).toStored();
    const { advice: _advice, ...fault } = error.fault;
    return { code: 'mapping-failed', retryable: false, message: clip(error.message), details: fault };
  }
  const name = error instanceof Error ? error.name : 'Error';
  return {
    code: 'internal',
    retryable: true,
    message: error instanceof Error ? clip(error.message.replace(/\d{6,}/g, '***')) : 'Ukjent feil',
    details: { name },
  };
}

/** Stored text stays short: the details carry what a person needs. */
function clip(text: string): string {
  const masked = text.replace(/\b\d{11}\b/g, '***********');
  return masked.length > 500 ? `${masked.slice(0, 497)}...` : masked;
}
