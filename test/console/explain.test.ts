import { beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../shared/admin/explain.ts';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { FormType } from '../../shared/config/types.ts';
import { DeliveryFailure, FAILURE_CODES, fail, type StoredFailure, toFailure } from '../../shared/delivery/failures.ts';
import { MappingError } from '../../shared/mapping/errors.ts';
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
async function xsdFailure(change: (xml: string) => string): Promise<{ failure: StoredFailure; xml: string }> {
  const xml = change(arkivmelding);
  expect(xml).not.toBe(arkivmelding);
  const result = await validateFiksArkivV1(xml);
  expect(result.valid).toBe(false);
  // The failure shared/delivery/archive-delivery.ts stores.
  const errors = result.errors.slice(0, 3).map((e) => ({ ...(e.line ? { line: e.line } : {}), message: e.message }));
  return {
    failure: new DeliveryFailure('xsd-invalid', 'ugyldig', { format: 'fiks-arkiv-v1', errors }).toStored(),
    xml,
  };
}

describe('explaining a failed delivery', () => {
  it('turns the archive’s ugyldigforespoersel into the missing field, in the form’s terms', () => {
    const e = explainFailure({
      failure: fail
        .rejected('archive', 'Arkivet avviste arkivmeldingen (ugyldigforespoersel).', {
          errorType: 'ugyldigforespoersel',
          targetMessage: 'Mottakers postnummer mangler på korrespondansepart',
          status: 400,
        })
        .toStored(),
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
      failure: fail
        .rejected('archive', 'Arkivet avviste arkivmeldingen (registreringFeilet).', {
          errorType: 'registreringFeilet',
          targetMessage: 'Fødselsnummer er ugyldig',
        })
        .toStored(),
      formType: ttKort,
      target: archive,
    });
    expect(e.summary).toBe('Avsenders fødselsnummer er ugyldig');
    expect(e.field?.formFields).toEqual(['soker.fodselsnummer']);
    expect(e.targetErrorType).toBe('registreringFeilet');
  });

  it('places an XSD error in the arkivmelding and in the form: a missing sender name', async () => {
    const { failure, xml } = await xsdFailure((x) =>
      x.replace(/\s*<korrespondansepartNavn>[^<]*<\/korrespondansepartNavn>/, ''),
    );
    const e = explainFailure({ failure, formType: ttKort, target: archive, producedXml: xml });
    expect(e.kind).toBe('xsd');
    expect(e.summary).toBe('Avsenders navn mangler');
    expect(e.field?.element).toBe('registrering/korrespondansepart/korrespondansepartNavn');
    expect(e.field?.formFields).toEqual(['soker.fornavn', 'soker.etternavn']);
    expect(e.targetMessage).toContain('korrespondansepartNavn');
  });

  it('tells the case folder’s title from the record’s by where the XSD error points', async () => {
    const { failure, xml } = await xsdFailure((x) => x.replace(/(<mappe[^>]*>\s*<tittel>)[^<]*/, '$1'));
    const e = explainFailure({ failure, formType: ttKort, target: archive, producedXml: xml });
    expect(e.summary).toBe('Sakens tittel mangler');
    expect(e.field?.element).toBe('mappe/tittel');
    expect(e.field?.formFields).toEqual(['soker.fornavn', 'soker.etternavn']);
  });

  it('explains an emptied mapping field, an outage, a refused login and a system’s refusal', () => {
    const emptied = explainFailure({
      failure: toFailure(
        new MappingError({
          formType: 'tt-kort-soknad',
          field: '/archive/korrespondansepart/0/navn',
          label: 'Avsenderens navn',
          problem: 'ble tomt',
          rule: '{soker.fornavn} {soker.etternavn}',
          formFields: ['soker.fornavn', 'soker.etternavn'],
        }),
      ),
      formType: ttKort,
      target: archive,
    });
    expect(emptied).toMatchObject({ kind: 'mapping', summary: 'Avsenderens navn ble tomt', retryHelps: false });
    expect(emptied.field?.element).toBe('registrering/korrespondansepart/korrespondansepartNavn');
    const outage = fail.unavailable('archive', 'Arkivet er ikke tilgjengelig (HTTP 503).', {
      reason: 'status',
      status: 503,
    });
    expect(explainFailure({ failure: outage.toStored(), target: archive })).toMatchObject({
      kind: 'unavailable',
      summary: 'Arkivet var ikke tilgjengelig',
      retryHelps: true,
    });
    const refused = fail.unavailable('fagsystem', 'Kunne ikke nå mottakeren (ECONNREFUSED).', { reason: 'network' });
    expect(explainFailure({ failure: refused.toStored() }).summary).toBe('Fagsystemet var ikke tilgjengelig');
    expect(explainFailure({ failure: fail.authRefused('archive', 401).toStored() }).kind).toBe('auth');
    const system = fail.rejected('fagsystem', 'Fagsystemet avviste leveransen (HTTP 422).', {
      errorType: 'HTTP 422',
      targetMessage: 'felt mangler',
    });
    expect(explainFailure({ failure: system.toStored() })).toMatchObject({
      kind: 'system-rejected',
      targetMessage: 'felt mangler',
      retryHelps: false,
    });
  });
});

/** One failure of every code, as the adapters raise them. */
const EVERY_CODE: Record<(typeof FAILURE_CODES)[number], { failure: StoredFailure; retryHelps: boolean }> = {
  'mapping-failed': {
    failure: toFailure(
      new MappingError({ formType: 'x', field: '/archive/tittel', label: 'Tittelen', problem: 'ble tom' }),
    ),
    retryHelps: false,
  },
  'record-format': {
    failure: new DeliveryFailure('record-format', 'x', { format: 'eformidling', reason: 'for mange' }).toStored(),
    retryHelps: true,
  },
  'xsd-invalid': {
    failure: new DeliveryFailure('xsd-invalid', 'x', {
      format: 'fiks-arkiv-v1',
      errors: [{ message: 'feil' }],
    }).toStored(),
    retryHelps: false,
  },
  'target-rejected': {
    failure: fail
      .rejected('archive', 'x', { errorType: 'ugyldigforespoersel', targetMessage: 'Tittel mangler' })
      .toStored(),
    retryHelps: false,
  },
  'target-server-error': {
    failure: fail
      .serverError('archive', 'x', { errorType: 'serverfeil', targetMessage: 'Databasen er nede' })
      .toStored(),
    retryHelps: true,
  },
  'target-unavailable': {
    failure: fail.unavailable('archive', 'x', { reason: 'timeout' }).toStored(),
    retryHelps: true,
  },
  'target-redirected': {
    failure: new DeliveryFailure('target-redirected', 'x', { targetKind: 'archive', status: 307 }).toStored(),
    retryHelps: true,
  },
  'auth-refused': { failure: fail.authRefused('fagsystem', 403).toStored(), retryHelps: true },
  'configuration-missing': { failure: fail.configuration('secret', 'ARKIV_TOKEN', 'x').toStored(), retryHelps: true },
  'receipt-overdue': {
    failure: new DeliveryFailure('receipt-overdue', 'x', {}).toStored(),
    retryHelps: true,
  },
  internal: { failure: toFailure(new TypeError('x is undefined')), retryHelps: true },
};

describe('a redirect', () => {
  it('says where the target pointed and that nothing was sent there', () => {
    const failure = new DeliveryFailure('target-redirected', 'x', {
      targetKind: 'archive',
      status: 307,
      location: 'http://127.0.0.1:4000',
    }).toStored();
    expect(explainFailure({ failure, target: { kind: 'archive', name: 'Arkivet' } })).toMatchObject({
      kind: 'redirected',
      summary: 'Arkivet viste videre til http://127.0.0.1:4000 (HTTP 307); Skjemaflyt sendte ingenting dit',
      retryHelps: true,
    });
  });
});

describe('every failure code', () => {
  it.each(FAILURE_CODES)('%s has a Norwegian explanation with advice and the right "retrying helps"', (code) => {
    const { failure, retryHelps } = EVERY_CODE[code];
    expect(failure.code).toBe(code);
    const e = explainFailure({ failure, formType: ttKort, target: archive });
    expect(e.code).toBe(code);
    expect(e.retryHelps).toBe(retryHelps);
    expect(e.summary.length).toBeGreaterThan(10);
    // Norwegian words, not the code or English.
    expect(e.advice).toMatch(/[æøå]|igjen|Be /);
    expect(e.summary).not.toContain(code);
  });

  it('keeps the archive’s own words visible', () => {
    const e = explainFailure({ failure: EVERY_CODE['target-server-error'].failure, target: archive });
    expect(e.targetMessage).toBe('Databasen er nede');
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
