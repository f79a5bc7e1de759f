import { describe, expect, it } from 'vitest';
import { isValidNationalId, isValidOrganisationNumber, maskNationalId } from '../../shared/submission/identifiers.ts';

describe('fødselsnummer and organisasjonsnummer (mod 11)', () => {
  it('accepts the sample fødselsnummer and rejects a wrong control digit', () => {
    for (const fnr of ['12035440095', '01118740080', '29029240181']) expect(isValidNationalId(fnr)).toBe(true);
    expect(isValidNationalId('12035440096')).toBe(false);
    expect(isValidNationalId('1203544009')).toBe(false);
    expect(isValidNationalId('1203544009a')).toBe(false);
  });

  it('accepts a D-number (first digit + 4) and rejects impossible dates', () => {
    // 41018012345-style D-numbers: day 01 + 40; control digits computed for this one.
    const dNumber = withControlDigits('410180123');
    expect(isValidNationalId(dNumber)).toBe(true);
    expect(isValidNationalId(withControlDigits('321380123'))).toBe(false); // month 13
  });

  it('checks organisasjonsnummer', () => {
    expect(isValidOrganisationNumber('959159092')).toBe(true);
    expect(isValidOrganisationNumber('940000017')).toBe(true);
    expect(isValidOrganisationNumber('959159093')).toBe(false);
  });

  it('masks all but the birth date', () => {
    expect(maskNationalId('12035440095')).toBe('120354*****');
  });
});

function withControlDigits(nine: string): string {
  const d = [...nine].map(Number);
  const k = (w: number[], digits: number[]) => {
    const r = 11 - (w.reduce((s, x, i) => s + x * (digits[i] ?? 0), 0) % 11);
    return r === 11 ? 0 : r;
  };
  const k1 = k([3, 7, 6, 1, 8, 9, 4, 5, 2], d);
  const k2 = k([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], [...d, k1]);
  if (k1 === 10 || k2 === 10) return withControlDigits(String(Number(nine) + 1).padStart(9, '0'));
  return `${nine}${k1}${k2}`;
}
