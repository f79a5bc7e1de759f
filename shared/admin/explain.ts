import type { FormType, Target } from '../config/types.ts';
import type { FailureCode, StoredFailure, XsdError } from '../delivery/failures.ts';
import type { ArchiveMapping, KorrespondansepartMapping as KorrespondansepartSpec } from '../mapping/definition.ts';

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

export interface ExplainedField {
  /** In words, e.g. "postnummer" */
  label: string;
  /** Where in the arkivmelding, e.g. registrering/korrespondansepart/postnummer */
  element?: string;
  /** The form fields the value is taken from (paths into the form data), from the form type's mapping */
  formFields: string[];
  /** A fixed value from the configuration instead of a form field */
  configured?: string;
}

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

type Problem = 'missing' | 'invalid' | 'unexpected' | 'other';

interface FieldInfo {
  element: string;
  /** Only inside this element (e.g. tittel in mappe) */
  within?: string;
  label: string;
  /** Where in the form type's archive mapping the value comes from */
  spec?: string;
  /** Words an archive may use for it in its own message */
  words: string[];
  /** A field of a korrespondansepart: its owner is the sender or the recipient */
  party?: boolean;
}

/** The arkivmelding's fields staff meet in errors, most specific first. */
const FIELDS: FieldInfo[] = [
  { element: 'korrespondansepartNavn', label: 'navn', spec: 'navn', words: ['navn'], party: true },
  {
    element: 'personid',
    label: 'fødselsnummer',
    spec: 'personid',
    words: ['fødselsnummer', 'fodselsnummer', 'personid', 'personnummer'],
    party: true,
  },
  {
    element: 'organisasjonid',
    label: 'organisasjonsnummer',
    spec: 'organisasjonid',
    words: ['organisasjonsnummer', 'organisasjonid', 'orgnr'],
    party: true,
  },
  { element: 'postnummer', label: 'postnummer', spec: 'postnummer', words: ['postnummer', 'postnr'], party: true },
  { element: 'poststed', label: 'poststed', spec: 'poststed', words: ['poststed'], party: true },
  { element: 'postadresse', label: 'postadresse', spec: 'postadresse', words: ['postadresse', 'adresse'], party: true },
  { element: 'epostadresse', label: 'e-postadresse', spec: 'epostadresse', words: ['e-post', 'epost'], party: true },
  { element: 'telefonnummer', label: 'telefonnummer', spec: 'telefonnummer', words: ['telefon'], party: true },
  {
    element: 'administrativEnhet',
    within: 'korrespondansepart',
    label: 'administrative enhet',
    spec: 'administrativEnhet',
    words: [],
    party: true,
  },
  { element: 'tittel', within: 'mappe', label: 'sakens tittel', spec: 'saksmappe.tittel', words: ['sakstittel'] },
  {
    element: 'offentligTittel',
    within: 'mappe',
    label: 'sakens offentlige tittel',
    spec: 'saksmappe.offentligTittel',
    words: [],
  },
  { element: 'tittel', within: 'dokumentbeskrivelse', label: 'dokumenttittel', words: ['dokumenttittel'] },
  { element: 'offentligTittel', label: 'offentlig tittel', spec: 'offentligTittel', words: ['offentlig tittel'] },
  { element: 'tittel', label: 'tittel', spec: 'tittel', words: ['tittel'] },
  {
    element: 'klasseID',
    label: 'klassering',
    spec: 'saksmappe.klassifikasjon.klasseID',
    words: ['klassering', 'klasseid', 'klassifikasjon', 'klasse'],
  },
  {
    element: 'gardsnummer',
    label: 'gårdsnummer',
    spec: 'saksmappe.matrikkelnummer.gaardsnummer',
    words: ['gårdsnummer', 'gardsnummer', 'gnr'],
  },
  {
    element: 'bruksnummer',
    label: 'bruksnummer',
    spec: 'saksmappe.matrikkelnummer.bruksnummer',
    words: ['bruksnummer', 'bnr'],
  },
  {
    element: 'kommunenummer',
    within: 'matrikkelnummer',
    label: 'kommunenummer i matrikkelnummeret',
    spec: 'saksmappe.matrikkelnummer.kommunenummer',
    words: ['matrikkel'],
  },
  { element: 'saksansvarlig', label: 'saksansvarlig', spec: 'saksmappe.saksansvarlig', words: ['saksansvarlig'] },
  {
    element: 'administrativEnhet',
    label: 'administrative enhet',
    spec: 'saksmappe.administrativEnhet',
    words: ['administrativ enhet', 'administrativenhet'],
  },
  { element: 'skjermingshjemmel', label: 'skjermingshjemmel', spec: 'skjerming.skjermingshjemmel', words: ['hjemmel'] },
  {
    element: 'tilgangsrestriksjon',
    label: 'tilgangsrestriksjon',
    spec: 'skjerming.tilgangsrestriksjon',
    words: ['tilgangsrestriksjon', 'skjerming'],
  },
  { element: 'filnavn', label: 'filnavn', words: ['filnavn'] },
  { element: 'dokumentetsDato', label: 'dokumentets dato', words: ['dokumentets dato'] },
  { element: 'mottattDato', label: 'mottatt dato', words: ['mottatt dato', 'mottattdato'] },
  { element: 'journalposttype', label: 'journalposttype', spec: 'journalposttype', words: ['journalposttype'] },
  { element: 'dokumenttype', label: 'dokumenttype', spec: 'dokumenttype', words: ['dokumenttype'] },
];

