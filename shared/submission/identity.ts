/**
 * The form against its envelope: fields that decide where a submission is filed and under whose name must agree
 * with what the provider vouches for. The property must lie in the municipality the form was sent to (else a
 * Levanger application lands in a Verdal property folder), and a person form must be the submitter's own, or name
 * the submitter as its representative (else anyone can file into anyone's personal case folder).
 * Every value at a path counts, not only the first the archive record reads: a repeated element cannot hide one.
 * Messages name the form fields, never the numbers in them.
 */
import type { FormType } from '../config/types.ts';
import type { FieldError } from '../domain/rejection.ts';
import { compileAllTexts, type Data } from '../mapping/values.ts';

/** What the envelope says, as parseEnvelope has checked it. */
export interface EnvelopeFacts {
  municipality: string;
  submitter: { nationalId?: string };
}

export const formField = (path: string) => `/formData/content/${path.replaceAll('.', '/')}`;

/** Each municipalityNumbers field holds the envelope's kommunenummer, wherever it appears. */
export function checkMunicipalityNumbers(
  formType: FormType,
  data: Data,
  envelope: EnvelopeFacts,
  municipalityName?: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const sentTo = municipalityName ?? `kommune ${envelope.municipality}`;
  for (const path of formType.formData.municipalityNumbers ?? []) {
    const values = compileAllTexts(path)(data);
    if (values.some((value) => value !== envelope.municipality)) {
      errors.push({
        path: formField(path),
        message: `Feltet «${path}» må være ${envelope.municipality}, kommunen skjemaet er sendt til (${sentTo}).`,
      });
    }
  }
  return errors;
}

/**
 * The person of a form with submitterMustBe is the submitter, or the submitter is named in a representative field
 * (a guardian who applies for a child). A form that says nothing about the submitter is not checked.
 */
export function checkSubmitter(formType: FormType, data: Data, envelope: EnvelopeFacts): FieldError[] {
  const rule = formType.formData.submitterMustBe;
  if (!rule) return [];
  const submitter = envelope.submitter.nationalId;
  if (submitter === undefined) {
    return [
      {
        path: '/submitter/nationalId',
        message: `«${formType.title}» kan bare sendes inn av en person som er identifisert med fødselsnummer: innsenderens fødselsnummer mangler.`,
      },
    ];
  }
  const persons = compileAllTexts(rule.nationalId)(data);
  if (persons.length > 0 && persons.every((p) => p === submitter)) return [];
  const representatives = (rule.orRepresentative ?? []).map((path) => ({
    path,
    values: compileAllTexts(path)(data),
  }));
  if (representatives.some((r) => r.values.includes(submitter))) return [];
  const given = representatives.filter((r) => r.values.length > 0);
  if (given.length > 0) {
    // A representative is named, and it is someone else: that field is what is wrong.
    return given.map((r) => ({
      path: formField(r.path),
      message: `Innsenderen er ikke den som står i «${r.path}», og heller ikke personen i «${rule.nationalId}»: skjemaet kan bare sendes inn av personen selv eller av representanten som er oppgitt.`,
    }));
  }
  const alternatives = (rule.orRepresentative ?? []).map((p) => `«${p}»`).join(' eller ');
  return [
    {
      path: formField(rule.nationalId),
      message: `Fødselsnummeret i «${rule.nationalId}» er ikke innsenderens: skjemaet kan bare sendes inn av personen selv${alternatives ? `, eller av en representant oppgitt i ${alternatives}` : ''}.`,
    },
  ];
}
