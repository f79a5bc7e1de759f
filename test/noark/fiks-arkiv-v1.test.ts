import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { FIKS_ARKIV_V1_MDK_NS, FIKS_ARKIV_V1_NS, toFiksArkivV1Xml } from '../../shared/noark/fiks-arkiv-v1.ts';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';
import { byggesak, dokument, FNR, innbygger, innkommendeSoknad, interntNotat, skjermetSoknadISak } from './fixtures.ts';

// Each validation starts a libxml2 worker; keep some headroom on slow CI machines.
const VALIDATE_TIMEOUT = 20_000;

const REPEATED = new Set([
  'dokumentbeskrivelse',
  'dokumentobjekt',
  'korrespondansepart',
  'postadresse',
  'klassifikasjon',
  'matrikkelnummer',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false, // keep "01017012345" and "0301" as written
  isArray: (name) => REPEATED.has(name),
});
type Parsed = any;
const parse = (xml: string): Parsed => parser.parse(xml).arkivmelding;

async function expectValid(xml: string): Promise<void> {
  const result = await validateFiksArkivV1(xml);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('validateFiksArkivV1 (setup)', () => {
  const examples = new URL('../../schemas/fiks-arkiv-v1/examples/', import.meta.url);
  const cases = readdirSync(examples);

  it('finds the four vendored KS examples', () => {
    expect(cases.sort()).toEqual(['NyJournalpostN6', 'NyJournalpostN8', 'NyMappeMedJournalpostN1', 'NySaksmappeN1']);
  });

  it.each(cases)(
    'accepts the official example %s',
    async (name) => {
      await expectValid(readFileSync(new URL(`${name}/arkivmelding.xml`, examples), 'utf8'));
    },
    VALIDATE_TIMEOUT,
  );
});

describe('toFiksArkivV1Xml', () => {
  it(
    '(a) incoming journalpost from a citizen, no mappe',
    async () => {
      const xml = toFiksArkivV1Xml(innkommendeSoknad());
      await expectValid(xml);

      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<arkivmelding ')).toBe(true);
      const doc = parse(xml);
      expect(doc['@_xmlns']).toBe(FIKS_ARKIV_V1_NS);
      expect(doc['@_xmlns:n5mdk']).toBe(FIKS_ARKIV_V1_MDK_NS);
      expect(doc.system).toBe('Skjemaflyt');
      expect(doc.antallFiler).toBe('3');
      expect(doc.mappe).toBeUndefined();

      const jp = doc.registrering;
      expect(jp['@_xsi:type']).toBe('journalpost');
      expect(jp.referanseForelderMappe).toBeUndefined();
      expect(jp.journalposttype['n5mdk:kode']).toBe('I');
      expect(jp.journalstatus['n5mdk:kode']).toBe('M');
      expect(jp.mottattDato).toBe('2025-03-14T10:22:31+01:00');
      expect(jp.referanseEksternNoekkel).toEqual({
        'n5mdk:fagsystem': 'skjemaflyt/pp-kort-soknad',
        'n5mdk:noekkel': 'trk-7f3a9c',
      });

      const [avsender] = jp.korrespondansepart;
      expect(jp.korrespondansepart).toHaveLength(1);
      expect(avsender.korrespondanseparttype['n5mdk:kode']).toBe('EA');
      expect(avsender.korrespondansepartNavn).toBe('Kari Nordmann');
      expect(avsender.personid).toBe(FNR);
      expect(avsender.organisasjonid).toBeUndefined();
      expect(avsender.postadresse).toEqual(['Storgata 1', 'Leilighet H0201']);
      expect(avsender.postnummer).toBe('0155');
      expect(avsender.landkode['n5mdk:kode']).toBe('NO');
      expect(avsender.erSkjermet).toBeUndefined();

      const docs = jp.dokumentbeskrivelse;
      expect(docs.map((d: Parsed) => d.tilknyttetRegistreringSom['n5mdk:kode'])).toEqual(['H', 'V', 'V']);
      expect(docs.map((d: Parsed) => d.dokumentobjekt[0].filnavn)).toEqual([
        'Søknad parkeringstillatelse.pdf',
        'legeerklæring.pdf',
        'førerkort.pdf',
      ]);
      expect(docs.map((d: Parsed) => d.dokumentobjekt[0].referanseDokumentfil)).toEqual([
        'dok-1.pdf',
        'dok-2.pdf',
        'dok-3.pdf',
      ]);
      expect(docs[0].dokumenttype['n5mdk:kode']).toBe('SØKNAD');
      expect(docs[0].dokumentobjekt[0].variantformat['n5mdk:kode']).toBe('A');
      expect(docs[0].dokumentobjekt[0].format['n5mdk:kode']).toBe('PDF');
      expect(docs[0].skjerming).toBeUndefined();
    },
    VALIDATE_TIMEOUT,
  );

  it(
    '(b) screened journalpost in a new saksmappe classified by FNR',
    async () => {
      const xml = toFiksArkivV1Xml(skjermetSoknadISak());
      await expectValid(xml);
      const doc = parse(xml);

      const mappe = doc.mappe;
      expect(mappe['@_xsi:type']).toBe('saksmappe');
      expect(mappe.offentligTittel).toBe('Parkeringstillatelse');
      expect(mappe.skjerming.tilgangsrestriksjon['n5mdk:kode']).toBe('13');
      expect(mappe.klassifikasjon).toEqual([{ klassifikasjonssystemID: 'FNR', klasseID: FNR, erSkjermet: 'true' }]);
      expect(mappe.referanseEksternNoekkel['n5mdk:noekkel']).toBe(`person-${FNR}`);

      // The journalpost is a sibling that points at the new mappe through the mappe's external key.
      const jp = doc.registrering;
      expect(jp.referanseForelderMappe['n5mdk:referanseEksternNoekkel']).toEqual(mappe.referanseEksternNoekkel);
      expect(jp.skjerming).toEqual({
        tilgangsrestriksjon: { 'n5mdk:kode': '13' },
        skjermingshjemmel: 'Offl. § 13 jf. fvl. § 13 første ledd nr. 1',
      });
      expect(jp.tittel).toContain('Kari Nordmann');
      expect(jp.offentligTittel).toBe('Søknad om parkeringstillatelse');
      expect(jp.offentligTittel).not.toContain('Nordmann');
      // skjermingMetadata "korrespondansepart" has no element of its own in Fiks Arkiv: it becomes erSkjermet.
      expect(jp.korrespondansepart[0].erSkjermet).toBe('true');
      // skjermingDokument "H": every document carries the screening.
      for (const d of jp.dokumentbeskrivelse) expect(d.skjerming.tilgangsrestriksjon['n5mdk:kode']).toBe('13');
    },
    VALIDATE_TIMEOUT,
  );

  it(
    '(c) property case: saksmappe with matrikkelnummer, GBNR, administrativEnhet and saksansvarlig',
    async () => {
      const xml = toFiksArkivV1Xml(byggesak());
      await expectValid(xml);
      const mappe = parse(xml).mappe;

      expect(mappe.matrikkelnummer).toEqual([
        { kommunenummer: '3403', gardsnummer: '314', bruksnummer: '27', festenummer: '0' },
      ]);
      expect(mappe.klassifikasjon[0]).toEqual({
        klassifikasjonssystemID: 'GBNR',
        klasseID: '314/27',
        tittel: 'Bakkeveien 5',
      });
      expect(mappe.klassifikasjon[1].klasseID).toBe('L42');
      // Codes the archive resolves, never prose.
      expect(mappe.administrativEnhet).toEqual({ 'n5mdk:identifikator': 'BYGG' });
      expect(mappe.saksansvarlig).toEqual({ 'n5mdk:initialer': 'OSA' });
      expect(mappe.saksstatus['n5mdk:kode']).toBe('B');
      expect(mappe.skjerming).toBeUndefined();
      expect(mappe.offentligTittel).toBeUndefined();
      expect(parse(xml).registrering.korrespondansepart[0].organisasjonid).toBe('987654321');
    },
    VALIDATE_TIMEOUT,
  );

  it(
    '(d) internal note X with an IA korrespondansepart',
    async () => {
      const xml = toFiksArkivV1Xml(interntNotat());
      await expectValid(xml);
      const jp = parse(xml).registrering;

      expect(jp.journalposttype['n5mdk:kode']).toBe('X');
      const [part] = jp.korrespondansepart;
      expect(part.korrespondanseparttype['n5mdk:kode']).toBe('IA');
      expect(part.organisasjonid).toBe('974760673');
      expect(part.personid).toBeUndefined();
      expect(part.administrativEnhet['n5mdk:navn']).toBe('Digitaliseringsenheten');
      expect(part.administrativEnhet['n5mdk:identifikator']).toBe('DIG');
      expect(part.saksbehandler['n5mdk:initialer']).toBe('PDA');
      expect(jp.dokumentbeskrivelse[0].dokumentobjekt[0].format['n5mdk:kode']).toBe('JSON');
      expect(jp.dokumentbeskrivelse[0].dokumentnummer).toBeUndefined();
    },
    VALIDATE_TIMEOUT,
  );

  it(
    '(e) Norwegian characters and markup characters survive a parse round-trip',
    async () => {
      const tittel = 'Søknad om støtte: "Blåbær & tyttebær" <ÆØÅ æøå> \'ok\'';
      const melding = innkommendeSoknad();
      melding.journalpost.tittel = tittel;
      melding.journalpost.korrespondansepart = [{ ...innbygger, navn: 'Åse Ærlig-Øvrebø', poststed: 'Ålesund' }];
      // A vertical tab pasted from a word processor cannot be carried by XML 1.0 at all; it is dropped.
      melding.journalpost.dokumentbeskrivelse[0] = dokument('Vedlegg\u000b <a> & b', 'H', 'første & siste.pdf', 1);

      const xml = toFiksArkivV1Xml(melding);
      await expectValid(xml);
      // UTF-8 text, not character references; markup characters escaped.
      expect(xml).toContain(
        "<tittel>Søknad om støtte: &quot;Blåbær &amp; tyttebær&quot; &lt;ÆØÅ æøå&gt; 'ok'</tittel>",
      );

      const jp = parse(xml).registrering;
      expect(jp.tittel).toBe(tittel);
      expect(jp.korrespondansepart[0].korrespondansepartNavn).toBe('Åse Ærlig-Øvrebø');
      expect(jp.korrespondansepart[0].poststed).toBe('Ålesund');
      expect(jp.dokumentbeskrivelse[0].tittel).toBe('Vedlegg <a> & b');
      expect(jp.dokumentbeskrivelse[0].dokumentobjekt[0].filnavn).toBe('første & siste.pdf');
    },
    VALIDATE_TIMEOUT,
  );

  describe('(f) the validator rejects broken documents', () => {
    it(
      'elements out of XSD order',
      async () => {
        const xml = toFiksArkivV1Xml(innkommendeSoknad());
        // swap <system> and <antallFiler>
        const broken = xml.replace(/( *<system>.*<\/system>\n)( *<antallFiler>.*<\/antallFiler>\n)/, '$2$1');
        expect(broken.indexOf('<antallFiler>')).toBeLessThan(broken.indexOf('<system>'));

        const result = await validateFiksArkivV1(broken);
        expect(result.valid).toBe(false);
        expect(result.errors.length).toBeGreaterThan(0);
        expect(result.errors[0]?.line).toBe(3);
        expect(result.errors[0]?.message).toContain('antallFiler');
      },
      VALIDATE_TIMEOUT,
    );

    it(
      'a missing required element (journalpost tittel)',
      async () => {
        const xml = toFiksArkivV1Xml(innkommendeSoknad());
        const broken = xml.replace(/\n {4}<tittel>[^<]*<\/tittel>/, '');
        expect(broken).not.toBe(xml);

        const result = await validateFiksArkivV1(broken);
        expect(result.valid).toBe(false);
        expect(result.errors.some((e) => e.message.includes('tittel'))).toBe(true);
      },
      VALIDATE_TIMEOUT,
    );

    it(
      'a code written as plain text instead of <kode>',
      async () => {
        const broken = toFiksArkivV1Xml(interntNotat()).replace(
          /<journalposttype>[\s\S]*?<\/journalposttype>/,
          '<journalposttype>X</journalposttype>',
        );
        const result = await validateFiksArkivV1(broken);
        expect(result.valid).toBe(false);
        expect(result.errors.length).toBeGreaterThan(0);
      },
      VALIDATE_TIMEOUT,
    );

    it(
      'XML that is not well-formed',
      async () => {
        const result = await validateFiksArkivV1('<arkivmelding><system>Skjemaflyt</arkivmelding>');
        expect(result.valid).toBe(false);
        expect(result.errors).toEqual([{ line: 1, message: expect.stringContaining('parser error') }]);
      },
      VALIDATE_TIMEOUT,
    );
  });

  describe('refuses records it cannot represent, without personal data in the error', () => {
    const expectSafeError = (build: () => string, fragment: string) => {
      expect(build).toThrowError(fragment);
      try {
        build();
      } catch (err) {
        expect(String(err)).not.toContain(FNR);
        expect(String(err)).not.toContain('Nordmann');
      }
    };

    it('a screened title without offentligTittel', () => {
      const melding = skjermetSoknadISak();
      melding.journalpost.offentligTittel = undefined;
      expectSafeError(() => toFiksArkivV1Xml(melding), 'offentligTittel');
    });

    it('a saksmappe without referanseEksternNoekkel (the journalpost could not point at it)', () => {
      const melding = skjermetSoknadISak();
      if (melding.saksmappe) melding.saksmappe.referanseEksternNoekkel = undefined;
      expectSafeError(() => toFiksArkivV1Xml(melding), 'referanseEksternNoekkel');
    });

    it('a korrespondansepart with both personid and organisasjonid', () => {
      const melding = innkommendeSoknad();
      melding.journalpost.korrespondansepart = [{ ...innbygger, organisasjonid: '987654321' }];
      expectSafeError(() => toFiksArkivV1Xml(melding), 'personid or organisasjonid');
    });
  });
});
