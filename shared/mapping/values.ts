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
 */
import jsonata from 'jsonata';
import { withoutNonXmlChars } from '../noark/xml.ts';

export type Data = Record<string, unknown>;
export type CompiledValue = (data: Data) => unknown;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PATH = /^[\p{L}\p{N}_@#-]+(\.[\p{L}\p{N}_@#-]+)*$/u;
const EXPRESSION = /^\{%([\s\S]*)%\}$/;
/** A runaway expression must not hold a delivery until the function times out. */
const JSONATA_GUARDRAILS = { timeout: 1000, stack: 500 };

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

export interface ExpressionItem {
  source: string;
  /** Where in the definition the expression stands, e.g. "payloads/lonn/template/stilling/stillingsprosent" */
  field: string;
}

/** A failed JSONata evaluation, with the definition field it belongs to. */
export class ExpressionError extends Error {
  readonly item: ExpressionItem;
  readonly code: string;
  constructor(item: ExpressionItem, code: string, message: string) {
    super(message);
    this.name = 'ExpressionError';
    this.item = item;
    this.code = code;
  }
}

/**
 * The JSONata expressions of one compiled mapping. `evaluate` runs them all for one message and keeps the results
 * beside that message's data (a WeakMap, so nothing outlives the message); the compiled getters read them.
 */
export class ExpressionSet {
  readonly #items: (ExpressionItem & { expression: jsonata.Expression })[] = [];
  readonly #results = new WeakMap<Data, unknown[]>();

  add(source: string, field: string): CompiledValue {
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source, JSONATA_GUARDRAILS);
    } catch (error) {
      const e = error as { code?: string; message?: string; position?: number };
      throw new Error(`JSONata: ${e.message ?? 'syntax error'}${e.position ? ` (at character ${e.position})` : ''}`);
    }
    const index = this.#items.push({ source, field, expression }) - 1;
    return (data) => this.#results.get(data)?.[index];
  }

  get size(): number {
    return this.#items.length;
  }

  async evaluate(data: Data): Promise<void> {
    if (this.#items.length === 0) return;
    const values = await Promise.all(
      this.#items.map(async (item) => {
        try {
          return plain(await item.expression.evaluate(data));
        } catch (error) {
          const e = error as { code?: string; message?: string; value?: unknown };
          // JSONata messages can quote a value from the form: leave the value out.
          const value = e.value === undefined ? '' : String(e.value);
          const message = e.message ?? 'evaluation failed';
          const safe = value.length >= 3 ? message.replaceAll(value, '…') : message;
          throw new ExpressionError({ source: item.source, field: item.field }, e.code ?? 'JSONata', safe);
        }
      }),
    );
    this.#results.set(data, values);
  }
}

/** JSONata sequences are arrays with extra flags; payloads get plain arrays. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return typeof value === 'function' ? undefined : value;
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
