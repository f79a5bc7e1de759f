/**
 * A form type's data contract, from the one declaration in its mapping definition (formData.fields): every field
 * the form may carry, by its dotted path (as the rules and mappings name it), with its type. The receive check,
 * the published XSD and JSON Schema and the example document are all built from the tree made here.
 *
 * A form type without `fields` has an open contract: the fields its rules and mappings read are listed (as text),
 * anything else is allowed, and receive checks only its rules. Declaring the fields closes it.
 */
import type { FormDataRules } from '../config/types.ts';
import type { FormTypeDefinition } from '../mapping/definition.ts';
import { FIELD_TYPE, FIELD_TYPES, type FieldTypeName } from './field-types.ts';

/** One declaration as written: a type name, or a type with options. */
export type FieldSpec =
  | FieldTypeName
  | 'group'
  | {
      type: FieldTypeName | 'group';
      /** The element may occur more than once (a JSON list) */
      repeats?: boolean;
      description?: string;
      /** An example value, for the example document (else the type's own) */
      example?: string;
      /** The only values allowed */
      enum?: string[];
      maxLength?: number;
    };

export interface FieldNode {
  /** Element (or JSON property) name; `@name` for an XML attribute */
  name: string;
  /** Dotted path from the root, as in the definition */
  path: string;
  /** A leaf's type; undefined for a group */
  type?: FieldTypeName;
  repeats: boolean;
  /** The field (or, for a group, a field inside it) is in formData.required */
  required: boolean;
  description?: string;
  example?: string;
  enum?: string[];
  maxLength?: number;
  /** Children in declaration order: attributes (`@…`) and elements; a leaf may have attributes only */
  children: Map<string, FieldNode>;
}

export interface Contract {
  formType: string;
  title: string;
  contentType: FormDataRules['contentType'];
  /** XML root element name */
  root?: string;
  /** Declared (closed): unknown fields are refused. Open: derived from what the rules and mappings read. */
  closed: boolean;
  fields: FieldNode;
}

/** Names the mappings use for the envelope's fields: a form field of that name could never be read. */
export const RESERVED_NAMES = [
  'trackingId',
  'submissionId',
  'formType',
  'municipality',
  'submittedAt',
  'receivedAt',
  'submitter',
  'archive',
  // the property's normalised gnr/bnr(/fnr/snr), computed for titles (shared/mapping/titles.ts)
  'gbnr',
];

const contracts = new WeakMap<FormTypeDefinition, Contract>();

/** The contract of a form type, built once per definition. */
export function contractOf(definition: FormTypeDefinition): Contract {
  let contract = contracts.get(definition);
  if (!contract) {
    contract = buildContract(definition);
    contracts.set(definition, contract);
  }
  return contract;
}

function buildContract(definition: FormTypeDefinition): Contract {
  const rules = definition.formData;
  const declared = rules.fields;
  const required = new Set(rules.required);
  const root = newNode('', '');
  const entries: [string, FieldSpec][] = declared
    ? Object.entries(declared)
    : [...new Set([...rulePaths(rules), ...mappingPaths(definition)])].map((p) => [p, 'text' as FieldSpec]);
  for (const [path, spec] of entries) {
    const options = typeof spec === 'string' ? { type: spec } : spec;
    let node = root;
    const steps = path.split('.');
    steps.forEach((name, i) => {
      const at = steps.slice(0, i + 1).join('.');
      let child = node.children.get(name);
      if (!child) {
        child = newNode(name, at);
        node.children.set(name, child);
      }
      node = child;
    });
    if (options.type !== 'group') node.type = options.type;
    node.repeats = options.repeats ?? false;
    if (options.description) node.description = options.description;
    if (options.example !== undefined) node.example = options.example;
    if (options.enum) node.enum = options.enum;
    if (options.maxLength) node.maxLength = options.maxLength;
  }
  markRequired(root, required);
  return {
    formType: definition.id,
    title: definition.title,
    contentType: rules.contentType,
    ...(rules.root ? { root: rules.root } : {}),
    closed: declared !== undefined,
    fields: root,
  };
}

