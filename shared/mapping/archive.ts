/**
 * Form → archive record: a form type's archive mapping (its definition) with the deployment's archive settings,
 * compiled once into a function that builds the `Arkivmelding` for a submission. The record is format-independent;
 * `shared/noark/formats.ts` writes it as Fiks Arkiv V1 or eFormidling.
 */
import { createHash } from 'node:crypto';
import type { ArchiveSettings } from '../config/types.ts';
import type {
  Arkivmelding,
  Dokumentbeskrivelse,
  Dokumentobjekt,
  Klassifikasjon,
  Korrespondansepart,
  Matrikkelnummer,
  Saksmappe,
} from '../noark/model.ts';
import { archiveFilename } from '../submission/filenames.ts';
import type { StoredDocument } from '../submission/types.ts';
import { type DefinitionCompiler, expressionFault, requireText, text, type Value } from './compiler.ts';
import { type MappingInput, mappingData } from './context.ts';
import { osloTime } from './dates.ts';
import type {
  ArchiveMapping,
  DocumentKind,
  KorrespondansepartMapping,
  MatrikkelnummerMapping,
  PropertyFolder,
  SaksmappeMapping,
} from './definition.ts';
import { ADVICE, MappingError } from './errors.ts';
import { ExpressionError } from './expressions.ts';
import { asText, type Data, pathsOf } from './values.ts';

// The delivery processing recognises a permanent mapping fault by this class (imported from here).
export { MappingError } from './errors.ts';

