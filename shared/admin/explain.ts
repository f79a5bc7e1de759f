import type { FormType, Target } from '../config/types.ts';
import type { ArchiveMapping, KorrespondansepartMapping as KorrespondansepartSpec } from '../mapping/definition.ts';

/**
 * Why a delivery failed, in the words of the people who fix it: what is wrong in the form's terms ("Mottakers
 * postnummer mangler"), which field of the arkivmelding and of the form it is, the archive's own message, and
 * what to do, beside the raw error text. Plain data in, plain data out: the raw error, the form type's mapping,
 * and the arkivmelding that was produced (for the line an XSD error points at).
 */

export type FailureKind =
  | 'archive-rejected'
  | 'xsd'
  | 'mapping'
  | 'system-rejected'
  | 'unavailable'
  | 'auth'
  | 'configuration'
  | 'unknown';

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
  /** Whether a plain retry can help once the cause is gone */
  retryHelps: boolean;
  raw: string;
}

export interface ExplainInput {
  raw: string;
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

/** The mapping's name for a field in "Arkivfeltet X ble tomt" (MappingError) → the element it fills. */
const MAPPING_FIELD_ELEMENT: Record<string, { element: string; within?: string }> = {
  tittel: { element: 'tittel' },
  offentligTittel: { element: 'offentligTittel' },
  korrespondansepartNavn: { element: 'korrespondansepartNavn' },
  'saksmappe/tittel': { element: 'tittel', within: 'mappe' },
  'saksmappe/offentligTittel': { element: 'offentligTittel', within: 'mappe' },
  'saksmappe/noekkel': { element: 'noekkel', within: 'mappe' },
  'klassifikasjon/klasseID': { element: 'klasseID' },
  'matrikkelnummer/kommunenummer': { element: 'kommunenummer', within: 'matrikkelnummer' },
  'matrikkelnummer/gaardsnummer': { element: 'gardsnummer' },
  'matrikkelnummer/bruksnummer': { element: 'bruksnummer' },
};

const RETRY_AFTER_FIX =
  'Rett årsaken (hos innsenderen, i skjemaoppsettet eller i arkivet), og velg «Prøv igjen». ' +
  'Kan den ikke leveres automatisk: journalfør den manuelt og lukk leveransen med en kommentar.';

export function explainFailure(input: ExplainInput): Explanation {
  const raw = input.raw.trim();
  const receiver = input.target?.kind === 'fagsystem' ? 'Fagsystemet' : 'Arkivet';

  const rejected = parseRejection(raw);
  if (rejected) {
    const { type, message } = rejected;
    if (/^HTTP \d+$/.test(type)) {
      return {
        kind: 'archive-rejected',
        summary: `Arkivet avviste arkivmeldingen (${type}) uten å si hvorfor`,
        advice: RETRY_AFTER_FIX,
        retryHelps: false,
        raw,
      };
    }
    const field = message ? fieldFromWords(message) : undefined;
    const problem = problemFromWords(message);
    const explained = field ? describeField(field, input.formType, ownerFromWords(message)) : undefined;
    return {
      kind: 'archive-rejected',
      summary: explained
        ? sentence(explained.owner, field?.label ?? '', problem)
        : `Arkivet avviste arkivmeldingen${message ? `: ${message}` : ''}`,
      ...(explained ? { field: explained.field } : {}),
      ...(message ? { targetMessage: message } : {}),
      targetErrorType: type,
      advice:
        type === 'serverfeil' || type === 'ikkefunnet'
          ? 'Arkivet meldte en feil hos seg selv. Spør arkivleverandøren, og velg «Prøv igjen» når den er rettet.'
          : RETRY_AFTER_FIX,
      retryHelps: type === 'serverfeil',
      raw,
    };
  }

  const xsd = /^Arkivmeldingen er ikke gyldig etter XSD:\s*(.*)$/s.exec(raw);
  if (xsd) return explainXsd(xsd[1] ?? '', input, raw);

  const emptied = /^Arkivfeltet (\S+) ble tomt for denne innsendingen/.exec(raw);
  const notNumber = /^Matrikkelfeltet (\S+) er ikke et tall/.exec(raw);
  if (emptied || notNumber) {
    const name = (emptied ?? notNumber)?.[1] ?? '';
    const where = MAPPING_FIELD_ELEMENT[name] ?? MAPPING_FIELD_ELEMENT[`matrikkelnummer/${name}`];
    const info = where ? findField(where.element, where.within ? [where.within] : []) : undefined;
    const explained = info ? describeField(info, input.formType) : undefined;
    return {
      kind: 'mapping',
      summary: explained
        ? sentence(explained.owner, info?.label ?? name, emptied ? 'missing' : 'invalid')
        : `Feltet ${name} i arkivmeldingen ${emptied ? 'ble tomt' : 'er ikke et tall'}`,
      ...(explained ? { field: explained.field } : {}),
      advice:
        'Skjemaet mangler en opplysning arkivet krever. Be innsenderen sende inn på nytt med feltet utfylt, ' +
        'eller rett skjemaoppsettet; lukk så denne leveransen med en kommentar.',
      retryHelps: false,
      raw,
    };
  }

  if (/avviste påloggingen/.test(raw)) {
    return {
      kind: 'auth',
      summary: `${receiver} godtok ikke påloggingen fra Skjemaflyt`,
      advice: 'Be IT-drift sjekke nøkkelen (hemmeligheten) for målet. Når den er rettet: «Prøv igjen for alle».',
      retryHelps: true,
      raw,
    };
  }
  if (
    /^Hemmeligheten for målet er ikke satt|er ikke lenger konfigurert|har ingen mapping|ikke et arkivmål|ikke et fagsystem/.test(
      raw,
    )
  ) {
    return {
      kind: 'configuration',
      summary: 'Oppsettet for denne leveransen er ufullstendig',
      advice: 'Be IT-drift rette konfigurasjonen for målet eller skjematypen. Når den er rettet: «Prøv igjen».',
      retryHelps: true,
      raw,
    };
  }
  if (/ikke tilgjengelig|Kunne ikke nå mottakeren|svarte ikke innen|uten gyldig kvittering|Ga opp etter/.test(raw)) {
    return {
      kind: 'unavailable',
      summary: `${receiver} var ikke tilgjengelig`,
      advice:
        'En forbigående feil: ingenting er galt med skjemaet. Når mottakeren er oppe igjen, ' +
        'send alle som feilet for målet på nytt med «Prøv igjen for alle».',
      retryHelps: true,
      raw,
    };
  }
  const system = /^Fagsystemet avviste leveransen \((HTTP \d+)(?::(.*))?\)\.?$/s.exec(raw);
  if (system) {
    const message = system[2]?.trim();
    return {
      kind: 'system-rejected',
      summary: `Fagsystemet avviste leveransen (${system[1]})`,
      ...(message ? { targetMessage: message } : {}),
      advice: RETRY_AFTER_FIX,
      retryHelps: false,
      raw,
    };
  }
  return {
    kind: 'unknown',
    summary: raw ? 'Leveransen feilet' : 'Ingen feilmelding er lagret',
    advice: 'Les feilteksten, rett årsaken og velg «Prøv igjen», eller lukk leveransen med en kommentar.',
    retryHelps: true,
    raw,
  };
}

/** xmllint's first message: which element, what is wrong, and where in the produced arkivmelding. */
function explainXsd(messages: string, input: ExplainInput, raw: string): Explanation {
  const first = /^(?:linje (\d+):\s*)?(.*?)(?:;\s*linje \d+:|$)/s.exec(messages);
  const line = first?.[1] ? Number(first[1]) : undefined;
  const text = (first?.[2] ?? messages).replace(/^Schemas validity error\s*:\s*/, '');
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

/**
 * The archive adapter's two shapes: `Arkivet avviste arkivmeldingen (<type>): <message>` (an error in a 2xx
 * answer) and `Arkivet avviste arkivmeldingen (<type>: <message>).` or `(HTTP 400).` (an error status).
 */
function parseRejection(raw: string): { type: string; message: string } | undefined {
  const rest = /^Arkivet avviste arkivmeldingen \((.*)$/s.exec(raw)?.[1];
  if (rest === undefined) return undefined;
  const inAnswer = /^(\w+)\):\s*(.*?)$/s.exec(rest);
  if (inAnswer) return { type: inAnswer[1] ?? '', message: (inAnswer[2] ?? '').trim() };
  const withStatus = /^(HTTP \d+|\w+)(?::(.*?))?\)\.?$/s.exec(rest);
  if (withStatus) return { type: withStatus[1] ?? '', message: (withStatus[2] ?? '').trim() };
  return { type: 'ukjent', message: rest.replace(/\)\.?$/, '').trim() };
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
  // The name is followed by `>` or by a character that cannot be in a name: one way to match, so no backtracking.
  for (const match of before.matchAll(/<(\/?)([\w:.-]+)(?:[^\w:.<>-][^<>]*)?>/g)) {
    const name = stripPrefix(match[2] ?? '');
    if (match[1]) {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else if (!match[0].endsWith('/>')) stack.push(name);
  }
  return stack;
}
