/**
 * The value language of mapping definitions. A value spec is a string:
 *   "soker.fornavn"                          a dotted path into the data (`@name` for an XML attribute)
 *   "Søknad om TT-kort – {soker.fornavn}"    a template; a string that is exactly one "{path}" keeps the raw value
 *   "=Tjenestekontoret"                      a literal
 *   "{% $join(tilganger.tilgang, ', ') %}"   a JSONata expression, in the notation of AWS Step Functions
 *
 * Paths and templates say nearly everything a form mapping needs, read like the form, and cost a property lookup;
 * JSONata (a maintained, documented language, chosen by Step Functions and Node-RED) covers the rest: conditions,
 * arithmetic, type conversion, reshaping lists. Everything is compiled once per cold start. JSONata evaluates
 * asynchronously, so a mapping first evaluates its expressions (only if it has any) and then builds synchronously.
 * The JSONata side lives in expressions.ts, so what only reads paths (the form rules at receive) does not load it.
 */
import { withoutNonXmlChars } from '../noark/xml.ts';
import type { ExpressionSet } from './expressions.ts';

export type Data = Record<string, unknown>;
export type CompiledValue = (data: Data) => unknown;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PATH = /^[\p{L}\p{N}_@#-]+(\.[\p{L}\p{N}_@#-]+)*$/u;
const EXPRESSION = /^\{%([\s\S]*)%\}$/;

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

/**
 * Every text a path reaches, through every repetition of a repeated element (compilePath takes the first): for
 * checks that must hold for each value a form carries, not only for the one the archive record reads.
 */
export function compileAllTexts(path: string): (data: Data) => string[] {
  if (!PATH.test(path)) throw new Error(`"${path}" is not a valid path (use dots between names, e.g. soker.fornavn)`);
  const steps = path.split('.');
  return (data) => {
    let nodes: unknown[] = [data];
    for (const step of steps) {
      const index = /^\d+$/.test(step);
      nodes = nodes.flatMap((node) => {
        if (node === null || node === undefined) return [];
        if (Array.isArray(node) && !index) return node.map((n) => (n as Record<string, unknown> | null)?.[step]);
        return [(node as Record<string, unknown>)[step]];
      });
    }
    return nodes
      .flatMap((node) => (Array.isArray(node) ? node : [node]))
      .map((node) => asText(textOf(node)))
      .filter((text): text is string => text !== undefined);
  };
}

/**
 * Every value a path reaches, where compilePath takes the first: through every element of a repeated XML element
 * (or a JSON list), with the pointer of each (`soker/1/fodselsnummer`). For checks that must see them all.
 */
export function everyValueAt(path: string, data: Data): { pointer: string; value: unknown }[] {
  compilePath(path);
  let reached: { pointer: string; node: unknown }[] = [{ pointer: '', node: data }];
  const spread = (list: typeof reached) =>
    list.flatMap((r) =>
      Array.isArray(r.node) ? r.node.map((node, i) => ({ pointer: `${r.pointer}/${i}`, node })) : [r],
    );
  for (const step of path.split('.')) {
    if (!/^\d+$/.test(step)) reached = spread(reached);
    reached = reached.flatMap(({ pointer, node }) =>
      node !== null && typeof node === 'object' && Object.hasOwn(node, step)
        ? [{ pointer: `${pointer}/${step}`, node: (node as Record<string, unknown>)[step] }]
        : [],
    );
  }
  return spread(reached).map(({ pointer, node }) => ({ pointer: pointer.slice(1), value: textOf(node) }));
}

/** An XML element with attributes parses to { '#text': …, '@attr': … }: its value is the text. */
function textOf(node: unknown): unknown {
  if (node && typeof node === 'object' && !Array.isArray(node) && '#text' in node) {
    return (node as Record<string, unknown>)['#text'];
  }
  return node;
}

export function compileTemplate(template: string): CompiledValue {
  if (template.includes('{%') || template.includes('%}')) {
    throw new Error(`"${template}": a JSONata expression must be the whole value, "{% … %}"`);
  }
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
    // A title is one line: an empty optional field or a pasted line break must not leave gaps.
    return out.replace(/\s+/g, ' ').trim();
  };
}

/**
 * Compiles a value spec. JSONata expressions need `expressions`, the set a mapping evaluates before it builds;
 * where there is none (e.g. the form data rules at receive), an expression is refused.
 */
export function compileValue(spec: string, expressions?: ExpressionSet, field = ''): CompiledValue {
  const expression = EXPRESSION.exec(spec);
  if (expression) {
    if (!expressions) throw new Error(`"${spec}": a JSONata expression is not allowed here`);
    return expressions.add((expression[1] ?? '').trim(), field);
  }
  if (spec.startsWith('=')) {
    const literal = spec.slice(1);
    return () => literal;
  }
  return spec.includes('{') || spec.includes('}') ? compileTemplate(spec) : compilePath(spec);
}

/** The form fields a value spec reads (none for literals and JSONata expressions), for messages and checks. */
export function pathsOf(spec: string): string[] {
  if (spec === '' || EXPRESSION.test(spec) || spec.startsWith('=')) return [];
  if (!spec.includes('{')) return [spec];
  return [...spec.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').trim());
}

export function isExpression(spec: string): boolean {
  return EXPRESSION.test(spec);
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  // A group of fields (an XML element with children) is not a text.
  if (typeof value === 'object') return '';
  return String(value);
}

/**
 * A value as the text an archive field holds: without characters XML cannot carry, trimmed, undefined when empty.
 */
export function asText(value: unknown): string | undefined {
  const text = withoutNonXmlChars(stringify(value)).trim();
  return text === '' ? undefined : text;
}
