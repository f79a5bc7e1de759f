import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FieldError } from '../domain/rejection.ts';
import type { Limits } from './limits.ts';
import { inspectJson, type JsonIssue } from './strict-json.ts';
import { isCleanName, isCleanText, keysIn, stringsIn, UNCLEAN_MESSAGE, visibleName } from './text.ts';
import { inspectXml, type XmlIssue } from './xml-guard.ts';

export class FormDataError extends Error {
  readonly errors: FieldError[];
  /** 413 when a size limit is exceeded, else 400 */
  readonly status: 400 | 413;
  constructor(errors: FieldError[], status: 400 | 413 = 400) {
    super('Invalid form data');
    this.name = 'FormDataError';
    this.errors = errors;
    this.status = status;
  }
}

const CONTENT = '/formData/content';

const UNCLEAN_KEY_MESSAGE =
  'Feltnavnet inneholder kontrolltegn eller usynlige tegn (for eksempel nullbreddetegn eller retningstegn), som ikke er tillatt.';

/**
 * Parses XML with every value kept as text (postnummer "0150" and fødselsnummer must keep leading zeros),
 * attributes as "@name". Only the five XML entities and character references are decoded; a DTD never gets
 * this far (see xml-guard.ts), so nothing else can be declared, expanded or fetched.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  entityDecoder: xmlEntityDecoder(),
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/**
 * The five predefined XML entities and character references (&#248; is ø), in one pass (so `&amp;lt;` stays
 * `&lt;`). A character reference to a control character decodes to it, and the text check refuses it.
 */
function xmlEntityDecoder() {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const decodeOne = (whole: string, ref: string): string => {
    if (ref[0] !== '#') return named[ref] ?? whole;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  };
  return {
    decode: (text: string) => text.replace(/&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, decodeOne),
    // Declared entities never get here: the guard refuses any DTD.
    addInputEntities: () => {},
    setExternalEntities: () => {},
    reset: () => {},
    setXmlVersion: () => {},
  };
}

/** Parsed form data; `root` is the XML root element's name (undefined for JSON). */
export interface ParsedFormData {
  root?: string;
  data: Record<string, unknown>;
}

export type FormDataLimits = Pick<
  Limits,
  'maxFormDataBytes' | 'maxFormDataDepth' | 'maxFormDataElements' | 'maxStringLength'
>;

/** For form data that was checked on receipt (a delivery reading it back): no size limits. */
const RECEIVED: FormDataLimits = {
  maxFormDataBytes: Number.POSITIVE_INFINITY,
  maxFormDataDepth: Number.POSITIVE_INFINITY,
  maxFormDataElements: Number.POSITIVE_INFINITY,
  maxStringLength: Number.POSITIVE_INFINITY,
};

export function parseFormData(contentType: string, content: string, limits: FormDataLimits = RECEIVED): ParsedFormData {
  if (Buffer.byteLength(content) > limits.maxFormDataBytes) {
    throw new FormDataError(
      [{ path: CONTENT, message: `Skjemadataene er større enn ${limits.maxFormDataBytes} byte.` }],
      413,
    );
  }
  const parsed = contentType === 'application/json' ? parseJson(content, limits) : parseXml(content, limits);
  const errors: FieldError[] = [];
  // Field names are names: an invisible character makes one field look like another (`navn` and `na\u200Bvn`).
  for (const { path, key } of keysIn(parsed.data, CONTENT)) {
    if (!isCleanName(key)) {
      const token = visibleName(key).replaceAll('~', '~0').replaceAll('/', '~1');
      errors.push({ path: `${path}/${token}`, message: UNCLEAN_KEY_MESSAGE });
      if (errors.length >= 20) break;
    }
  }
  for (const { path, value } of stringsIn(parsed.data, CONTENT)) {
    if (value.length > limits.maxStringLength) {
      errors.push({ path, message: `Verdien er lengre enn ${limits.maxStringLength} tegn.` });
    } else if (!isCleanText(value)) {
      errors.push({ path, message: UNCLEAN_MESSAGE });
    }
    if (errors.length >= 20) break;
  }
  if (errors.length > 0) throw new FormDataError(errors);
  return parsed;
}

