import type { ArchiveMapping, FormType, KorrespondansepartSpec, SaksmappeSpec } from '../config/types.ts';
import type { Arkivmelding, Dokumentbeskrivelse, Korrespondansepart, Saksmappe } from '../noark/model.ts';
import type { StoredDocument } from '../submission/types.ts';
import { type MappingInput, mappingData } from './context.ts';
import { osloTime } from './dates.ts';
import { asText, type CompiledValue, compileValue, type Data } from './values.ts';

/** A file the archive message names, to be sent beside it. */
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

/** A mapping that cannot produce a valid record from this submission (a permanent, not a passing, fault). */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

type Compiled = (input: MappingInput, documents: StoredDocument[]) => ArchiveRecord;
const compiledMappings = new WeakMap<FormType, Compiled>();

/** Maps a submission to its arkivmelding; the form type's mapping is compiled on first use and kept. */
export function mapToArchive(formType: FormType, input: MappingInput, documents: StoredDocument[]): ArchiveRecord {
  let compiled = compiledMappings.get(formType);
  if (!compiled) {
    if (!formType.archive) throw new MappingError(`Skjematypen ${formType.id} har ingen arkivmapping.`);
    compiled = compileArchiveMapping(formType.id, formType.archive);
    compiledMappings.set(formType, compiled);
  }
  return compiled(input, documents);
}

function compileArchiveMapping(formTypeId: string, mapping: ArchiveMapping): Compiled {
  const tittel = compileValue(mapping.tittel);
  const offentligTittel = mapping.offentligTittel ? compileValue(mapping.offentligTittel) : undefined;
  const parts = mapping.korrespondansepart.map(compileKorrespondansepart);
  const mappe = mapping.saksmappe ? compileSaksmappe(mapping.saksmappe, mapping) : undefined;

  return (input, documents) => {
    const data = mappingData(input);
    const required = (value: CompiledValue, field: string) => {
      const text = asText(value(data));
      if (text === undefined) throw new MappingError(`Arkivfeltet ${field} ble tomt for denne innsendingen.`);
      return text;
    };
    const files: ArchiveFile[] = documents.map((d) => ({
      filename: d.filename,
      contentType: d.contentType,
      source: { key: d.key },
    }));
    if (mapping.archiveFormData) {
      const json = input.envelope.formData.contentType === 'application/json';
      files.push({
        filename: json ? 'skjemadata.json' : 'skjemadata.xml',
        contentType: input.envelope.formData.contentType,
        source: { content: input.envelope.formData.content },
      });
    }
    const ordered = [...files].sort((a, b) => rank(a, documents) - rank(b, documents));
    const dokumentbeskrivelse = ordered.map((file, i): Dokumentbeskrivelse => {
      const stored = documents.find((d) => d.filename === file.filename);
      const main = stored?.role === 'main';
      return {
        tittel: stored?.title ?? 'Skjemadata',
        dokumenttype: main ? mapping.dokumenttype : 'VEDLEGG',
        dokumentstatus: 'F',
        tilknyttetRegistreringSom: main ? 'H' : 'V',
        dokumentnummer: i + 1,
        dokumentobjekt: [
          {
            versjonsnummer: 1,
            variantformat: 'P',
            format: formatCode(file.filename, file.contentType),
            filnavn: file.filename,
            referanseDokumentfil: file.filename,
          },
        ],
      };
    });
    const received = osloTime(input.receivedAt);
    const arkivmelding: Arkivmelding = {
      system: 'Skjemaflyt',
      antallFiler: files.length,
      ...(mappe ? { saksmappe: mappe(data, required) } : {}),
      journalpost: {
        tittel: required(tittel, 'tittel'),
        ...(offentligTittel ? { offentligTittel: required(offentligTittel, 'offentligTittel') } : {}),
        journalposttype: mapping.journalposttype,
        journalstatus: mapping.journalstatus,
        dokumentetsDato: osloTime(input.envelope.submittedAt).date,
        mottattDato: received.dateTime,
        referanseEksternNoekkel: { fagsystem: `skjemaflyt/${formTypeId}`, noekkel: input.trackingId },
        korrespondansepart: parts.map((p) => p(data, required)),
        ...(mapping.skjerming ? { skjerming: { ...mapping.skjerming } } : {}),
        dokumentbeskrivelse,
        opprettetAv: 'Skjemaflyt',
        arkivertAv: 'Skjemaflyt',
      },
    };
    return { arkivmelding, files: ordered };
  };
}

type Required = (value: CompiledValue, field: string) => string;