/** A file the archive message names, to be sent beside it under `filename` (its referanseDokumentfil). */
export interface ArchiveFile {
  filename: string;
  contentType: string;
  /** S3 key of a stored document, or the content itself (the archived form data) */
  source: { key: string } | { content: string };
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

export function compileArchiveMapping(
  c: DefinitionCompiler,
  mapping: ArchiveMapping,
  settings: ArchiveSettings,
): ArchiveMapper {
  const formType = c.formType;
  const at = '/archive';
  const tittel = c.value(mapping.tittel, `${at}/tittel`);
  const offentligTittel = c.optional(mapping.offentligTittel, `${at}/offentligTittel`);
  const parts = mapping.korrespondansepart.map((p, i) =>
    compileKorrespondansepart(c, p, `${at}/korrespondansepart/${i}`),
  );
  const mottaker = settings.mottaker;
  const documents = compileDocuments(c, mapping);
  const mappe = mapping.saksmappe ? compileSaksmappe(c, mapping.saksmappe, settings) : undefined;
  const skjerming = settings.skjerming ? { ...settings.skjerming } : undefined;

  return async (input, stored) => {
    const data = mappingData(input);
    try {
      await c.expressions.evaluate(data);
    } catch (error) {
      if (error instanceof ExpressionError) throw expressionFault(formType, error, archiveLabel(error.item.field));
      throw error;
    }
    const korrespondansepart = parts.map((p) => p(data)).filter((p): p is Korrespondansepart => p !== undefined);
    if (mottaker) {
      korrespondansepart.push({
        korrespondanseparttype: settings.journalposttype === 'I' ? 'EM' : 'IM',
        navn: mottaker.navn,
        ...(mottaker.administrativEnhet ? { administrativEnhet: mottaker.administrativEnhet } : {}),
        ...(mottaker.saksbehandler ? { saksbehandler: mottaker.saksbehandler } : {}),
        // The municipality's own unit is no one's personal data, even where the sender is screened.
        skjermetKorrespondansepart: false,
      });
    }
    const { dokumentbeskrivelse, files } = documents(input, stored, data);
    const arkivmelding: Arkivmelding = {
      system: SYSTEM,
      antallFiler: files.length,
      ...(mappe ? { saksmappe: mappe(data, input.trackingId) } : {}),
      journalpost: {
        tittel: requireText(tittel, data, formType, archiveLabel(tittel.field)),
        ...(offentligTittel
          ? { offentligTittel: requireText(offentligTittel, data, formType, archiveLabel(offentligTittel.field)) }
          : {}),
        journalposttype: settings.journalposttype,
        journalstatus: settings.journalstatus,
        dokumentetsDato: osloTime(input.envelope.submittedAt).date,
        mottattDato: osloTime(input.receivedAt).dateTime,
        referanseEksternNoekkel: { fagsystem: `skjemaflyt/${formType}`, noekkel: input.trackingId },
        korrespondansepart,
        ...(skjerming ? { skjerming } : {}),
        dokumentbeskrivelse,
        opprettetAv: SYSTEM,
        arkivertAv: SYSTEM,
        ...(!mappe && settings.arkivdel ? { arkivdel: settings.arkivdel } : {}),
      },
    };
    return { arkivmelding, files };
  };
}

function compileKorrespondansepart(c: DefinitionCompiler, spec: KorrespondansepartMapping, at: string) {
  const navn = c.value(spec.navn, `${at}/navn`);
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
  return (data: Data): Korrespondansepart | undefined => {
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
      if (result !== undefined) (part as unknown as Record<string, string>)[name] = result;
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

/** The main document first (Hoveddokument), then the attachments in the order sent, then the form data itself. */
function compileDocuments(c: DefinitionCompiler, mapping: ArchiveMapping) {
  const kinds = mapping.dokumenter;
  const skjemadata = kinds.skjemadata;
  const skjemadataTittel = skjemadata ? c.value(skjemadata.tittel, '/archive/dokumenter/skjemadata/tittel') : undefined;

  return (input: MappingInput, stored: StoredDocument[], data: Data) => {
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
        filnavn: asText(file.filename) ?? filename,
        referanseDokumentfil: filename,
        sjekksum: file.sha256,
        sjekksumAlgoritme: 'SHA-256',
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
    const ordered = mainIndex < 0 ? stored : [stored[mainIndex] as StoredDocument, ...stored.toSpliced(mainIndex, 1)];
    ordered.forEach((d, i) => {
      const main = i === 0 && mainIndex >= 0;
      const tittel = asText(d.title) ?? asText(d.filename) ?? 'Dokument';
      add(main ? kinds.hoveddokument : kinds.vedlegg, main ? 'H' : 'V', tittel, d, { key: d.key });
    });
    if (skjemadata && skjemadataTittel) {
      const { contentType, content } = input.envelope.formData;
      const bytes = Buffer.from(content, 'utf8');
      add(
        skjemadata,
        // Without a main document the form data is what was received: it becomes the Hoveddokument.
        mainIndex < 0 ? 'H' : 'V',
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

function compileSaksmappe(c: DefinitionCompiler, spec: SaksmappeMapping, settings: ArchiveSettings) {
  const at = '/archive/saksmappe';
  const tittel = c.value(spec.tittel, `${at}/tittel`);
  const offentligTittel = c.optional(spec.offentligTittel, `${at}/offentligTittel`);
  const klassifikasjon = (spec.klassifikasjon ?? []).map((k, i) => ({
    klassifikasjonssystem: k.klassifikasjonssystem,
    klasseID: c.value(k.klasseID, `${at}/klassifikasjon/${i}/klasseID`),
    tittel: c.optional(k.tittel, `${at}/klassifikasjon/${i}/tittel`),
    skjermetKlasse: k.skjermetKlasse,
  }));
  const noekkel = spec.strategy === 'external-key' ? c.value(spec.noekkel, `${at}/noekkel`) : undefined;
  const property = spec.strategy === 'property' ? compileProperty(c, spec.matrikkelnummer, spec.gbnr, at) : undefined;
  const skjerming = settings.skjerming;
  const label = (v: Value) => archiveLabel(v.field);

  return (data: Data, trackingId: string): Saksmappe => {
    const classes: Klassifikasjon[] = [];
    let key: string;
    let matrikkelnummer: Matrikkelnummer[] | undefined;
    if (property) {
      const found = property(data);
      classes.push(found.klasse);
      key = `eiendom/${found.klasse.klasseID}`;
      matrikkelnummer = [found.matrikkelnummer];
    } else if (noekkel) {
      key = requireText(noekkel, data, c.formType, label(noekkel));
    } else {
      key = `${c.formType}/${trackingId}`;
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
    return {
      tittel: requireText(tittel, data, c.formType, label(tittel)),
      ...(offentligTittel
        ? { offentligTittel: requireText(offentligTittel, data, c.formType, label(offentligTittel)) }
        : {}),
      referanseEksternNoekkel: { fagsystem: FOLDER_FAGSYSTEM, noekkel: key },
      klassifikasjon: classes,
      ...(matrikkelnummer ? { matrikkelnummer } : {}),
      ...(settings.administrativEnhet ? { administrativEnhet: settings.administrativEnhet } : {}),
      ...(settings.saksansvarlig ? { saksansvarlig: settings.saksansvarlig } : {}),
      saksstatus: 'B',
      ...(skjerming ? { skjerming: { ...skjerming } } : {}),
      ...(settings.arkivdel ? { arkivdel: settings.arkivdel } : {}),
    };
  };
}

/**
 * The property's matrikkelnummer, and its GBNR class in one canonical form: "<kommunenummer>-<gnr>/<bnr>", with
 * "/<festenummer>" and "/<seksjonsnummer>" only when not 0. The municipality number is part of it, because a
 * samkommune's archive holds properties of several municipalities (314/27 in Levanger is not 314/27 in Verdal).
 */
function compileProperty(c: DefinitionCompiler, m: MatrikkelnummerMapping, gbnr: PropertyFolder['gbnr'], at: string) {
  const mat = `${at}/matrikkelnummer`;
  const kommunenummer = c.value(m.kommunenummer, `${mat}/kommunenummer`);
  const gaardsnummer = c.value(m.gaardsnummer, `${mat}/gaardsnummer`);
  const bruksnummer = c.value(m.bruksnummer, `${mat}/bruksnummer`);
  const festenummer = c.optional(m.festenummer, `${mat}/festenummer`);
  const seksjonsnummer = c.optional(m.seksjonsnummer, `${mat}/seksjonsnummer`);
  const klasseTittel = c.optional(gbnr.tittel, `${at}/gbnr/tittel`);

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
    const tittel = text(klasseTittel, data);
    const klasse: Klassifikasjon = {
      klassifikasjonssystem: gbnr.klassifikasjonssystem,
      klasseID: `${knr}-${gnr}/${bnr}${tail}`,
      ...(tittel !== undefined ? { tittel } : {}),
    };
    return { matrikkelnummer, klasse };
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