function parseJson(content: string, limits: FormDataLimits): ParsedFormData {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene er ikke gyldig JSON.' }]);
  }
  const issue = inspectJson(content, { maxDepth: limits.maxFormDataDepth, maxValues: limits.maxFormDataElements });
  if (issue) throw jsonIssueError(issue, CONTENT, limits);
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene må være et JSON-objekt.' }]);
  }
  return { data: data as Record<string, unknown> };
}

/** A JSON issue as the provider sees it: 413 for too many values, 400 for the rest. */
export function jsonIssueError(issue: JsonIssue, base: string, limits: { maxFormDataDepth: number }): FormDataError {
  const path = `${base}${issue.path}`;
  switch (issue.kind) {
    case 'duplicate-key':
      return new FormDataError([{ path, message: 'Feltet forekommer mer enn én gang i samme objekt.' }]);
    case 'forbidden-key':
      return new FormDataError([{ path, message: 'Feltnavnet er ikke tillatt (__proto__, constructor, prototype).' }]);
    case 'too-deep':
      return new FormDataError([{ path, message: `Dataene er nøstet dypere enn ${limits.maxFormDataDepth} nivåer.` }]);
    case 'too-many-values':
      return new FormDataError([{ path: base || '/', message: 'Dataene har for mange verdier.' }], 413);
  }
}

const XML_ISSUES: Record<XmlIssue['kind'], (limits: FormDataLimits) => string> = {
  declaration: () =>
    'Skjemadataene inneholder en DTD eller en annen deklarasjon (<!DOCTYPE, <!ENTITY), som ikke er tillatt.',
  'processing-instruction': () =>
    'Skjemadataene inneholder en prosesseringsinstruksjon (<?…?>) utover XML-deklarasjonen, som ikke er tillatt.',
  xinclude: () => 'Skjemadataene bruker XInclude, som ikke er tillatt.',
  'forbidden-name': () => 'Skjemadataene har et elementnavn som ikke er tillatt (__proto__, constructor, prototype).',
  'several-roots': () => 'Skjemadataene må ha nøyaktig ett rotelement.',
  'too-deep': (limits) => `Skjemadataene er nøstet dypere enn ${limits.maxFormDataDepth} nivåer.`,
  'too-many-elements': (limits) =>
    `Skjemadataene har flere enn ${limits.maxFormDataElements} elementer og attributter til sammen.`,
};

function parseXml(content: string, limits: FormDataLimits): ParsedFormData {
  const issue = inspectXml(content, { maxDepth: limits.maxFormDataDepth, maxElements: limits.maxFormDataElements });
  if (issue) {
    throw new FormDataError(
      [{ path: CONTENT, message: XML_ISSUES[issue.kind](limits) }],
      issue.kind === 'too-many-elements' ? 413 : 400,
    );
  }
  const valid = XMLValidator.validate(content);
  if (valid !== true) {
    // Line and column only: the validator's message can quote the content.
    throw new FormDataError([
      {
        path: CONTENT,
        message: `Skjemadataene er ikke gyldig XML (linje ${valid.err.line}, kolonne ${valid.err.col}).`,
      },
    ]);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(content) as Record<string, unknown>;
  } catch {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene kan ikke leses som XML.' }]);
  }
  const roots = Object.keys(parsed).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = roots[0];
  if (roots.length !== 1 || !root) {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene må ha nøyaktig ett rotelement.' }]);
  }
  const body = parsed[root];
  if (Array.isArray(body)) {
    throw new FormDataError([{ path: CONTENT, message: 'Skjemadataene må ha nøyaktig ett rotelement.' }]);
  }
  return { root, data: body && typeof body === 'object' ? (body as Record<string, unknown>) : {} };
}