function newNode(name: string, path: string): FieldNode {
  return { name, path, repeats: false, required: false, children: new Map() };
}

/** A group is required when a field in it is: else the field could be left out with its group. */
function markRequired(node: FieldNode, required: Set<string>): boolean {
  let any = required.has(node.path);
  for (const child of node.children.values()) if (markRequired(child, required)) any = true;
  node.required = any;
  return any;
}

/** The form fields the rules name. */
export function rulePaths(rules: FormDataRules): string[] {
  return [
    ...rules.required,
    ...(rules.nationalIds ?? []),
    ...(rules.organisationNumbers ?? []),
    ...(rules.municipalityNumbers ?? []),
    ...(rules.submitterMustBe
      ? [rules.submitterMustBe.nationalId, ...(rules.submitterMustBe.orRepresentative ?? [])]
      : []),
  ];
}

/**
 * The form fields the mappings read through paths and templates (JSONata expressions are read by drift.ts, which
 * loads JSONata; this module must not: receive and the form-types function use it).
 */
export function mappingPaths(definition: FormTypeDefinition): string[] {
  const paths: string[] = [];
  forEachSpec(definition, (spec) => {
    paths.push(...templatePaths(spec));
  });
  return paths.filter(isFormPath).map(withoutIndexes);
}

/** Where a mapping definition holds value specs: every string, except the codes and names that are not specs. */
const NOT_SPECS = new Set([
  'type',
  'dokumenttype',
  'variantformat',
  'klassifikasjonssystem',
  'strategy',
  'root',
  // codes and patterns, not specs: a party's role (partRolle) and its text, an attachment's file-name pattern
  'rolle',
  'rolleTekst',
  'match',
]);

export function forEachSpec(definition: FormTypeDefinition, visit: (spec: string, at: string) => void): void {
  const walk = (node: unknown, at: string, key: string, inTemplate: boolean) => {
    if (typeof node === 'string') {
      if (inTemplate || !NOT_SPECS.has(key)) visit(node, at);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, `${at}/${i}`, key, inTemplate);
      });
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (!inTemplate && k === 'required') continue; // payload fields, not form fields
        walk(v, `${at}/${k}`, k, inTemplate || k === 'template');
      }
    }
  };
  if (definition.archive) walk(definition.archive, '/archive', '', false);
  for (const [system, payload] of Object.entries(definition.payloads ?? {})) {
    walk(payload.template, `/payloads/${system}/template`, '', true);
  }
}

const EXPRESSION = /^\{%[\s\S]*%\}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The paths a path or template spec reads (none for literals and expressions). */
function templatePaths(spec: string): string[] {
  if (spec === '' || EXPRESSION.test(spec) || spec.startsWith('=')) return [];
  if (!spec.includes('{')) return [spec];
  return [...spec.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').trim());
}

/** A path into the form data (not the envelope's fields, which the mappings see under reserved names). */
export function isFormPath(path: string): boolean {
  return path !== '' && !RESERVED_NAMES.includes(path.split('.')[0] ?? '');
}

/** `soker.0.fornavn` reads the field soker.fornavn. */
export function withoutIndexes(path: string): string {
  return path
    .split('.')
    .filter((step) => !/^\d+$/.test(step))
    .join('.');
}

/** The node at a dotted path, if declared. */
export function nodeAt(contract: Contract, path: string): FieldNode | undefined {
  let node: FieldNode | undefined = contract.fields;
  for (const step of withoutIndexes(path).split('.')) node = node?.children.get(step);
  return node;
}

export function isFieldType(name: string): name is FieldTypeName {
  return (FIELD_TYPES as readonly string[]).includes(name);
}

export { FIELD_TYPE };