function compileKorrespondansepart(spec: KorrespondansepartSpec) {
  const optional = (s?: string) => (s ? compileValue(s) : undefined);
  const navn = compileValue(spec.navn);
  const fields = {
    personid: optional(spec.personid),
    organisasjonid: optional(spec.organisasjonid),
    postnummer: optional(spec.postnummer),
    poststed: optional(spec.poststed),
    epostadresse: optional(spec.epostadresse),
    telefonnummer: optional(spec.telefonnummer),
    administrativEnhet: optional(spec.administrativEnhet),
  };
  const postadresse = (spec.postadresse ?? []).map(compileValue);
  return (data: Data, required: Required): Korrespondansepart => {
    const part: Korrespondansepart = {
      korrespondanseparttype: spec.type,
      navn: required(navn, 'korrespondansepartNavn'),
    };
    for (const [field, value] of Object.entries(fields)) {
      const text = value ? asText(value(data)) : undefined;
      if (text !== undefined) (part as unknown as Record<string, string>)[field] = text;
    }
    const lines = postadresse.map((line) => asText(line(data))).filter((l): l is string => l !== undefined);
    if (lines.length > 0) part.postadresse = lines;
    return part;
  };
}

function compileSaksmappe(spec: SaksmappeSpec, mapping: ArchiveMapping) {
  const tittel = compileValue(spec.tittel);
  const offentligTittel = spec.offentligTittel ? compileValue(spec.offentligTittel) : undefined;
  const noekkel = spec.noekkel ? compileValue(spec.noekkel) : undefined;
  const klassifikasjon = (spec.klassifikasjon ?? []).map((k) => ({
    klassifikasjonssystem: k.klassifikasjonssystem,
    klasseID: compileValue(k.klasseID),
    tittel: k.tittel ? compileValue(k.tittel) : undefined,
    skjermetKlasse: k.skjermetKlasse,
  }));
  const matrikkel = spec.matrikkelnummer;
  const m = matrikkel
    ? {
        kommunenummer: compileValue(matrikkel.kommunenummer),
        gaardsnummer: compileValue(matrikkel.gaardsnummer),
        bruksnummer: compileValue(matrikkel.bruksnummer),
        festenummer: matrikkel.festenummer ? compileValue(matrikkel.festenummer) : undefined,
        seksjonsnummer: matrikkel.seksjonsnummer ? compileValue(matrikkel.seksjonsnummer) : undefined,
      }
    : undefined;
  const number = (value: CompiledValue | undefined, data: Data, field: string) => {
    const text = value ? asText(value(data)) : undefined;
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new MappingError(`Matrikkelfeltet ${field} er ikke et tall.`);
    return Number(text);
  };
  return (data: Data, required: Required): Saksmappe => ({
    tittel: required(tittel, 'saksmappe/tittel'),
    ...(offentligTittel ? { offentligTittel: required(offentligTittel, 'saksmappe/offentligTittel') } : {}),
    referanseEksternNoekkel: {
      fagsystem: 'skjemaflyt',
      noekkel: spec.strategy === 'new' || !noekkel ? String(data.trackingId) : required(noekkel, 'saksmappe/noekkel'),
    },
    klassifikasjon: klassifikasjon.map((k) => ({
      klassifikasjonssystem: k.klassifikasjonssystem,
      klasseID: required(k.klasseID, 'klassifikasjon/klasseID'),
      ...(k.tittel ? { tittel: asText(k.tittel(data)) } : {}),
      ...(k.skjermetKlasse !== undefined ? { skjermetKlasse: k.skjermetKlasse } : {}),
    })),
    ...(m
      ? {
          matrikkelnummer: [
            {
              kommunenummer: required(m.kommunenummer, 'matrikkelnummer/kommunenummer'),
              gaardsnummer: number(m.gaardsnummer, data, 'gårdsnummer') ?? 0,
              bruksnummer: number(m.bruksnummer, data, 'bruksnummer') ?? 0,
              ...optionalNumber('festenummer', number(m.festenummer, data, 'festenummer')),
              ...optionalNumber('seksjonsnummer', number(m.seksjonsnummer, data, 'seksjonsnummer')),
            },
          ],
        }
      : {}),
    ...(spec.administrativEnhet ? { administrativEnhet: spec.administrativEnhet } : {}),
    ...(spec.saksansvarlig ? { saksansvarlig: spec.saksansvarlig } : {}),
    saksstatus: 'B',
    ...(mapping.skjerming ? { skjerming: { ...mapping.skjerming } } : {}),
  });
}

function optionalNumber(field: string, value: number | undefined) {
  return value === undefined ? {} : { [field]: value };
}

/** The main document first, then attachments in the order sent, then the archived form data. */
function rank(file: ArchiveFile, documents: StoredDocument[]): number {
  const index = documents.findIndex((d) => d.filename === file.filename);
  if (index < 0) return documents.length + 1;
  return documents[index]?.role === 'main' ? -1 : index;
}

function formatCode(filename: string, contentType: string): string {
  if (contentType === 'application/pdf') return 'PDF';
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1];
  return (extension ?? 'BIN').toUpperCase();
}
