import type { FormType } from '../config/types.ts';
import type { FieldError } from '../domain/rejection.ts';
import { asText, compilePath, everyValueAt } from '../mapping/values.ts';
import type { ParsedFormData } from './form-data.ts';
import { isValidOrganisationNumber, nationalIdProblem } from './identifiers.ts';
import { checkMunicipalityNumbers, checkSubmitter, type EnvelopeFacts, formField as field } from './identity.ts';

/**
 * The form type's own rules: right root, required fields present, identifiers valid; then, once the form itself
 * is valid, the form against its envelope (the property's municipality, the submitter).
 */
export function checkFormRules(
  formType: FormType,
  parsed: ParsedFormData,
  envelope: EnvelopeFacts,
  municipalityName?: string,
  /** A test environment: synthetic test persons (Tenor, Dolly) are valid fødselsnummer */
  options: { syntheticPersons?: boolean } = {},
): FieldError[] {
  const errors: FieldError[] = [];
  const rules = formType.formData;
  if (rules.root && parsed.root !== rules.root) {
    errors.push({
      path: '/formData/content',
      message: `Rotelementet skal være <${rules.root}>, ikke <${parsed.root ?? '?'}>.`,
    });
    return errors;
  }
  for (const path of rules.required) {
    if (asText(compilePath(path)(parsed.data)) === undefined) {
      errors.push({ path: field(path), code: 'required', message: `Feltet «${path}» er påkrevd i ${formType.title}.` });
    }
  }
  // Every occurrence: a second <soker> with a wrong fødselsnummer is as wrong as the first.
  const check = (paths: string[] | undefined, valid: (value: string) => boolean, what: string) => {
    for (const path of paths ?? []) {
      for (const { pointer, value } of everyValueAt(path, parsed.data)) {
        const text = asText(value);
        if (text !== undefined && !valid(text)) {
          errors.push({
            path: `/formData/content/${pointer}`,
            code: 'invalid-checksum',
            message: `Feltet «${path}» er ikke ${what}.`,
          });
        }
      }
    }
  };
  for (const path of rules.nationalIds ?? []) {
    for (const { pointer, value } of everyValueAt(path, parsed.data)) {
      const text = asText(value);
      const problem = text === undefined ? undefined : nationalIdProblem(text, { synthetic: options.syntheticPersons });
      if (problem?.code === 'control-digits') {
        errors.push({
          path: `/formData/content/${pointer}`,
          code: 'invalid-checksum',
          message: `Feltet «${path}» er ikke et gyldig fødselsnummer.`,
        });
      } else if (problem) {
        errors.push({
          path: `/formData/content/${pointer}`,
          code: 'synthetic-person',
          message: `Feltet «${path}» ${problem.says}.`,
        });
      }
    }
  }
  check(rules.organisationNumbers, isValidOrganisationNumber, 'et gyldig organisasjonsnummer');
  if (errors.length > 0) return errors;
  return [
    ...checkMunicipalityNumbers(formType, parsed.data, envelope, municipalityName),
    ...checkSubmitter(formType, parsed.data, envelope),
  ];
}
