/**
 * Form data against its form type's contract, at receive: no field the contract does not declare (a misnamed
 * <gate> for <gateadresse> is refused, not dropped), each field once unless it repeats, groups as groups and values
 * as values, and every value of the type declared (a percentage, a date, a postnummer …), so a value a mapping
 * computes with cannot fail a delivery days later. Errors are JSON pointers into the request with a message in
 * Norwegian that names the element; never the value.
 */
import type { FieldError } from '../domain/rejection.ts';
import type { FormTypeDefinition } from '../mapping/definition.ts';
import { type Contract, contractOf, type FieldNode } from './declaration.ts';
import { FIELD_TYPE, fitsJson } from './field-types.ts';

const BASE = '/formData/content';
const MAX_ERRORS = 20;

/** Namespace declarations and the XSD instance attributes (xsi:noNamespaceSchemaLocation …): any XSD allows them. */
const XML_INFRASTRUCTURE = /^@(xmlns(:.+)?|xsi:.+)$/;

/**
 * The form data against the form type's contract and its rules, as receive answers: the contract's errors first,
 * then each rule's error for a field the contract has not already faulted (one message per field).
 */
export function checkFormData(
  definition: FormTypeDefinition,
  parsed: { root?: string; data: Record<string, unknown> },
  ruleErrors: FieldError[],
): FieldError[] {
  const errors = checkAgainstContract(contractOf(definition), parsed);
  const faulted = new Set(errors.map((e) => e.path));
  return [...errors, ...ruleErrors.filter((e) => !faulted.has(e.path))];
}

export function checkAgainstContract(
  contract: Contract,
  parsed: { root?: string; data: Record<string, unknown> },
): FieldError[] {
  // A wrong root element is the form rules' to report: its fields would all be strangers here.
  if (!contract.closed || (contract.root && parsed.root !== contract.root)) return [];
  const data = parsed.data;
  const errors: FieldError[] = [];
  const xml = contract.contentType === 'application/xml';
  const context = { contract, xml, errors };
  checkGroup(context, contract.fields, data, BASE, []);
  return errors.slice(0, MAX_ERRORS);
}

interface Context {
  contract: Contract;
  xml: boolean;
  errors: FieldError[];
}

const token = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1');

/** How a field is named in a message: the element path for XML (<soker><adresse><gate>), the dotted path for JSON. */
function named(context: Context, steps: string[]): string {
  if (!context.xml) return `Feltet «${steps.join('.')}»`;
  const last = steps.at(-1) ?? '';
  const elements = steps.filter((s) => !s.startsWith('@'));
  if (last.startsWith('@')) return `Attributtet ${last.slice(1)} på <${elements.join('><')}>`;
  return `Elementet <${steps.join('><')}>`;
}

function checkGroup(context: Context, node: FieldNode, value: unknown, pointer: string, steps: string[]): void {
  const { errors } = context;
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push({
      path: pointer,
      code: 'expected-group',
      message: `${named(context, steps)} skal inneholde ${expected(node)}, ikke en enkelt verdi.`,
    });
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (errors.length >= MAX_ERRORS) return;
    const at = `${pointer}/${token(key)}`;
    if (context.xml && XML_INFRASTRUCTURE.test(key)) continue;
    if (key === '#text') {
      if (typeof child === 'string' && child.trim() !== '') {
        errors.push({
          path: pointer,
          code: 'expected-group',
          message: `${named(context, steps)} skal inneholde elementer, ikke tekst.`,
        });
      }
      continue;
    }
    const declared = node.children.get(key);
    if (!declared) {
      errors.push({ path: at, code: 'unknown-field', message: unknownField(context, node, key, steps) });
      continue;
    }
    checkOccurrences(context, declared, child, at, [...steps, key]);
  }
}

function checkOccurrences(context: Context, node: FieldNode, value: unknown, pointer: string, steps: string[]): void {
  if (Array.isArray(value)) {
    if (!node.repeats) {
      context.errors.push({
        path: `${pointer}/1`,
        code: 'not-repeatable',
        message: `${named(context, steps)} kan bare forekomme én gang i «${context.contract.title}».`,
      });
      return;
    }
    value.forEach((item, i) => {
      checkOne(context, node, item, `${pointer}/${i}`, steps);
    });
    return;
  }
  if (node.repeats && !context.xml && value !== undefined && value !== null) {
    // A repeating field in JSON is a list, even of one: the published schema says so.
    context.errors.push({
      path: pointer,
      code: 'expected-list',
      message: `${named(context, steps)} skal være en liste.`,
    });
    return;
  }
  checkOne(context, node, value, pointer, steps);
}

