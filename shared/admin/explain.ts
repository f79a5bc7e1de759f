import type { FormType, Target } from '../config/types.ts';
import type { FailureCode, StoredFailure, XsdError } from '../delivery/failures.ts';
import {
  describeField,
  type ExplainedField,
  fieldFromWords,
  findField,
  mappingElement,
  openElementsBefore,
  ownerFromWords,
  type Problem,
  problemFromWords,
  sentence,
  stripPrefix,
} from './explain-fields.ts';

/**
 * Why a delivery failed, in the words of the people who fix it: what is wrong in the form's terms ("Mottakers
 * postnummer mangler"), which field of the arkivmelding and of the form it is, the archive's own message, and
 * what to do, beside the raw error text. Plain data in, plain data out: the raw error, the form type's mapping,
 * and the arkivmelding that was produced (for the line an XSD error points at).
 */

/** How staff group failures: what kind of problem it is (from the failure's code). */
export type FailureKind =
  | 'archive-rejected'
  | 'xsd'
  | 'mapping'
  | 'system-rejected'
  | 'unavailable'
  | 'redirected'
  | 'auth'
  | 'configuration'
  | 'internal';

export type { ExplainedField };

export interface Explanation {
  code: FailureCode;
  kind: FailureKind;
  /** One line in plain words */
  summary: string;
  field?: ExplainedField;
  /** The archive's or system's own words, as it sent them */
  targetMessage?: string;
  /** The protocol's error type, e.g. ugyldigforespoersel */
  targetErrorType?: string;
  /** What to do about it */
  advice: string;
  /** Whether a person's retry can help once the cause is gone (outside this submission) */
  retryHelps: boolean;
  /** The stored message, as written when it failed */
  raw: string;
}

export interface ExplainInput {
  failure: StoredFailure;
  formType?: FormType;
  target?: Pick<Target, 'kind' | 'name'>;
  /** The arkivmelding as produced, to place an XSD error's line */
  producedXml?: string;
}

const RETRY_AFTER_FIX =
  'Rett årsaken (hos innsenderen, i skjemaoppsettet eller i arkivet), og velg «Prøv igjen». ' +
  'Kan den ikke leveres automatisk: journalfør den manuelt og lukk leveransen med en kommentar.';

const UNAVAILABLE_ADVICE =
  'En forbigående feil: ingenting er galt med skjemaet. Når mottakeren er oppe igjen, ' +
  'send alle som feilet for målet på nytt med «Prøv igjen for alle».';

