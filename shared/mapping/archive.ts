/**
 * Form → archive record: a form type's archive mapping (its definition) with the deployment's archive settings,
 * compiled once into a function that builds the `Arkivmelding` for a submission. The record is format-independent;
 * `shared/noark/formats.ts` writes it as Fiks Arkiv V1 or eFormidling.
 */
import { createHash } from 'node:crypto';
import type {
  ArchiveSettings,
  ArchiveUnit,
  ArchiveUnitSettings,
  FormType,
  SkjermingSettings,
} from '../config/types.ts';
import { type FormPdfInput, formAnswers, renderFormPdf } from '../documents/form-pdf.ts';
import type {
  Arkivmelding,
  Dokumentbeskrivelse,
  Dokumentobjekt,
  Identifikator,
  Klassifikasjon,
  Korrespondansepart,
  Matrikkelnummer,
  Part,
  Saksmappe,
  Skjerming,
} from '../noark/model.ts';
import { archiveFilename } from '../submission/filenames.ts';
import type { StoredDocument, SubmissionEnvelope } from '../submission/types.ts';
import { type DefinitionCompiler, expressionFault, requireText, text, type Value } from './compiler.ts';
import { type MappingInput, mappingData } from './context.ts';
import { osloTime } from './dates.ts';
import type {
  ArchiveMapping,
  DocumentKind,
  KorrespondansepartMapping,
  MatrikkelnummerMapping,
  PartMapping,
  PropertyFolder,
  SaksmappeMapping,
} from './definition.ts';
import { ADVICE, MappingError } from './errors.ts';
import { ExpressionError } from './expressions.ts';
import { pseudonym } from './folder-key.ts';
import { asText, compileAllTexts, compilePath, type Data, isExpression, pathsOf } from './values.ts';

// The delivery processing recognises a permanent mapping fault by this class (imported from here).
export { MappingError } from './errors.ts';

/** A file the archive message names, to be sent beside it under `filename` (its referanseDokumentfil). */
export interface ArchiveFile {
  filename: string;
  contentType: string;
  /**
   * S3 key of a stored document, the content itself (the archived form data), or the rendered form (the delivery
   * stores it beside the submission's documents before sending)
   */
  source: { key: string } | { content: string } | { rendered: Uint8Array };
}

export interface ArchiveRecord {
  arkivmelding: Arkivmelding;
  files: ArchiveFile[];
}

export type ArchiveMapper = (input: MappingInput, documents: StoredDocument[]) => Promise<ArchiveRecord>;

const SYSTEM = 'Skjemaflyt';
/** The folder key's namespace: folders are shared across form types (a property's folder takes every form on it). */
const FOLDER_FAGSYSTEM = 'skjemaflyt';

const LABELS: [RegExp, string][] = [
  [/^\/archive\/tittel$/, 'Journalpostens tittel'],
  [/^\/archive\/offentligTittel$/, 'Journalpostens offentlige tittel'],
  [/^\/archive\/korrespondansepart\/(\d+)\/navn$/, 'Navnet til korrespondansepart nr. $1'],
  [/^\/archive\/korrespondansepart\/(\d+)\/(\w+)/, 'Feltet $2 til korrespondansepart nr. $1'],
  [/^\/archive\/part\/(\d+)\/navn$/, 'Navnet til sakspart nr. $1'],
  [/^\/archive\/part\/(\d+)\/(\w+)/, 'Feltet $2 til sakspart nr. $1'],
  [/^\/archive\/beskrivelse$/, 'Journalpostens beskrivelse'],
  [/^\/archive\/dokumenter\/skjemadata\/tittel$/, 'Tittelen på skjemadata-dokumentet'],
  [/^\/archive\/saksmappe\/tittel$/, 'Saksmappens tittel'],
  [/^\/archive\/saksmappe\/offentligTittel$/, 'Saksmappens offentlige tittel'],
  [/^\/archive\/saksmappe\/noekkel$/, 'Saksmappens nøkkel (for å finne saken igjen)'],
  [/^\/archive\/saksmappe\/klassifikasjon\/(\d+)\/klasseID$/, 'Klassifikasjon nr. $1 (klasseID)'],
  [/^\/archive\/saksmappe\/klassifikasjon\/(\d+)\/tittel$/, 'Tittelen på klassifikasjon nr. $1'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/kommunenummer$/, 'Kommunenummeret i matrikkelnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/gaardsnummer$/, 'Gårdsnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/bruksnummer$/, 'Bruksnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/festenummer$/, 'Festenummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/seksjonsnummer$/, 'Seksjonsnummeret'],
  [/^\/archive\/saksmappe\/gbnr\/tittel$/, 'Tittelen på GBNR-klassifikasjonen'],
];

/** What a definition field is, in words a clerk knows (1-based numbers). */
export function archiveLabel(field: string): string {
  for (const [pattern, label] of LABELS) {
    const match = pattern.exec(field);
    if (match) return label.replace(/\$(\d)/g, (_, i) => (i === '1' ? String(Number(match[1]) + 1) : (match[2] ?? '')));
  }
  return `Arkivfeltet ${field}`;
}

