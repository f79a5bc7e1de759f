/**
 * Records an archivist signs off (issue 15): each point read from the produced arkivmelding, in both formats (KS
 * Fiks Arkiv V1 and eFormidling), and every record produced here valid against both official XSDs.
 */
import { createHash } from 'node:crypto';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, type Registry } from '../../shared/config/registry.ts';
import type { ArchiveSettings, FormType } from '../../shared/config/types.ts';
import { pseudonym } from '../../shared/mapping/folder-key.ts';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import type { ArchiveFormat } from '../../shared/noark/formats.ts';
import { validateArkivmeldinger } from '../../shared/noark/validate.ts';
import { CLOCK_SKEW_MS, checkSubmittedAt } from '../../shared/submission/submitted-at.ts';
import { mappingInput } from '../support/factories.ts';
import { type Sample, sample } from '../support/hub.ts';
import { demoRegistry, parseArkivmelding, produce, VALIDATE_TIMEOUT } from './support.ts';

const SECRET = 'test-secret-for-folder-keys-0123456789';
let savedSecret: string | undefined;
beforeAll(() => {
  savedSecret = process.env.SKJEMAFLYT_FOLDER_KEY_SECRET;
  process.env.SKJEMAFLYT_FOLDER_KEY_SECRET = SECRET;
});
afterAll(() => {
  if (savedSecret === undefined) delete process.env.SKJEMAFLYT_FOLDER_KEY_SECRET;
  else process.env.SKJEMAFLYT_FOLDER_KEY_SECRET = savedSecret;
});

const produced: Record<ArchiveFormat, string[]> = { 'fiks-arkiv-v1': [], eformidling: [] };

/** The record in both formats, parsed: the folder and the journalpost of each. */
async function records(body: unknown, registry?: Registry) {
  const r = registry ?? (await demoRegistry());
  const out = {} as Record<'fiks' | 'ef', { mappe: any; jp: any; xml: string }>;
  for (const [name, format] of [
    ['fiks', 'fiks-arkiv-v1'],
    ['ef', 'eformidling'],
  ] as const) {
    const xml = (await produce(r, body, { format, validate: false }))['arkivmelding.xml'] ?? '';
    produced[format].push(xml);
    const doc = parseArkivmelding(xml);
    out[name] =
      format === 'eformidling'
        ? { mappe: doc.mappe, jp: doc.mappe?.basisregistrering ?? doc.basisregistrering, xml }
        : { mappe: doc.mappe, jp: doc.registrering, xml };
  }
  return out;
}

/** A demo sample with changes to its envelope and form data (another submissionId: another submission). */
async function variant(name: string, change: (b: any) => void, xml: (x: string) => string = (x) => x) {
  const body = structuredClone(await sample(name)) as any;
  body.submissionId = `${name}-${Math.random().toString(36).slice(2, 10)}`;
  body.formData.content = xml(body.formData.content);
  change(body);
  return body as Sample;
}

/** The demo registry with one form type's archive settings or definition changed. */
async function changed(
  formTypeId: string,
  settings: (s: ArchiveSettings) => ArchiveSettings,
  definition: (d: any) => void = () => {},
): Promise<Registry> {
  const registry = await demoRegistry();
  const deployments = registry.config.deployments.map((d) => ({
    ...d,
    formTypes: d.formTypes.map((ft): FormType => {
      if (ft.id !== formTypeId) return ft;
      const def = structuredClone(ft.definition);
      definition(def);
      return { ...ft, definition: def, archive: settings(structuredClone(ft.archive as ArchiveSettings)) };
    }),
  }));
  return buildRegistry({ deployments });
}

