/**
 * The contract and the mappings cannot drift apart: when a form type declares its fields, every field its rules and
 * mappings read (paths, templates and the paths inside JSONata expressions) must be declared, with the type its
 * rule needs (a nationalIds field is a fodselsnummer …). Checked where the configuration is loaded with every check
 * (synth, `npm start`, the tests): a definition that reads an undeclared field does not start.
 * Loads JSONata (to read the expressions' paths), so receive and the form-types function never import this.
 */
import jsonata from 'jsonata';
import type { FormTypeDefinition } from '../mapping/definition.ts';
import {
  contractOf,
  type FieldSpec,
  forEachSpec,
  isFieldType,
  isFormPath,
  mappingPaths,
  nodeAt,
  RESERVED_NAMES,
  withoutIndexes,
} from './declaration.ts';
import { FIELD_TYPE, type FieldTypeName } from './field-types.ts';

export interface ContractIssue {
  path: string;
  message: string;
}

const PATH = /^[\p{L}\p{N}_@#-]+(\.[\p{L}\p{N}_@#-]+)*$/u;

export function contractIssues(definition: FormTypeDefinition): ContractIssue[] {
  const fields = definition.formData.fields;
  if (!fields) return [];
  const issues: ContractIssue[] = [];
  const xml = definition.formData.contentType === 'application/xml';
  const declared = new Set(Object.keys(fields));
  for (const [path, spec] of Object.entries(fields)) {
    const at = `/formData/fields/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const type = typeof spec === 'string' ? spec : spec.type;
    if (!PATH.test(path) || path.split('.').some((s) => /^\d+$/.test(s))) {
      issues.push({ path: at, message: `"${path}" is not a field path (names with dots between, e.g. soker.fornavn)` });
      continue;
    }
    if (RESERVED_NAMES.includes(path.split('.')[0] ?? '')) {
      issues.push({
        path: at,
        message: `"${path.split('.')[0]}" is the envelope's name in mappings: a form field of that name could never be read`,
      });
    }
    const steps = path.split('.');
    if (steps.slice(0, -1).some((s) => s.startsWith('@'))) {
      issues.push({ path: at, message: 'an attribute (@name) has no fields of its own' });
    }
    if (steps.some((s) => s.startsWith('@')) && !xml) {
      issues.push({ path: at, message: 'attributes (@name) exist in XML form data only' });
    }
    if (type !== 'group' && !isFieldType(type)) issues.push({ path: at, message: `unknown field type "${type}"` });
    // A field with fields under it is a group; only attributes may sit under a value.
    const under = [...declared].filter((p) => p.startsWith(`${path}.`));
    if (type !== 'group' && under.some((p) => !p.slice(path.length + 1).startsWith('@'))) {
      issues.push({
        path: at,
        message: `has fields under it (${under[0]}), so it is a group: declare it "group" or leave it out`,
      });
    }
    if (type === 'group' && typeof spec === 'object' && (spec.example !== undefined || spec.enum)) {
      issues.push({ path: at, message: 'a group has no value: example and enum belong to its fields' });
    }
    if (type !== 'group' && isFieldType(type) && typeof spec === 'object') {
      issues.push(...exampleIssues(spec, type, at));
    }
  }

  const contract = contractOf(definition);
  const rules = definition.formData;
  const needs = (paths: string[] | undefined, key: string, type: FieldTypeName) => {
    (paths ?? []).forEach((path, i) => {
      const node = nodeAt(contract, path);
      if (!node) issues.push({ path: `/formData/${key}/${i}`, message: `${path} is not declared in formData.fields` });
      else if (node.type !== type) {
        issues.push({
          path: `/formData/${key}/${i}`,
          message: `${path} must be declared as "${type}" in formData.fields`,
        });
      }
    });
  };
  needs(rules.nationalIds, 'nationalIds', 'fodselsnummer');
  // The search's person is read by field path: each must be in the contract, the number a fødselsnummer.
  const person = definition.search?.person;
  (person?.name ?? []).forEach((path, i) => {
    const node = nodeAt(contract, path);
    if (!node) issues.push({ path: `/search/person/name/${i}`, message: `${path} is not declared in formData.fields` });
    else if (!node.type) issues.push({ path: `/search/person/name/${i}`, message: `${path} is a group: name a field` });
  });
  if (person?.nationalId) {
    const node = nodeAt(contract, person.nationalId);
    if (node?.type !== 'fodselsnummer') {
      issues.push({
        path: '/search/person/nationalId',
        message: `${person.nationalId} must be declared as "fodselsnummer" in formData.fields`,
      });
    }
  }
  needs(rules.organisationNumbers, 'organisationNumbers', 'organisasjonsnummer');
  needs(rules.municipalityNumbers, 'municipalityNumbers', 'kommunenummer');
  rules.required.forEach((path, i) => {
    const node = nodeAt(contract, path);
    if (!node) issues.push({ path: `/formData/required/${i}`, message: `${path} is not declared in formData.fields` });
    else if (!node.type)
      issues.push({ path: `/formData/required/${i}`, message: `${path} is a group: require a field in it` });
  });
  for (const [path, field] of [
    ...(rules.submitterMustBe ? [[rules.submitterMustBe.nationalId, '/formData/submitterMustBe/nationalId']] : []),
    ...(rules.submitterMustBe?.orRepresentative ?? []).map((p, i) => [
      p,
      `/formData/submitterMustBe/orRepresentative/${i}`,
    ]),
  ] as [string, string][]) {
    if (!nodeAt(contract, path)) issues.push({ path: field, message: `${path} is not declared in formData.fields` });
  }
  // Each field type declared for a national id is checked as one: the rule says what it means.
  for (const [path, spec] of Object.entries(fields)) {
    const type = typeof spec === 'string' ? spec : spec.type;
    const lists: [FieldTypeName, string[] | undefined, string][] = [
      ['fodselsnummer', rules.nationalIds, 'nationalIds'],
      ['organisasjonsnummer', rules.organisationNumbers, 'organisationNumbers'],
    ];
    for (const [t, list, key] of lists) {
      if (type === t && !(list ?? []).includes(path)) {
        issues.push({
          path: `/formData/fields/${path}`,
          message: `a ${t} field must be in formData.${key} too, so its control digits are checked`,
        });
      }
    }
  }

  forEachSpec(definition, (spec, at) => {
    for (const path of readPaths(spec)) {
      if (!nodeAt(contract, path)) {
        issues.push({
          path: at,
          message: `reads ${path}, which is not declared in formData.fields (the form's data contract)`,
        });
      }
    }
  });
  return dedupe(issues);
}

