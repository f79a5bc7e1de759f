/**
 * Why a mapping cannot produce a record from this submission, in words an archive clerk can act on: which field
 * of the record, which rule of the form type's definition, which form fields it read. Permanent: the same
 * submission fails the same way on every attempt, so the delivery goes to FAILED without retries.
 * Messages name fields and rules, never the submission's values (they can be personal data).
 */
export interface MappingFault {
  formType: string;
  /** JSON pointer into the definition, e.g. "/archive/tittel" */
  field: string;
  /** What the field is, e.g. "Journalpostens tittel" */
  label: string;
  /** What went wrong, e.g. "ble tom" */
  problem: string;
  /** The rule as written in the definition */
  rule?: string;
  /** The form fields the rule reads that were empty, or that held the wrong thing */
  formFields?: string[];
  /** What to do about it */
  advice?: string;
}

export class MappingError extends Error {
  readonly fault: MappingFault | undefined;

  constructor(message: string | MappingFault) {
    super(typeof message === 'string' ? message : describe(message));
    this.name = 'MappingError';
    this.fault = typeof message === 'string' ? undefined : message;
  }
}

const MAX_RULE = 120;

function describe(f: MappingFault): string {
  const fields = f.formFields?.length ? ` (skjemafelt: ${f.formFields.join(', ')})` : '';
  const rule = f.rule
    ? ` Regel i skjemadefinisjonen ${f.formType}, ${f.field}: «${f.rule.length > MAX_RULE ? `${f.rule.slice(0, MAX_RULE)}…` : f.rule}».`
    : ` Skjemadefinisjonen ${f.formType}, ${f.field}.`;
  return `${f.label} ${f.problem}${fields}.${rule}${f.advice ? ` ${f.advice}` : ''}`;
}

export const ADVICE = {
  empty:
    'Be avsenderen sende skjemaet på nytt med feltet utfylt, eller rett regelen i skjemadefinisjonen og send leveransen på nytt.',
  invalid: 'Rett verdien i innsendingen (send skjemaet på nytt), eller rett regelen i skjemadefinisjonen.',
  expression: 'Sjekk skjemafeltene uttrykket leser, eller rett uttrykket i skjemadefinisjonen.',
} as const;
