import { describe, expect, it } from 'vitest';
import { compileTemplate, compileValue } from '../../shared/mapping/values.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';

const form = parseFormData(
  'application/xml',
  `<melding><soker><fornavn>Åse Marie</fornavn><etternavn>Østby-Lærum</etternavn><postnummer>0150</postnummer></soker>
   <sted><koordinater system="EPSG:25832"><nord>6556712.4</nord></koordinater></sted>
   <tilganger><tilgang>Gerica</tilgang><tilgang>e-post</tilgang></tilganger></melding>`,
).data;

describe('mapping values', () => {
  it('reads paths, keeping leading zeros as text', () => {
    expect(compileValue('soker.postnummer')(form)).toBe('0150');
  });

  it('fills templates with Norwegian text intact', () => {
    expect(compileValue('Søknad om TT-kort - {soker.fornavn} {soker.etternavn}')(form)).toBe(
      'Søknad om TT-kort - Åse Marie Østby-Lærum',
    );
  });

  it('keeps the raw value of a whole placeholder (repeated elements stay a list) and reads attributes', () => {
    expect(compileTemplate('{tilganger.tilgang}')(form)).toEqual(['Gerica', 'e-post']);
    expect(compileTemplate('{sted.koordinater.@system}')(form)).toBe('EPSG:25832');
    expect(compileTemplate('{sted.koordinater.nord}')(form)).toBe('6556712.4');
  });

  it('treats =text as a literal and rejects broken templates', () => {
    expect(compileValue('=Søknad om TT-kort')(form)).toBe('Søknad om TT-kort');
    expect(() => compileValue('Søknad {soker.fornavn')).toThrow(/unbalanced/);
    expect(() => compileValue('soker..fornavn')).toThrow(/not a valid path/);
  });
});
