/**
 * Serialises an `Arkivmelding` to the eFormidling (Digdir) `arkivmelding`, metadatakatalog v3.1
 * (`schemas/eformidling/arkivmelding.xsd`), for municipalities that receive through eFormidling.
 *
 * The format differs from Fiks Arkiv V1 (see schemas/SOURCES.md): codes are written as their full-text
 * enumerations, the journalpost sits inside its mappe, and every object needs a `systemID` (a GUID). The GUIDs are
 * derived from the record's own keys (name-based UUIDs), so a re-delivery carries the same ids and a second form on
 * the same property names the same folder. What the format has no element for (external keys, matrikkelnummer,
 * personid/organisasjonid) goes into `virksomhetsspesifikkeMetadata`, in Skjemaflyt's own namespace.
 */
import { createHash } from 'node:crypto';
import { describeCode } from './codes.ts';
import type {
  Arkivmelding,
  Dokumentbeskrivelse,
  Identifikator,
  Journalpost,
  Korrespondansepart,
  Part,
  ReferanseEksternNoekkel,
  Saksmappe,
  Skjerming,
} from './model.ts';
import { ArchiveFormatError, XmlWriter, XSI_NS } from './xml.ts';

export const EFORMIDLING_NS = 'http://www.arkivverket.no/standarder/noark5/arkivmelding';
/** Skjemaflyt's own elements inside `virksomhetsspesifikkeMetadata`. */
export const SKJEMAFLYT_NS = 'https://skjemaflyt.no/arkivmelding/v1';
/** Namespace of Skjemaflyt's name-based UUIDs (RFC 9562 version 5). */
const UUID_NAMESPACE = Buffer.from('6f1c0b5e8e2d4a4f9c1d3b7a2e5f9d10', 'hex');

// The eFormidling enumerations (metadatakatalog v3.1) for the Fiks Arkiv codes the model uses.
const JOURNALPOSTTYPE: Record<string, string> = {
  I: 'Inngående dokument',
  U: 'Utgående dokument',
  N: 'Organinternt dokument for oppfølging',
  X: 'Organinternt dokument uten oppfølging',
  S: 'Saksframlegg',
};
const JOURNALSTATUS: Record<string, string> = {
  J: 'Journalført',
  F: 'Ferdigstilt fra saksbehandler',
  G: 'Godkjent av leder',
  E: 'Ekspedert',
  A: 'Arkivert',
  U: 'Utgår',
};
const KORRESPONDANSEPARTTYPE: Record<string, string> = {
  EA: 'Avsender',
  EM: 'Mottaker',
  EK: 'Kopimottaker',
  GM: 'Gruppemottaker',
  IA: 'Intern avsender',
  IM: 'Intern mottaker',
};
const DOKUMENTSTATUS: Record<string, string> = { B: 'Dokumentet er under redigering', F: 'Dokumentet er ferdigstilt' };
const TILKNYTTET: Record<string, string> = { H: 'Hoveddokument', V: 'Vedlegg' };
const VARIANTFORMAT: Record<string, string> = {
  P: 'Produksjonsformat',
  A: 'Arkivformat',
  O: 'Dokument hvor deler av innholdet er skjermet',
};
/**
 * The closest eFormidling journalstatus for Noark codes metadatakatalog v3.1 has no value for: M (midlertidig
 * registrering) and S (registrert av saksbehandler) are written as F, the earliest status before the records office
 * journalfører (J); the record's own code travels beside it in virksomhetsspesifikkeMetadata (sf:journalstatus).
 */
const JOURNALSTATUS_NEAREST: Record<string, string> = { M: 'F', S: 'F' };
/**
 * Noark 5's skjermingMetadata list (the Noark 5 tjenestegrensesnitt code list, as KS's Fiks Arkiv models publish it),
 * written as their texts like every other code here, for what the configuration screens.
 */
const SKJERMING_METADATA: Record<'mappe' | 'registrering', Record<string, string[]>> = {
  mappe: {
    tittel: ['Skjerming tittel mappe - utvalgte ord'],
    korrespondansepart: ['Skjerming part i sak'],
    klassifikasjon: ['Skjerming klasseID', 'Skjerming tittel klasse'],
  },
  registrering: {
    tittel: ['Skjerming tittel registrering - utvalgte ord'],
    korrespondansepart: ['Skjerming navn avsender'],
    klassifikasjon: [],
  },
};
const SAKSSTATUS: Record<string, string> = { B: 'Under behandling', A: 'Avsluttet', U: 'Utgår' };
const SKJERMINGDOKUMENT: Record<string, string> = {
  H: 'Skjerming av hele dokumentet',
  D: 'Skjerming av deler av dokumentet',
};