/** A valid fødselsnummer (mod-11) for a day in 1990. */
function fnr(day: number): string {
  const digits = [...`${String(day).padStart(2, '0')}0790123`].map(Number);
  const mod = (d: number[], w: number[]) => {
    const r = 11 - (w.reduce((a, x, i) => a + x * (d[i] ?? 0), 0) % 11);
    return r === 11 ? 0 : r;
  };
  for (let individual = 123; individual < 999; individual++) {
    const base = [...`${String(day).padStart(2, '0')}0790${individual}`].map(Number);
    const k1 = mod(base, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
    const k2 = mod([...base, k1], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if (k1 < 10 && k2 < 10) return `${base.join('')}${k1}${k2}`;
  }
  throw new Error(`no fødselsnummer for ${digits.join('')}`);
}

const kode = (v: any) => v?.kode ?? v;

describe('1. exactly one Hoveddokument, always', () => {
  it(
    'without a main document the form itself, rendered as a PDF/A, is the Hoveddokument (both formats)',
    async () => {
      const onlyAttachment = await variant('tt-kort-soknad', (b) => {
        b.attachments = b.attachments.filter((a: any) => a.role !== 'main');
      });
      const noFiles = await variant('tt-kort-soknad', (b) => {
        delete b.attachments;
      });
      for (const body of [onlyAttachment, noFiles]) {
        const { fiks, ef } = await records(body);
        for (const jp of [fiks.jp, ef.jp]) {
          const docs = jp.dokumentbeskrivelse;
          const roles = docs.map((d: any) => kode(d.tilknyttetRegistreringSom));
          expect(roles.filter((r: string) => r === 'H' || r === 'Hoveddokument')).toHaveLength(1);
          expect(docs[0].tittel).toBe('Søknad om TT-kort');
          expect(['H', 'Hoveddokument']).toContain(kode(docs[0].tilknyttetRegistreringSom));
          expect(['A', 'Arkivformat']).toContain(kode(docs[0].dokumentobjekt.variantformat));
          expect(docs[0].dokumentobjekt.referanseDokumentfil).toBe('tt-kort-soknad.pdf');
        }
        expect(kode(fiks.jp.dokumentbeskrivelse[0].dokumentobjekt.format)).toBe('PDF');
        expect(fiks.jp.dokumentbeskrivelse[0].dokumentobjekt.mimeType).toBe('application/pdf');
      }
      // With no files at all the form is still there: one document.
      const { fiks } = await records(noFiles);
      expect(fiks.jp.dokumentbeskrivelse).toHaveLength(1);
    },
    VALIDATE_TIMEOUT,
  );

  it('the rendered form is readable (title, submitter, time, every answer under its label), deterministic and built as PDF/A-2b', async () => {
    const registry = await demoRegistry();
    const body = await variant('tt-kort-soknad', (b) => {
      delete b.attachments;
    });
    const formType = registry.formType('3101', 'tt-kort-soknad') as FormType;
    const submittedAt = String(body.submittedAt);
    const { input, documents } = mappingInput(body, { trackingId: 'trk-pdf', receivedAt: submittedAt });
    const first = await mapToArchive(formType, input, documents);
    const second = await mapToArchive(formType, structuredClone(input), documents);
    const file = first.files[0];
    if (!file || !('rendered' in file.source)) throw new Error('the Hoveddokument is not the rendered form');
    const other = second.files[0]?.source as { rendered: Uint8Array };
    const bytes = Buffer.from(file.source.rendered);
    // Same input, same bytes; the record's checksum is the file's.
    expect(Buffer.compare(bytes, Buffer.from(other.rendered))).toBe(0);
    const objekt = first.arkivmelding.journalpost.dokumentbeskrivelse[0]?.dokumentobjekt[0];
    expect(objekt?.sjekksum).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(objekt?.filstoerrelse).toBe(bytes.byteLength);

    // What a person reads.
    const pdf = await getDocument({ data: new Uint8Array(bytes) }).promise;
    let text = '';
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      text += content.items.map((i: any) => `${i.str}${i.hasEOL ? '\n' : ' '}`).join('');
    }
    text = text.replace(/[ \t]+/g, ' ');
    expect(text).toContain('Søknad om TT-kort');
    expect(text).toContain('Innsender: Åse Marie Østby-Lærum');
    expect(text).toMatch(/Innsendt: \d{2}\.\d{2}\.2026 kl\. \d{2}:\d{2}/);
    expect(text).toContain('Fornavn');
    expect(text).toContain('Åse Marie');
    expect(text).toContain('Forflytningshjelpemiddel (1)');
    expect(text).toContain('elektrisk rullestol');
    expect(text).toContain('Begrunnelse');
    expect(text).toContain('Har MS & kan ikke gå > 50 meter.');
    expect(text).toMatch(/Samtykke til innhenting av opplysninger\s+Ja/);
    // The form format's own attributes are no answers.
    expect(text).not.toContain('dataFormat');

    // PDF/A-2b as far as it can be checked here (no veraPDF): the identification, the output intent with its ICC
    // profile, every font embedded, a file id, no encryption, dates from the submission (not the clock).
    const raw = bytes.toString('latin1');
    expect(raw.startsWith('%PDF-1.7\n%\xFF\xFF\xFF\xFF')).toBe(true);
    expect(raw).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(raw).toMatch(/\/Type \/OutputIntent\s+\/S \/GTS_PDFA1/);
    expect(raw).toMatch(/\/DestOutputProfile \d+ 0 R/);
    const fonts = [...raw.matchAll(/\/Type \/Font\s+\/Subtype \/(\w+)/g)].map((m) => m[1]);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.every((f) => f === 'Type0' || f === 'CIDFontType2')).toBe(true);
    expect(raw.match(/\/FontFile2 /g)?.length).toBe(fonts.filter((f) => f === 'CIDFontType2').length);
    expect(raw).toMatch(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/);
    expect(raw).not.toContain('/Encrypt');
    const created = new Date(submittedAt).toISOString().slice(0, 19);
    expect(raw).toContain(`<xmp:CreateDate>${created}Z</xmp:CreateDate>`);
  });
});

