import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { EFORMIDLING_NS, nameUuid, toEFormidlingXml } from '../../shared/noark/eformidling.ts';
import type { Arkivmelding } from '../../shared/noark/model.ts';
import { validateArkivmeldinger, validateEFormidling } from '../../shared/noark/validate.ts';
import { ArchiveFormatError } from '../../shared/noark/xml.ts';
import { byggesak, FNR, innkommendeSoknad, interntNotat, skjermetSoknadISak } from './fixtures.ts';

const VALIDATE_TIMEOUT = 20_000;
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) =>
    ['dokumentbeskrivelse', 'korrespondansepart', 'klassifikasjon', 'skjermingMetadata'].includes(name),
});
const parse = (xml: string): any => parser.parse(xml).arkivmelding;

/**
 * The fixtures' incoming records are "midlertidig registrert" (M), which eFormidling has no text for, and their
 * folders name no responsible unit, which eFormidling requires.
 */
function journalfoert(melding: Arkivmelding, arkivdel?: string): Arkivmelding {
  return {
    ...melding,
    ...(melding.saksmappe
      ? {
          saksmappe: {
            ...melding.saksmappe,
            administrativEnhet: { identifikator: 'TJK' },
            saksansvarlig: { initialer: 'SB' },
          },
        }
      : {}),
    journalpost: { ...melding.journalpost, journalstatus: 'J', ...(arkivdel ? { arkivdel } : {}) },
  };
}

describe('validateEFormidling (setup)', () => {
  it(
    'accepts the official example and rejects a broken one',
    async () => {
      const example = readFileSync(
        new URL('../../schemas/eformidling/examples/arkivmelding.xml', import.meta.url),
        'utf8',
      );
      const [ok, broken] = await validateArkivmeldinger('eformidling', [
        example,
        example.replace('<journalstatus>Journalført</journalstatus>', '<journalstatus>J</journalstatus>'),
      ]);
      expect(ok).toEqual({ valid: true, errors: [] });
      expect(broken?.valid).toBe(false);
      expect(broken?.errors[0]?.message).toContain('journalstatus');
      // The offending value is not echoed (it could be personal data).
      expect(broken?.errors[0]?.message).not.toContain("'J'");
    },
    VALIDATE_TIMEOUT,
  );
});

describe('toEFormidlingXml', () => {
  it(
    'writes every kind of record so it validates against the eFormidling XSD',
    async () => {
      const records = [
        journalfoert(skjermetSoknadISak()),
        byggesak(),
        journalfoert(innkommendeSoknad(), 'Innkommende post'),
      ];
      const results = await validateArkivmeldinger('eformidling', records.map(toEFormidlingXml));
      for (const result of results) expect(result.errors).toEqual([]);
    },
    VALIDATE_TIMEOUT,
  );

  it(
    'nests the journalpost in its saksmappe, with codes as eFormidling texts and screening kept',
    async () => {
      const xml = toEFormidlingXml(journalfoert(skjermetSoknadISak()));
      expect((await validateEFormidling(xml)).errors).toEqual([]);
      const doc = parse(xml);
      expect(doc['@_xmlns']).toBe(EFORMIDLING_NS);
      const mappe = doc.mappe;
      expect(mappe['@_xsi:type']).toBe('saksmappe');
      expect(mappe.offentligTittel).toBe('Parkeringstillatelse');
      expect(mappe.klassifikasjon[0]).toMatchObject({ referanseKlassifikasjonssystem: 'FNR', klasseID: FNR });
      expect(mappe.saksstatus).toBe('Under behandling');
      const jp = mappe.basisregistrering;
      expect(jp['@_xsi:type']).toBe('journalpost');
      expect(jp.referanseForelderMappe).toBe(mappe.systemID);
      expect(jp.journalposttype).toBe('Inngående dokument');
      expect(jp.journalstatus).toBe('Journalført');
      expect(jp.offentligTittel).toBe('Søknad om parkeringstillatelse');
      expect(jp.skjerming.tilgangsrestriksjon).toBe('13');
      // Noark's own skjermingMetadata values, not the configuration's words.
      expect(jp.skjerming.skjermingMetadata).toEqual([
        'Skjerming tittel registrering - utvalgte ord',
        'Skjerming navn avsender',
      ]);
      expect(mappe.skjerming.skjermingMetadata).toEqual(['Skjerming tittel mappe - utvalgte ord']);
      expect(jp.skjerming.skjermingDokument).toBe('Skjerming av hele dokumentet');
      expect(jp.korrespondansepart[0].korrespondanseparttype).toBe('Avsender');
      expect(jp.dokumentbeskrivelse.map((d: any) => d.tilknyttetRegistreringSom)).toEqual([
        'Hoveddokument',
        'Vedlegg',
        'Vedlegg',
      ]);
      // dokumenttype is free text in eFormidling: the code list's description.
      expect(jp.dokumentbeskrivelse[0].dokumenttype).toBe('Søknad');
      // What eFormidling has no element for travels in virksomhetsspesifikkeMetadata.
      expect(jp.virksomhetsspesifikkeMetadata['sf:referanseEksternNoekkel']['sf:noekkel']).toBe('trk-7f3a9c');
      expect(jp.virksomhetsspesifikkeMetadata['sf:korrespondansepart']['sf:personid']).toBe(FNR);
    },
    VALIDATE_TIMEOUT,
  );

  it('derives the same ids from the same keys: a re-delivery and a second form for the same folder match', () => {
    const first = parse(toEFormidlingXml(byggesak()));
    const again = parse(toEFormidlingXml(byggesak()));
    expect(again.meldingId).toBe(first.meldingId);
    expect(again.mappe.systemID).toBe(first.mappe.systemID);

    const other = byggesak();
    other.journalpost.referanseEksternNoekkel = { fagsystem: 'skjemaflyt/byggesak', noekkel: 'trk-b2' };
    const second = parse(toEFormidlingXml(other));
    expect(second.mappe.systemID).toBe(first.mappe.systemID);
    expect(second.mappe.basisregistrering.systemID).not.toBe(first.mappe.basisregistrering.systemID);
    expect(nameUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('writes M (midlertidig registrering), which v3.1 has no text for, as the status before J, and keeps the code', () => {
    const midlertidig = journalfoert(skjermetSoknadISak());
    midlertidig.journalpost.journalstatus = 'M';
    const jp = parse(toEFormidlingXml(midlertidig)).mappe.basisregistrering;
    expect(jp.journalstatus).toBe('Ferdigstilt fra saksbehandler');
    expect(jp.virksomhetsspesifikkeMetadata['sf:journalstatus']).toBe('M');
  });

  it('refuses what eFormidling cannot hold, naming it', () => {
    const reservert = journalfoert(skjermetSoknadISak());
    reservert.journalpost.journalstatus = 'R'; // no eFormidling text
    expect(() => toEFormidlingXml(reservert)).toThrow(ArchiveFormatError);
    expect(() => toEFormidlingXml(reservert)).toThrow('journalstatus "R"');

    const noFolder = interntNotat();
    expect(() => toEFormidlingXml(noFolder)).toThrow('arkivdel');

    const noUnit = byggesak();
    if (noUnit.saksmappe) noUnit.saksmappe.saksansvarlig = undefined;
    expect(() => toEFormidlingXml(noUnit)).toThrow('saksansvarlig');
  });
});
