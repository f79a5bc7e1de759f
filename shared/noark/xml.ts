/** The XML writing both arkivmelding formats share: escaping in one place, and a lean indenting string builder. */

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

// Characters XML 1.0 cannot carry at all (not even as &#..;): C0 controls other than tab/LF/CR, U+FFFE/U+FFFF and
// lone surrogates (the `u` flag makes those match as single code points). Form input can contain them; drop them.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MARKUP = /[&<>"\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };

/** Text without the characters XML 1.0 cannot carry. */
export function withoutNonXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** Text as XML character data or attribute value. `>` is escaped too, so "]]>" can never appear. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(MARKUP, (c) => ENTITY[c] ?? c);
}

/** A record the target's format cannot represent: a configuration fault, not a passing one (never retried). */
export class ArchiveFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveFormatError';
  }
}

/** Minimal indenting writer; values are escaped here and nowhere else. */
export class XmlWriter {
  #parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  #indent = '';

  leaf(name: string, value: string | number | boolean | undefined): void {
    if (value === undefined) return;
    this.#parts.push(`${this.#indent}<${name}>${escapeXml(String(value))}</${name}>\n`);
  }

  group(name: string, body: () => void, attributes = ''): void {
    this.#parts.push(`${this.#indent}<${name}${attributes}>\n`);
    this.#indent += '  ';
    body();
    this.#indent = this.#indent.slice(2);
    this.#parts.push(`${this.#indent}</${name}>\n`);
  }

  /** Fiks Arkiv code types (`n5mdk:kode` extensions) are `<name><n5mdk:kode>value</n5mdk:kode></name>`. */
  code(name: string, value: string | undefined): void {
    if (value !== undefined) this.group(name, () => this.leaf('n5mdk:kode', value));
  }

  /**
   * Fiks Arkiv `identifikatorer` types (administrativEnhet, saksansvarlig, saksbehandler): the codes the archive
   * resolves (identifikator, initialer), a name only where the configuration gives one.
   */
  identifiers(name: string, id: { navn?: string; identifikator?: string; initialer?: string } | undefined): void {
    if (id === undefined || (id.navn ?? id.identifikator ?? id.initialer) === undefined) return;
    this.group(name, () => {
      this.leaf('n5mdk:navn', id.navn);
      this.leaf('n5mdk:identifikator', id.identifikator);
      this.leaf('n5mdk:initialer', id.initialer);
    });
  }

  toString(): string {
    return this.#parts.join('');
  }
}
