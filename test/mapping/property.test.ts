/**
 * Many generated submissions per demo form type, with hostile text in every free-text field: æøå, emoji, markup
 * characters, "]]>", right-to-left marks, 10,000-character fields and empty optional fields. Every record must
 * carry the text exactly (after the documented rules: the form parser trims a field; a template is one line, with
 * runs of white space as one space) and validate against the official XSD of both archive formats.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRegistry, type Registry } from '../../shared/config/registry.ts';
import type { FormType } from '../../shared/config/types.ts';
import { finishTitle } from '../../shared/mapping/titles.ts';
import type { ArchiveFormat } from '../../shared/noark/formats.ts';
import { validateArkivmeldinger } from '../../shared/noark/validate.ts';
import { isCleanText } from '../../shared/submission/text.ts';
import { sample } from '../support/hub.ts';
import { demoRegistry, parseArkivmelding, parseXml, produce } from './support.ts';

const RUNS = 100;

// ---- text ----

const PIECES = [
  'æ',
  'ø',
  'å',
  'Æ',
  'Ø',
  'Å',
  'é',
  'ß',
  '中',
  '😀',
  '👩‍👩‍👧',
  '🇳🇴',
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '<![CDATA[',
  '<!--',
  '&amp;',
  '&#x41;',
  '{x}',
  '%}',
  // Right-to-left and left-to-right marks. Overrides and isolates (U+202E, U+2067) are refused at receive
  // (test/security), so no record is ever made from them.
  '\u200F',
  '\u200E',
  '\u200D',
  '\u00A0',
  ' ',
  '  ',
  '\t',
  '\n',
  'a',
  'Z',
  '1',
  '-',
  '.',
  '/',
];
// XML 1.0 characters only: what a form could have sent at all (a form parser refuses the rest).
const XML_CHAR = /^[\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

const short = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }).map((p) => p.join('')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter((s) => XML_CHAR.test(s) && isCleanText(s)),
);
const long = fc
  .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 })
  .map((p) => Array.from(p.join('').repeat(10_000)).slice(0, 10_000).join(''));
/** Free text as a form field holds it: not blank (a required field), sometimes 10,000 characters long. */
const text = fc.oneof({ weight: 12, arbitrary: short }, { weight: 1, arbitrary: long }).filter((s) => s.trim() !== '');
/** An optional field: absent, an empty element, or text. */
const optional = fc.option(fc.oneof(fc.constant(''), text), { nil: undefined });