export function compileArchiveMapping(c: DefinitionCompiler, formType: FormType): ArchiveMapper {
  const mapping = formType.definition.archive as ArchiveMapping;
  const settings = formType.archive as ArchiveSettings;
  const at = '/archive';
  const maxLength = mapping.titleMaxLength ?? DEFAULT_TITLE_MAX;
  const tittel = c.value(mapping.tittel, `${at}/tittel`);
  const skjerming = settings.skjerming;
  const screensTitle = skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel') ?? false;
  const personal = personalPaths(formType);
  const offentligTittel =
    mapping.offentligTittel !== undefined
      ? c.value(mapping.offentligTittel, `${at}/offentligTittel`)
      : screensTitle
        ? c.value(withoutPaths(mapping.tittel, personal), `${at}/tittel`)
        : undefined;
  const beskrivelse = c.optional(mapping.beskrivelse, `${at}/beskrivelse`);
  checkLiteralLength(c, mapping.tittel, `${at}/tittel`, maxLength);
  const parts = mapping.korrespondansepart.map((p, i) =>
    compileKorrespondansepart(c, p, `${at}/korrespondansepart/${i}`),
  );
  const saksparter = (mapping.part ?? []).map((p, i) => compilePart(c, p, `${at}/part/${i}`));
  const documents = compileDocuments(c, mapping, formType);
  const mappe = mapping.saksmappe ? compileSaksmappe(c, mapping.saksmappe, formType, maxLength) : undefined;
  const journalstatus = skjerming ? 'M' : (settings.journalstatus ?? 'M');
  const incoming = settings.journalposttype === 'I';

  return async (input, stored) => {
    const data = mappingData(input);
    try {
      await c.expressions.evaluate(data);
    } catch (error) {
      if (error instanceof ExpressionError) throw expressionFault(formType.id, error, archiveLabel(error.item.field));
      throw error;
    }
    const folder = mappe?.(data, input);
    // The owner: the property's municipality where the record is about a property (a samkommune's archive holds
    // several municipalities' cases), else the municipality the form was sent for.
    const owner = folder?.matrikkelnummer?.[0]?.kommunenummer ?? input.envelope.municipality;
    const unit = unitSettings(settings, owner);
    const submittedAt = osloTime(input.envelope.submittedAt);
    const korrespondansepart = parts.map((p) => p(data, input)).filter((p): p is Korrespondansepart => p !== undefined);
    for (const part of korrespondansepart) {
      // The number the citizen was shown, so a letter back can refer to it.
      if (part.korrespondanseparttype === 'EA') part.deresReferanse = input.envelope.submissionId;
    }
    korrespondansepart.push(...receivers(formType, settings.journalposttype, owner, unit));
    const { dokumentbeskrivelse, files } = await documents(input, stored, data);
    const screening = skjerming ? skjermingOf(skjerming, submittedAt.date) : undefined;
    const partList = saksparter.map((p) => p(data)).filter((p): p is Part => p !== undefined);
    const representative = mapping.representative;
    if (representative && partList.length > 0 && !isSamePerson(partList[0] as Part, input.envelope.submitter)) {
      partList.push(submitterPart(input.envelope.submitter, representative));
    }
    const applicant = partList[0];
    if (applicant && isSamePerson(applicant, input.envelope.submitter)) {
      // The applicant submitted: the sender's address is the one the form gives.
      for (const part of korrespondansepart) {
        if (part.korrespondanseparttype !== 'EA' || part.postadresse) continue;
        if (applicant.postadresse) part.postadresse = applicant.postadresse;
        if (applicant.postnummer) part.postnummer = applicant.postnummer;
        if (applicant.poststed) part.poststed = applicant.poststed;
      }
    }
    const title = finishTitle(requireText(tittel, data, formType.id, archiveLabel(tittel.field)), maxLength);
    const publicTitle = offentligTittel
      ? finishTitle(requireText(offentligTittel, data, formType.id, archiveLabel(offentligTittel.field)), maxLength)
      : undefined;
    const description = text(beskrivelse, data);
    const saksmappe: Saksmappe | undefined = folder
      ? {
          ...folder.mappe,
          ...(unit.administrativEnhet ? { administrativEnhet: identifier(unit.administrativEnhet) } : {}),
          ...(unit.saksansvarlig ? { saksansvarlig: identifier(unit.saksansvarlig) } : {}),
          ...(unit.journalenhet ? { journalenhet: unit.journalenhet } : {}),
          ...(partList.length > 0 ? { part: partList } : {}),
          ...(screening ? { skjerming: { ...screening } } : {}),
          ...(unit.arkivdel ? { arkivdel: unit.arkivdel } : {}),
        }
      : undefined;
    const arkivmelding: Arkivmelding = {
      system: SYSTEM,
      antallFiler: files.length,
      ...(saksmappe ? { saksmappe } : {}),
      journalpost: {
        tittel: title,
        ...(publicTitle !== undefined ? { offentligTittel: publicTitle } : {}),
        ...(description !== undefined ? { beskrivelse: description } : {}),
        journalposttype: settings.journalposttype,
        journalstatus,
        dokumentetsDato: submittedAt.date,
        // Received is what an incoming post is; an internal note is not received from anyone.
        ...(incoming ? { mottattDato: osloTime(input.receivedAt).dateTime } : {}),
        opprettetDato: osloTime(input.receivedAt).dateTime,
        referanseEksternNoekkel: { fagsystem: `skjemaflyt/${formType.id}`, noekkel: input.trackingId },
        korrespondansepart,
        ...(screening ? { skjerming: screening } : {}),
        dokumentbeskrivelse,
        opprettetAv: SYSTEM,
        arkivertAv: SYSTEM,
        ...(unit.journalenhet ? { journalenhet: unit.journalenhet } : {}),
        ...(!saksmappe && unit.arkivdel ? { arkivdel: unit.arkivdel } : {}),
      },
    };
    return { arkivmelding, files };
  };
}

