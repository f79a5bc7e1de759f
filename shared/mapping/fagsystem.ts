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

/**
 * An element or attribute name the payload may carry: the XML 1.0 Name production (fifth edition) without ':' (an
 * NCName: the payload declares no namespaces, so a prefix could not be resolved), and not starting with "xml"
 * (reserved). Checked for every name the writer writes, the template's at compile time and the form's at run time.
 */
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
export const NC_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');

export function isPayloadName(name: string): boolean {
  return NC_NAME.test(name) && !/^xml/i.test(name);
}

/** `prefix:local` with both parts NCNames: a namespaced name as a form's XML writes it. */
function qualified(name: string): { prefix: string; local: string } | undefined {
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const prefix = name.slice(0, colon);
  const local = name.slice(colon + 1);
  return NC_NAME.test(prefix) && NC_NAME.test(local) ? { prefix, local } : undefined;
}

export function compilePayload(c: DefinitionCompiler, system: string, mapping: PayloadMapping): PayloadMapper {
  const at = `/payloads/${system}`;
  const template = compileNode(c, mapping.template, `${at}/template`);
  const root = mapping.root ?? 'melding';
  if (!isPayloadName(root)) c.issue(`${at}/root`, `"${root}" cannot be an XML element name`);
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
        if (k !== '#text' && !isPayloadName(name)) c.issue(`${at}/${k}`, `"${k}" cannot be an XML element name`);
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

/**
 * JSON → XML: objects are elements, arrays repeat their element, "@name" keys are attributes, "#text" is text.
 * A value copied whole from the form (a citizen's subtree, such as {dispensasjon}) brings its own names, so every
 * name is checked here, at run time:
 * - namespace declarations (`@xmlns`, `@xmlns:p`) and attributes in a namespace (`@xsi:schemaLocation`,
 *   `@xsi:type`, `@xml:lang` …) are dropped: the payload is in the system's vocabulary, without namespaces, and a
 *   citizen must not point the receiver at a schema of her choosing;
 * - a namespaced element name (`p:begrunnelse`) is written with its local name (`begrunnelse`);
 * - any other name that is not an XML name (`a="b"/><arkivsak>…`) refuses the payload: a permanent mapping
 *   failure that staff see, never a half-written or forged payload, and nothing dropped that could be data.
 */
function xmlElement(name: string, value: unknown, indent: string, formType: string, at: string, parent = ''): string {
  if (Array.isArray(value)) return value.map((v) => xmlElement(name, v, indent, formType, at, parent)).join('');
  const element = qualified(name)?.local ?? name;
  const where = parent ? `${parent}/${element}` : element;
  if (!isPayloadName(element)) throw badName(formType, at, parent, name, 'element');
  if (value === null || typeof value !== 'object') {
    return `${indent}<${element}>${escapeXml(String(value))}</${element}>\n`;
  }
  let attributes = '';
  let text = '';
  let children = '';
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@')) {
      const attribute = key.slice(1);
      if (attribute === 'xmlns' || qualified(attribute)) continue;
      if (!isPayloadName(attribute)) throw badName(formType, at, where, attribute, 'attributt');
      attributes += ` ${attribute}="${escapeXml(String(child))}"`;
    } else if (key === '#text') text = escapeXml(String(child));
    else children += xmlElement(key, child, `${indent}  `, formType, at, where);
  }
  if (!children) return `${indent}<${element}${attributes}>${text}</${element}>\n`;
  return `${indent}<${element}${attributes}>${text}\n${children}${indent}</${element}>\n`;
}

const SHOWN_NAME = 40;

function badName(
  formType: string,
  at: string,
  where: string,
  name: string,
  kind: 'element' | 'attributt',
): MappingError {
  // The name is a field name, not a value; shown shortened and quoted, so staff can find it in the form data.
  const shown = JSON.stringify(name.length > SHOWN_NAME ? `${name.slice(0, SHOWN_NAME)}…` : name);
  return new MappingError({
    formType,
    field: at,
    label: `Nyttelasten${where ? ` i <${where}>` : ''}`,
    problem: `fikk feltnavnet ${shown}, som ikke kan være et XML-${kind}navn`,
    advice:
      'Be skjemaleverandøren rette feltnavnet og sende skjemaet på nytt, eller la skjemadefinisjonen hente feltene ' +
      'hver for seg i stedet for å kopiere hele delen.',
  });
}
