import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FormType } from '../../shared/config/types.ts';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { writeArkivmelding } from '../../shared/noark/formats.ts';
import { validateArkivmeldinger } from '../../shared/noark/validate.ts';
import { FileDropArchive } from '../../shared/targets/file-drop-archive.ts';
import { mappingInput } from '../support/factories.ts';
import { SAMPLE_NAMES, sample } from '../support/hub.ts';
import { changedSample, demoRegistry, parseArkivmelding, parseXml, produce, VALIDATE_TIMEOUT } from './support.ts';

describe('the four demo form types', () => {
  it(
    'produce records that validate against the official XSD of their target’s format, and of the other format',
    async () => {
      const registry = await demoRegistry();
      const produced: Record<'fiks-arkiv-v1' | 'eformidling', string[]> = { 'fiks-arkiv-v1': [], eformidling: [] };
      for (const name of SAMPLE_NAMES) {
        const body = await sample(name);
        for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
          const files = await produce(registry, body, { format });
          if (files['arkivmelding.xml']) produced[format].push(files['arkivmelding.xml']);
        }
      }
      // The street light report goes to the work-order system only in the demo; its definition's archive mapping is
      // ready for a municipality that archives such reports (without a case folder, in an arkivdel).
      const body = await sample('melding-vei-gatelys');
      const routed = registry.formType('3101', 'melding-vei-gatelys') as FormType;
      const archived: FormType = {
        ...routed,
        archive: { journalposttype: 'I', arkivdel: 'Driftsmeldinger' },
      };
      const record = await mapToArchive(archived, mappingInput(body, { trackingId: 'trk-1' }).input, [
        {
          filename: 'melding.pdf',
          contentType: 'application/pdf',
          role: 'main',
          title: 'Melding',
          key: 'k',
          size: 3,
          sha256: 'ab',
        },
      ]);
      for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
        produced[format].push(writeArkivmelding(format, record.arkivmelding));
      }

      expect(produced['fiks-arkiv-v1']).toHaveLength(4);
      expect(produced.eformidling).toHaveLength(4);
      for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
        for (const result of await validateArkivmeldinger(format, produced[format])) {
          expect(result.errors, format).toEqual([]);
        }
      }
    },
    VALIDATE_TIMEOUT,
  );
});

describe('TT-kort: a health matter, screened under Offl. § 13', () => {
  it(
    'keeps the applicant’s name and fødselsnummer out of everything public',
    async () => {
      const registry = await demoRegistry();
      for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
        const xml = (await produce(registry, await sample('tt-kort-soknad'), { format }))['arkivmelding.xml'] ?? '';
        const doc = parseArkivmelding(xml);
        const mappe = doc.mappe;
        const jp = format === 'eformidling' ? mappe.basisregistrering : doc.registrering;
        expect(jp.tittel).toBe('Søknad om TT-kort – Åse Marie Østby-Lærum');
        expect(jp.offentligTittel).toBe('Søknad om TT-kort');
        expect(mappe.offentligTittel).toBe('TT-kort');
        const hjemmel = 'Offl. § 13 jf. fvl. § 13 første ledd nr. 1';
        for (const skjerming of [
          jp.skjerming,
          mappe.skjerming,
          ...jp.dokumentbeskrivelse.map((d: any) => d.skjerming),
        ]) {
          expect([
            skjerming.tilgangsrestriksjon.kode ?? skjerming.tilgangsrestriksjon,
            skjerming.skjermingshjemmel,
          ]).toEqual(['13', hjemmel]);
        }
        if (format === 'fiks-arkiv-v1') {
          // The citizen is screened; the municipality's own receiving unit is not.
          const parts = jp.korrespondansepart.map((k: any) => [k.korrespondanseparttype.kode, k.erSkjermet]);
          expect(parts).toEqual([
            ['EA', 'true'],
            ['EM', 'false'],
            ['IM', 'false'],
          ]);
          expect(mappe.klassifikasjon[0]).toMatchObject({ klassifikasjonssystemID: 'FNR', erSkjermet: 'true' });
          expect(mappe.part[0].erSkjermet).toBe('true');
        } else {
          expect(jp.skjerming.skjermingMetadata).toEqual([
            'Skjerming tittel registrering - utvalgte ord',
            'Skjerming navn avsender',
          ]);
          expect(mappe.skjerming.skjermingMetadata).toEqual([
            'Skjerming tittel mappe - utvalgte ord',
            'Skjerming part i sak',
            'Skjerming klasseID',
            'Skjerming tittel klasse',
          ]);
        }
        // The key the folder is found by carries no fødselsnummer (keys are not screened).
        const key =
          format === 'eformidling'
            ? mappe.virksomhetsspesifikkeMetadata.referanseEksternNoekkel.noekkel
            : mappe.referanseEksternNoekkel.noekkel;
        expect(key).not.toContain('12035440095');
        expect(key).toMatch(/^tt-kort\/p[0-9a-f]{32}$/);
      }
    },
    VALIDATE_TIMEOUT,
  );
});