describe('2 and 7. samkommune: the owner and its receiving unit in the record, settings per municipality', () => {
  it(
    'a Verdal property in Verdal’s case: EM Verdal kommune with its organisasjonid, IM the unit, Verdal’s journalenhet and arkivdel',
    async () => {
      const verdal = await variant(
        'soknad-tiltak-uten-ansvarsrett',
        (b) => {
          b.municipality = '5038';
        },
        (x) => x.replace('<kommunenummer>5037</kommunenummer>', '<kommunenummer>5038</kommunenummer>'),
      );
      const v = await records(verdal);
      const l = await records(await sample('soknad-tiltak-uten-ansvarsrett'));

      const em = v.fiks.jp.korrespondansepart.find((k: any) => kode(k.korrespondanseparttype) === 'EM');
      expect(em).toMatchObject({
        korrespondansepartNavn: 'Verdal kommune',
        organisasjonid: '938587051',
        erBehandlingsansvarlig: 'false',
      });
      const im = v.fiks.jp.korrespondansepart.find((k: any) => kode(k.korrespondanseparttype) === 'IM');
      expect(im).toMatchObject({
        korrespondansepartNavn: 'Byggesak, Innherred samkommune',
        erBehandlingsansvarlig: 'true',
        administrativEnhet: { identifikator: 'BYGG' },
      });
      expect(v.fiks.jp.journalenhet).toBe('VER');
      expect(v.fiks.mappe.journalenhet).toBe('VER');
      expect(kode(v.fiks.mappe.arkivdel)).toBe('BYGGESAK-VERDAL');
      expect(l.fiks.jp.journalenhet).toBe('LEV');
      expect(kode(l.fiks.mappe.arkivdel)).toBe('BYGGESAK-LEVANGER');
      expect(
        l.fiks.jp.korrespondansepart.find((k: any) => kode(k.korrespondanseparttype) === 'EM').organisasjonid,
      ).toBe('938587418');

      // eFormidling: the same parties (its korrespondansepart has no organisasjonid: it travels beside it).
      const efTypes = v.ef.jp.korrespondansepart.map((k: any) => [k.korrespondanseparttype, k.korrespondansepartNavn]);
      expect(efTypes).toContainEqual(['Mottaker', 'Verdal kommune']);
      expect(efTypes).toContainEqual(['Intern mottaker', 'Byggesak, Innherred samkommune']);
      const efIds = v.ef.jp.virksomhetsspesifikkeMetadata.korrespondansepart;
      expect(efIds).toContainEqual(
        expect.objectContaining({ korrespondansepartNavn: 'Verdal kommune', organisasjonid: '938587051' }),
      );
      expect(v.ef.jp.journalenhet).toBe('VER');
      expect(v.ef.mappe.journalenhet).toBe('VER');
      expect(v.ef.mappe.referanseArkivdel).toBe('BYGGESAK-VERDAL');
      expect(l.ef.mappe.referanseArkivdel).toBe('BYGGESAK-LEVANGER');
    },
    VALIDATE_TIMEOUT,
  );

  it('refuses a Halden property sent to Innherred, naming the field (the rules receive applies too)', async () => {
    const halden = await variant(
      'soknad-tiltak-uten-ansvarsrett',
      () => {},
      (x) => x.replace('<kommunenummer>5037</kommunenummer>', '<kommunenummer>3101</kommunenummer>'),
    );
    const preview = await previewSubmission(await demoRegistry(), halden);
    expect(preview.files).toEqual([]);
    expect(preview.problems.map((p) => p.field)).toEqual(['/formData/content/eiendom/kommunenummer']);
  });
});