/** The Fiks Arkiv codes eFormidling has a text for (configuration checks use these before anything is sent). */
export const EFORMIDLING_CODES = {
  journalposttype: Object.keys(JOURNALPOSTTYPE),
  journalstatus: [...Object.keys(JOURNALSTATUS), ...Object.keys(JOURNALSTATUS_NEAREST)],
  korrespondanseparttype: Object.keys(KORRESPONDANSEPARTTYPE),
  variantformat: Object.keys(VARIANTFORMAT),
};

function text(table: Record<string, string>, code: string, what: string): string {
  const value = table[code];
  if (value === undefined) throw new ArchiveFormatError(`eFormidling: ${what} "${code}" has no eFormidling value`);
  return value;
}

/** A name-based UUID (version 5): the same name gives the same id, on every delivery. */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const keyOf = (n: ReferanseEksternNoekkel) => `${n.fagsystem}\u0000${n.noekkel}`;

export function toEFormidlingXml(melding: Arkivmelding): string {
  const jp = melding.journalpost;
  const w = new XmlWriter();
  const journalpostKey = keyOf(jp.referanseEksternNoekkel);
  const opprettet = jp.opprettetDato;
  w.group(
    'arkivmelding',
    () => {
      w.leaf('system', melding.system);
      w.leaf('meldingId', nameUuid(`arkivmelding\u0000${journalpostKey}`));
      w.leaf('tidspunkt', opprettet);
      w.leaf('antallFiler', melding.antallFiler);
      if (melding.saksmappe) writeSaksmappe(w, melding.saksmappe, jp, melding.system);
      else {
        if (!jp.arkivdel) {
          throw new ArchiveFormatError('eFormidling: a journalpost without a saksmappe needs an arkivdel');
        }
        writeJournalpost(w, jp, melding.system, { arkivdel: jp.arkivdel });
      }
    },
    ` xmlns="${EFORMIDLING_NS}" xmlns:xsi="${XSI_NS}" xmlns:sf="${SKJEMAFLYT_NS}"`,
  );
  return w.toString();
}

function writeSaksmappe(w: XmlWriter, mappe: Saksmappe, jp: Journalpost, system: string): void {
  const noekkel = mappe.referanseEksternNoekkel;
  if (!noekkel) throw new ArchiveFormatError('eFormidling: saksmappe.referanseEksternNoekkel is required');
  if (mappe.administrativEnhet === undefined || mappe.saksansvarlig === undefined) {
    throw new ArchiveFormatError('eFormidling: a saksmappe needs administrativEnhet and saksansvarlig');
  }
  requireOffentligTittel('saksmappe', mappe.skjerming, mappe.offentligTittel);
  const systemID = nameUuid(`mappe\u0000${keyOf(noekkel)}`);
  w.group(
    'mappe',
    () => {
      // mappe
      w.leaf('systemID', systemID);
      w.leaf('tittel', mappe.tittel);
      w.leaf('offentligTittel', mappe.offentligTittel);
      w.leaf('opprettetDato', jp.opprettetDato);
      w.leaf('opprettetAv', system);
      w.leaf('referanseArkivdel', mappe.arkivdel);
      w.group('virksomhetsspesifikkeMetadata', () => {
        writeEksternNoekkel(w, noekkel);
        for (const m of mappe.matrikkelnummer ?? []) {
          w.group('sf:matrikkelnummer', () => {
            w.leaf('sf:kommunenummer', m.kommunenummer);
            w.leaf('sf:gardsnummer', m.gaardsnummer);
            w.leaf('sf:bruksnummer', m.bruksnummer);
            w.leaf('sf:festenummer', m.festenummer);
            w.leaf('sf:seksjonsnummer', m.seksjonsnummer);
          });
        }
      });
      if (mappe.skjerming) writeSkjerming(w, mappe.skjerming, 'mappe');
      for (const k of mappe.klassifikasjon) {
        w.group('klassifikasjon', () => {
          w.leaf('referanseKlassifikasjonssystem', k.klassifikasjonssystem);
          w.leaf('klasseID', k.klasseID);
          // Required here (optional in Fiks Arkiv): the class id stands in when the mapping gives no title.
          w.leaf('tittel', k.tittel ?? k.klasseID);
        });
      }
      writeJournalpost(w, jp, system, { mappe: systemID });
      // saksmappe extension
      w.leaf('saksdato', jp.opprettetDato.slice(0, 10));
      w.leaf('administrativEnhet', identifier(mappe.administrativEnhet));
      w.leaf('saksansvarlig', identifier(mappe.saksansvarlig));
      w.leaf('journalenhet', mappe.journalenhet);
      w.leaf('saksstatus', text(SAKSSTATUS, mappe.saksstatus ?? 'B', 'saksstatus'));
      for (const p of mappe.part ?? []) writeSakspart(w, p);
    },
    ' xsi:type="saksmappe"',
  );
}