function exampleIssues(spec: Exclude<FieldSpec, string>, type: FieldTypeName, at: string): ContractIssue[] {
  const issues: ContractIssue[] = [];
  if (spec.example === undefined) return issues;
  if (spec.enum && !spec.enum.includes(spec.example))
    issues.push({ path: `${at}/example`, message: 'not one of enum' });
  return issues.concat(
    checkText(type, spec.example) ? [] : [{ path: `${at}/example`, message: `not a valid ${type}` }],
  );
}

const checkText = (type: FieldTypeName, value: string) => FIELD_TYPE[type].text(value);

/** Every form field a value spec reads: its paths, or the paths in its JSONata expression. */
export function readPaths(spec: string): string[] {
  const expression = /^\{%([\s\S]*)%\}$/.exec(spec);
  if (!expression) return mappingPathsOfSpec(spec);
  let ast: unknown;
  try {
    ast = jsonata((expression[1] ?? '').trim()).ast();
  } catch {
    return []; // the mapping compiler reports the syntax error
  }
  const paths: string[] = [];
  collect(ast, [], paths);
  return [...new Set(paths.filter(isFormPath).map(withoutIndexes))];
}

function mappingPathsOfSpec(spec: string): string[] {
  return mappingPaths({
    id: '',
    title: '',
    formData: { contentType: 'application/xml', required: [] },
    payloads: { x: { template: { v: spec } } },
  });
}

interface Node {
  type?: string;
  value?: unknown;
  steps?: Node[];
  stages?: Node[];
  [key: string]: unknown;
}

/** A JSONata path's leading names are a form path; paths inside a step's filter are relative to that step. */
function collect(node: unknown, prefix: string[], out: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, prefix, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'path' && Array.isArray(n.steps)) {
    const names: string[] = [];
    let leading = true;
    for (const step of n.steps) {
      if (leading && step.type === 'name' && typeof step.value === 'string') {
        names.push(step.value);
        for (const stage of step.stages ?? []) collect(stage, [...prefix, ...names], out);
      } else {
        leading = false;
        collect(step, prefix, out);
      }
    }
    if (names.length > 0) out.push([...prefix, ...names].join('.'));
    return;
  }
  if (n.type === 'name' && typeof n.value === 'string') {
    out.push([...prefix, n.value].join('.'));
    return;
  }
  for (const [key, value] of Object.entries(n)) {
    if (key === 'position' || key === 'procedure') continue;
    collect(value, prefix, out);
  }
}

function dedupe(issues: ContractIssue[]): ContractIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