describe('3. personnel records in their own arkivdel', () => {
  it('the A-skjema’s folder is created in the configured arkivdel (both formats)', async () => {
    const { fiks, ef } = await records(await sample('a-skjema-tilsetting'));
    expect(kode(fiks.mappe.arkivdel)).toBe('PERSONAL');
    expect(ef.mappe.referanseArkivdel).toBe('PERSONAL');
  });
});

describe('4. journalstatus: M by default, configurable, screened records left for the records office', () => {
  it('M by default; F where configured; a screened record stays M whatever is configured', async () => {
    const byDefault = await records(await sample('soknad-tiltak-uten-ansvarsrett'));
    expect(kode(byDefault.fiks.jp.journalstatus)).toBe('M');
    // eFormidling 3.1 has no M: the status before J, and the code itself beside it.
    expect(byDefault.ef.jp.journalstatus).toBe('Ferdigstilt fra saksbehandler');
    expect(byDefault.ef.jp.virksomhetsspesifikkeMetadata.journalstatus).toBe('M');

    const asF = await records(
      await sample('soknad-tiltak-uten-ansvarsrett'),
      await changed('soknad-tiltak-uten-ansvarsrett', (s) => ({ ...s, journalstatus: 'F' })),
    );
    expect(kode(asF.fiks.jp.journalstatus)).toBe('F');
    expect(asF.ef.jp.journalstatus).toBe('Ferdigstilt fra saksbehandler');
    expect(asF.ef.jp.virksomhetsspesifikkeMetadata.journalstatus).toBeUndefined();

    const screened = await records(
      await sample('tt-kort-soknad'),
      await changed('tt-kort-soknad', (s) => ({ ...s, journalstatus: 'F' })),
    );
    expect(kode(screened.fiks.jp.journalstatus)).toBe('M');
    expect(screened.ef.jp.virksomhetsspesifikkeMetadata.journalstatus).toBe('M');
  });
});

