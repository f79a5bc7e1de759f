/**
 * The kinds of value a form field can hold, as a form type declares them (formData.fields): each knows how to
 * check a value at receive, how the published XSD and JSON Schema spell it, and an example. One table, so the
 * check and the published contracts cannot say different things.
 *
 * XML form data is all text (the parser keeps every value as written); JSON form data may carry numbers and
 * booleans natively, and a JSON form may also write a number as text where the type allows a decimal comma.
 */

export const FIELD_TYPES = [
  'text',
  'integer',
  'number',
  'decimal-comma',
  'percent',
  'date',
  'datetime',
  'boolean',
  'postnummer',
  'fodselsnummer',
  'organisasjonsnummer',
  'kommunenummer',
  'email',
] as const;

export type FieldTypeName = (typeof FIELD_TYPES)[number];

export interface FieldType {
  /** What the value must be, in Norwegian, to follow «skal være»: "et heltall" */
  label: string;
  /** Checks a value written as text (XML, or a JSON string) */
  text: (value: string) => boolean;
  /** JSON: whether the type is carried natively as a number or boolean (else as a string) */
  json: 'string' | 'number' | 'integer' | 'boolean' | 'number-or-text';
  /** XSD: the base type and the pattern its simple type restricts (XSD regex; whole value) */
  xsd: { base: string; pattern?: string };
  /** JSON Schema for a string of this type, when it is written as text */
  jsonText?: { pattern?: string; format?: string };
  example: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// 0–100 without leading zeros ("08" is no percentage a mapping can compute with), the same as the published patterns.
const percent = (value: string) => /^(?:100(?:[.,]0+)?|[1-9]?\d(?:[.,]\d+)?)$/.test(value);

export const FIELD_TYPE: Record<FieldTypeName, FieldType> = {
  text: {
    label: 'tekst',
    text: () => true,
    json: 'string',
    xsd: { base: 'xs:string' },
    example: 'Tekst',
  },
  integer: {
    label: 'et heltall (for eksempel 52)',
    text: (v) => /^-?\d+$/.test(v),
    json: 'integer',
    xsd: { base: 'xs:token', pattern: '-?[0-9]+' },
    example: '52',
  },
  number: {
    label: 'et tall med desimalpunktum (for eksempel 6556712.4)',
    text: (v) => /^-?\d+(\.\d+)?$/.test(v),
    json: 'number',
    xsd: { base: 'xs:token', pattern: '-?[0-9]+(\\.[0-9]+)?' },
    example: '14.5',
  },
  'decimal-comma': {
    label: 'et tall, med desimalkomma eller -punktum (for eksempel 14,5)',
    text: (v) => /^-?\d+([.,]\d+)?$/.test(v),
    json: 'number-or-text',
    xsd: { base: 'xs:token', pattern: '-?[0-9]+([.,][0-9]+)?' },
    jsonText: { pattern: '^-?[0-9]+([.,][0-9]+)?$' },
    example: '14,5',
  },
  percent: {
    label: 'en prosentsats fra 0 til 100, uten prosenttegn (for eksempel 80 eller 62,5)',
    text: percent,
    json: 'number-or-text',
    xsd: { base: 'xs:token', pattern: '100([.,]0+)?|[1-9]?[0-9]([.,][0-9]+)?' },
    jsonText: { pattern: '^(100([.,]0+)?|[1-9]?[0-9]([.,][0-9]+)?)$' },
    example: '80',
  },
  date: {
    label: 'en dato på formen ÅÅÅÅ-MM-DD (for eksempel 2027-01-04)',
    text: isCalendarDate,
    json: 'string',
    xsd: { base: 'xs:date', pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}' },
    jsonText: { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' },
    example: '2027-01-04',
  },
  datetime: {
    label: 'et tidspunkt med tidssone (RFC 3339, for eksempel 2026-11-20T17:45:00+01:00)',
    text: (v) => DATETIME.test(v) && isCalendarDate(v.slice(0, 10)),
    json: 'string',
    xsd: { base: 'xs:dateTime', pattern: '.+T.+(Z|[+\\-][0-9]{2}:[0-9]{2})' },
    jsonText: { format: 'date-time' },
    example: '2026-11-20T17:45:00+01:00',
  },
  boolean: {
    label: 'true eller false',
    text: (v) => v === 'true' || v === 'false',
    json: 'boolean',
    xsd: { base: 'xs:token', pattern: 'true|false' },
    example: 'true',
  },
  postnummer: {
    label: 'et postnummer med fire sifre (for eksempel 1771)',
    text: (v) => /^\d{4}$/.test(v),
    json: 'string',
    xsd: { base: 'xs:token', pattern: '[0-9]{4}' },
    jsonText: { pattern: '^[0-9]{4}$' },
    example: '1771',
  },
  fodselsnummer: {
    label: 'et fødselsnummer med 11 sifre',
    text: (v) => /^\d{11}$/.test(v),
    json: 'string',
    xsd: { base: 'xs:token', pattern: '[0-9]{11}' },
    jsonText: { pattern: '^[0-9]{11}$' },
    // A synthetic Tenor person (month + 80): accepted in test environments only.
    example: '12835410062',
  },
  organisasjonsnummer: {
    label: 'et organisasjonsnummer med 9 sifre',
    text: (v) => /^\d{9}$/.test(v),
    json: 'string',
    xsd: { base: 'xs:token', pattern: '[0-9]{9}' },
    jsonText: { pattern: '^[0-9]{9}$' },
    example: '940000017',
  },
  kommunenummer: {
    label: 'et kommunenummer med fire sifre (for eksempel 3101)',
    text: (v) => /^\d{4}$/.test(v),
    json: 'string',
    xsd: { base: 'xs:token', pattern: '[0-9]{4}' },
    jsonText: { pattern: '^[0-9]{4}$' },
    example: '3101',
  },
  email: {
    label: 'en e-postadresse',
    text: (v) => /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(v),
    json: 'string',
    xsd: { base: 'xs:token', pattern: '[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+' },
    jsonText: { pattern: '^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$' },
    example: 'navn@example.no',
  },
};

/** A JSON value against a type: native numbers and booleans where the type is one, text where it is text. */
export function fitsJson(type: FieldType, value: unknown): boolean {
  switch (type.json) {
    case 'string':
      return typeof value === 'string' && type.text(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'number-or-text':
      return (typeof value === 'number' && type.text(String(value))) || (typeof value === 'string' && type.text(value));
  }
}
