import type { ErrorObject } from 'ajv';
import type { FieldError } from '../domain/rejection.ts';
// schemas/submission.schema.json, compiled at build time (npm run generate:validators), not at every cold start.
import validate from '../validators/submission.js';
import { base64Problem } from './base64.ts';
import { filenameProblem } from './filenames.ts';
import { isValidOrganisationNumber, nationalIdProblem } from './identifiers.ts';
import { isKnownKommunenummer } from './kommunenummer.ts';
import { isCleanName, stringsIn, UNCLEAN_MESSAGE } from './text.ts';
import type { SubmissionEnvelope } from './types.ts';

/** Fields that are not one-line text: checked elsewhere (form data, base64). */
const NOT_NAMES = /^\/formData\/content$|^\/attachments\/\d+\/contentBase64$/;

/**
 * Checks the envelope's shape, its text and its identifiers; returns the field errors (empty when valid)
 * and the envelope with its text in Unicode NFC. Messages name the field, never its value.
 */
export function checkEnvelope(
  body: unknown,
  isConfiguredMunicipality: (kommunenummer: string) => boolean = () => false,
  /** Whether the deployment for this municipality is a test environment (accepts Tenor and Dolly persons) */
  acceptsSynthetic: (kommunenummer: string) => boolean = () => false,
): { envelope?: SubmissionEnvelope; errors: FieldError[] } {
  const valid = validate(body);
  // The semantic checks run on whatever is there, so one answer names every field at fault; they come first,
  // so their more precise message wins over the schema's for the same field.
  const errors: FieldError[] = [];
  for (const { path, value } of stringsIn(body)) {
    if (!NOT_NAMES.test(path) && !isCleanName(value))
      errors.push({ path, code: 'invalid-characters', message: UNCLEAN_MESSAGE });
  }
  const { submitter, attachments, municipality } = (body && typeof body === 'object' ? body : {}) as Partial<
    Record<keyof SubmissionEnvelope, unknown>
  >;
  const { nationalId, organisationNumber } = (submitter && typeof submitter === 'object' ? submitter : {}) as Record<
    string,
    unknown
  >;
  if (typeof nationalId === 'string' && /^\d{11}$/.test(nationalId)) {
    const synthetic = typeof municipality === 'string' && acceptsSynthetic(municipality);
    const problem = nationalIdProblem(nationalId, { synthetic });
    if (problem?.code === 'control-digits') {
      errors.push({
        path: '/submitter/nationalId',
        code: 'invalid-checksum',
        message: 'Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke).',
      });
    } else if (problem)
      errors.push({
        path: '/submitter/nationalId',
        code: 'synthetic-person',
        message: `Fødselsnummeret ${problem.says}.`,
      });
  }
  if (
    typeof organisationNumber === 'string' &&
    /^\d{9}$/.test(organisationNumber) &&
    !isValidOrganisationNumber(organisationNumber)
  ) {
    errors.push({
      path: '/submitter/organisationNumber',
      code: 'invalid-checksum',
      message: 'Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke).',
    });
  }
  if (
    typeof municipality === 'string' &&
    /^\d{4}$/.test(municipality) &&
    !isKnownKommunenummer(municipality, isConfiguredMunicipality)
  ) {
    errors.push({ path: '/municipality', code: 'unknown-municipality', message: 'Kommunenummeret finnes ikke.' });
  }
  if (Array.isArray(attachments)) {
    attachments.forEach((a, i) => {
      const problem = typeof a?.filename === 'string' ? filenameProblem(a.filename) : undefined;
      if (problem) errors.push({ path: `/attachments/${i}/filename`, code: 'invalid-filename', message: problem });
      const at = typeof a?.contentBase64 === 'string' ? base64Problem(a.contentBase64) : undefined;
      if (at !== undefined) {
        errors.push({
          path: `/attachments/${i}/contentBase64`,
          code: 'invalid-base64',
          message: `Innholdet er ikke gyldig base64 (tegn nr. ${at + 1} hører ikke hjemme der).`,
        });
      }
    });
    if (attachments.filter((a) => a?.role === 'main').length > 1) {
      errors.push({
        path: '/attachments',
        code: 'more-than-one-main',
        message: 'Bare ett vedlegg kan ha rollen «main» (hoveddokument).',
      });
    }
  }
  if (!valid) {
    const reported = new Set(errors.map((e) => e.path));
    // A field with a pattern says how long it must be in the pattern's message ("må ha 11 sifre"): one message.
    const schemaErrors = validate.errors ?? [];
    const patterned = new Set(schemaErrors.filter((e) => e.keyword === 'pattern').map((e) => e.instancePath));
    for (const e of schemaErrors) {
      if (e.keyword === 'maxLength' && patterned.has(e.instancePath)) continue;
      const error = { ...toFieldError(e), code: SCHEMA_CODES[e.keyword] ?? 'invalid' };
      if (!reported.has(error.path)) errors.push(error);
    }
  }
  return valid && errors.length === 0 ? { envelope: normalised(body), errors } : { errors };
}