function writeJournalpost(
  w: XmlWriter,
  jp: Journalpost,
  system: string,
  parent: { mappe: string } | { arkivdel: string },
): void {
  requireOffentligTittel('journalpost', jp.skjerming, jp.offentligTittel);
  const key = keyOf(jp.referanseEksternNoekkel);
  const dato = jp.opprettetDato.slice(0, 10);
  const documentSkjerming = jp.skjerming?.skjermingDokument ? jp.skjerming : undefined;
  w.group(
    'basisregistrering',
    () => {
      // registrering
      w.leaf('systemID', nameUuid(`journalpost\u0000${key}`));
      w.leaf('opprettetDato', jp.opprettetDato);
      w.leaf('opprettetAv', jp.opprettetAv ?? system);
      w.leaf('arkivertDato', jp.opprettetDato);
      w.leaf('arkivertAv', jp.arkivertAv ?? system);
      if ('mappe' in parent) w.leaf('referanseForelderMappe', parent.mappe);
      else w.leaf('referanseArkivdel', parent.arkivdel);
      if (jp.skjerming) writeSkjerming(w, jp.skjerming, 'registrering');
      jp.dokumentbeskrivelse.forEach((d, i) => {
        writeDokumentbeskrivelse(w, d, i + 1, `${key}\u0000${i + 1}`, jp.opprettetDato, system, documentSkjerming);
      });
      // basisregistrering
      w.leaf('tittel', jp.tittel);
      w.leaf('offentligTittel', jp.offentligTittel);
      w.leaf('beskrivelse', jp.beskrivelse);
      w.group('virksomhetsspesifikkeMetadata', () => {
        writeEksternNoekkel(w, jp.referanseEksternNoekkel);
        if (JOURNALSTATUS_NEAREST[jp.journalstatus]) w.leaf('sf:journalstatus', jp.journalstatus);
        for (const k of jp.korrespondansepart) {
          const id = k.personid !== undefined ? ['sf:personid', k.personid] : ['sf:organisasjonid', k.organisasjonid];
          if (id[1] === undefined) continue;
          w.group('sf:korrespondansepart', () => {
            w.leaf('sf:korrespondanseparttype', k.korrespondanseparttype);
            w.leaf('sf:korrespondansepartNavn', k.navn);
            w.leaf(id[0] as string, id[1]);
            w.leaf('sf:deresReferanse', k.deresReferanse);
          });
        }
      });
      // journalpost
      w.leaf('journalposttype', text(JOURNALPOSTTYPE, jp.journalposttype, 'journalposttype'));
      w.leaf(
        'journalstatus',
        text(JOURNALSTATUS, JOURNALSTATUS_NEAREST[jp.journalstatus] ?? jp.journalstatus, 'journalstatus'),
      );
      w.leaf('journaldato', dato);
      w.leaf('dokumentetsDato', jp.dokumentetsDato);
      w.leaf('mottattDato', jp.mottattDato);
      w.leaf('journalenhet', jp.journalenhet);
      for (const k of jp.korrespondansepart) writeKorrespondansepart(w, k);
    },
    ' xsi:type="journalpost"',
  );
}

