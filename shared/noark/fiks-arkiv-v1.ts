/**
 * Serialises an `Arkivmelding` to the KS Fiks Arkiv V1 `arkivmelding` (opprett) XML.
 * Element order follows the xs:sequence of `schemas/fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd`;
 * children of metadatakatalog types (`kode`, `navn`, `fagsystem`, `noekkel`, …) live in the metadatakatalog
 * namespace (prefix `n5mdk`, declared once on the root). Checked against the XSD in test/noark.
 */
import type {
  Arkivmelding,
  Dokumentbeskrivelse,
  Journalpost,
  Klassifikasjon,
  Korrespondansepart,
  Matrikkelnummer,
  Part,
  ReferanseEksternNoekkel,
  Saksmappe,
  Skjerming,
} from './model.ts';
import { ArchiveFormatError, XmlWriter, XSI_NS } from './xml.ts';

export const FIKS_ARKIV_V1_NS = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1';
export const FIKS_ARKIV_V1_MDK_NS = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1';

export function toFiksArkivV1Xml(melding: Arkivmelding): string {
  const w = new XmlWriter();
  const rootAttributes = ` xmlns="${FIKS_ARKIV_V1_NS}" xmlns:n5mdk="${FIKS_ARKIV_V1_MDK_NS}" xmlns:xsi="${XSI_NS}"`;
  w.group(
    'arkivmelding',
    () => {
      w.leaf('system', melding.system);
      w.leaf('antallFiler', melding.antallFiler);
      // A new mappe and its journalpost are siblings; the mappe type has no registrering child, so the journalpost
      // points at the mappe through the mappe's external key (as in the NyMappeMedJournalpostN1 example).
      if (melding.saksmappe) writeSaksmappe(w, melding.saksmappe);
      writeJournalpost(w, melding.journalpost, melding.saksmappe);
    },
    rootAttributes,
  );
  return w.toString();
}

function writeSaksmappe(w: XmlWriter, mappe: Saksmappe): void {
  requireOffentligTittel('saksmappe', mappe.skjerming, mappe.offentligTittel);
  w.group(
    'mappe',
    () => {
      // mappe
      w.leaf('tittel', mappe.tittel);
      w.leaf('offentligTittel', mappe.offentligTittel);
      w.code('arkivdel', mappe.arkivdel);
      const screenParts = screens(mappe.skjerming, 'korrespondansepart');
      for (const p of mappe.part ?? []) writePart(w, p, screenParts);
      if (mappe.skjerming) writeSkjerming(w, mappe.skjerming);
      const screenKlasse = screens(mappe.skjerming, 'klassifikasjon');
      for (const k of mappe.klassifikasjon) writeKlassifikasjon(w, k, screenKlasse);
      if (mappe.referanseEksternNoekkel)
        writeEksternNoekkel(w, 'referanseEksternNoekkel', mappe.referanseEksternNoekkel);
      // saksmappe extension
      w.identifiers('administrativEnhet', mappe.administrativEnhet);
      w.identifiers('saksansvarlig', mappe.saksansvarlig);
      w.leaf('journalenhet', mappe.journalenhet);
      w.code('saksstatus', mappe.saksstatus);
      for (const m of mappe.matrikkelnummer ?? []) writeMatrikkelnummer(w, m);
    },
    ' xsi:type="saksmappe"',
  );
}

