import { loggableError } from './safe-error.ts';

/**
 * Redaction for logs and metrics. Two nets: fields that hold personal data by their name (names,
 * addresses, contact details, identifiers, bodies, tokens) are replaced whole, and any text is cleared of
 * fødselsnummer-shaped numbers and e-mail addresses, whatever field they hide in.
 */

export const REDACTED = '[skjult]';

/** Field names (lower case, letters only) whose values are personal data or secrets. */
const SENSITIVE_KEYS = new Set([
  'name',
  'navn',
  'fornavn',
  'etternavn',
  'mellomnavn',
  'fulltnavn',
  'submitter',
  'applicant',
  'soker',
  'ansatt',
  'melder',
  'korrespondansepart',
  'address',
  'adresse',
  'postadresse',
  'gateadresse',
  'street',
  'postalcode',
  'postnummer',
  'postaltown',
  'poststed',
  'email',
  'epost',
  'epostadresse',
  'phone',
  'telefon',
  'telefonnummer',
  'mobil',
  'nationalid',
  'fodselsnummer',
  'fnr',
  'dnummer',
  'personid',
  'personnummer',
  'ssn',
  'title',
  'tittel',
  'offentligtittel',
  'filename',
  'filnavn',
  'body',
  'content',
  'formdata',
  'contentbase64',
  'authorization',
  'cookie',
  'cookies',
  'token',
  'password',
  'secret',
]);

/** 11 digits (optionally DDMMYY NNNNN), not part of a longer number. */
const NATIONAL_ID = /(?<!\d)\d{6}[ .-]?\d{5}(?!\d)/g;
// The lookbehind makes a match start only where a run of address characters starts: without it, a long run
// with no "@" is scanned again from each of its characters (quadratic).
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(
    key
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase(),
  );
}

/** UUIDs (trackingIds, Lambda request ids, message ids): ids, even when one holds 11 digits in a row. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A line of text without fødselsnummer-shaped numbers or e-mail addresses. */
export function redactText(text: string): string {
  let out = '';
  let from = 0;
  for (const id of text.matchAll(UUID)) {
    out += scrub(text.slice(from, id.index)) + id[0];
    from = id.index + id[0].length;
  }
  return out + scrub(text.slice(from));
}

function scrub(text: string): string {
  return text.replace(NATIONAL_ID, '[fnr]').replace(EMAIL, '[e-post]');
}

/**
 * A JSON.stringify replacer: sensitive fields whole, other text scrubbed, errors as name and stack frames
 * (their messages can quote request data).
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && isSensitiveKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return loggableError(value);
  return value;
}

/** Any value, redacted the same way (e.g. metric dimensions and metadata). */
export function redact<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, redactingReplacer) ?? 'null');
}
