import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import envelopeSchema from '../../schemas/submission.schema.json' with { type: 'json' };
import type { FieldError } from '../http/problem.ts';
import { isValidNationalId, isValidOrganisationNumber } from './identifiers.ts';
import type { SubmissionEnvelope } from './types.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile<SubmissionEnvelope>(envelopeSchema);

/** Checks the envelope's shape and identifiers; returns the field errors (empty when valid). */
export function checkEnvelope(body: unknown): { envelope?: SubmissionEnvelope; errors: FieldError[] } {
  const valid = validate(body);
  const errors: FieldError[] = valid ? [] : (validate.errors ?? []).map(toFieldError);
  // The semantic checks run on whatever is there, so one answer names every field at fault.
  const { submitter = {} as Partial<SubmissionEnvelope['submitter']>, attachments = [] } = (body ??
    {}) as Partial<SubmissionEnvelope>;
  if (!Array.isArray(attachments)) return { errors };
  if (
    typeof submitter.nationalId === 'string' &&
    /^\d{11}$/.test(submitter.nationalId) &&
    !isValidNationalId(submitter.nationalId)
  ) {
    errors.push({
      path: '/submitter/nationalId',
      message: 'Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke).',
    });
  }
  if (
    typeof submitter.organisationNumber === 'string' &&
    /^\d{9}$/.test(submitter.organisationNumber) &&
    !isValidOrganisationNumber(submitter.organisationNumber)
  ) {
    errors.push({
      path: '/submitter/organisationNumber',
      message: 'Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke).',
    });
  }
  const seen = new Set<string>();
  attachments.forEach((a, i) => {
    if (typeof a?.filename !== 'string') return;
    const name = a.filename.toLowerCase();
    if (seen.has(name) || name === 'arkivmelding.xml') {
      errors.push({
        path: `/attachments/${i}/filename`,
        message: `Filnavnet «${a.filename}» er brukt mer enn én gang.`,
      });
    }
    seen.add(name);
    if (a.filename.includes('..')) {
      errors.push({ path: `/attachments/${i}/filename`, message: 'Filnavnet kan ikke inneholde «..».' });
    }
  });
  if (attachments.filter((a) => a?.role === 'main').length > 1) {
    errors.push({ path: '/attachments', message: 'Bare ett vedlegg kan ha rollen «main» (hoveddokument).' });
  }
  return valid && errors.length === 0 ? { envelope: body, errors } : { errors };
}

function toFieldError(e: ErrorObject): FieldError {
  switch (e.keyword) {
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { path: `${e.instancePath}/${field}`, message: `Feltet «${field}» mangler.` };
    }
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: `${e.instancePath}/${field}`, message: `Feltet «${field}» er ukjent.` };
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
    case 'minLength':
      return { path: e.instancePath, message: 'Feltet er tomt eller for kort.' };
    case 'maxLength':
    case 'maxItems':
      return { path: e.instancePath, message: 'Feltet er for langt.' };
    default:
      return { path: e.instancePath, message: `Ugyldig verdi (${e.message ?? e.keyword}).` };
  }
}