const DEFAULT_TITLE_MAX = 255;

/** The settings for the owning municipality: its own where the configuration gives them, else the form type's. */
export function unitSettings(settings: ArchiveSettings, owner: string): ArchiveUnitSettings {
  const own = settings.perMunicipality?.[owner] ?? {};
  return {
    ...pick(settings),
    ...pick(own),
  };
}

function pick(s: ArchiveUnitSettings): ArchiveUnitSettings {
  return {
    ...(s.journalenhet !== undefined ? { journalenhet: s.journalenhet } : {}),
    ...(s.arkivdel !== undefined ? { arkivdel: s.arkivdel } : {}),
    ...(s.administrativEnhet !== undefined ? { administrativEnhet: s.administrativEnhet } : {}),
    ...(s.saksansvarlig !== undefined ? { saksansvarlig: s.saksansvarlig } : {}),
  };
}

function identifier(id: ArchiveUnit): Identifikator {
  return {
    ...(id.identifikator !== undefined ? { identifikator: id.identifikator } : {}),
    ...(id.initialer !== undefined ? { initialer: id.initialer } : {}),
  };
}

/**
 * The receiving side, as KS's example for an incoming post has it: the owning municipality as EM with its
 * organisasjonid, and the responsible unit as IM with erBehandlingsansvarlig. An internal note has only the unit.
 * The municipality and its units are no one's personal data, even where the sender is screened.
 */
function receivers(
  formType: FormType,
  journalposttype: ArchiveSettings['journalposttype'],
  owner: string,
  unit: ArchiveUnitSettings,
): Korrespondansepart[] {
  const result: Korrespondansepart[] = [];
  const municipality = formType.owners?.find((m) => m.kommunenummer === owner);
  if (journalposttype === 'I' && municipality) {
    result.push({
      korrespondanseparttype: 'EM',
      erBehandlingsansvarlig: false,
      navn: municipality.name,
      organisasjonid: municipality.organisationNumber,
      skjermetKorrespondansepart: false,
    });
  }
  const enhet = unit.administrativEnhet;
  if (enhet) {
    result.push({
      korrespondanseparttype: 'IM',
      erBehandlingsansvarlig: true,
      navn: enhet.navn ?? enhet.identifikator ?? enhet.initialer ?? '',
      administrativEnhet: identifier(enhet),
      ...(unit.saksansvarlig ? { saksbehandler: identifier(unit.saksansvarlig) } : {}),
      skjermetKorrespondansepart: false,
    });
  }
  return result;
}

/** The screening, with the date it ends where the hjemmel gives a duration. */
function skjermingOf(s: SkjermingSettings, dokumentetsDato: string): Skjerming {
  const { skjermingsvarighetAar, ...rest } = s;
  const skjerming: Skjerming = { ...rest, skjermingMetadata: [...s.skjermingMetadata] };
  if (skjermingsvarighetAar !== undefined) {
    const [y, m, d] = dokumentetsDato.split('-');
    skjerming.skjermingOpphoererDato = `${String(Number(y) + skjermingsvarighetAar).padStart(4, '0')}-${m}-${d === '29' && m === '02' ? '28' : d}`;
  }
  return skjerming;
}

/** The form fields that identify a person: the parties' names and ids, and every national id of the form. */
function personalPaths(formType: FormType): Set<string> {
  const paths = new Set<string>(formType.formData.nationalIds ?? []);
  const archive = formType.definition.archive;
  for (const p of [...(archive?.korrespondansepart ?? []), ...(archive?.part ?? [])]) {
    for (const spec of [p.navn, p.personid, p.organisasjonid]) for (const path of pathsOf(spec ?? '')) paths.add(path);
  }
  for (const k of archive?.saksmappe?.klassifikasjon ?? []) {
    if (k.skjermetKlasse) for (const path of pathsOf(k.klasseID)) paths.add(path);
  }
  return paths;
}

