/**
 * The archive record as data: what Skjemaflyt files in a Noark 5 archive for one submission.
 * Independent of any wire format; `fiks-arkiv-v1.ts` and `eformidling.ts` serialise it.
 * Field names follow the Noark 5 / Fiks Arkiv metadata catalogue so an archivist can read the mapping.
 */

/** Codes from the Fiks Arkiv V1 code lists (`schemas/fiks-arkiv-v1/kodelister`). */
export type Journalposttype = 'I' | 'U' | 'N' | 'X' | 'S';
export type Korrespondanseparttype = 'EA' | 'EM' | 'EK' | 'IA' | 'IM' | 'IK';
export type TilknyttetRegistreringSom = 'H' | 'V';
export type Variantformat = 'P' | 'A' | 'O' | 'S';

export interface Kode {
  kode: string;
  beskrivelse?: string;
}

export interface ReferanseEksternNoekkel {
  /** e.g. "skjemaflyt/tt-kort-soknad" */
  fagsystem: string;
  /** e.g. the trackingId, or a folder key such as the property id */
  noekkel: string;
}

/** Screening ("unntatt offentlighet"): the code and legal basis come from the municipality's configuration. */
export interface Skjerming {
  /** e.g. "13" */
  tilgangsrestriksjon: string;
  /** e.g. "Offl. § 13 jf. fvl. § 13 første ledd nr. 1" */
  skjermingshjemmel: string;
  /** Which metadata is screened, e.g. ["tittel", "korrespondansepart"] (Noark 5 skjermingMetadata). */
  skjermingMetadata: string[];
  /** Screening of the documents themselves: "H" whole document, "D" parts. */
  skjermingDokument?: 'H' | 'D';
}

export interface Korrespondansepart {
  korrespondanseparttype: Korrespondanseparttype;
  navn: string;
  /** fødselsnummer / D-number: personal data. */
  personid?: string;
  organisasjonid?: string;
  postadresse?: string[];
  postnummer?: string;
  poststed?: string;
  land?: string;
  epostadresse?: string;
  telefonnummer?: string;
  kontaktperson?: string;
  administrativEnhet?: string;
  saksbehandler?: string;
  skjermetKorrespondansepart?: boolean;
}

export interface Dokumentobjekt {
  versjonsnummer: number;
  variantformat: Variantformat;
  /** File format code, e.g. "PDF", "XML", "JSON" … (the archive's format list; PRONOM-like codes allowed) */
  format: string;
  filnavn: string;
  /** Name of the file next to the arkivmelding (file-drop) or of the uploaded attachment (HTTP). */
  referanseDokumentfil: string;
  mimeType?: string;
  /** Hex digest of the file, with its algorithm (e.g. "SHA-256") */
  sjekksum?: string;
  sjekksumAlgoritme?: string;
  /** Bytes */
  filstoerrelse?: number;
}

export interface Dokumentbeskrivelse {
  tittel: string;
  /** e.g. "SØKNAD", "MELDING" */
  dokumenttype: string;
  /** "F" ferdigstilt, "B" under redigering */
  dokumentstatus: 'F' | 'B';
  tilknyttetRegistreringSom: TilknyttetRegistreringSom;
  dokumentnummer?: number;
  skjerming?: Skjerming;
  dokumentobjekt: Dokumentobjekt[];
}

export interface Klassifikasjon {
  /** e.g. "GBNR" or "FNR" (the municipality's ordningsprinsipp id) */
  klassifikasjonssystem: string;
  /** e.g. "314/27" or the fødselsnummer */
  klasseID: string;
  tittel?: string;
  skjermetKlasse?: boolean;
}

export interface Matrikkelnummer {
  kommunenummer: string;
  gaardsnummer: number;
  bruksnummer: number;
  festenummer?: number;
  seksjonsnummer?: number;
}

/** The case folder to file under. The archive de-duplicates on `referanseEksternNoekkel` (answers Eksisterende). */
export interface Saksmappe {
  tittel: string;
  offentligTittel?: string;
  referanseEksternNoekkel?: ReferanseEksternNoekkel;
  klassifikasjon: Klassifikasjon[];
  matrikkelnummer?: Matrikkelnummer[];
  /** Name of the responsible unit */
  administrativEnhet?: string;
  /** Caseworker (saksansvarlig) */
  saksansvarlig?: string;
  saksstatus?: string;
  skjerming?: Skjerming;
  /** The archive part (arkivdel) to create the folder in, as the archive names it */
  arkivdel?: string;
}

export interface Journalpost {
  tittel: string;
  /** The public title, with screened words left out (Noark: offentligTittel). Required when screened. */
  offentligTittel?: string;
  journalposttype: Journalposttype;
  /** e.g. "J" journalført, "M" midlertidig registrering */
  journalstatus: string;
  /** Norwegian local date, YYYY-MM-DD */
  dokumentetsDato: string;
  /** RFC 3339 with offset */
  mottattDato: string;
  referanseEksternNoekkel: ReferanseEksternNoekkel;
  korrespondansepart: Korrespondansepart[];
  skjerming?: Skjerming;
  dokumentbeskrivelse: Dokumentbeskrivelse[];
  opprettetAv?: string;
  arkivertAv?: string;
  /** The archive part for a journalpost filed without a folder */
  arkivdel?: string;
}

export interface Arkivmelding {
  /** The sending system, "Skjemaflyt" */
  system: string;
  /** Files named by the message (documents lying beside it). */
  antallFiler: number;
  /** Present when the journalpost is to be filed in a case folder (new or existing). */
  saksmappe?: Saksmappe;
  journalpost: Journalpost;
}