function writeJournalpost(w: XmlWriter, jp: Journalpost, mappe: Saksmappe | undefined): void {
  requireOffentligTittel('journalpost', jp.skjerming, jp.offentligTittel);
  const mappeNoekkel = mappe?.referanseEksternNoekkel;
  if (mappe && !mappeNoekkel) {
    throw new ArchiveFormatError(
      'Fiks Arkiv V1: saksmappe.referanseEksternNoekkel is required to attach the journalpost to it',
    );
  }
  const screenParts = screens(jp.skjerming, 'korrespondansepart');
  // Fiks Arkiv has no skjermingDokument: screened documents carry their own skjerming.
  const documentSkjerming = jp.skjerming?.skjermingDokument ? jp.skjerming : undefined;
  w.group(
    'registrering',
    () => {
      // registrering
      w.leaf('opprettetAv', jp.opprettetAv);
      w.leaf('arkivertAv', jp.arkivertAv);
      if (mappe?.saksnummer) {
        // A supplementary submission: the existing case, by the saksnummer the archive gave it.
        const { saksaar, sakssekvensnummer } = mappe.saksnummer;
        w.group('referanseForelderMappe', () =>
          w.group('n5mdk:saksnummer', () => {
            w.leaf('n5mdk:saksaar', saksaar);
            w.leaf('n5mdk:sakssekvensnummer', sakssekvensnummer);
          }),
        );
      } else if (mappeNoekkel) {
        w.group('referanseForelderMappe', () => writeEksternNoekkel(w, 'n5mdk:referanseEksternNoekkel', mappeNoekkel));
      } else {
        w.code('arkivdel', jp.arkivdel);
      }
      if (jp.skjerming) writeSkjerming(w, jp.skjerming);
      for (const d of jp.dokumentbeskrivelse) writeDokumentbeskrivelse(w, d, documentSkjerming);
      w.leaf('tittel', jp.tittel);
      w.leaf('offentligTittel', jp.offentligTittel);
      w.leaf('beskrivelse', jp.beskrivelse);
      for (const k of jp.korrespondansepart) writeKorrespondansepart(w, k, screenParts);
      writeEksternNoekkel(w, 'referanseEksternNoekkel', jp.referanseEksternNoekkel);
      // journalpost extension
      w.code('journalposttype', jp.journalposttype);
      w.code('journalstatus', jp.journalstatus);
      w.leaf('dokumentetsDato', jp.dokumentetsDato);
      w.leaf('mottattDato', jp.mottattDato);
      w.leaf('journalenhet', jp.journalenhet);
    },
    ' xsi:type="journalpost"',
  );
}

function writeDokumentbeskrivelse(w: XmlWriter, d: Dokumentbeskrivelse, inherited: Skjerming | undefined): void {
  w.group('dokumentbeskrivelse', () => {
    w.code('dokumenttype', d.dokumenttype);
    w.code('dokumentstatus', d.dokumentstatus);
    w.leaf('tittel', d.tittel);
    w.code('tilknyttetRegistreringSom', d.tilknyttetRegistreringSom);
    w.leaf('dokumentnummer', d.dokumentnummer);
    const skjerming = d.skjerming ?? inherited;
    if (skjerming) writeSkjerming(w, skjerming);
    for (const o of d.dokumentobjekt) {
      w.group('dokumentobjekt', () => {
        w.leaf('versjonsnummer', o.versjonsnummer);
        w.code('variantformat', o.variantformat);
        w.code('format', o.format);
        w.leaf('mimeType', o.mimeType);
        w.leaf('filnavn', o.filnavn);
        w.leaf('referanseDokumentfil', o.referanseDokumentfil);
        w.leaf('sjekksum', o.sjekksum);
        w.leaf('sjekksumAlgoritme', o.sjekksumAlgoritme);
        w.leaf('filstoerrelse', o.filstoerrelse);
      });
    }
  });
}

function writeKorrespondansepart(w: XmlWriter, k: Korrespondansepart, screened: boolean): void {
  if (k.personid !== undefined && k.organisasjonid !== undefined) {
    throw new ArchiveFormatError('Fiks Arkiv V1: a korrespondansepart has either personid or organisasjonid, not both');
  }
  w.group('korrespondansepart', () => {
    w.code('korrespondanseparttype', k.korrespondanseparttype);
    w.leaf('erBehandlingsansvarlig', k.erBehandlingsansvarlig);
    w.leaf('korrespondansepartNavn', k.navn);
    w.leaf('organisasjonid', k.organisasjonid);
    w.leaf('personid', k.personid);
    for (const linje of k.postadresse ?? []) w.leaf('postadresse', linje);
    w.leaf('postnummer', k.postnummer);
    w.leaf('poststed', k.poststed);
    w.code('landkode', k.land);
    w.leaf('epostadresse', k.epostadresse);
    w.leaf('telefonnummer', k.telefonnummer);
    w.leaf('kontaktperson', k.kontaktperson);
    w.identifiers('administrativEnhet', k.administrativEnhet);
    w.identifiers('saksbehandler', k.saksbehandler);
    w.leaf('erSkjermet', k.skjermetKorrespondansepart ?? (screened || undefined));
    w.leaf('deresReferanse', k.deresReferanse);
  });
}