/** A template without the placeholders that read these paths (the public title: screened words dropped, not masked). */
export function withoutPaths(spec: string, paths: Set<string>): string {
  if (!spec.includes('{') || isExpression(spec)) return spec;
  const kept = spec.replace(/\{([^{}]*)\}/g, (whole, path: string) =>
    paths.has(path.trim()) || path.trim().startsWith('submitter.') ? '' : whole,
  );
  // Nothing left to read: the rest is literal text (finishTitle tidies its separators).
  return kept.includes('{') ? kept : `=${kept}`;
}

/**
 * A title as the journal shows it: one line, no separator left dangling where a value was empty or dropped
 * ("– –", a trailing "–"), and no longer than the limit (shortened at a word, with "…").
 */
export function finishTitle(title: string, max: number): string {
  let t = title
    .replace(/\s+/g, ' ')
    .replace(/ ([–—-])(?: [–—,-])+(?= |$)/g, ' $1')
    .replace(/ ,(?: ,)+/g, ' ,')
    .replace(/^(?:[–—,-] )+/, '')
    .replace(/(?: [–—,-])+$/, '')
    .replace(/ ,/g, ',')
    .trim();
  if ([...t].length > max) {
    const chars = [...t].slice(0, max - 1).join('');
    const cut = chars.lastIndexOf(' ');
    t = `${(cut > max / 2 ? chars.slice(0, cut) : chars).replace(/[\s–—,-]+$/, '')}…`;
  }
  return t;
}

/** The literal text of a title template must fit (checked when the configuration is loaded). */
function checkLiteralLength(c: DefinitionCompiler, spec: string, field: string, max: number): void {
  if (isExpression(spec)) return;
  const literal = spec.startsWith('=') ? spec.slice(1) : spec.replace(/\{[^{}]*\}/g, '');
  if ([...literal].length > max) {
    c.issue(field, `the title's own text is ${[...literal].length} characters, more than titleMaxLength ${max}`);
  }
}

function isSamePerson(part: Part, submitter: SubmissionEnvelope['submitter']): boolean {
  if (part.personid !== undefined || part.organisasjonid !== undefined) {
    return (
      (part.personid !== undefined && part.personid === submitter.nationalId) ||
      (part.organisasjonid !== undefined && part.organisasjonid === submitter.organisationNumber)
    );
  }
  return part.navn.trim().toLowerCase() === submitter.name.trim().toLowerCase();
}

function submitterPart(
  submitter: SubmissionEnvelope['submitter'],
  role: NonNullable<ArchiveMapping['representative']>,
): Part {
  const address = submitter.address;
  return {
    navn: submitter.name,
    ...(role.rolle ? { rolle: role.rolle } : {}),
    rolleTekst: role.rolleTekst,
    ...(submitter.organisationNumber
      ? { organisasjonid: submitter.organisationNumber }
      : submitter.nationalId
        ? { personid: submitter.nationalId }
        : {}),
    ...(address?.street ? { postadresse: [address.street] } : {}),
    ...(address?.postalCode ? { postnummer: address.postalCode } : {}),
    ...(address?.postalTown ? { poststed: address.postalTown } : {}),
    ...(submitter.email ? { epostadresse: submitter.email } : {}),
    ...(submitter.phone ? { telefonnummer: submitter.phone } : {}),
  };
}

function compilePart(c: DefinitionCompiler, spec: PartMapping, at: string) {
  const navn = c.value(spec.navn, `${at}/navn`);
  const field = (name: 'personid' | 'organisasjonid' | 'postnummer' | 'poststed' | 'epostadresse' | 'telefonnummer') =>
    c.optional(spec[name], `${at}/${name}`);
  const values = {
    personid: field('personid'),
    organisasjonid: field('organisasjonid'),
    postnummer: field('postnummer'),
    poststed: field('poststed'),
    epostadresse: field('epostadresse'),
    telefonnummer: field('telefonnummer'),
  };
  const postadresse = (spec.postadresse ?? []).map((line, i) => c.value(line, `${at}/postadresse/${i}`));
  return (data: Data): Part | undefined => {
    // The case's party is who the case is about: a name that came out empty is a mapping failure, not a gap.
    const name = requireText(navn, data, c.formType, archiveLabel(navn.field));
    const org = text(values.organisasjonid, data);
    const person = org === undefined ? text(values.personid, data) : undefined;
    const lines = postadresse.map((line) => text(line, data)).filter((l): l is string => l !== undefined);
    const part: Part = {
      navn: name,
      ...(spec.rolle ? { rolle: spec.rolle } : {}),
      rolleTekst: spec.rolleTekst,
      ...(org !== undefined ? { organisasjonid: org } : {}),
      ...(person !== undefined ? { personid: person } : {}),
      ...(lines.length > 0 ? { postadresse: lines } : {}),
    };
    for (const name of ['postnummer', 'poststed', 'epostadresse', 'telefonnummer'] as const) {
      const value = text(values[name], data);
      if (value !== undefined) part[name] = value;
    }
    return part;
  };
}

