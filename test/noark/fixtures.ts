/** Archive records as data, one per situation the hub files: shared by the tests of both wire formats. */
import type { Arkivmelding, Dokumentbeskrivelse, Korrespondansepart, Skjerming } from '../../shared/noark/model.ts';

// Synthetic person: the fødselsnummer is not a real one.
export const FNR = '01017012345';
export const innbygger: Korrespondansepart = {
  korrespondanseparttype: 'EA',
  navn: 'Kari Nordmann',
  personid: FNR,
  postadresse: ['Storgata 1', 'Leilighet H0201'],
  postnummer: '0155',
  poststed: 'Oslo',
  land: 'NO',
  epostadresse: 'kari@example.no',
};

export function dokument(
  tittel: string,
  rolle: 'H' | 'V',
  filnavn: string,
  nummer: number,
  extra?: Partial<Dokumentbeskrivelse>,
): Dokumentbeskrivelse {
  return {
    tittel,
    dokumenttype: rolle === 'H' ? 'SØKNAD' : 'MELDING',
    dokumentstatus: 'F',
    tilknyttetRegistreringSom: rolle,
    dokumentnummer: nummer,
    dokumentobjekt: [
      { versjonsnummer: 1, variantformat: 'A', format: 'PDF', filnavn, referanseDokumentfil: `dok-${nummer}.pdf` },
    ],
    ...extra,
  };
}

/** (a) An incoming application from a citizen, with two attachments, not yet placed in a case folder. */
export function innkommendeSoknad(): Arkivmelding {
  return {
    system: 'Skjemaflyt',
    antallFiler: 3,
    journalpost: {
      tittel: 'Søknad om parkeringstillatelse for forflytningshemmede',
      journalposttype: 'I',
      journalstatus: 'M',
      dokumentetsDato: '2025-03-14',
      mottattDato: '2025-03-14T10:22:31+01:00',
      opprettetDato: '2025-03-14T10:22:31+01:00',
      referanseEksternNoekkel: { fagsystem: 'skjemaflyt/pp-kort-soknad', noekkel: 'trk-7f3a9c' },
      korrespondansepart: [innbygger],
      dokumentbeskrivelse: [
        dokument('Søknad om parkeringstillatelse', 'H', 'Søknad parkeringstillatelse.pdf', 1),
        dokument('Legeerklæring', 'V', 'legeerklæring.pdf', 2),
        dokument('Kopi av førerkort', 'V', 'førerkort.pdf', 3),
      ],
      opprettetAv: 'skjemaflyt',
    },
  };
}

export const helseSkjerming: Skjerming = {
  tilgangsrestriksjon: '13',
  skjermingshjemmel: 'Offl. § 13 jf. fvl. § 13 første ledd nr. 1',
  skjermingMetadata: ['tittel', 'korrespondansepart'],
  skjermingDokument: 'H',
};

/** (b) The same application screened, filed in a new (or existing) case folder per person, classified by FNR. */
export function skjermetSoknadISak(): Arkivmelding {
  const melding = innkommendeSoknad();
  return {
    ...melding,
    saksmappe: {
      tittel: 'Parkeringstillatelse - Kari Nordmann',
      offentligTittel: 'Parkeringstillatelse',
      referanseEksternNoekkel: { fagsystem: 'skjemaflyt/pp-kort-soknad', noekkel: `person-${FNR}` },
      klassifikasjon: [{ klassifikasjonssystem: 'FNR', klasseID: FNR, skjermetKlasse: true }],
      skjerming: { ...helseSkjerming, skjermingMetadata: ['tittel'] },
      saksstatus: 'B',
    },
    journalpost: {
      ...melding.journalpost,
      tittel: 'Søknad om parkeringstillatelse - Kari Nordmann',
      offentligTittel: 'Søknad om parkeringstillatelse',
      skjerming: helseSkjerming,
    },
  };
}

/** (c) A property case: building application filed under gnr/bnr. */
export function byggesak(): Arkivmelding {
  return {
    system: 'Skjemaflyt',
    antallFiler: 1,
    saksmappe: {
      tittel: 'Gnr 314 bnr 27 - Tilbygg til enebolig - Bakkeveien 5',
      referanseEksternNoekkel: { fagsystem: 'skjemaflyt/byggesak', noekkel: '3403-314-27' },
      klassifikasjon: [
        { klassifikasjonssystem: 'GBNR', klasseID: '314/27', tittel: 'Bakkeveien 5' },
        { klassifikasjonssystem: 'ARKNOKKEL', klasseID: 'L42' },
      ],
      matrikkelnummer: [{ kommunenummer: '3403', gaardsnummer: 314, bruksnummer: 27, festenummer: 0 }],
      administrativEnhet: { identifikator: 'BYGG' },
      saksansvarlig: { initialer: 'OSA' },
      saksstatus: 'B',
    },
    journalpost: {
      tittel: 'Søknad om tillatelse til tiltak - tilbygg',
      journalposttype: 'I',
      journalstatus: 'M',
      dokumentetsDato: '2025-04-02',
      mottattDato: '2025-04-02T08:00:00+02:00',
      opprettetDato: '2025-04-02T08:00:00+02:00',
      referanseEksternNoekkel: { fagsystem: 'skjemaflyt/byggesak', noekkel: 'trk-b1' },
      korrespondansepart: [{ korrespondanseparttype: 'EA', navn: 'Bygg & Anlegg AS', organisasjonid: '987654321' }],
      dokumentbeskrivelse: [dokument('Søknad om tillatelse til tiltak', 'H', 'søknad.pdf', 1)],
    },
  };
}

/** (d) An internal note (X) from a unit, no documents lying beside it except the note itself. */
export function interntNotat(): Arkivmelding {
  return {
    system: 'Skjemaflyt',
    antallFiler: 1,
    journalpost: {
      tittel: 'Kvittering: avvik i skjemainnsending',
      journalposttype: 'X',
      journalstatus: 'F',
      dokumentetsDato: '2025-05-05',
      opprettetDato: '2025-05-05T12:00:00+02:00',
      referanseEksternNoekkel: { fagsystem: 'skjemaflyt/drift', noekkel: 'avvik-2025-05-05-1' },
      korrespondansepart: [
        {
          korrespondanseparttype: 'IA',
          navn: 'Digitaliseringsenheten',
          organisasjonid: '974760673',
          administrativEnhet: { identifikator: 'DIG', navn: 'Digitaliseringsenheten' },
          saksbehandler: { initialer: 'PDA' },
        },
      ],
      dokumentbeskrivelse: [
        {
          tittel: 'Avviksnotat',
          dokumenttype: 'MELDING',
          dokumentstatus: 'F',
          tilknyttetRegistreringSom: 'H',
          dokumentobjekt: [
            {
              versjonsnummer: 1,
              variantformat: 'P',
              format: 'JSON',
              filnavn: 'avvik.json',
              referanseDokumentfil: 'avvik.json',
            },
          ],
        },
      ],
    },
  };
}