/** The korrespondanseparttype's owner, in the genitive, as staff say it. */
const PARTY_OWNER: Record<KorrespondansepartSpec['type'], string> = {
  EA: 'Avsenders',
  EM: 'Mottakers',
  IA: 'Intern avsenders',
  IM: 'Intern mottakers',
  EK: 'Kopimottakers',
  IK: 'Intern kopimottakers',
};

/** A mapping failure's place in the definition (JSON pointer under /archive) → the arkivmelding element it fills. */
function mappingElement(pointer: string): { element: string; within?: string } | undefined {
  const steps = pointer.split('/').filter(Boolean);
  if (steps[0] !== 'archive') return undefined;
  const rest = steps.slice(1).filter((s) => !/^\d+$/.test(s));
  const last = rest.at(-1);
  if (!last) return undefined;
  if (rest[0] === 'saksmappe' && rest.length === 2) return { element: last, within: 'mappe' };
  if (rest[0] === 'korrespondansepart') return { element: last === 'navn' ? 'korrespondansepartNavn' : last };
  if (rest.includes('matrikkelnummer')) {
    const element = last === 'gaardsnummer' ? 'gardsnummer' : last;
    return element === 'kommunenummer' ? { element, within: 'matrikkelnummer' } : { element };
  }
  return { element: last };
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
        summary: `${fault.label} ${fault.problem}`,
        field: {
          label: info?.label ?? fault.label,
          ...(explained?.field.element ? { element: explained.field.element } : {}),
          formFields,
          ...(explained?.field.configured ? { configured: explained.field.configured } : {}),
        },
        ...(fault.rule ? { targetMessage: `Regel i skjemadefinisjonen (${fault.field}): ${fault.rule}` } : {}),
        advice:
          'Skjemaet mangler en opplysning, eller en verdi har feil form. Be innsenderen sende inn på nytt med ' +
          'feltet rettet, eller rett skjemadefinisjonen; lukk så denne leveransen med en kommentar.',
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
  const element = /Element '(?:\{[^}]*\})?([\w:]+)'/.exec(text)?.[1];
  const expected = [
    ...(/Expected is(?: one of)? \(([^)]*)\)/.exec(text)?.[1] ?? '').matchAll(/(?:\{[^}]*\})?([\w:]+)/g),
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

function stripPrefix(name: string): string {
  return name.includes(':') ? (name.split(':')[1] ?? name) : name;
}

function findField(element: string, context: string[]): FieldInfo | undefined {
  return (
    FIELDS.find((f) => f.element === element && f.within !== undefined && context.includes(f.within)) ??
    FIELDS.find((f) => f.element === element && f.within === undefined)
  );
}

/** The field an archive's own message is about, by the words it uses (the longest match wins). */
function fieldFromWords(message: string): FieldInfo | undefined {
  const text = message.toLocaleLowerCase('nb');
  let best: { field: FieldInfo; length: number } | undefined;
  for (const field of FIELDS) {
    for (const word of [...field.words, field.element.toLocaleLowerCase('nb')]) {
      if (text.includes(word) && (!best || word.length > best.length)) best = { field, length: word.length };
    }
  }
  return best?.field;
}

