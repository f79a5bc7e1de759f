/**
 * A form type's mapping definition: `config/form-types/<id>.json`, validated by `schemas/form-type.schema.json`
 * (the authority; these types mirror it). It says what the form's data means — its rules, and where each field of
 * the archive record and of each specialist system's payload comes from — and nothing about who receives it: the
 * deployment file routes the form type and holds the archive's own settings (journalposttype, journalstatus,
 * administrativEnhet, saksansvarlig, skjerming).
 *
 * Value specs (see values.ts): "soker.fornavn" (path), "Søknad – {soker.fornavn}" (template), "=Tekst" (literal),
 * "{% JSONata %}" (expression).
 */
import type { FormDataRules } from '../config/types.ts';

export type ValueSpec = string;

export interface FormTypeDefinition {
  /** Must equal the file name: config/form-types/<id>.json */
  id: string;
  title: string;
  formData: FormDataRules;
  /** The form's labels by path, for the rendered form */
  labels?: Record<string, string>;
  archive?: ArchiveMapping;
  /** The fields naming the person the form is about, so staff find it by them (shared/store/search-terms.ts) */
  search?: { person?: { name?: string[]; nationalId?: string } };
  /** Payload per specialist system, by the system's name (a fagsystem target's `system`) */
  payloads?: Record<string, PayloadMapping>;
}

export interface ArchiveMapping {
  /** From controlled values only; empty placeholders drop their separator */
  tittel: ValueSpec;
  /** The title without screened words; default: the title without the placeholders that read personal fields */
  offentligTittel?: ValueSpec;
  /** Free text (the applicant's description): the journalpost's beskrivelse */
  beskrivelse?: ValueSpec;
  /** Longest title, default 255 */
  titleMaxLength?: number;
  /** A personnel matter: the deployment must give it its own arkivdel */
  personnel?: boolean;
  korrespondansepart: KorrespondansepartMapping[];
  /** The parties of the case (sakspart) */
  part?: PartMapping[];
  /** When the submitter is not the first part: the submitter becomes a part with this role */
  representative?: { rolle?: string; rolleTekst: string };
  dokumenter: DocumentsMapping;
  /** The case folder; without it the journalpost is filed on its own (in the configured arkivdel) */
  saksmappe?: SaksmappeMapping;
}

export type KorrespondanseparttypeCode = 'EA' | 'EM' | 'EK' | 'IA' | 'IM' | 'IK';

export interface PartMapping {
  /** Fiks Arkiv partrolle code (K, F, P, A) */
  rolle?: string;
  rolleTekst: string;
  navn: ValueSpec;
  personid?: ValueSpec;
  organisasjonid?: ValueSpec;
  postadresse?: ValueSpec[];
  postnummer?: ValueSpec;
  poststed?: ValueSpec;
  epostadresse?: ValueSpec;
  telefonnummer?: ValueSpec;
}

export interface KorrespondansepartMapping {
  /** EA (avsender) for citizens and businesses, IA for internal senders, … (Fiks Arkiv code list) */
  type: KorrespondanseparttypeCode;
  /** The envelope's submitter: name, id, address, e-mail and phone come from there */
  source?: 'submitter';
  /** Leave the part out when its name comes out empty (e.g. an optional representative), instead of failing */
  optional?: boolean;
  /** Required unless source is submitter */
  navn?: ValueSpec;
  /** fødselsnummer / D-number; organisasjonid wins when both have a value */
  personid?: ValueSpec;
  organisasjonid?: ValueSpec;
  postadresse?: ValueSpec[];
  postnummer?: ValueSpec;
  poststed?: ValueSpec;
  /** ISO 3166 two-letter country code */
  land?: ValueSpec;
  epostadresse?: ValueSpec;
  telefonnummer?: ValueSpec;
  kontaktperson?: ValueSpec;
  administrativEnhet?: ValueSpec;
  saksbehandler?: ValueSpec;
}

export interface DocumentKind {
  /** Fiks Arkiv dokumenttype code, e.g. SØKNAD, MELDING, VEDLEGG */
  dokumenttype: string;
  /** Fiks Arkiv variantformat code; default P (produksjonsformat) */
  variantformat?: 'P' | 'A';
}

export interface DocumentsMapping {
  /** The document with role "main" (the form as PDF): Hoveddokument */
  hoveddokument: DocumentKind;
  /** Every other attachment: Vedlegg */
  vedlegg: DocumentKind;
  /** dokumenttype per attachment, by a pattern on its title or file name (first match wins) */
  vedleggstyper?: { match: string; dokumenttype: string }[];
  /** Archive the form data itself (XML or JSON) as a Vedlegg, under this title */
  skjemadata?: DocumentKind & { tittel: ValueSpec };
}

export interface KlassifikasjonMapping {
  /** The archive's ordningsprinsipp id, e.g. "FNR", "GBNR" */
  klassifikasjonssystem: string;
  klasseID: ValueSpec;
  tittel?: ValueSpec;
  skjermetKlasse?: boolean;
}

export interface MatrikkelnummerMapping {
  kommunenummer: ValueSpec;
  gaardsnummer: ValueSpec;
  bruksnummer: ValueSpec;
  festenummer?: ValueSpec;
  seksjonsnummer?: ValueSpec;
}

interface FolderCommon {
  tittel: ValueSpec;
  offentligTittel?: ValueSpec;
  klassifikasjon?: KlassifikasjonMapping[];
}

/** Where a supplementary submission names the earlier one: paths into the form data */
export interface SupplementReference {
  trackingId?: string;
  /** "2026/123" */
  saksnummer?: string;
}

/** A new saksmappe per submission. */
export interface NewFolder extends FolderCommon {
  strategy: 'new';
  supplement?: SupplementReference;
}

/**
 * Reuse the folder with this external key (e.g. "tt-kort/{soker.fodselsnummer}"): the archive answers Eksisterende.
 * "person" says what it is for: the person's own folder (TT-kort). A fødselsnummer in the key is pseudonymised.
 */
export interface ExternalKeyFolder extends FolderCommon {
  strategy: 'external-key' | 'person';
  noekkel: ValueSpec;
}

/**
 * A folder per property: the key and the GBNR class are built from the matrikkelnummer in one canonical form,
 * so every form about the same property (whatever its form type, with or without festenummer 0) finds it.
 */
export interface PropertyFolder extends FolderCommon {
  /** application: one case per application (found again by the GBNR class); property: one folder per property */
  strategy: 'property' | 'application';
  matrikkelnummer: MatrikkelnummerMapping;
  gbnr: { klassifikasjonssystem: string; tittel?: ValueSpec; format?: string };
  supplement?: SupplementReference;
}

export type SaksmappeMapping = NewFolder | ExternalKeyFolder | PropertyFolder;

export interface PayloadMapping {
  /** For XML payloads: the root element name */
  root?: string;
  /** The payload as JSON: string leaves are value specs; fields whose value is empty are left out */
  template: Record<string, unknown>;
  /** Payload fields (dotted, e.g. "arkiv.saksnummer") that must have a value, or the delivery fails */
  required?: string[];
}
