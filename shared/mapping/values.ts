/**
 * The small value language of issue 2's mappings (issue 3 weighs JSONata for more):
 *   "soker.fornavn"                   a dotted path into the data
 *   "Søknad - {soker.fornavn}"        a template; a string that is exactly one "{path}" keeps the raw value
 *   "=Tjenestekontoret"               a literal
 * Compiled once when the configuration loads, evaluated per message.
 */

export type Data = Record<string, unknown>;
export type CompiledValue = (data: Data) => unknown;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PATH = /^[\p{L}\p{N}_@#-]+(\.[\p{L}\p{N}_@#-]+)*$/u;

export function compilePath(path: string): CompiledValue {
  if (!PATH.test(path)) throw new Error(`"${path}" is not a valid path (use dots between names, e.g. soker.fornavn)`);
  const steps = path.split('.');
  return (data) => {
    let node: unknown = data;
    for (const step of steps) {
      if (node === null || node === undefined) return undefined;
      // A repeated XML element arrives as an array; a path through it takes the first.
      if (Array.isArray(node) && !/^\d+$/.test(step)) node = node[0];
      node = (node as Record<string, unknown>)[step];
    }
    return textOf(node);
  };
}

/** An XML element with attributes parses to { '#text': …, '@attr': … }: its value is the text. */
function textOf(node: unknown): unknown {
  if (node && typeof node === 'object' && !Array.isArray(node) && '#text' in node) {
    return (node as Record<string, unknown>)['#text'];
  }
  return node;
}

export function compileTemplate(template: string): CompiledValue {
  const parts: (string | CompiledValue)[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    parts.push(compilePath((match[1] ?? '').trim()));
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  if (/[{}]/.test(parts.filter((p) => typeof p === 'string').join(''))) {
    throw new Error(`"${template}" has an unbalanced { or }`);
  }
  const [only] = parts;
  if (parts.length === 1 && typeof only === 'function') return only;
  if (parts.every((p) => typeof p === 'string')) return () => template;
  return (data) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : stringify(part(data));
    return out.replace(/\s+/g, ' ').trim();
  };
}

export function compileValue(spec: string): CompiledValue {
  if (spec.startsWith('=')) {
    const literal = spec.slice(1);
    return () => literal;
  }
  return spec.includes('{') || spec.includes('}') ? compileTemplate(spec) : compilePath(spec);
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  return String(value);
}

/** A value as the text an archive field holds: undefined when empty. */
export function asText(value: unknown): string | undefined {
  const text = stringify(value).trim();
  return text === '' ? undefined : text;
}