function writeDokumentbeskrivelse(
  w: XmlWriter,
  d: Dokumentbeskrivelse,
  nummer: number,
  key: string,
  dato: string,
  system: string,
  inherited: Skjerming | undefined,
): void {
  w.group('dokumentbeskrivelse', () => {
    w.leaf('systemID', nameUuid(`dokumentbeskrivelse\u0000${key}`));
    // eFormidling's dokumenttype is free text: the code list's description ("Søknad") reads best.
    w.leaf('dokumenttype', describeCode('dokumenttype', d.dokumenttype) ?? d.dokumenttype);
    w.leaf('dokumentstatus', text(DOKUMENTSTATUS, d.dokumentstatus, 'dokumentstatus'));
    w.leaf('tittel', d.tittel);
    w.leaf('opprettetDato', dato);
    w.leaf('opprettetAv', system);
    w.leaf('tilknyttetRegistreringSom', text(TILKNYTTET, d.tilknyttetRegistreringSom, 'tilknyttetRegistreringSom'));
    w.leaf('dokumentnummer', d.dokumentnummer ?? nummer);
    w.leaf('tilknyttetDato', dato);
    w.leaf('tilknyttetAv', system);
    const skjerming = d.skjerming ?? inherited;
    if (skjerming) writeSkjerming(w, skjerming, 'registrering');
    for (const o of d.dokumentobjekt) {
      w.group('dokumentobjekt', () => {
        w.leaf('versjonsnummer', o.versjonsnummer);
        w.leaf('variantformat', text(VARIANTFORMAT, o.variantformat, 'variantformat'));
        w.leaf('opprettetDato', dato);
        w.leaf('opprettetAv', system);
        w.leaf('referanseDokumentfil', o.referanseDokumentfil);
      });
    }
  });
}

function writeKorrespondansepart(w: XmlWriter, k: Korrespondansepart): void {
  w.group('korrespondansepart', () => {
    w.leaf('korrespondanseparttype', text(KORRESPONDANSEPARTTYPE, k.korrespondanseparttype, 'korrespondanseparttype'));
    w.leaf('korrespondansepartNavn', k.navn);
    for (const linje of k.postadresse ?? []) w.leaf('postadresse', linje);
    w.leaf('postnummer', k.postnummer);
    w.leaf('poststed', k.poststed);
    w.leaf('land', k.land);
    w.leaf('epostadresse', k.epostadresse);
    w.leaf('telefonnummer', k.telefonnummer);
    w.leaf('kontaktperson', k.kontaktperson);
    w.leaf('administrativEnhet', identifier(k.administrativEnhet));
    w.leaf('saksbehandler', identifier(k.saksbehandler));
  });
}

function writeSakspart(w: XmlWriter, p: Part): void {
  w.group('sakspart', () => {
    w.leaf('sakspartNavn', p.navn);
    w.leaf('sakspartRolle', p.rolleTekst);
    for (const linje of p.postadresse ?? []) w.leaf('postadresse', linje);
    w.leaf('postnummer', p.postnummer);
    w.leaf('poststed', p.poststed);
    w.leaf('epostadresse', p.epostadresse);
    w.leaf('telefonnummer', p.telefonnummer);
    const id = p.organisasjonid !== undefined ? ['sf:organisasjonid', p.organisasjonid] : ['sf:personid', p.personid];
    if (id[1] !== undefined) w.group('virksomhetsspesifikkeMetadata', () => w.leaf(id[0] as string, id[1]));
  });
}

/** eFormidling's administrativEnhet, saksansvarlig and saksbehandler are text: the code the archive resolves. */
function identifier(id: Identifikator | undefined): string | undefined {
  return id?.identifikator ?? id?.initialer ?? id?.navn;
}

function writeSkjerming(w: XmlWriter, s: Skjerming, on: 'mappe' | 'registrering'): void {
  const metadata = [...new Set(s.skjermingMetadata.flatMap((m) => SKJERMING_METADATA[on][m.toLowerCase()] ?? [m]))];
  if (metadata.length === 0) {
    throw new ArchiveFormatError('eFormidling: skjerming needs at least one skjermingMetadata');
  }
  w.group('skjerming', () => {
    w.leaf('tilgangsrestriksjon', s.tilgangsrestriksjon);
    w.leaf('skjermingshjemmel', s.skjermingshjemmel);
    for (const m of metadata) w.leaf('skjermingMetadata', m);
    if (s.skjermingDokument) w.leaf('skjermingDokument', text(SKJERMINGDOKUMENT, s.skjermingDokument, 'skjerming'));
    w.leaf('skjermingOpphoererDato', s.skjermingOpphoererDato);
  });
}

function writeEksternNoekkel(w: XmlWriter, n: ReferanseEksternNoekkel): void {
  w.group('sf:referanseEksternNoekkel', () => {
    w.leaf('sf:fagsystem', n.fagsystem);
    w.leaf('sf:noekkel', n.noekkel);
  });
}

function requireOffentligTittel(what: string, skjerming: Skjerming | undefined, offentligTittel?: string): void {
  if (skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel') && !offentligTittel) {
    throw new ArchiveFormatError(`eFormidling: ${what} screens tittel but has no offentligTittel`);
  }
}