/** One explanation per failure code: what is wrong, in the form's terms where it can be, and what to do. */
export function explainFailure(input: ExplainInput): Explanation {
  const { failure } = input;
  const raw = failure.message;
  const receiver = receiverOf(failure, input);
  const base = { code: failure.code, raw };
  switch (failure.code) {
    case 'target-rejected':
    case 'target-server-error': {
      const { errorType, targetMessage } = failure.details;
      if (failure.details.targetKind === 'fagsystem') {
        return {
          ...base,
          kind: 'system-rejected',
          summary: `Fagsystemet avviste leveransen (${errorType})`,
          ...(targetMessage ? { targetMessage } : {}),
          targetErrorType: errorType,
          advice: failure.code === 'target-server-error' ? SERVER_ERROR_ADVICE : RETRY_AFTER_FIX,
          retryHelps: failure.code === 'target-server-error',
        };
      }
      if (!targetMessage) {
        return {
          ...base,
          kind: 'archive-rejected',
          summary: `Arkivet avviste arkivmeldingen (${errorType}) uten å si hvorfor`,
          targetErrorType: errorType,
          advice: failure.code === 'target-server-error' ? SERVER_ERROR_ADVICE : RETRY_AFTER_FIX,
          retryHelps: failure.code === 'target-server-error',
        };
      }
      const field = fieldFromWords(targetMessage);
      const problem = problemFromWords(targetMessage);
      const explained = field ? describeField(field, input.formType, ownerFromWords(targetMessage)) : undefined;
      return {
        ...base,
        kind: 'archive-rejected',
        summary: explained
          ? sentence(explained.owner, field?.label ?? '', problem)
          : `Arkivet avviste arkivmeldingen: ${targetMessage}`,
        ...(explained ? { field: explained.field } : {}),
        targetMessage,
        targetErrorType: errorType,
        advice:
          failure.code === 'target-server-error' || errorType === 'ikkefunnet' ? SERVER_ERROR_ADVICE : RETRY_AFTER_FIX,
        retryHelps: failure.code === 'target-server-error' || errorType === 'ikkefunnet',
      };
    }
    case 'xsd-invalid':
      return explainXsd(failure.details.errors, input, raw);
    case 'record-format':
      return {
        ...base,
        kind: 'configuration',
        summary: `Arkivmeldingen kan ikke skrives i formatet ${failure.details.format}`,
        targetMessage: failure.details.reason,
        advice:
          'Skjematypen bruker noe arkivformatet ikke kan uttrykke. Be den som forvalter skjemaoppsettet rette ' +
          'skjematypen eller velge et annet format for målet, og velg så «Prøv igjen».',
        retryHelps: true,
      };
    case 'mapping-failed': {
      const fault = failure.details;
      const where = mappingElement(fault.field);
      const info = where ? findField(where.element, where.within ? [where.within] : []) : undefined;
      const explained = info ? describeField(info, input.formType) : undefined;
      const formFields = fault.formFields?.length ? fault.formFields : (explained?.field.formFields ?? []);
      return {
        ...base,
        kind: 'mapping',
        summary: `${fault.label} ${norwegianProblem(fault.problem)}`,
        field: {
          label: info?.label ?? fault.label,
          ...(explained?.field.element ? { element: explained.field.element } : {}),
          formFields,
          ...(explained?.field.configured ? { configured: explained.field.configured } : {}),
        },
        ...(fault.rule ? { targetMessage: `Regel i skjemadefinisjonen (${fault.field}): ${fault.rule}` } : {}),
        advice: /^ble tom/.test(fault.problem)
          ? 'Skjemaet mangler en opplysning mottakeren trenger. Fyll den inn her med «Rett og send på nytt» når ' +
            'du vet verdien (f.eks. fra et vedlegg), eller be avsenderen sende skjemaet på nytt med feltet utfylt. ' +
            'Å prøve igjen uten å rette noe gir samme feil.'
          : 'En verdi i skjemaet har en form mottakeren ikke kan bruke (se verdien over). Rett den her med «Rett og ' +
            'send på nytt», eller be avsenderen sende skjemaet på nytt med riktig verdi. Å prøve igjen uten å rette ' +
            'noe gir samme feil.',
        retryHelps: false,
      };
    }
    case 'target-unavailable':
    case 'receipt-overdue':
      return {
        ...base,
        kind: 'unavailable',
        summary:
          failure.code === 'receipt-overdue'
            ? `${receiver} har ikke sendt kvittering innen fristen`
            : `${receiver} var ikke tilgjengelig`,
        advice: UNAVAILABLE_ADVICE,
        retryHelps: true,
      };
    case 'target-redirected':
      return {
        ...base,
        kind: 'redirected',
        summary: `${receiver} viste videre til ${failure.details.location ?? 'en annen adresse'} (HTTP ${failure.details.status}); Skjemaflyt sendte ingenting dit`,
        advice:
          'Be IT-drift sjekke adressen til målet: den kan ha flyttet, eller noen prøver å lede leveransene et annet ' +
          'sted. Når adressen er rettet: «Prøv igjen».',
        retryHelps: true,
      };
    case 'auth-refused':
      return {
        ...base,
        kind: 'auth',
        summary: `${receiver} godtok ikke påloggingen fra Skjemaflyt`,
        advice: 'Be IT-drift sjekke nøkkelen (hemmeligheten) for målet. Når den er rettet: «Prøv igjen for alle».',
        retryHelps: true,
      };
    case 'configuration-missing':
      return {
        ...base,
        kind: 'configuration',
        summary: CONFIGURATION_SUMMARY[failure.details.what],
        advice: 'Be IT-drift rette konfigurasjonen for målet eller skjematypen. Når den er rettet: «Prøv igjen».',
        retryHelps: true,
      };
    case 'internal':
      return {
        ...base,
        kind: 'internal',
        summary: 'Skjemaflyt fikk en uventet feil',
        advice:
          'Skjemaflyt prøver igjen av seg selv. Feiler den fortsatt: meld fra til IT-drift med sporingsnummeret ' +
          '(loggen viser feilen), og velg «Prøv igjen» når den er rettet.',
        retryHelps: true,
      };
  }
}

