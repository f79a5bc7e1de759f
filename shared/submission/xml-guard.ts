import { FORBIDDEN_KEYS } from './strict-json.ts';

/**
 * A linear look at XML before any parser sees it. Refused: a DTD or any other markup declaration (entity
 * declarations are how "billion laughs" and external entities get in), processing instructions other than
 * the XML declaration (`<?xml-stylesheet href=…?>` points at an external resource), XInclude, element names
 * that would pollute prototypes once parsed to objects, a second root element (which a lenient parser
 * turns into a list), and more depth or elements than the limits allow (attributes count as elements: each
 * becomes a value like a child element does).
 * Nothing is expanded or fetched; malformed XML is left for the parser's own validation to describe.
 */

export type XmlIssue =
  | { kind: 'declaration' }
  | { kind: 'processing-instruction' }
  | { kind: 'xinclude' }
  | { kind: 'forbidden-name' }
  | { kind: 'several-roots' }
  | { kind: 'too-deep' }
  | { kind: 'too-many-elements' };

const XINCLUDE = /xinclude/i;

export function inspectXml(text: string, limits: { maxDepth: number; maxElements: number }): XmlIssue | undefined {
  const n = text.length;
  const prolog = text.search(/[^\s\uFEFF]/);
  let depth = 0;
  let elements = 0;
  let roots = 0;
  let i = 0;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (text.startsWith('<!--', lt)) {
      i = after(text, '-->', lt + 4);
    } else if (text.startsWith('<![CDATA[', lt)) {
      i = after(text, ']]>', lt + 9);
    } else if (next === 0x21 /* ! */) {
      return { kind: 'declaration' };
    } else if (next === 0x3f /* ? */) {
      const target = /^<\?([^\s?]*)/.exec(text.slice(lt, lt + 64))?.[1] ?? '';
      if (target !== 'xml' || lt !== prolog) return { kind: 'processing-instruction' };
      i = after(text, '?>', lt + 2);
    } else if (next === 0x2f /* / */) {
      depth--;
      i = after(text, '>', lt + 2);
    } else {
      const end = tagEnd(text, lt + 1);
      const tag = text.slice(lt + 1, end);
      const name = /^[^\s/>]*/.exec(tag)?.[0] ?? '';
      if (FORBIDDEN_KEYS.has(name.slice(name.indexOf(':') + 1))) return { kind: 'forbidden-name' };
      if (declaresXInclude(tag)) return { kind: 'xinclude' };
      if (depth === 0 && ++roots > 1) return { kind: 'several-roots' };
      elements += 1 + attributeCount(tag);
      if (elements > limits.maxElements) return { kind: 'too-many-elements' };
      if (!tag.endsWith('/') && ++depth > limits.maxDepth) return { kind: 'too-deep' };
      i = end + 1;
    }
  }
  return undefined;
}

function after(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at < 0 ? text.length : at + token.length;
}

/** The `>` that ends a start tag, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return j;
    }
  }
  return text.length;
}

/** Attributes in a start tag: each `=` outside a quoted value (malformed tags are left for the parser). */
function attributeCount(tag: string): number {
  let count = 0;
  let quote = 0;
  for (let j = 0; j < tag.length; j++) {
    const c = tag.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3d /* = */) {
      count++;
    }
  }
  return count;
}

/** An xmlns declaration of the XInclude namespace, character references decoded as a parser would. */
function declaresXInclude(tag: string): boolean {
  if (!tag.includes('xmlns')) return false;
  for (const m of tag.matchAll(/\s(xmlns(?::[^\s=]+)?)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (XINCLUDE.test(decodeReferences(m[2] ?? m[3] ?? ''))) return true;
  }
  return false;
}

function decodeReferences(value: string): string {
  return value.replace(/&#(x[0-9a-f]+|[0-9]+);/gi, (_, ref: string) => {
    const code = ref[0] === 'x' || ref[0] === 'X' ? Number.parseInt(ref.slice(1), 16) : Number(ref);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}