describe('5. titles from controlled values', () => {
  it(
    'free text goes to beskrivelse; the title is measure type, normalised gnr/bnr (with feste/seksjon) and address, within its limit',
    async () => {
      const long = `${'Tilbygg med vindfang, bod og terrasse. '.repeat(80)}Slutt.`;
      const body = await variant(
        'soknad-tiltak-uten-ansvarsrett',
        () => {},
        (x) =>
          x
            .replace(/<beskrivelse>[^<]*<\/beskrivelse>/, `<beskrivelse>${long}</beskrivelse>`)
            .replace('<gardsnummer>314</gardsnummer>', '<gardsnummer>0314</gardsnummer>')
            .replace('<bruksnummer>27</bruksnummer>', '<bruksnummer>027</bruksnummer>')
            .replace('<festenummer>0</festenummer>', '<festenummer>2</festenummer>')
            .replace('<seksjonsnummer>0</seksjonsnummer>', '<seksjonsnummer>5</seksjonsnummer>'),
      );
      expect(long.length).toBeGreaterThan(3000);
      const { fiks, ef } = await records(body);
      for (const { jp, mappe } of [fiks, ef]) {
        expect(jp.tittel).toBe('Søknad om tiltak uten ansvarsrett – tilbygg – 314/27/2/5 – Moafjæra 3, 7600 Levanger');
        expect(jp.tittel).not.toContain('0314');
        expect(jp.beskrivelse).toBe(long);
        expect(mappe.tittel).toBe('Byggesak – 314/27/2/5 – Moafjæra 3, 7600 Levanger – tilbygg');
      }
      expect(fiks.mappe.klassifikasjon[0].klasseID).toBe('5037-314/27/2/5');
    },
    VALIDATE_TIMEOUT,
  );

  it('an empty value leaves no "– –"; a long value is cut at the limit; the GBNR class in the configured form', async () => {
    const registry = await changed(
      'soknad-tiltak-uten-ansvarsrett',
      (s) => s,
      (d) => {
        d.archive.titleMaxLength = 80;
        d.archive.saksmappe.gbnr.format = '{gnr}/{bnr}/{fnr}/{snr}';
      },
    );
    const noAddress = await variant(
      'soknad-tiltak-uten-ansvarsrett',
      () => {},
      (x) => x.replace(/<adresse>Moafjæra 3, 7600 Levanger<\/adresse>/, ''),
    );
    const { fiks, ef } = await records(noAddress, registry);
    for (const { jp, mappe } of [fiks, ef]) {
      expect(jp.tittel).toBe('Søknad om tiltak uten ansvarsrett – tilbygg – 314/27');
      expect(mappe.tittel).toBe('Byggesak – 314/27 – tilbygg');
    }
    // KS's test cases write the class as gnr/bnr/fnr/snr (20/19/458/0).
    expect(fiks.mappe.klassifikasjon[0].klasseID).toBe('314/27/0/0');
    expect(ef.mappe.klassifikasjon[0].klasseID).toBe('314/27/0/0');

    const longType = await variant(
      'soknad-tiltak-uten-ansvarsrett',
      () => {},
      (x) => x.replace('<type>tilbygg</type>', `<type>${'tilbygg '.repeat(20)}</type>`),
    );
    const cut = await records(longType, registry);
    expect([...cut.fiks.jp.tittel].length).toBeLessThanOrEqual(80);
    expect(cut.fiks.jp.tittel.endsWith('…')).toBe(true);
    expect(cut.ef.jp.tittel).toBe(cut.fiks.jp.tittel);
  });

  it('a screened title’s public title drops the screened words; it never masks them', async () => {
    const registry = await changed(
      'tt-kort-soknad',
      (s) => s,
      (d) => {
        delete d.archive.offentligTittel;
        delete d.archive.saksmappe.offentligTittel;
      },
    );
    const { fiks, ef } = await records(await sample('tt-kort-soknad'), registry);
    for (const { jp, mappe } of [fiks, ef]) {
      expect(jp.tittel).toBe('Søknad om TT-kort – Åse Marie Østby-Lærum');
      expect(jp.offentligTittel).toBe('Søknad om TT-kort');
      expect(mappe.offentligTittel).toBe('TT-kort');
      expect(`${jp.offentligTittel}${mappe.offentligTittel}`).not.toContain('*');
    }
  });
});

describe('6. no placeholder people', () => {
  it('saksansvarlig and administrativEnhet are codes from configuration, or left out', async () => {
    const { fiks, ef } = await records(await sample('tt-kort-soknad'));
    expect(fiks.mappe.saksansvarlig).toEqual({ identifikator: 'TJK-MOTTAK' });
    expect(fiks.mappe.administrativEnhet).toEqual({ identifikator: 'TJK' });
    expect(ef.mappe.saksansvarlig).toBe('TJK-MOTTAK');
    expect(ef.mappe.administrativEnhet).toBe('TJK');

    // Left out, for the archive to fill (Fiks Arkiv; eFormidling requires both, which the start-up check says).
    const registry = await changed('tt-kort-soknad', ({ saksansvarlig: _s, administrativEnhet: _a, ...rest }) => rest);
    const xml = (await produce(registry, await sample('tt-kort-soknad'), { format: 'fiks-arkiv-v1' }))[
      'arkivmelding.xml'
    ];
    const leftOut = parseArkivmelding(xml ?? '');
    expect(leftOut.mappe.saksansvarlig).toBeUndefined();
    expect(leftOut.mappe.administrativEnhet).toBeUndefined();
    expect(leftOut.registrering.korrespondansepart.map((k: any) => kode(k.korrespondanseparttype))).toEqual([
      'EA',
      'EM',
    ]);
  });
});