/** JSONata's error codes in the words of the form (the English text stays in the raw error). */
const JSONATA_PROBLEM: Record<string, string> = {
  D3030: 'kunne ikke regnes ut: verdien er ikke et tall',
  T0410: 'kunne ikke regnes ut: en verdi har feil type',
  T0412: 'kunne ikke regnes ut: en verdi har feil type',
  D3110: 'kunne ikke regnes ut: datoen har feil form',
  D3136: 'kunne ikke regnes ut: datoen har feil form',
  T2001: 'kunne ikke regnes ut: verdien er ikke et tall',
  T2002: 'kunne ikke regnes ut: verdien er ikke et tall',
};

function norwegianProblem(problem: string): string {
  const jsonata = /^kunne ikke beregnes \(JSONata (\w+)/.exec(problem);
  if (!jsonata) return problem;
  return JSONATA_PROBLEM[jsonata[1] ?? ''] ?? 'kunne ikke regnes ut fra verdiene i skjemaet';
}

const SERVER_ERROR_ADVICE =
  'Mottakeren meldte en feil hos seg selv. Spør leverandøren, og velg «Prøv igjen» når den er rettet.';

const CONFIGURATION_SUMMARY: Record<'secret' | 'form-type' | 'target' | 'mapping', string> = {
  secret: 'Hemmeligheten (nøkkelen) for målet er ikke satt',
  'form-type': 'Skjematypen er ikke lenger satt opp',
  target: 'Målet er ikke satt opp for denne typen leveranse',
  mapping: 'Skjematypen har ingen tilordning for målet',
};

function receiverOf(failure: StoredFailure, input: ExplainInput): string {
  const kind = 'targetKind' in failure.details ? failure.details.targetKind : input.target?.kind;
  return kind === 'fagsystem' ? 'Fagsystemet' : 'Arkivet';
}

/** xmllint's first message: which element, what is wrong, and where in the produced arkivmelding. */
function explainXsd(errors: XsdError[], input: ExplainInput, raw: string): Explanation {
  const first = errors[0];
  const line = first?.line;
  const text = (first?.message ?? '').replace(/^Schemas validity error\s*:\s*/, '');
  const element = /Element '(?:\{[^{}']*\})?([\w:]+)'/.exec(text)?.[1];
  const expected = [
    ...(/Expected is(?: one of)? \(([^()]*)\)/.exec(text)?.[1] ?? '').matchAll(/(?:\{[^{}]*\})?([\w:]+)/g),
  ]
    .map((m) => m[1] ?? '')
    .filter(Boolean);
  let problem: Problem = 'other';
  let subject = element;
  let context = line && input.producedXml ? openElementsBefore(input.producedXml, line) : [];
  if (/Missing child element/.test(text)) {
    problem = 'missing';
    if (element) context = [...context, element];
    subject = expected[0];
  } else if (/This element is not expected/.test(text) && expected.length > 0) {
    // xmllint lists what could come next: optional elements, then the first required one. That one is missing.
    problem = 'missing';
    subject = expected.at(-1);
  } else if (/This element is not expected/.test(text)) {
    problem = 'unexpected';
  } else if (/length of '0'|underruns the allowed minimum length/.test(text)) {
    problem = 'missing';
  } else if (/not a valid value|not accepted by the pattern|not an element of the set|facet/.test(text)) {
    problem = 'invalid';
  }
  const info = subject ? findField(stripPrefix(subject), context) : undefined;
  const explained = info ? describeField(info, input.formType) : undefined;
  const where = subject ? [...context.filter((c) => c !== 'arkivmelding'), stripPrefix(subject)].join('/') : undefined;
  const summary = explained
    ? sentence(explained.owner, info?.label ?? '', problem)
    : `Arkivmeldingen følger ikke Fiks Arkiv-skjemaet${subject ? ` (elementet ${stripPrefix(subject)})` : ''}`;
  return {
    code: 'xsd-invalid',
    kind: 'xsd',
    summary,
    ...(explained
      ? { field: { ...explained.field, ...(where ? { element: where } : {}) } }
      : where
        ? { field: { label: stripPrefix(subject ?? ''), element: where, formFields: [] } }
        : {}),
    targetMessage: text,
    advice:
      'Skjemaflyt laget en arkivmelding som ikke er gyldig, så den ble ikke sendt. Som regel mangler en opplysning ' +
      'i skjemaet, eller skjemaoppsettet må rettes. Rett årsaken og velg «Prøv igjen».',
    retryHelps: false,
    raw,
  };
}
