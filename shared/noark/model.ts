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

/**
 * A person or unit as the archive knows them (Fiks Arkiv `identifikatorer`, M801): a code the archive resolves
 * (its own identifikator, or the initialer it uses), from configuration; a name only where nothing else is known.
 */
export interface Identifikator {
  navn?: string;
  identifikator?: string;
  initialer?: string;
}

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
  /** When the screening ends (YYYY-MM-DD), where the hjemmel gives a duration */
  skjermingOpphoererDato?: string;
}

export interface Korrespondansepart {
  korrespondanseparttype: Korrespondanseparttype;
  /** The unit that handles the matter (the receiving unit of an incoming post) */
  erBehandlingsansvarlig?: boolean;
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
  administrativEnhet?: Identifikator;
  saksbehandler?: Identifikator;
  skjermetKorrespondansepart?: boolean;
  /** The sender's own reference: the provider's submissionId (what the citizen was shown) */
  deresReferanse?: string;
}

/** A party of the case (sakspart): the applicant, and whoever acts for them. */
export interface Part {
  navn: string;
  /** Fiks Arkiv partrolle code (K klient, F formynder, P pårørende, A advokat); left out where none fits */
  rolle?: string;
  /** What the role is, in words (eFormidling's sakspartRolle is text): e.g. "Søker", "Foresatt", "Tiltakshaver" */
  rolleTekst: string;
  personid?: string;
  organisasjonid?: string;
  postadresse?: string[];
  postnummer?: string;
  poststed?: string;
  epostadresse?: string;
  telefonnummer?: string;
  skjermet?: boolean;
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
  /** Hex digest of the file, with its algorithm as Noark writes it ("SHA256") */
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
  /** The responsible unit, as a code the archive resolves */
  administrativEnhet?: Identifikator;
  /** Caseworker (saksansvarlig), as a code the archive resolves */
  saksansvarlig?: Identifikator;
  journalenhet?: string;
  /** The parties of the case */
  part?: Part[];
  /** Which existing case to file in, by its saksnummer (a supplementary submission) */
  saksnummer?: { saksaar: number; sakssekvensnummer: number };
  saksstatus?: string;
  skjerming?: Skjerming;
  /** The archive part (arkivdel) to create the folder in, as the archive names it */
  arkivdel?: string;
}

export interface Journalpost {
  /** From controlled values (measure type, gnr/bnr, address): never the applicant's free text */
  tittel: string;
  /** The free text (e.g. the applicant's description), where the form type keeps it */
  beskrivelse?: string;
  /** The public title, with screened words left out (Noark: offentligTittel). Required when screened. */
  offentligTittel?: string;
  journalposttype: Journalposttype;
  /** "M" midlertidig registrering (default), "S" or "F": the records office journalfører (J) */
  journalstatus: string;
  /** Norwegian local date, YYYY-MM-DD */
  dokumentetsDato: string;
  /** RFC 3339 with offset; only on incoming posts (I) */
  mottattDato?: string;
  /** When the hub created the record (RFC 3339 with offset): the reception time */
  opprettetDato: string;
  journalenhet?: string;
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
