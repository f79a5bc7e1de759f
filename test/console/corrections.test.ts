import { describe, expect, it } from 'vitest';
import { fieldPaths, fieldsInRule, shownValue, valuesOf } from '../../shared/admin/corrections.ts';
import { documentHeaders } from '../../shared/admin/documents.ts';
import { firstFailedAt } from '../../shared/admin/failures.ts';
import { applyCorrections, type Correction, isFieldPath, scalarAt } from '../../shared/delivery/corrections.ts';
import { reversedTerm, searchTerms } from '../../shared/store/search-terms.ts';

const correction = (changes: Correction['changes']): Correction => ({
  at: '2026-11-30T00:00:00.000Z',
  by: 'Kari Arkivar',
  reason: 'Fra vedlegget',
  deliveryId: 'x.halden-arkiv',
  changes,
});

const data = {
  soker: { adresse: { postnummer: '0000', poststed: 'Halden' }, fodselsnummer: '12035440095' },
  behov: { hjelpemidler: ['rullator', 'rullestol'] },
  stilling: { stillingsprosent: '80 %' },
};

describe('corrections kept beside a submission', () => {
  it('apply in order to a copy: the form data as received is never changed', () => {
    const before = structuredClone(data);
    const corrected = applyCorrections(data, [
      correction([{ field: 'soker.adresse.postnummer', from: '0000', to: '1767' }]),
      correction([
        { field: 'soker.adresse.postnummer', from: '1767', to: '1768' },
        { field: 'soker.telefon', from: null, to: '+47 900 00 000' },
      ]),
    ]);
    expect(corrected.soker).toEqual({
      adresse: { postnummer: '1768', poststed: 'Halden' },
      fodselsnummer: '12035440095',
      telefon: '+47 900 00 000',
    });
    expect(data).toEqual(before);
  });

  it('keep a JSON field’s type: a number corrected to a number stays one, anything else stays the text written', () => {
    const json = { eiendom: { bruksnummer: 72, gardsnummer: 314 }, dispensasjon: false, prosent: 80 };
    const corrected = applyCorrections(json, [
      correction([
        { field: 'eiendom.bruksnummer', from: '72', to: '27' },
        { field: 'eiendom.gardsnummer', from: '314', to: '31 4' },
        { field: 'dispensasjon', from: 'false', to: 'true' },
        { field: 'prosent', from: '80', to: '62,5' },
      ]),
    ]);
    expect(corrected).toEqual({
      eiendom: { bruksnummer: 27, gardsnummer: '31 4' },
      dispensasjon: true,
      prosent: '62,5',
    });
  });

  it('never replace a group or a list, never step into a value, never reach a prototype', () => {
    const corrected = applyCorrections(data, [
      correction([
        { field: 'soker.adresse', from: null, to: 'x' },
        { field: 'behov.hjelpemidler', from: null, to: 'x' },
        { field: 'stilling.stillingsprosent.tall', from: null, to: '80' },
        { field: '__proto__.polluted', from: null, to: 'yes' },
        { field: 'constructor.prototype.polluted', from: null, to: 'yes' },
      ]),
    ]);
    expect(corrected).toEqual(data);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(isFieldPath('soker.adresse.postnummer')).toBe(true);
    expect(isFieldPath('ansatt.fødselsdato')).toBe(true);
    for (const bad of ['', 'a..b', 'a.__proto__', 'a[0]', 'a b', '.a']) expect(isFieldPath(bad)).toBe(false);
  });

  it('read single values only; show a fødselsnummer masked', () => {
    expect(scalarAt(data, 'soker.adresse.postnummer')).toEqual({ found: true, value: '0000' });
    expect(scalarAt(data, 'soker.adresse')).toEqual({ found: false, value: null });
    expect(scalarAt(data, 'soker.mangler')).toEqual({ found: false, value: null });
    expect(valuesOf(['soker.fodselsnummer', 'soker.adresse', 'stilling.stillingsprosent'], data)).toEqual([
      { field: 'soker.fodselsnummer', value: '120354*****' },
      { field: 'stilling.stillingsprosent', value: '80 %' },
    ]);
    expect(shownValue(null)).toBeNull();
    expect(fieldPaths(data)).toEqual([
      'soker.adresse.postnummer',
      'soker.adresse.poststed',
      'soker.fodselsnummer',
      'stilling.stillingsprosent',
    ]);
  });

  it('find the form fields a JSONata rule reads (not its functions)', () => {
    expect(fieldsInRule("{% $number($replace(stilling.stillingsprosent, ',', '.')) %}", data)).toEqual([
      'stilling.stillingsprosent',
    ]);
    expect(fieldsInRule('{% $count(behov.hjelpemidler) %}', data)).toEqual([]);
    expect(fieldsInRule(undefined, data)).toEqual([]);
  });
});

describe('documents as served', () => {
  it('are named for saving (UTF-8 too), never sniffed or cached, and sandboxed', () => {
    const headers = documentHeaders({
      filename: 'Søknad "endelig".pdf',
      contentType: 'application/pdf',
      inline: true,
      body: new Uint8Array(),
    });
    expect(headers['content-disposition']).toBe(
      `inline; filename="S_knad _endelig_.pdf"; filename*=UTF-8''S%C3%B8knad%20%22endelig%22.pdf`,
    );
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    const text = documentHeaders({
      filename: 'a.txt',
      contentType: 'text/plain',
      inline: false,
      body: new Uint8Array(),
    });
    expect(text['content-disposition']).toMatch(/^attachment;/);
    expect(text['content-type']).toBe('text/plain; charset=utf-8');
  });
});

describe('search terms and failure times', () => {
  it('store both ids backwards, so the end of an id is found', () => {
    const terms = searchTerms('Ola Nordmann', 'KF-2026-17', '6f1c7c1e-0000-4000-8000-00000000426d');
    expect(terms).toEqual(['kf-2026-17', '~71-6202-fk', '~d62400000000-0008-0004-0000-e1c7c1f6', 'ola', 'nordmann']);
    expect(reversedTerm('426D').startsWith('~d624')).toBe(true);
    // Without a trackingId, as before.
    expect(searchTerms('Ola', 'KF-1')).toEqual(['kf-1', 'ola']);
  });

  it('a failure is dated from its first failed attempt since a person last sent it', () => {
    const at = (m: number) => `2026-11-30T00:0${m}:00.000Z`;
    const history = [
      { at: at(0), status: 'QUEUED' as const, detail: '' },
      { at: at(1), status: 'RETRYING' as const, detail: '' },
      { at: at(2), status: 'FAILED' as const, detail: '' },
    ];
    expect(firstFailedAt({ history, updatedAt: at(2) })).toBe(at(1));
    const again = [
      ...history,
      { at: at(3), status: 'QUEUED' as const, detail: '', by: 'Kari' },
      { at: at(4), status: 'FAILED' as const, detail: '' },
    ];
    expect(firstFailedAt({ history: again, updatedAt: at(4) })).toBe(at(4));
  });
});
