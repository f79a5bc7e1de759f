/** Norwegian identifiers with their mod-11 control digits. */

function mod11(digits: number[], weights: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const rest = 11 - (sum % 11);
  if (rest === 11) return 0;
  return rest === 10 ? undefined : rest;
}

/**
 * What an 11-digit number with valid control digits is: a fødselsnummer, a D-number (day + 40), or a synthetic
 * test person: Skatteetaten's Tenor (month + 80) or NAV's Dolly (month + 40), which every Norwegian test
 * environment uses and production must never see. Undefined when it is none of them.
 */
export type NationalIdKind = 'fodselsnummer' | 'd-nummer' | 'tenor' | 'dolly';

export function nationalIdKind(value: string): NationalIdKind | undefined {
  if (!/^\d{11}$/.test(value)) return undefined;
  const d = [...value].map(Number);
  const day = (d[0] ?? 0) * 10 + (d[1] ?? 0);
  const month = (d[2] ?? 0) * 10 + (d[3] ?? 0);
  const realDay = day > 40 ? day - 40 : day; // D-number
  const synthetic = month > 80 ? 'tenor' : month > 40 ? 'dolly' : undefined;
  const realMonth = synthetic === 'tenor' ? month - 80 : synthetic === 'dolly' ? month - 40 : month;
  if (realDay < 1 || realDay > 31 || realMonth < 1 || realMonth > 12) return undefined;
  const k1 = mod11(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  const k2 = mod11(d, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  if (k1 !== d[9] || k2 !== d[10]) return undefined;
  return synthetic ?? (day > 40 ? 'd-nummer' : 'fodselsnummer');
}

/** Fødselsnummer or D-number (first digit + 4): 11 digits, a plausible date, two control digits. */
export function isValidNationalId(value: string, options: { synthetic?: boolean } = {}): boolean {
  const kind = nationalIdKind(value);
  return kind !== undefined && (options.synthetic === true || !isSynthetic(kind));
}

export function isSynthetic(kind: NationalIdKind | undefined): boolean {
  return kind === 'tenor' || kind === 'dolly';
}

/** Why a number is refused: its control digits, or a synthetic person outside a test environment. */
export type NationalIdProblem =
  | { code: 'control-digits' }
  | { code: 'synthetic-person'; register: 'Tenor' | 'Dolly'; says: string };

export function nationalIdProblem(value: string, options: { synthetic?: boolean } = {}): NationalIdProblem | undefined {
  const kind = nationalIdKind(value);
  if (kind === undefined) return { code: 'control-digits' };
  if (isSynthetic(kind) && options.synthetic !== true) {
    const register = kind === 'tenor' ? 'Tenor' : 'Dolly';
    // Never the number: a message names the field.
    return {
      code: 'synthetic-person',
      register,
      says: `er en syntetisk testperson (${register}), og slike tas bare imot i et testmiljø: dette er produksjon`,
    };
  }
  return undefined;
}

export function isValidOrganisationNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const d = [...value].map(Number);
  return mod11(d, [3, 2, 7, 6, 5, 4, 3, 2]) === d[8];
}

/** For logs and the console: never the whole number. */
export function maskNationalId(value: string): string {
  return value.length === 11 ? `${value.slice(0, 6)}*****` : '***********';
}
