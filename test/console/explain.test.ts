import { beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../shared/admin/explain.ts';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { FormType } from '../../shared/config/types.ts';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { toFiksArkivV1Xml } from '../../shared/noark/fiks-arkiv-v1.ts';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';
import { nameWords, searchTerms } from '../../shared/store/search-terms.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import type { StoredDocument, SubmissionEnvelope } from '../../shared/submission/types.ts';
import { sample } from '../support/hub.ts';

/** Errors as staff meet them, explained in the form's terms; XSD errors come from the real validator. */

let ttKort: FormType;
let arkivmelding: string;
const archive = { kind: 'archive' as const, name: 'Halden sak/arkiv' };

beforeAll(async () => {
  const registry = buildRegistry(await loadHubConfig('config'));
  ttKort = registry.formType('3101', 'tt-kort-soknad') as FormType;
  const { attachments = [], ...envelope } = (await sample('tt-kort-soknad')) as unknown as SubmissionEnvelope;
  const documents: StoredDocument[] = attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    role: a.role,
    title: a.title ?? a.filename,
    key: `submissions/x/documents/${a.filename}`,
    size: 1,
    sha256: '0',
  }));
  const input = {
    trackingId: '6f1c7c1e-0000-4000-8000-000000000001',
    receivedAt: '2026-11-24T09:15:00.000Z',
    envelope,
    formData: parseFormData(envelope.formData.contentType, envelope.formData.content).data,
  };
  arkivmelding = toFiksArkivV1Xml((await mapToArchive(ttKort, input, documents)).arkivmelding);
});

/** The produced arkivmelding with a change, checked against the XSD as the archive delivery does. */
async function xsdFailure(change: (xml: string) => string): Promise<{ raw: string; xml: string }> {
  const xml = change(arkivmelding);
  expect(xml).not.toBe(arkivmelding);
  const result = await validateFiksArkivV1(xml);
  expect(result.valid).toBe(false);
  // The same words shared/delivery/archive-delivery.ts stores.
  const first = result.errors.slice(0, 3).map((e) => `${e.line ? `linje ${e.line}: ` : ''}${e.message}`);
  return { raw: `Arkivmeldingen er ikke gyldig etter XSD: ${first.join('; ')}`, xml };
}

describe('explaining a failed delivery', () => {
  it('turns the archive’s ugyldigforespoersel into the missing field, in the form’s terms', () => {
    const e = explainFailure({
      raw: 'Arkivet avviste arkivmeldingen (ugyldigforespoersel: Mottakers postnummer mangler på korrespondansepart).',
      formType: ttKort,
      target: archive,
    });
    expect(e).toMatchObject({
      kind: 'archive-rejected',
      summary: 'Mottakers postnummer mangler',
      field: {
        label: 'postnummer',
        element: 'registrering/korrespondansepart/postnummer',
        formFields: ['soker.adresse.postnummer'],
      },
      targetMessage: 'Mottakers postnummer mangler på korrespondansepart',
      targetErrorType: 'ugyldigforespoersel',
      retryHelps: false,
    });
  });

  it('reads an error inside a receipt (registreringFeilet) too, and names the sender when the archive does not', () => {
    const e = explainFailure({
      raw: 'Arkivet avviste arkivmeldingen (registreringFeilet): Fødselsnummer er ugyldig',
      formType: ttKort,
      target: archive,
    });
    expect(e.summary).toBe('Avsenders fødselsnummer er ugyldig');
    expect(e.field?.formFields).toEqual(['soker.fodselsnummer']);
    expect(e.targetErrorType).toBe('registreringFeilet');
  });

  it('places an XSD error in the arkivmelding and in the form: a missing sender name', async () => {
    const { raw, xml } = await xsdFailure((x) =>
      x.replace(/\s*<korrespondansepartNavn>[^<]*<\/korrespondansepartNavn>/, ''),
    );
    const e = explainFailure({ raw, formType: ttKort, target: archive, producedXml: xml });
    expect(e.kind).toBe('xsd');
    expect(e.summary).toBe('Avsenders navn mangler');
    expect(e.field?.element).toBe('registrering/korrespondansepart/korrespondansepartNavn');
    expect(e.field?.formFields).toEqual(['soker.fornavn', 'soker.etternavn']);
    expect(e.targetMessage).toContain('korrespondansepartNavn');
  });

  it('tells the case folder’s title from the record’s by where the XSD error points', async () => {
    const { raw, xml } = await xsdFailure((x) => x.replace(/(<mappe[^>]*>\s*<tittel>)[^<]*/, '$1'));
    const e = explainFailure({ raw, formType: ttKort, target: archive, producedXml: xml });
    expect(e.summary).toBe('Sakens tittel mangler');
    expect(e.field?.element).toBe('mappe/tittel');
    expect(e.field?.formFields).toEqual(['soker.fornavn', 'soker.etternavn']);
  });

  it('explains an emptied mapping field, an outage, a refused login and an unknown error', () => {
    const emptied = explainFailure({
      raw: 'Arkivfeltet korrespondansepartNavn ble tomt for denne innsendingen.',
      formType: ttKort,
      target: archive,
    });
    expect(emptied).toMatchObject({ kind: 'mapping', summary: 'Avsenders navn mangler' });
    expect(explainFailure({ raw: 'Arkivet er ikke tilgjengelig (HTTP 503).', target: archive })).toMatchObject({
      kind: 'unavailable',
      summary: 'Arkivet var ikke tilgjengelig',
      retryHelps: true,
    });
    expect(
      explainFailure({ raw: 'Kunne ikke nå mottakeren (ECONNREFUSED).', target: { kind: 'fagsystem', name: 'Lønn' } })
        .summary,
    ).toBe('Fagsystemet var ikke tilgjengelig');
    expect(explainFailure({ raw: 'Arkivet avviste påloggingen (HTTP 401). Sjekk nøkkelen for målet.' }).kind).toBe(
      'auth',
    );
    expect(explainFailure({ raw: 'Fagsystemet avviste leveransen (HTTP 422: felt mangler).' })).toMatchObject({
      kind: 'system-rejected',
      targetMessage: 'felt mangler',
    });
    expect(
      explainFailure({
        raw:
          'Mottakeren svarte med en omdirigering (HTTP 307) til http://127.0.0.1:4000, som huben ikke følger. ' +
          'Sjekk adressen i konfigurasjonen for målet.',
        target: { kind: 'archive', name: 'Arkivet' },
      }),
    ).toMatchObject({
      kind: 'configuration',
      summary: 'Arkivet viste videre til http://127.0.0.1:4000 (HTTP 307); Skjemaflyt sendte ingenting dit',
      retryHelps: true,
    });
    expect(explainFailure({ raw: 'Noe helt annet' })).toMatchObject({ kind: 'unknown', raw: 'Noe helt annet' });
  });
});

describe('search terms', () => {
  it('splits names on spaces and hyphens, lower case in one Unicode form', () => {
    expect(nameWords('Åse Marie Østby-Lærum')).toEqual(['åse', 'marie', 'østby', 'lærum']);
    expect(nameWords('A\u030Ase  SÆTHER')).toEqual(['åse', 'sæther']);
  });

  it('stores the submissionId first, then the name words, without repeats', () => {
    expect(searchTerms('Ola Ola Nordmann', 'KF-2026-1')).toEqual(['kf-2026-1', 'ola', 'nordmann']);
  });
});