function writePart(w: XmlWriter, p: Part, screened: boolean): void {
  w.group('part', () => {
    w.leaf('partNavn', p.navn);
    w.code('partRolle', p.rolle);
    if (p.organisasjonid !== undefined) {
      w.group('organisasjonID', () => {
        w.leaf('identifikator', p.organisasjonid);
        w.leaf('landkode', 'NO');
      });
    } else if (p.personid !== undefined) {
      w.group('personID', () => {
        w.leaf('landkode', 'NO');
        w.leaf('identifikator', p.personid);
      });
    }
    for (const linje of p.postadresse ?? []) w.leaf('postadresse', linje);
    w.leaf('postnummer', p.postnummer);
    w.leaf('poststed', p.poststed);
    w.leaf('epostadresse', p.epostadresse);
    w.leaf('telefonnummer', p.telefonnummer);
    w.leaf('erSkjermet', p.skjermet ?? (screened || undefined));
  });
}

function writeKlassifikasjon(w: XmlWriter, k: Klassifikasjon, screened: boolean): void {
  w.group('klassifikasjon', () => {
    w.leaf('klassifikasjonssystemID', k.klassifikasjonssystem);
    w.leaf('klasseID', k.klasseID);
    w.leaf('tittel', k.tittel);
    w.leaf('erSkjermet', k.skjermetKlasse ?? (screened || undefined));
  });
}

function writeMatrikkelnummer(w: XmlWriter, m: Matrikkelnummer): void {
  w.group('matrikkelnummer', () => {
    w.leaf('kommunenummer', m.kommunenummer);
    w.leaf('gardsnummer', m.gaardsnummer);
    w.leaf('bruksnummer', m.bruksnummer);
    w.leaf('festenummer', m.festenummer);
    w.leaf('seksjonsnummer', m.seksjonsnummer);
  });
}

function writeSkjerming(w: XmlWriter, s: Skjerming): void {
  w.group('skjerming', () => {
    w.code('tilgangsrestriksjon', s.tilgangsrestriksjon);
    w.leaf('skjermingshjemmel', s.skjermingshjemmel);
    w.leaf('skjermingOpphoererDato', s.skjermingOpphoererDato);
  });
}

/** `eksternNoekkel` is a metadatakatalog type: its children are always in that namespace, the element may not be. */
function writeEksternNoekkel(w: XmlWriter, element: string, n: ReferanseEksternNoekkel): void {
  w.group(element, () => {
    w.leaf('n5mdk:fagsystem', n.fagsystem);
    w.leaf('n5mdk:noekkel', n.noekkel);
  });
}

/**
 * Fiks Arkiv V1 skjerming has no skjermingMetadata; what it names is expressed elsewhere: "tittel" by
 * offentligTittel, "korrespondansepart" / "klassifikasjon" by erSkjermet on those elements.
 */
function screens(skjerming: Skjerming | undefined, metadata: string): boolean {
  return skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === metadata) ?? false;
}

/** A screened title without a public title would publish the screened words in the public journal. */
function requireOffentligTittel(what: string, skjerming: Skjerming | undefined, offentligTittel?: string): void {
  if (screens(skjerming, 'tittel') && !offentligTittel) {
    throw new ArchiveFormatError(`Fiks Arkiv V1: ${what} screens tittel but has no offentligTittel`);
  }
}
