/**
 * Norway's kommunenummer as of 1 January 2024 (357 municipalities; SSB's classification 131). A
 * municipality in the hub's configuration is always known too, so a later reform only needs the
 * configuration, not this list.
 */
const BY_COUNTY: Record<string, string> = {
  '03': '01',
  '11': '01 03 06 08 11 12 14 19 20 21 22 24 27 30 33 34 35 44 45 46 49 51 60',
  '15': '05 06 08 11 14 15 16 17 20 25 28 31 32 35 39 47 54 57 60 63 66 73 76 77 78 79 80',
  '18': '04 06 11 12 13 15 16 18 20 22 24 25 26 27 28 32 33 34 35 36 37 38 39 40 41 45 48 51 53 56 57 59 60 65 66 67 68 70 71 74 75',
  '31': '01 03 05 07 10 12 14 16 18 20 22 24',
  '32': '01 03 05 07 09 12 14 16 18 20 22 24 26 28 30 32 34 36 38 40 42',
  '33': '01 03 05 10 12 14 16 18 20 22 24 26 28 30 32 34 36 38',
  '34': '01 03 05 07 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 46 47 48 49 50 51 52 53 54',
  '39': '01 03 05 07 09 11',
  '40': '01 03 05 10 12 14 16 18 20 22 24 26 28 30 32 34 36',
  '42': '01 02 03 04 05 06 07 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28',
  '46': '01 02 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51',
  '50': '01 06 07 14 20 21 22 25 26 27 28 29 31 32 33 34 35 36 37 38 41 42 43 44 45 46 47 49 52 53 54 55 56 57 58 59 60 61',
  '55': '01 03 10 12 14 16 18 20 22 24 26 28 30 32 34 36 38 40 42 44 46',
  '56': '01 03 05 07 10 12 14 16 18 20 22 24 26 28 30 32 34 36',
};

export const KOMMUNENUMMER: ReadonlySet<string> = new Set(
  Object.entries(BY_COUNTY).flatMap(([county, numbers]) => numbers.split(' ').map((n) => `${county}${n}`)),
);

export function isKnownKommunenummer(value: string, configured: (kommunenummer: string) => boolean): boolean {
  return KOMMUNENUMMER.has(value) || configured(value);
}