describe('building application: one case per application, found again by the property', () => {
  const folderOf = (xml: string) => {
    const mappe = parseArkivmelding(xml).mappe;
    return { key: mappe.referanseEksternNoekkel.noekkel, mappe };
  };

  it(
    'carries the matrikkelnummer and a GBNR class; a second application on the property is a case of its own; a supplement joins its case',
    async () => {
      const registry = await demoRegistry();
      const first = (await produce(registry, await sample('soknad-tiltak-uten-ansvarsrett')))['arkivmelding.xml'] ?? '';
      const { key, mappe } = folderOf(first);
      expect(mappe.matrikkelnummer).toEqual([
        { kommunenummer: '5037', gardsnummer: '314', bruksnummer: '27', festenummer: '0', seksjonsnummer: '0' },
      ]);
      // The property's class first (primary), then the form type's secondary class (the K-code retention follows).
      expect(mappe.klassifikasjon).toEqual([
        { klassifikasjonssystemID: 'GBNR', klasseID: '5037-314/27', tittel: 'Moafjæra 3, 7600 Levanger' },
        { klassifikasjonssystemID: 'K-KODE', klasseID: 'L42', tittel: 'Byggesaksbehandling' },
      ]);
      // Codes the archive resolves, not prose.
      expect(mappe.administrativEnhet).toEqual({ identifikator: 'BYGG' });
      expect(mappe.saksansvarlig).toEqual({ identifikator: 'BYGG-MOTTAK' });

      // Another application on the same property, written a little differently (no festenummer, a leading zero).
      const second = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
        xml
          .replace('<festenummer>0</festenummer>', '')
          .replace('<gardsnummer>314</gardsnummer>', '<gardsnummer>0314</gardsnummer>')
          .replace('Tilbygg til bolig', 'Garasje'),
      );
      const secondXml = (await produce(registry, second))['arkivmelding.xml'] ?? '';
      expect(folderOf(secondXml).key).not.toBe(key);
      expect(folderOf(secondXml).mappe.klassifikasjon[0].klasseID).toBe('5037-314/27');
      expect(parseArkivmelding(secondXml).registrering.tittel).toContain('– 314/27 –');

      // A supplementary submission naming the first by its trackingId joins the first's case.
      const firstTracking = parseArkivmelding(first).registrering.referanseEksternNoekkel.noekkel;
      const supplement = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
        xml.replace('</melding>', `<ettersending><trackingId>${firstTracking}</trackingId></ettersending></melding>`),
      );
      const supplementXml = (await produce(registry, supplement))['arkivmelding.xml'] ?? '';
      expect(folderOf(supplementXml).key).toBe(key);
      expect(parseArkivmelding(supplementXml).registrering.referanseForelderMappe.referanseEksternNoekkel.noekkel).toBe(
        key,
      );

      // The same gnr/bnr in Verdal is another property: another class.
      const verdal = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
        xml.replace('<kommunenummer>5037</kommunenummer>', '<kommunenummer>5038</kommunenummer>'),
      );
      const verdalXml = (await produce(registry, { ...verdal, municipality: '5038' }))['arkivmelding.xml'] ?? '';
      expect(folderOf(verdalXml).mappe.klassifikasjon[0].klasseID).toBe('5038-314/27');

      // The archive finds the folder by its key: two applications are two cases, the supplement is in the first.
      const archive = new FileDropArchive(await mkdtemp(join(tmpdir(), 'skjemaflyt-arkiv-')));
      const send = (trackingId: string, xml: string) =>
        archive.send({
          kommunenummer: '5037',
          trackingId,
          arkivmeldingXml: xml,
          files: [],
          folderKey: folderOf(xml).key,
        });
      const a = await send('trk-a', first);
      const b = await send('trk-b', secondXml);
      const c = await send('trk-c', supplementXml);
      expect(b.references.saksnummer).not.toBe(a.references.saksnummer);
      expect(c.references.saksnummer).toBe(a.references.saksnummer);
      expect(c.references.saksmappe).toBe('Eksisterende');
    },
    VALIDATE_TIMEOUT,
  );

  it('sends the building-case system the archive’s saksnummer and journalpostnummer', async () => {
    const registry = await demoRegistry();
    const files = await produce(registry, await sample('soknad-tiltak-uten-ansvarsrett'), {
      archiveReferences: { saksnummer: '2026/17', journalpostnummer: '3' },
    });
    const payload = parseXml(files['innherred-byggesak.xml'] ?? '').byggesak;
    expect(payload.arkiv).toEqual({ saksnummer: '2026/17', journalpostnummer: '3' });
    expect(payload.eiendom.gardsnummer).toBe('314');
  });
});

