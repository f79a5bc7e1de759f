/** Norwegian identifiers with their mod-11 control digits. */

function mod11(digits: number[], weights: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const rest = 11 - (sum % 11);
  if (rest === 11) return 0;
  return rest === 10 ? undefined : rest;
}

/** Fødselsnummer or D-number (first digit + 4): 11 digits, a plausible date, two control digits. */
export function isValidNationalId(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const d = [...value].map(Number);
  const day = (d[0] ?? 0) * 10 + (d[1] ?? 0);
  const month = (d[2] ?? 0) * 10 + (d[3] ?? 0);
  const realDay = day > 40 ? day - 40 : day; // D-number
  if (realDay < 1 || realDay > 31 || month < 1 || month > 12) return false;
  const k1 = mod11(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  const k2 = mod11(d, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  return k1 === d[9] && k2 === d[10];
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