function nationalId(): fc.Arbitrary<string> {
  const mod11 = (d: number[], w: number[]) => {
    const r = 11 - (w.reduce((a, x, i) => a + x * (d[i] ?? 0), 0) % 11);
    return r === 11 ? 0 : r;
  };
  return fc
    .tuple(
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([day, month, year, individual]) => {
      const digits = [...`${pad(day, 2)}${pad(month, 2)}${pad(year, 2)}${pad(individual, 3)}`].map(Number);
      const k1 = mod11(digits, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
      const k2 = mod11([...digits, k1], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
      return k1 === 10 || k2 === 10 ? '' : `${digits.join('')}${k1}${k2}`;
    })
    .filter((fnr) => fnr !== '');
}
const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ---- form data ----

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** An element, or nothing for an absent optional field. */
const el = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${esc(value)}</${name}>`);
/** What the form parser makes of a field, and what an archive field then holds. */
const field = (value: string | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};
/** A template's rule: one line, runs of white space as one space. */
const line = (s: string) => s.replace(/\s+/g, ' ').trim();
/** A title's rule besides: no dangling separators, at most 255 characters (shortened at a word, with …). */
const title = (s: string) => finishTitle(line(s), 255);

async function submission(name: string, id: number, content: string, municipality?: string) {
  const body = await sample(name);
  return {
    ...body,
    submissionId: `${name}-${id}`,
    ...(municipality ? { municipality } : {}),
    formData: { contentType: 'application/xml', content },
  };
}

// ---- the property ----

const documents: Record<ArchiveFormat, { xml: string; input: unknown }[]> = { 'fiks-arkiv-v1': [], eformidling: [] };
let seq = 0;

async function archived(body: { submissionId: string }, input: unknown, registry?: Registry) {
  registry ??= await demoRegistry();
  const fiks = await produce(registry, body, { format: 'fiks-arkiv-v1', validate: false });
  const eformidling = await produce(registry, body, { format: 'eformidling', validate: false });
  documents['fiks-arkiv-v1'].push({ xml: fiks['arkivmelding.xml'] ?? '', input });
  documents.eformidling.push({ xml: eformidling['arkivmelding.xml'] ?? '', input });
  return { fiks, eformidling };
}

describe('hostile text in every demo form type', () => {
  it('TT-kort: names, address and contact details survive exactly; the public title never shows the name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          fnr: nationalId(),
          fornavn: text,
          etternavn: text,
          gateadresse: optional,
          poststed: optional,
          epost: optional,
          telefon: optional,
          begrunnelse: optional,
        }),
        async (f) => {
          const xml = `<melding><soker>${el('fodselsnummer', f.fnr)}${el('fornavn', f.fornavn)}${el('etternavn', f.etternavn)}<adresse>${el('gateadresse', f.gateadresse)}${el('poststed', f.poststed)}</adresse>${el('telefon', f.telefon)}${el('epost', f.epost)}</soker><behov>${el('begrunnelse', f.begrunnelse)}</behov></melding>`;
          // The applicant applies for herself: the envelope's submitter is the same person (submitterMustBe).
          const body = await submission('tt-kort-soknad', seq++, xml);
          const sent = {
            ...body,
            submitter: { ...(body as unknown as { submitter: object }).submitter, nationalId: f.fnr },
          };
          const { fiks } = await archived(sent, f);
          const doc = parseArkivmelding(fiks['arkivmelding.xml'] ?? '');
          const jp = doc.registrering;
          const navn = line(`${field(f.fornavn)} ${field(f.etternavn)}`);
          expect(jp.tittel).toBe(title(`Søknad om TT-kort – ${navn}`));
          expect(jp.offentligTittel).toBe('Søknad om TT-kort');
          expect(doc.mappe.tittel).toBe(title(`TT-kort – ${navn}`));
          // The applicant is the case's party, exactly as the form has her …
          const [part] = doc.mappe.part;
          expect(part.partNavn).toBe(navn);
          expect(part.personID.identifikator).toBe(f.fnr);
          expect(part.postadresse?.[0]).toBe(field(f.gateadresse));
          expect(part.poststed).toBe(field(f.poststed));
          expect(part.epostadresse).toBe(field(f.epost));
          expect(part.telefonnummer).toBe(field(f.telefon));
          // … and, as she submitted herself, the sender, with the form's address.
          const [ea] = jp.korrespondansepart;
          expect(ea.korrespondanseparttype.kode).toBe('EA');
          expect(ea.personid).toBe(f.fnr);
          expect(ea.postadresse?.[0]).toBe(field(f.gateadresse));
          expect(ea.poststed).toBe(field(f.poststed));
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('street light report: the work order carries the description exactly; the archive mapping holds', async () => {
    const registry = await demoRegistry();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          adresse: text,
          kategori: text,
          beskrivelse: text,
          navn: optional,
          epost: optional,
        }),
        async (f) => {
          const xml = `<melding><melder>${el('navn', f.navn)}${el('epost', f.epost)}</melder><sted>${el('adresse', f.adresse)}</sted><feil>${el('kategori', f.kategori)}${el('beskrivelse', f.beskrivelse)}</feil></melding>`;
          const body = await submission('melding-vei-gatelys', seq++, xml);
          const order = JSON.parse(
            (await produce(registry, body, { validate: false }))['halden-driftsordre.json'] ?? '',
          );
          expect(order.beskrivelse).toBe(field(f.beskrivelse));
          expect(order.kategori).toBe(field(f.kategori));
          expect(order.sted.adresse).toBe(field(f.adresse));
          expect(order.melder?.navn).toBe(field(f.navn));
          expect(order.melder?.epost).toBe(field(f.epost));

          // Routed to an archive too (as a municipality could configure it): the record holds the same text.
          const { fiks } = await archived(body, f, archiving(registry));
          const jp = parseArkivmelding(fiks['arkivmelding.xml'] ?? '').registrering;
          expect(jp.tittel).toBe(title(`Melding om feil på ${field(f.kategori)} – ${field(f.adresse)}`));
          expect(jp.korrespondansepart[0].korrespondansepartNavn).toBe(field(f.navn) ?? 'Kari Nordmann');
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('building application: the applicant and the measure survive; the property decides the folder', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kommune: fc.constantFrom('5037', '5038'),
          gnr: fc.integer({ min: 1, max: 9999 }),
          bnr: fc.integer({ min: 1, max: 9999 }),
          fnr: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
          zeros: fc.boolean(),
          adresse: optional,
          navn: text,
          tiltakshaverFnr: fc.option(nationalId(), { nil: undefined }),
          type: text,
          beskrivelse: text,
        }),
        async (f) => {
          const gnr = f.zeros ? pad(f.gnr, 5) : String(f.gnr);
          const xml = `<melding><eiendom>${el('kommunenummer', f.kommune)}${el('gardsnummer', gnr)}${el('bruksnummer', String(f.bnr))}${el('festenummer', f.fnr === undefined ? undefined : String(f.fnr))}${el('adresse', f.adresse)}</eiendom><tiltakshaver>${el('fodselsnummer', f.tiltakshaverFnr)}${el('navn', f.navn)}</tiltakshaver><tiltak>${el('type', f.type)}${el('beskrivelse', f.beskrivelse)}</tiltak></melding>`;
          const body = await submission('soknad-tiltak-uten-ansvarsrett', seq++, xml, f.kommune);
          const { fiks, eformidling } = await archived(body, f);
          const doc = parseArkivmelding(fiks['arkivmelding.xml'] ?? '');
          const jp = doc.registrering;
          // The title is made of controlled values (measure type, gnr/bnr normalised, address); the free text is
          // the beskrivelse.
          const property = `${f.gnr}/${f.bnr}${f.fnr ? `/${f.fnr}` : ''}`;
          expect(jp.tittel).toBe(
            title(`Søknad om tiltak uten ansvarsrett – ${field(f.type)} – ${property} – ${field(f.adresse) ?? ''}`),
          );
          expect(jp.beskrivelse).toBe(field(f.beskrivelse));
          expect(doc.mappe.part[0].partNavn).toBe(field(f.navn));
          expect(doc.mappe.part[0].personID?.identifikator).toBe(f.tiltakshaverFnr);
          const gbnr = `${f.kommune}-${property}`;
          expect(doc.mappe.klassifikasjon[0]).toMatchObject({ klassifikasjonssystemID: 'GBNR', klasseID: gbnr });
          // One case per application: its own folder, found again by the GBNR class.
          const key = doc.mappe.referanseEksternNoekkel.noekkel;
          expect(key).toBe(`soknad-tiltak-uten-ansvarsrett/${jp.referanseEksternNoekkel.noekkel}`);
          expect(doc.mappe.matrikkelnummer[0].gardsnummer).toBe(String(f.gnr));
          const efMappe = parseArkivmelding(eformidling['arkivmelding.xml'] ?? '').mappe;
          expect(efMappe.virksomhetsspesifikkeMetadata.referanseEksternNoekkel.noekkel).toBe(key);

          const registry = await demoRegistry();
          const payload = parseXml(
            (
              await produce(registry, body, {
                archiveReferences: { saksnummer: '2026/1', journalpostnummer: '1' },
                validate: false,
              })
            )['innherred-byggesak.xml'] ?? '',
          ).byggesak;
          expect(payload.tiltak.beskrivelse).toBe(field(f.beskrivelse));
          expect(payload.tiltakshaver.navn).toBe(field(f.navn));
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('A-skjema: the employee’s name stays out of the public title; payroll and IT get the text exactly', async () => {
    const registry = await demoRegistry();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          fnr: nationalId(),
          fornavn: text,
          etternavn: text,
          tittel: text,
          enhet: optional,
          leder: text,
          tilganger: fc.array(text, { maxLength: 3 }),
        }),
        async (f) => {
          const xml = `<melding><ansatt>${el('fodselsnummer', f.fnr)}${el('fornavn', f.fornavn)}${el('etternavn', f.etternavn)}</ansatt><stilling>${el('tittel', f.tittel)}${el('enhet', f.enhet)}<startdato>2027-01-04</startdato></stilling><godkjenning>${el('leder', f.leder)}</godkjenning><tilganger>${f.tilganger.map((t) => el('tilgang', t)).join('')}</tilganger></melding>`;
          const body = await submission('a-skjema-tilsetting', seq++, xml);
          const { fiks } = await archived(body, f);
          const jp = parseArkivmelding(fiks['arkivmelding.xml'] ?? '').registrering;
          const navn = line(`${field(f.fornavn)} ${field(f.etternavn)}`);
          expect(jp.tittel).toBe(title(`A-skjema tilsetting – ${navn} – ${field(f.tittel)}`));
          expect(jp.offentligTittel).toBe(title(`A-skjema tilsetting – ${field(f.tittel)}`));
          expect(jp.korrespondansepart[0].korrespondansepartNavn).toBe(field(f.leder));
          expect(jp.korrespondansepart[0].administrativEnhet?.navn).toBe(field(f.enhet));

          const files = await produce(registry, body, { validate: false });
          const lonn = JSON.parse(files['halden-lonn.json'] ?? '');
          expect(lonn.ansatt).toMatchObject({ fornavn: field(f.fornavn), etternavn: field(f.etternavn) });
          const it = JSON.parse(files['halden-it-tilgang.json'] ?? '');
          expect(it.tilganger ?? []).toEqual(f.tilganger.map(field).filter((t) => t !== undefined));
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('every record generated above validates against the official XSD of both formats', async () => {
    for (const format of ['fiks-arkiv-v1', 'eformidling'] as const) {
      const generated = documents[format];
      expect(generated.length).toBeGreaterThanOrEqual(4 * RUNS);
      const results = await validateArkivmeldinger(
        format,
        generated.map((d) => d.xml),
      );
      const failed = results.findIndex((r) => !r.valid);
      if (failed >= 0) {
        throw new Error(
          `${format}: record ${failed} is invalid: ${JSON.stringify(results[failed]?.errors)}\ninput: ${JSON.stringify(generated[failed]?.input)}`,
        );
      }
    }
  }, 120_000);
});

/** The demo configuration with the street light report also routed to the archive, as a municipality could. */
function archiving(registry: Registry): Registry {
  const deployments = registry.config.deployments.map((d) => ({
    ...d,
    formTypes: d.formTypes.map(
      (ft): FormType =>
        ft.id === 'melding-vei-gatelys'
          ? {
              ...ft,
              deliveries: [...ft.deliveries, { target: 'halden-arkiv' }],
              archive: { journalposttype: 'I', arkivdel: 'Driftsmeldinger' },
            }
          : ft,
    ),
  }));
  routed ??= buildRegistry({ deployments });
  return routed;
}
let routed: Registry | undefined;