function compileKorrespondansepart(c: DefinitionCompiler, spec: KorrespondansepartMapping, at: string) {
  if (spec.source === 'submitter') return submitterKorrespondansepart(spec);
  const navn = c.value(spec.navn ?? '', `${at}/navn`);
  const field = (name: keyof KorrespondansepartMapping) => {
    const value = spec[name];
    return typeof value === 'string' ? c.value(value, `${at}/${name}`) : undefined;
  };
  const personid = field('personid');
  const organisasjonid = field('organisasjonid');
  const optional = {
    postnummer: field('postnummer'),
    poststed: field('poststed'),
    land: field('land'),
    epostadresse: field('epostadresse'),
    telefonnummer: field('telefonnummer'),
    kontaktperson: field('kontaktperson'),
    administrativEnhet: field('administrativEnhet'),
    saksbehandler: field('saksbehandler'),
  };
  const postadresse = (spec.postadresse ?? []).map((line, i) => c.value(line, `${at}/postadresse/${i}`));
  return (data: Data, _input?: MappingInput): Korrespondansepart | undefined => {
    if (spec.optional && text(navn, data) === undefined) return undefined;
    const part: Korrespondansepart = {
      korrespondanseparttype: spec.type,
      navn: requireText(navn, data, c.formType, archiveLabel(navn.field)),
    };
    // A party with an organisation number is an organisation (Fiks Arkiv allows one of the two).
    const org = text(organisasjonid, data);
    const person = org === undefined ? text(personid, data) : undefined;
    if (org !== undefined) part.organisasjonid = org;
    if (person !== undefined) part.personid = person;
    const lines = postadresse.map((line) => text(line, data)).filter((l): l is string => l !== undefined);
    if (lines.length > 0) part.postadresse = lines;
    for (const [name, value] of Object.entries(optional)) {
      const result = text(value, data);
      if (result === undefined) continue;
      if (name === 'administrativEnhet' || name === 'saksbehandler') part[name] = { navn: result };
      else (part as unknown as Record<string, string>)[name] = result;
    }
    if (part.land !== undefined && !/^[A-Z]{2}$/.test(part.land)) {
      throw new MappingError({
        formType: c.formType,
        field: `${at}/land`,
        label: archiveLabel(`${at}/land`),
        problem: 'er ikke en landkode med to store bokstaver (ISO 3166, f.eks. NO)',
        rule: spec.land,
        advice: ADVICE.invalid,
      });
    }
    return part;
  };
}

/** The sender is whoever submitted: the applicant, or a guardian or consultant acting for them. */
function submitterKorrespondansepart(spec: KorrespondansepartMapping) {
  return (_data: Data, input?: MappingInput): Korrespondansepart | undefined => {
    const submitter = input?.envelope.submitter;
    if (!submitter) return undefined;
    const address = submitter.address;
    return {
      korrespondanseparttype: spec.type,
      navn: submitter.name,
      ...(submitter.organisationNumber
        ? { organisasjonid: submitter.organisationNumber }
        : submitter.nationalId
          ? { personid: submitter.nationalId }
          : {}),
      ...(address?.street ? { postadresse: [address.street] } : {}),
      ...(address?.postalCode ? { postnummer: address.postalCode } : {}),
      ...(address?.postalTown ? { poststed: address.postalTown } : {}),
      ...(address?.country && /^[A-Z]{2}$/.test(address.country) ? { land: address.country } : {}),
      ...(submitter.email ? { epostadresse: submitter.email } : {}),
      ...(submitter.phone ? { telefonnummer: submitter.phone } : {}),
    };
  };
}

/**
 * Exactly one Hoveddokument, always: the provider's main document, or, when it sent none, the form itself rendered
 * as a PDF/A (shared/documents/form-pdf.ts). Then the attachments in the order sent (each with the dokumenttype the
 * form type gives it), then the form data itself where the form type archives it.
 */