/** Text in NFC, so "å" typed as a + ring is the same name as "å" (and the same content on a repeat). */
function normalised(envelope: SubmissionEnvelope): SubmissionEnvelope {
  const nfc = <T>(value: T): T => {
    if (typeof value === 'string') return value.normalize('NFC') as T;
    if (Array.isArray(value)) return value.map(nfc) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nfc(v)])) as T;
    }
    return value;
  };
  const { formData, attachments, ...rest } = envelope;
  return {
    ...nfc(rest),
    formData,
    ...(attachments
      ? { attachments: attachments.map(({ contentBase64, ...a }) => ({ ...nfc(a), contentBase64 })) }
      : {}),
  };
}

const PATTERN_MESSAGES: Record<string, string> = {
  '/submitter/nationalId': 'Fødselsnummeret må ha 11 sifre.',
  '/submitter/organisationNumber': 'Organisasjonsnummeret må ha 9 sifre.',
  '/municipality': 'Kommunenummeret må ha 4 sifre.',
  '/submissionId': 'submissionId kan bare inneholde synlige ASCII-tegn, uten mellomrom.',
  '/submitter/phone': 'Telefonnummeret har ugyldig format.',
  '/submitter/address/postalCode': 'Postnummeret må ha 4 sifre.',
};

/** A field error's code by the schema keyword it broke (docs/api.md lists them). */
const SCHEMA_CODES: Record<string, string> = {
  required: 'required',
  additionalProperties: 'unknown-field',
  type: 'wrong-type',
  enum: 'not-allowed-value',
  const: 'not-allowed-value',
  format: 'invalid-format',
  pattern: 'invalid-format',
  minLength: 'too-short',
  maxLength: 'too-long',
  minItems: 'too-few',
  maxItems: 'too-many',
};

function toFieldError(e: ErrorObject): FieldError {
  switch (e.keyword) {
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { path: `${e.instancePath}/${field}`, message: `Feltet «${field}» mangler.` };
    }
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const shown = field.length > 64 ? `${field.slice(0, 64)}…` : field;
      return { path: `${e.instancePath}/${shown}`, message: 'Feltet er ukjent.' };
    }
    case 'type':
      return { path: e.instancePath, message: `Feil type: skal være ${(e.params as { type: string }).type}.` };
    case 'enum':
      return {
        path: e.instancePath,
        message: `Ugyldig verdi: tillatt er ${(e.params as { allowedValues: string[] }).allowedValues.join(', ')}.`,
      };
    case 'format':
      return { path: e.instancePath, message: `Ugyldig format: skal være ${(e.params as { format: string }).format}.` };
    case 'pattern': {
      const known = PATTERN_MESSAGES[e.instancePath];
      if (known) return { path: e.instancePath, message: known };
      if (/^\/attachments\/\d+\/filename$/.test(e.instancePath)) {
        return { path: e.instancePath, message: 'Filnavnet må ha en filendelse, som .pdf.' };
      }
      if (/^\/attachments\/\d+\/contentType$/.test(e.instancePath)) {
        return { path: e.instancePath, message: 'Innholdstypen har ugyldig format.' };
      }
      return { path: e.instancePath, message: 'Ugyldig format.' };
    }
    case 'minLength':
      return { path: e.instancePath, message: 'Feltet er tomt eller for kort.' };
    case 'maxLength':
      return { path: e.instancePath, message: 'Feltet er for langt.' };
    case 'maxItems':
      return { path: e.instancePath, message: 'For mange elementer.' };
    default:
      return { path: e.instancePath, message: 'Ugyldig verdi.' };
  }
}