function ownerFromWords(message: string): string | undefined {
  if (/\bmottaker/i.test(message)) return 'Mottakers';
  if (/\bavsender/i.test(message)) return 'Avsenders';
  return undefined;
}

function problemFromWords(message: string): Problem {
  if (/mangler|missing|påkrevd|required|\btom\b|\bempty\b/i.test(message)) return 'missing';
  if (/ugyldig|invalid|ikke gyldig|feil format|not valid/i.test(message)) return 'invalid';
  return 'other';
}

function sentence(owner: string | undefined, label: string, problem: Problem): string {
  const subject = owner ? `${owner} ${label}` : capitalise(label);
  switch (problem) {
    case 'missing':
      return `${subject} mangler`;
    case 'invalid':
      return `${subject} er ugyldig`;
    case 'unexpected':
      return `${subject} står på feil plass i arkivmeldingen`;
    default:
      return `Arkivet avviste ${owner ? `${owner.toLocaleLowerCase('nb')} ${label}` : label}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase('nb') + text.slice(1);
}

/** Where the field's value comes from in this form type: the form fields its mapping reads, or a fixed value. */
function describeField(
  info: FieldInfo,
  formType: FormType | undefined,
  ownerWords?: string,
): { owner?: string; field: ExplainedField } {
  const mapping = formType?.definition.archive;
  const field: ExplainedField = { label: info.label, element: elementPath(info), formFields: [] };
  let owner = ownerWords;
  if (info.party) {
    const party = mapping?.korrespondansepart.find((k) => info.spec && k[info.spec as keyof KorrespondansepartSpec]);
    const first = party ?? mapping?.korrespondansepart[0];
    owner ??= first ? PARTY_OWNER[first.type] : 'Korrespondansepartens';
    if (party && info.spec) sourceOf(party[info.spec as keyof KorrespondansepartSpec], field);
  } else if (mapping && info.spec) {
    sourceOf(specValue(mapping, info.spec), field);
  }
  return { ...(owner ? { owner } : {}), field };
}

/** Where the field sits in a Fiks Arkiv arkivmelding, e.g. mappe/matrikkelnummer/gardsnummer. */
function elementPath(info: FieldInfo): string {
  if (info.party) return `registrering/korrespondansepart/${info.element}`;
  if (info.spec?.startsWith('saksmappe.'))
    return ['mappe', ...info.spec.split('.').slice(1, -1), info.element].join('/');
  if (info.within === 'mappe') return `mappe/${info.element}`;
  if (info.within === 'dokumentbeskrivelse') return `registrering/dokumentbeskrivelse/${info.element}`;
  if (info.spec?.startsWith('skjerming.')) return `registrering/skjerming/${info.element}`;
  return `registrering/${info.element}`;
}

function specValue(mapping: ArchiveMapping, path: string): unknown {
  let node: unknown = mapping;
  for (const step of path.split('.')) {
    if (Array.isArray(node)) node = node[0];
    node = (node as Record<string, unknown> | undefined)?.[step];
  }
  return node;
}

/** A mapping value: `=fixed`, a template with `{path}` placeholders, or a bare path; a list of either. */
function sourceOf(value: unknown, field: ExplainedField): void {
  const specs = Array.isArray(value) ? value : value === undefined ? [] : [value];
  for (const spec of specs) {
    if (typeof spec !== 'string') continue;
    if (spec.startsWith('=')) field.configured = spec.slice(1);
    else if (spec.includes('{'))
      field.formFields.push(...[...spec.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]?.trim() ?? ''));
    else if (/^[\p{L}\p{N}_@#.-]+$/u.test(spec)) field.formFields.push(spec);
    else field.configured = spec;
  }
}

/** The elements open at the start of a line of the produced XML (our writer puts one element per line). */
export function openElementsBefore(xml: string, line: number): string[] {
  const stack: string[] = [];
  const before = xml
    .split('\n')
    .slice(0, Math.max(0, line - 1))
    .join('\n');
  for (const match of before.matchAll(/<(\/?)([\w:.-]+)[^>]*?(\/?)>/g)) {
    const name = stripPrefix(match[2] ?? '');
    if (match[1]) {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else if (!match[3]) stack.push(name);
  }
  return stack;
}
