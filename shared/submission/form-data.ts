import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FieldError } from '../http/problem.ts';

export class FormDataError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super('Invalid form data');
    this.name = 'FormDataError';
    this.errors = errors;
  }
}

const CONTENT = '/formData/content';

/**
 * Parses XML with every value kept as text (postnummer "0150" and fødselsnummer must keep leading zeros),
 * attributes as "@name", and no entity expansion at all.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parsed form data; `root` is the XML root element's name (undefined for JSON). */
export interface ParsedFormData {
  root?: string;
  data: Record<string, unknown>;
}

export function parseFormData(contentType: string, content: string): ParsedFormData {
  return contentType === 'application/json' ? parseJson(content) : parseXml(content);
}

function parseJson(content: string): ParsedFormData {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene er ikke gyldig JSON.' }]);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene må være et JSON-objekt.' }]);
  }
  return { data: data as Record<string, unknown> };
}

function parseXml(content: string): ParsedFormData {
  // DTDs are refused outright: entity declarations are how XXE and "billion laughs" get in.
  if (/<!DOCTYPE|<!ENTITY/i.test(content)) {
    throw new FormDataError([
      { path: CONTENT, message: 'Skjemadataene inneholder en DTD eller entitetsdeklarasjon, som ikke er tillatt.' },
    ]);
  }
  const valid = XMLValidator.validate(content);
  if (valid !== true) {
    throw new FormDataError([
      { path: CONTENT, message: `Skjemadataene er ikke gyldig XML (linje ${valid.err.line}: ${valid.err.msg}).` },
    ]);
  }
  const parsed = parser.parse(content) as Record<string, unknown>;
  const roots = Object.keys(parsed).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = roots[0];
  if (roots.length !== 1 || !root) {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene må ha nøyaktig ett rotelement.' }]);
  }
  const body = parsed[root];
  return { root, data: body && typeof body === 'object' ? (body as Record<string, unknown>) : {} };
}