function compileDocuments(c: DefinitionCompiler, mapping: ArchiveMapping, formType: FormType) {
  const kinds = mapping.dokumenter;
  const skjemadata = kinds.skjemadata;
  const skjemadataTittel = skjemadata ? c.value(skjemadata.tittel, '/archive/dokumenter/skjemadata/tittel') : undefined;
  const typeRules = (kinds.vedleggstyper ?? []).flatMap((rule, i) => {
    try {
      return [{ pattern: new RegExp(rule.match, 'iu'), dokumenttype: rule.dokumenttype }];
    } catch (error) {
      c.issue(`/archive/dokumenter/vedleggstyper/${i}/match`, `not a regular expression: ${(error as Error).message}`);
      return [];
    }
  });
  const vedleggKind = (d: StoredDocument): DocumentKind => {
    const rule = typeRules.find((r) => r.pattern.test(d.title) || r.pattern.test(d.filename));
    return rule ? { ...kinds.vedlegg, dokumenttype: rule.dokumenttype } : kinds.vedlegg;
  };

  return async (input: MappingInput, stored: StoredDocument[], data: Data) => {
    const names = new FileNames();
    const dokumentbeskrivelse: Dokumentbeskrivelse[] = [];
    const files: ArchiveFile[] = [];
    const add = (
      kind: DocumentKind,
      role: 'H' | 'V',
      tittel: string,
      file: { filename: string; contentType: string; sha256: string; size: number },
      source: ArchiveFile['source'],
    ) => {
      const filename = names.claim(file.filename);
      const objekt: Dokumentobjekt = {
        versjonsnummer: 1,
        variantformat: kind.variantformat ?? 'P',
        format: formatCode(file.filename, file.contentType),
        mimeType: file.contentType,
        // The name the file had (preview and delivery alike); the ASCII name it travels under is referanseDokumentfil.
        filnavn: asText(file.filename) ?? filename,
        referanseDokumentfil: filename,
        sjekksum: file.sha256,
        sjekksumAlgoritme: 'SHA256',
        ...(file.size <= 2_147_483_647 ? { filstoerrelse: file.size } : {}),
      };
      dokumentbeskrivelse.push({
        tittel,
        dokumenttype: kind.dokumenttype,
        dokumentstatus: 'F',
        tilknyttetRegistreringSom: role,
        dokumentnummer: dokumentbeskrivelse.length + 1,
        dokumentobjekt: [objekt],
      });
      files.push({ filename, contentType: file.contentType, source });
    };

    const mainIndex = stored.findIndex((d) => d.role === 'main');
    if (mainIndex >= 0) {
      const main = stored[mainIndex] as StoredDocument;
      add(kinds.hoveddokument, 'H', asText(main.title) ?? asText(main.filename) ?? formType.title, main, {
        key: main.key,
      });
    } else {
      const pdf = await renderFormPdf(formPdfInput(formType, input, data));
      add(
        { ...kinds.hoveddokument, variantformat: 'A' },
        'H',
        formType.title,
        {
          filename: `${formType.id}.pdf`,
          contentType: 'application/pdf',
          sha256: createHash('sha256').update(pdf).digest('hex'),
          size: pdf.byteLength,
        },
        { rendered: pdf },
      );
    }
    stored.forEach((d, i) => {
      if (i === mainIndex) return;
      add(vedleggKind(d), 'V', asText(d.title) ?? asText(d.filename) ?? 'Vedlegg', d, { key: d.key });
    });
    if (skjemadata && skjemadataTittel) {
      const { contentType, content } = input.envelope.formData;
      const bytes = Buffer.from(content, 'utf8');
      add(
        skjemadata,
        'V',
        requireText(skjemadataTittel, data, c.formType, archiveLabel(skjemadataTittel.field)),
        {
          filename: contentType === 'application/json' ? 'skjemadata.json' : 'skjemadata.xml',
          contentType,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.byteLength,
        },
        { content },
      );
    }
    return { dokumentbeskrivelse, files };
  };
}

/** What the rendered form shows: the form's title, the submitter, when, and every answer under its label. */
function formPdfInput(formType: FormType, input: MappingInput, data: Data): FormPdfInput {
  const time = osloTime(input.envelope.submittedAt);
  const [y, m, d] = time.date.split('-');
  const municipality = formType.owners?.find((o) => o.kommunenummer === input.envelope.municipality);
  const submitter = input.envelope.submitter;
  void data;
  return {
    title: formType.title,
    submitter: submitter.organisationNumber
      ? `${submitter.name} (org.nr. ${submitter.organisationNumber})`
      : submitter.name,
    submittedAt: input.envelope.submittedAt,
    submittedAtText: `${d}.${m}.${y} kl. ${time.dateTime.slice(11, 16)}`,
    municipality: municipality ? `${municipality.name} (${municipality.kommunenummer})` : input.envelope.municipality,
    reference: input.envelope.submissionId,
    answers: formAnswers(input.formData, formType.definition.labels),
  };
}

/**
 * The names the files travel under (referanseDokumentfil): unique within the message, plain ASCII as the Fiks
 * Arkiv schema advises (archiveFilename), never the message's own file name. A plain, unique name is kept as it is.
 */
class FileNames {
  readonly #used = new Set(['arkivmelding.xml']);

