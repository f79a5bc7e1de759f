/**
 * Form → a specialist system's payload: the definition's template (JSON, string leaves are value specs) compiled
 * once, filled per message, written as JSON or XML as the target wants it. Fields whose value is empty are left
 * out; `required` fields must come out with a value (e.g. the archive's saksnummer in integration model 3).
 */

import { escapeXml } from '../noark/xml.ts';
import { type DefinitionCompiler, emptyFields, expressionFault, type Value } from './compiler.ts';
import { type MappingInput, mappingData } from './context.ts';
import type { PayloadMapping } from './definition.ts';
import { ADVICE, MappingError } from './errors.ts';
import { ExpressionError } from './expressions.ts';
import { type Data, pathsOf } from './values.ts';

export interface Payload {
  contentType: 'application/json' | 'application/xml';
  extension: 'json' | 'xml';
  body: string;
}

export type PayloadMapper = (input: MappingInput, format: 'json' | 'xml') => Promise<Payload>;

/** A number, boolean or null written in the template: sent as it is. */
class Constant {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

type Node = Value | Constant | Node[] | { [key: string]: Node };

/** XML names (letters incl. æøå, digits, _ . -; not starting with a digit, '.', '-' or "xml"). */
const XML_NAME = /^(?!xml)[\p{L}_][\p{L}\p{N}_.-]*$/iu;

export function compilePayload(c: DefinitionCompiler, system: string, mapping: PayloadMapping): PayloadMapper {
  const at = `/payloads/${system}`;
  const template = compileNode(c, mapping.template, `${at}/template`);
  const root = mapping.root ?? 'melding';
  const required = (mapping.required ?? []).map((path) => ({ path, steps: path.split('.') }));
  for (const [i, r] of required.entries()) {
    if (!findNode(template, r.steps)) c.issue(`${at}/required/${i}`, `"${r.path}" is not a field of the template`);
  }
  const label = (field: string) =>
    `Feltet «${field.replace(`${at}/template/`, '').replaceAll('/', '.')}» i nyttelasten til ${system}`;

  return async (input, format) => {
    const data = mappingData(input);
    try {
      await c.expressions.evaluate(data);
    } catch (error) {
      if (error instanceof ExpressionError) throw expressionFault(c.formType, error, label(error.item.field));
      throw error;
    }
    const value = (render(template, data) ?? {}) as Record<string, unknown>;
    for (const r of required) {
      if (valueAt(value, r.steps) !== undefined) continue;
      const node = findNode(template, r.steps);
      const rule = node && isValue(node) ? node : undefined;
      throw new MappingError({
        formType: c.formType,
        field: rule?.field ?? `${at}/template`,
        label: label(`${at}/template/${r.steps.join('/')}`),
        problem: rule && readsArchive(rule) ? 'ble tomt (arkivet ga ingen verdi)' : 'ble tomt',
        ...(rule ? { rule: rule.spec, formFields: emptyFields(rule, data) } : {}),
        advice: ADVICE.empty,
      });
    }
    if (format === 'json') {
      return { contentType: 'application/json', extension: 'json', body: `${JSON.stringify(value, null, 2)}\n` };
    }
    return {
      contentType: 'application/xml',
      extension: 'xml',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(root, value, '', c.formType, at)}`,
    };
  };
}

function compileNode(c: DefinitionCompiler, node: unknown, at: string): Node {
  if (typeof node === 'string') return c.value(node, at);
  if (Array.isArray(node)) return node.map((n, i) => compileNode(c, n, `${at}/${i}`));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        const name = k.startsWith('@') ? k.slice(1) : k;
        if (k !== '#text' && !XML_NAME.test(name)) c.issue(`${at}/${k}`, `"${k}" cannot be an XML element name`);
        return [k, compileNode(c, v, `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`)];
      }),
    );
  }
  return new Constant(node);
}

const readsArchive = (rule: Value) => pathsOf(rule.spec).some((p) => p.startsWith('archive.'));

function isValue(node: Node): node is Value {
  return typeof (node as Value).get === 'function';
}

/** Fills in a template; fields whose value is empty are left out rather than sent as "". */
function render(node: Node, data: Data): unknown {
  if (isValue(node)) return nonEmpty(node.get(data));
  if (node instanceof Constant) return nonEmpty(node.value);
  if (Array.isArray(node)) return nonEmpty(node.map((n) => render(n, data)).filter((v) => v !== undefined));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node as Record<string, Node>)) {
    const value = render(child, data);
    if (value !== undefined) out[key] = value;
  }
  return nonEmpty(out);
}

function nonEmpty(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return undefined;
  if (typeof value === 'object' && Object.keys(value).length === 0) return undefined;
  return value;
}

function findNode(node: Node, steps: string[]): Node | undefined {
  let current: Node | undefined = node;
  for (const step of steps) {
    if (!current || isValue(current) || current instanceof Constant || Array.isArray(current)) return undefined;
    current = (current as Record<string, Node>)[step];
  }
  return current;
}

function valueAt(value: unknown, steps: string[]): unknown {
  let current = value;
  for (const step of steps) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** JSON → XML: objects are elements, arrays repeat their element, "@name" keys are attributes, "#text" is text. */
function xmlElement(name: string, value: unknown, indent: string, formType: string, at: string): string {
  if (Array.isArray(value)) return value.map((v) => xmlElement(name, v, indent, formType, at)).join('');
  if (!XML_NAME.test(name)) {
    throw new MappingError({
      formType,
      field: at,
      label: `Nyttelasten (${at})`,
      problem: 'fikk et feltnavn som ikke kan være et XML-element',
      advice: ADVICE.expression,
    });
  }
  if (value === null || typeof value !== 'object') return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
  let attributes = '';
  let text = '';
  let children = '';
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@')) attributes += ` ${key.slice(1)}="${escapeXml(String(child))}"`;
    else if (key === '#text') text = escapeXml(String(child));
    else children += xmlElement(key, child, `${indent}  `, formType, at);
  }
  if (!children) return `${indent}<${name}${attributes}>${text}</${name}>\n`;
  return `${indent}<${name}${attributes}>${text}\n${children}${indent}</${name}>\n`;
}