describe('8. no fødselsnummer in clear in folder keys', () => {
  it('a keyed pseudonym that finds the same folder for the same person, another for another', async () => {
    const first = await records(await sample('tt-kort-soknad'));
    const again = await records(await variant('tt-kort-soknad', () => {}));
    const someoneElse = fnr(14);
    const other = await records(
      await variant(
        'tt-kort-soknad',
        (b) => {
          b.submitter.nationalId = someoneElse;
        },
        (x) => x.replace('12035440095', someoneElse),
      ),
    );
    const key = first.fiks.mappe.referanseEksternNoekkel.noekkel;
    expect(key).toBe(`tt-kort/${pseudonym('12035440095', Buffer.from(SECRET))}`);
    expect(key).not.toContain('12035440095');
    expect(first.fiks.jp.referanseForelderMappe.referanseEksternNoekkel.noekkel).toBe(key);
    expect(again.fiks.mappe.referanseEksternNoekkel.noekkel).toBe(key);
    expect(other.fiks.mappe.referanseEksternNoekkel.noekkel).not.toBe(key);
    // eFormidling: the key beside the folder, and the folder's id derived from it.
    expect(first.ef.mappe.virksomhetsspesifikkeMetadata.referanseEksternNoekkel.noekkel).toBe(key);
    expect(again.ef.mappe.systemID).toBe(first.ef.mappe.systemID);
    expect(other.ef.mappe.systemID).not.toBe(first.ef.mappe.systemID);
    for (const xml of [first.fiks.xml, first.ef.xml]) {
      expect(xml).not.toMatch(/noekkel>[^<]*12035440095/);
    }

    const ansatt = await records(await sample('a-skjema-tilsetting'));
    expect(ansatt.fiks.mappe.referanseEksternNoekkel.noekkel).toMatch(/^personal\/p[0-9a-f]{32}$/);
  });
});

describe('9. what the archive would have to add', () => {
  it(
    'a guardian submits: the guardian is the sender (avsender), the child the case’s party, the guardian a party with role F',
    async () => {
      const guardian = fnr(21);
      const body = await variant(
        'tt-kort-soknad',
        (b) => {
          b.submitter = { name: 'Kari Østby', nationalId: guardian, email: 'kari@example.no' };
        },
        (x) => x.replace('</soker>', `</soker><foresatt><fodselsnummer>${guardian}</fodselsnummer></foresatt>`),
      );
      const { fiks, ef } = await records(body);
      const ea = fiks.jp.korrespondansepart[0];
      expect(kode(ea.korrespondanseparttype)).toBe('EA');
      expect(ea).toMatchObject({ korrespondansepartNavn: 'Kari Østby', personid: guardian });
      expect(ea.deresReferanse).toBe(body.submissionId);
      expect(fiks.mappe.part.map((p: any) => [p.partNavn, kode(p.partRolle), p.personID.identifikator])).toEqual([
        ['Åse Marie Østby-Lærum', 'K', '12035440095'],
        ['Kari Østby', 'F', guardian],
      ]);
      expect(ef.jp.korrespondansepart[0]).toMatchObject({
        korrespondanseparttype: 'Avsender',
        korrespondansepartNavn: 'Kari Østby',
      });
      expect(ef.mappe.sakspart.map((p: any) => [p.sakspartNavn, p.sakspartRolle])).toEqual([
        ['Åse Marie Østby-Lærum', 'Søker'],
        ['Kari Østby', 'Foresatt'],
      ]);
      expect(ef.jp.virksomhetsspesifikkeMetadata.korrespondansepart[0].deresReferanse).toBe(body.submissionId);
    },
    VALIDATE_TIMEOUT,
  );

  it('a consultant submits for a business: the consultant is the sender, the business the tiltakshaver', async () => {
    const body = await variant(
      'soknad-tiltak-uten-ansvarsrett',
      (b) => {
        b.submitter = { name: 'Arkitektkontoret AS', organisationNumber: '974760673' };
      },
      (x) =>
        x
          .replace(/<fodselsnummer>\d+<\/fodselsnummer>/, '<organisasjonsnummer>938587418</organisasjonsnummer>')
          .replace('<navn>Ola Sæther</navn>', '<navn>Sæther Eiendom AS</navn>'),
    );
    const { fiks, ef } = await records(body);
    expect(fiks.jp.korrespondansepart[0]).toMatchObject({
      korrespondansepartNavn: 'Arkitektkontoret AS',
      organisasjonid: '974760673',
    });
    expect(fiks.mappe.part.map((p: any) => [p.partNavn, p.organisasjonID?.identifikator])).toEqual([
      ['Sæther Eiendom AS', '938587418'],
      ['Arkitektkontoret AS', '974760673'],
    ]);
    expect(ef.mappe.sakspart.map((p: any) => p.sakspartRolle)).toEqual(['Tiltakshaver', 'Innsender for tiltakshaver']);
  });

  it('the screening ends where the hjemmel gives a duration (fvl. § 13 c: 60 years); not where it gives none', async () => {
    const tt = await records(await sample('tt-kort-soknad'));
    const date = tt.fiks.jp.dokumentetsDato as string;
    const ends = `${Number(date.slice(0, 4)) + 60}${date.slice(4)}`;
    expect(tt.fiks.jp.skjerming.skjermingOpphoererDato).toBe(ends);
    expect(tt.fiks.mappe.skjerming.skjermingOpphoererDato).toBe(ends);
    expect(tt.ef.jp.skjerming.skjermingOpphoererDato).toBe(ends);
    const a = await records(await sample('a-skjema-tilsetting'));
    expect(a.fiks.jp.skjerming.skjermingOpphoererDato).toBeUndefined();
  });

  it('a secondary class where the form type configures one (both formats)', async () => {
    const { fiks, ef } = await records(await sample('soknad-tiltak-uten-ansvarsrett'));
    expect(fiks.mappe.klassifikasjon.map((k: any) => [k.klassifikasjonssystemID, k.klasseID])).toEqual([
      ['GBNR', '5037-314/27'],
      ['K-KODE', 'L42'],
    ]);
    expect(ef.mappe.klassifikasjon.map((k: any) => [k.referanseKlassifikasjonssystem, k.klasseID])).toEqual([
      ['GBNR', '5037-314/27'],
      ['K-KODE', 'L42'],
    ]);
  });

  it('a supplement naming the case by its saksnummer is filed in that case', async () => {
    const body = await variant(
      'soknad-tiltak-uten-ansvarsrett',
      () => {},
      (x) => x.replace('</melding>', '<ettersending><saksnummer>2026/123</saksnummer></ettersending></melding>'),
    );
    const { fiks } = await records(body);
    expect(fiks.jp.referanseForelderMappe.saksnummer).toEqual({ saksaar: '2026', sakssekvensnummer: '123' });
  });
});