  claim(original: string): string {
    const { stem, ext } = archiveFilename(original);
    let name = ext ? `${stem}.${ext}` : stem;
    for (let n = 2; this.#used.has(name.toLowerCase()); n++) name = ext ? `${stem}-${n}.${ext}` : `${stem}-${n}`;
    this.#used.add(name.toLowerCase());
    return name;
  }
}

/**
 * The case folder, by the form type's strategy:
 *   new          a new case per submission
 *   application  a new case per application, with the property's matrikkelnummer and GBNR class (Noark practice:
 *                one sak per application, found again by its class); two applications on one property are two cases
 *   person       the person's own folder (TT-kort), found again by a key with their pseudonymised fødselsnummer
 *   external-key the folder with this key (a fødselsnummer in it pseudonymised likewise)
 *   property     one folder per property (kept for archives that want it; not Noark practice for applications)
 * A supplementary submission that names an earlier one (its trackingId or the case's saksnummer) joins that case.
 */
function compileSaksmappe(c: DefinitionCompiler, spec: SaksmappeMapping, formType: FormType, maxLength: number) {
  const at = '/archive/saksmappe';
  const tittel = c.value(spec.tittel, `${at}/tittel`);
  checkLiteralLength(c, spec.tittel, `${at}/tittel`, maxLength);
  const settings = formType.archive as ArchiveSettings;
  const screensTitle = settings.skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel') ?? false;
  const offentligTittel =
    spec.offentligTittel !== undefined
      ? c.value(spec.offentligTittel, `${at}/offentligTittel`)
      : screensTitle
        ? c.value(withoutPaths(spec.tittel, personalPaths(formType)), `${at}/tittel`)
        : undefined;
  const klassifikasjon = (spec.klassifikasjon ?? []).map((k, i) => ({
    klassifikasjonssystem: k.klassifikasjonssystem,
    klasseID: c.value(k.klasseID, `${at}/klassifikasjon/${i}/klasseID`),
    tittel: c.optional(k.tittel, `${at}/klassifikasjon/${i}/tittel`),
    skjermetKlasse: k.skjermetKlasse,
  }));
  const keyed = spec.strategy === 'external-key' || spec.strategy === 'person';
  const noekkel = keyed ? c.value(spec.noekkel, `${at}/noekkel`) : undefined;
  const byProperty = spec.strategy === 'property' || spec.strategy === 'application';
  const property = byProperty ? compileProperty(c, spec.matrikkelnummer, spec.gbnr, at) : undefined;
  const supplement = 'supplement' in spec ? spec.supplement : undefined;
  const nationalIds = (formType.formData.nationalIds ?? []).map((path) => compileAllTexts(path));
  const label = (v: Value) => archiveLabel(v.field);

  return (data: Data, input: MappingInput) => {
    const classes: Klassifikasjon[] = [];
    let key: string;
    let matrikkelnummer: Matrikkelnummer[] | undefined;
    if (property) {
      const found = property(data);
      classes.push(found.klasse);
      matrikkelnummer = [found.matrikkelnummer];
      // For titles: the property as people write it ("314/27", with feste/seksjon where given).
      data.gbnr = found.gbnr;
      key = spec.strategy === 'property' ? `eiendom/${found.key}` : `${c.formType}/${input.trackingId}`;
    } else if (noekkel) {
      key = pseudonymised(requireText(noekkel, data, c.formType, label(noekkel)), nationalIds, data);
    } else {
      key = `${c.formType}/${input.trackingId}`;
    }
    let saksnummer: Saksmappe['saksnummer'];
    if (supplement) {
      const earlier = supplement.trackingId ? asText(compilePath(supplement.trackingId)(data)) : undefined;
      const sak = supplement.saksnummer ? asText(compilePath(supplement.saksnummer)(data)) : undefined;
      const parsed = sak ? /^(\d{4})\s*\/\s*(\d{1,9})$/.exec(sak) : null;
      if (parsed) saksnummer = { saksaar: Number(parsed[1]), sakssekvensnummer: Number(parsed[2]) };
      // The earlier submission's case: the key it was created under.
      else if (earlier && /^[A-Za-z0-9-]{1,64}$/.test(earlier)) key = `${c.formType}/${earlier}`;
    }
    for (const k of klassifikasjon) {
      const klasseTittel = text(k.tittel, data);
      classes.push({
        klassifikasjonssystem: k.klassifikasjonssystem,
        klasseID: requireText(k.klasseID, data, c.formType, label(k.klasseID)),
        ...(klasseTittel !== undefined ? { tittel: klasseTittel } : {}),
        ...(k.skjermetKlasse !== undefined ? { skjermetKlasse: k.skjermetKlasse } : {}),
      });
    }
    const mappe: Saksmappe = {
      tittel: finishTitle(requireText(tittel, data, c.formType, label(tittel)), maxLength),
      ...(offentligTittel
        ? {
            offentligTittel: finishTitle(
              requireText(offentligTittel, data, c.formType, label(offentligTittel)),
              maxLength,
            ),
          }
        : {}),
      referanseEksternNoekkel: { fagsystem: FOLDER_FAGSYSTEM, noekkel: key },
      klassifikasjon: classes,
      ...(matrikkelnummer ? { matrikkelnummer } : {}),
      saksstatus: 'B',
      ...(saksnummer ? { saksnummer } : {}),
    };
    return { mappe, matrikkelnummer };
  };
}

/** Every national id of the form that appears in a key, replaced by its keyed pseudonym. */
function pseudonymised(key: string, nationalIds: ((data: Data) => string[])[], data: Data): string {
  let result = key;
  const ids = new Set(nationalIds.flatMap((all) => all(data)));
  // Longest first, so no id is replaced inside another.
  for (const id of [...ids].sort((a, b) => b.length - a.length)) {
    if (result.includes(id)) result = result.split(id).join(pseudonym(id));
  }
  // Any other 11-digit run is treated as one too: a key never carries a fødselsnummer in clear.
  return result.replace(/(?<!\d)\d{11}(?!\d)/g, (id) => pseudonym(id));
}

/**
 * The property's matrikkelnummer; its GBNR class id in the configured form (default "<kommunenummer>-<gnr>/<bnr>",
 * with "/<festenummer>" and "/<seksjonsnummer>" only when not 0: the municipality number is part of it, because a
 * samkommune's archive holds properties of several municipalities); and "gnr/bnr" for titles. Numbers are
 * normalised ("0314" → 314).
 */
function compileProperty(c: DefinitionCompiler, m: MatrikkelnummerMapping, gbnr: PropertyFolder['gbnr'], at: string) {
  const mat = `${at}/matrikkelnummer`;
  const kommunenummer = c.value(m.kommunenummer, `${mat}/kommunenummer`);
  const gaardsnummer = c.value(m.gaardsnummer, `${mat}/gaardsnummer`);
  const bruksnummer = c.value(m.bruksnummer, `${mat}/bruksnummer`);
  const festenummer = c.optional(m.festenummer, `${mat}/festenummer`);
  const seksjonsnummer = c.optional(m.seksjonsnummer, `${mat}/seksjonsnummer`);
  const klasseTittel = c.optional(gbnr.tittel, `${at}/gbnr/tittel`);
  const format = gbnr.format;
  if (format !== undefined && !/\{(gnr)\}/.test(format)) c.issue(`${at}/gbnr/format`, 'must contain {gnr}');
  if (format !== undefined && /\{(?!(?:knr|gnr|bnr|fnr|snr)\})[^}]*\}/.test(format)) {
    c.issue(`${at}/gbnr/format`, 'knows only {knr}, {gnr}, {bnr}, {fnr} and {snr}');
  }

  const number = (value: Value | undefined, data: Data, required: boolean): number | undefined => {
    if (!value) return undefined;
    const raw = required ? requireText(value, data, c.formType, archiveLabel(value.field)) : text(value, data);
    if (raw === undefined) return undefined;
    // xs:int in Fiks Arkiv; leading zeros ("0314") are the same property as without.
    if (!/^\d{1,9}$/.test(raw)) throw notMatrikkel(value, 'er ikke et heltall');
    return Number(raw);
  };
  const notMatrikkel = (value: Value, problem: string) =>
    new MappingError({
      formType: c.formType,
      field: value.field,
      label: archiveLabel(value.field),
      problem,
      rule: value.spec,
      formFields: pathsOf(value.spec),
      advice: ADVICE.invalid,
    });

  return (data: Data) => {
    const knr = requireText(kommunenummer, data, c.formType, archiveLabel(kommunenummer.field));
    if (!/^\d{4}$/.test(knr)) throw notMatrikkel(kommunenummer, 'er ikke et kommunenummer med fire sifre');
    const gnr = number(gaardsnummer, data, true) ?? 0;
    const bnr = number(bruksnummer, data, true) ?? 0;
    const fnr = number(festenummer, data, false);
    const snr = number(seksjonsnummer, data, false);
    const matrikkelnummer: Matrikkelnummer = {
      kommunenummer: knr,
      gaardsnummer: gnr,
      bruksnummer: bnr,
      ...(fnr !== undefined ? { festenummer: fnr } : {}),
      ...(snr !== undefined ? { seksjonsnummer: snr } : {}),
    };
    const tail = snr ? `/${fnr ?? 0}/${snr}` : fnr ? `/${fnr}` : '';
    const canonical = `${knr}-${gnr}/${bnr}${tail}`;
    const values: Record<string, string> = {
      knr,
      gnr: String(gnr),
      bnr: String(bnr),
      fnr: String(fnr ?? 0),
      snr: String(snr ?? 0),
    };
    const klasseID = format ? format.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '') : canonical;
    const tittel = text(klasseTittel, data);
    const klasse: Klassifikasjon = {
      klassifikasjonssystem: gbnr.klassifikasjonssystem,
      klasseID,
      ...(tittel !== undefined ? { tittel } : {}),
    };
    return { matrikkelnummer, klasse, key: canonical, gbnr: `${gnr}/${bnr}${tail}` };
  };
}

/** File format code: the Fiks Arkiv format is the file type, e.g. PDF, XML, JSON (by content type, else extension). */
function formatCode(filename: string, contentType: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/xml': 'XML',
    'text/xml': 'XML',
    'application/json': 'JSON',
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/tiff': 'TIFF',
    'text/plain': 'TXT',
  };
  const code = known[contentType];
  if (code) return code;
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1];
  return (extension ?? 'BIN').toUpperCase();
}
