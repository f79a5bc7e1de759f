import { XMLBuilder } from 'fast-xml-parser';
import type { FagsystemMapping, FagsystemTarget } from '../config/types.ts';
import { type MappingInput, mappingData } from './context.ts';
import { type CompiledValue, compileTemplate, type Data } from './values.ts';

export interface Payload {
  contentType: 'application/json' | 'application/xml';
  extension: 'json' | 'xml';
  body: string;
}

type Node = CompiledValue | Node[] | { [key: string]: Node };
const compiledTemplates = new WeakMap<FagsystemMapping, Node>();

const xmlBuilder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: true, processEntities: true });

/** Builds a specialist system's payload from its template (compiled on first use and kept). */
export function mapToFagsystem(target: FagsystemTarget, mapping: FagsystemMapping, input: MappingInput): Payload {
  let template = compiledTemplates.get(mapping);
  if (!template) {
    template = compileNode(mapping.template);
    compiledTemplates.set(mapping, template);
  }
  const value = render(template, mappingData(input)) ?? {};
  if (target.payloadFormat === 'json') {
    return { contentType: 'application/json', extension: 'json', body: `${JSON.stringify(value, null, 2)}\n` };
  }
  const root = mapping.root ?? 'melding';
  return {
    contentType: 'application/xml',
    extension: 'xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${xmlBuilder.build({ [root]: value })}`,
  };
}

function compileNode(node: unknown): Node {
  if (typeof node === 'string') return compileTemplate(node);
  if (Array.isArray(node)) return node.map(compileNode);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, compileNode(v)]));
  }
  const constant = node;
  return () => constant;
}

/** Fills in a template; fields whose value is empty are left out rather than sent as "". */
function render(node: Node, data: Data): unknown {
  if (typeof node === 'function') {
    const value = node(data);
    return value === '' || value === null ? undefined : value;
  }
  if (Array.isArray(node)) return node.map((n) => render(n, data)).filter((v) => v !== undefined);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const value = render(child, data);
    if (value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
      out[key] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