describe('10. cosmetics', () => {
  it(
    'SHA256, the original file name, document types per attachment, mottattDato only on incoming posts',
    async () => {
      const body = await variant('soknad-tiltak-uten-ansvarsrett', (b) => {
        b.attachments[1].filename = 'Situasjonsplan – Moafjæra 3 (rev. 2).pdf';
      });
      const { fiks, ef } = await records(body);
      const objekter = fiks.jp.dokumentbeskrivelse.map((d: any) => d.dokumentobjekt);
      expect(objekter.every((o: any) => o.sjekksumAlgoritme === 'SHA256')).toBe(true);
      expect(objekter[1].filnavn).toBe('Situasjonsplan – Moafjæra 3 (rev. 2).pdf');
      expect(objekter[1].referanseDokumentfil).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(fiks.jp.dokumentbeskrivelse.map((d: any) => kode(d.dokumenttype))).toEqual(['SØKNAD', 'KART', 'TEGNING']);
      expect(ef.jp.dokumentbeskrivelse.map((d: any) => d.dokumenttype)).toEqual(['Søknad', 'Kart', 'Tegning']);
      expect(fiks.jp.mottattDato).toBeDefined();
      expect(ef.jp.mottattDato).toBeDefined();

      const internal = await records(await sample('a-skjema-tilsetting'));
      expect(internal.fiks.jp.mottattDato).toBeUndefined();
      expect(internal.ef.jp.mottattDato).toBeUndefined();
    },
    VALIDATE_TIMEOUT,
  );

  it('a submittedAt in the future is refused, with a small clock skew allowed', async () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    expect(checkSubmittedAt(at(CLOCK_SKEW_MS - 1000), now)).toEqual([]);
    expect(checkSubmittedAt(at(CLOCK_SKEW_MS + 1000), now).map((e) => e.path)).toEqual(['/submittedAt']);
    const future = await variant('tt-kort-soknad', (b) => {
      b.submittedAt = '2026-11-30T14:00:00+01:00';
    });
    const preview = await previewSubmission(await demoRegistry(), future, { now });
    expect(preview.problems.map((p) => p.field)).toEqual(['/submittedAt']);
  });
});

describe('every record above', () => {
  it(
    'validates against the official XSD of its format',
    async () => {
      for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
        expect(produced[format].length).toBeGreaterThan(10);
        const results = await validateArkivmeldinger(format, produced[format]);
        results.forEach((r, i) => {
          expect(r.errors, `${format} record ${i}`).toEqual([]);
        });
      }
    },
    VALIDATE_TIMEOUT,
  );
});
