import type { FormType } from '../config/types.ts';
import type { ArchiveMapping, KorrespondansepartMapping as KorrespondansepartSpec } from '../mapping/definition.ts';

/**
 * The arkivmelding's fields as staff know them: which element, its label in words, where in a form type's mapping
 * its value comes from, and the words an archive uses for it. What shared/admin/explain.ts places a failure with.
 */

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

export type Problem = 'missing' | 'invalid' | 'unexpected' | 'other';

export interface FieldInfo {
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
export const FIELDS: FieldInfo[] = [
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
export function mappingElement(pointer: string): { element: string; within?: string } | undefined {
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

export function stripPrefix(name: string): string {
  return name.includes(':') ? (name.split(':')[1] ?? name) : name;
}

export function findField(element: string, context: string[]): FieldInfo | undefined {
  return (
    FIELDS.find((f) => f.element === element && f.within !== undefined && context.includes(f.within)) ??
    FIELDS.find((f) => f.element === element && f.within === undefined)
  );
}

/** The field an archive's own message is about, by the words it uses (the longest match wins). */
export function fieldFromWords(message: string): FieldInfo | undefined {
  const text = message.toLocaleLowerCase('nb');
  let best: { field: FieldInfo; length: number } | undefined;
  for (const field of FIELDS) {
    for (const word of [...field.words, field.element.toLocaleLowerCase('nb')]) {
      if (text.includes(word) && (!best || word.length > best.length)) best = { field, length: word.length };
    }
  }
  return best?.field;
}

export function ownerFromWords(message: string): string | undefined {
  if (/\bmottaker/i.test(message)) return 'Mottakers';
  if (/\bavsender/i.test(message)) return 'Avsenders';
  return undefined;
}

export function problemFromWords(message: string): Problem {
  if (/mangler|missing|påkrevd|required|\btom\b|\bempty\b/i.test(message)) return 'missing';
  if (/ugyldig|invalid|ikke gyldig|feil format|not valid/i.test(message)) return 'invalid';
  return 'other';
}

export function sentence(owner: string | undefined, label: string, problem: Problem): string {
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
export function describeField(
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
    else if (first?.source === 'submitter' && info.spec) {
      // The sender is the submitter; where the applicant submits, the form's fields for the applicant are its source.
      const applicant = mapping?.part?.[0] as Record<string, unknown> | undefined;
      if (applicant?.[info.spec] !== undefined) sourceOf(applicant[info.spec], field);
    }
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