describe('A-skjema: an internal record, screened under Offl. § 25', () => {
  it(
    'is an X journalpost from an internal sender, with the form data archived and no employee name in public',
    async () => {
      const registry = await demoRegistry();
      const files = await produce(registry, await sample('a-skjema-tilsetting'));
      const doc = parseArkivmelding(files['arkivmelding.xml'] ?? '');
      const jp = doc.registrering;
      expect(jp.journalposttype.kode).toBe('X');
      // An internal note: the internal sender and the responsible unit; no external receiver, no mottattDato.
      expect(jp.korrespondansepart.map((k: any) => k.korrespondanseparttype.kode)).toEqual(['IA', 'IM']);
      expect(jp.mottattDato).toBeUndefined();
      expect(jp.skjerming).toEqual({ tilgangsrestriksjon: { kode: '25' }, skjermingshjemmel: 'Offl. § 25' });
      expect(jp.tittel).toBe('A-skjema tilsetting – Jonas Ødegård – Sykepleier');
      expect(jp.offentligTittel).toBe('A-skjema tilsetting – Sykepleier');
      expect(doc.mappe.offentligTittel).toBe('Personalmappe');
      const skjemadata = jp.dokumentbeskrivelse.at(-1);
      expect(skjemadata.tilknyttetRegistreringSom.kode).toBe('V');
      expect(skjemadata.dokumentobjekt.format.kode).toBe('XML');
      expect(skjemadata.dokumentobjekt.referanseDokumentfil).toBe('skjemadata.xml');
    },
    VALIDATE_TIMEOUT,
  );

  it('gives payroll a number and IT a list, however the form wrote them (JSONata where paths are not enough)', async () => {
    const registry = await demoRegistry();
    const body = await changedSample('a-skjema-tilsetting', (xml) =>
      xml
        .replace('<stillingsprosent>80</stillingsprosent>', '<stillingsprosent>80,5</stillingsprosent>')
        .replace('<tilgang>e-post</tilgang>', ''),
    );
    const files = await produce(registry, body);
    expect(JSON.parse(files['halden-lonn.json'] ?? '').stilling.stillingsprosent).toBe(80.5);
    expect(JSON.parse(files['halden-it-tilgang.json'] ?? '').tilganger).toEqual(['Gerica']);
  });
});