function checkOne(context: Context, node: FieldNode, value: unknown, pointer: string, steps: string[]): void {
  if (!node.type) {
    checkGroup(context, node, value, pointer, steps);
    return;
  }
  let text: unknown = value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    // An XML element with attributes: { '#text': …, '@attr': … }. Child elements make it a group.
    const entries = Object.entries(value as Record<string, unknown>);
    const elements = entries.filter(([k]) => k !== '#text' && !k.startsWith('@')).map(([k]) => k);
    if (elements.length > 0 || !context.xml) {
      context.errors.push({
        path: pointer,
        code: 'expected-value',
        message: `${named(context, steps)} skal være ${FIELD_TYPE[node.type].label}, ikke en gruppe av felt.`,
      });
      return;
    }
    for (const [k, v] of entries) {
      if (k === '#text' || XML_INFRASTRUCTURE.test(k)) continue;
      const declared = node.children.get(k);
      if (!declared) {
        context.errors.push({
          path: `${pointer}/${token(k)}`,
          code: 'unknown-field',
          message: unknownField(context, node, k, steps),
        });
      } else checkOne(context, declared, v, `${pointer}/${token(k)}`, [...steps, k]);
    }
    text = (value as Record<string, unknown>)['#text'];
  }
  checkValue(context, node, text, pointer, steps);
}

function checkValue(context: Context, node: FieldNode, value: unknown, pointer: string, steps: string[]): void {
  if (value === undefined || value === null || value === '' || !node.type) return; // absent: the required rule says
  const type = FIELD_TYPE[node.type];
  const what = named(context, steps);
  if (Array.isArray(value) || typeof value === 'object') {
    context.errors.push({
      path: pointer,
      code: 'expected-value',
      message: `${what} skal være ${type.label}, ikke en gruppe av felt.`,
    });
    return;
  }
  const fits = typeof value === 'string' && context.xml ? type.text(value) : fitsJson(type, value);
  if (!fits) {
    context.errors.push({ path: pointer, code: 'invalid-format', message: `${what} skal være ${type.label}.` });
    return;
  }
  const text = String(value);
  if (node.enum && !node.enum.includes(text)) {
    context.errors.push({
      path: pointer,
      code: 'not-in-list',
      message: `${what} skal være en av: ${node.enum.join(', ')}.`,
    });
  } else if (node.maxLength && text.length > node.maxLength) {
    context.errors.push({ path: pointer, code: 'too-long', message: `${what} kan ha høyst ${node.maxLength} tegn.` });
  }
}

function expected(node: FieldNode): string {
  const names = [...node.children.keys()].filter((k) => !k.startsWith('@'));
  return names.length > 0 ? `elementene ${names.map((n) => `<${n}>`).join(', ')}` : 'felt';
}

/** The message for an undeclared field, with the declared sibling it most likely stands for. */
function unknownField(context: Context, parent: FieldNode, key: string, steps: string[]): string {
  const where =
    steps.length > 0
      ? ` i ${context.xml ? `<${steps.filter((s) => !s.startsWith('@')).join('><')}>` : `«${steps.join('.')}»`}`
      : '';
  const title = context.contract.title;
  const kind = key.startsWith('@') ? 'Attributtet' : context.xml ? 'Elementet' : 'Feltet';
  const shown = key.startsWith('@') ? key.slice(1) : context.xml ? `<${key}>` : `«${key}»`;
  const guess = likelyMeant(key, [...parent.children.keys()]);
  const hint = guess
    ? ` Mente du ${guess.startsWith('@') ? guess.slice(1) : context.xml ? `<${guess}>` : `«${guess}»`}?`
    : '';
  return `${kind} ${shown}${where} finnes ikke i skjemaet «${title}» og ville ikke blitt lest.${hint}`;
}

/** A declared name that starts like the unknown one (gate → gateadresse, postnr → postnummer), or is one typo off. */
export function likelyMeant(key: string, declared: string[]): string | undefined {
  const candidates = declared.filter((d) => d.startsWith('@') === key.startsWith('@'));
  const lower = key.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const other = name.toLowerCase();
    let prefix = 0;
    while (prefix < lower.length && prefix < other.length && lower[prefix] === other[prefix]) prefix++;
    const score =
      other === lower ? 100 : distance(lower, other) <= 2 ? 50 : prefix >= Math.min(4, lower.length) ? prefix : 0;
    if (score > 0 && (!best || score > best.score)) best = { name, score };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
