/**
 * The published JSON Schema (draft-07) of a JSON form type, and the example document of any form type, both from
 * its field declarations (declaration.ts): what the schema accepts, receive accepts.
 */
import type { Contract, FieldNode } from './declaration.ts';
import { FIELD_TYPE } from './field-types.ts';

type Schema = Record<string, unknown>;

export function contractJsonSchema(contract: Contract, id: string): Schema {
  const body = contract.closed
    ? groupSchema(contract.fields)
    : {
        type: 'object',
        description: `Skjematypen har ikke deklarert feltene sine. Feltene som leses: ${leafPaths(contract.fields).join(', ')}`,
      };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: id,
    title: `${contract.title} (${contract.formType})`,
    ...body,
  };
}

function groupSchema(node: FieldNode): Schema {
  const children = [...node.children.values()].filter((c) => !c.name.startsWith('@'));
  const required = children.filter((c) => c.required).map((c) => c.name);
  return {
    type: 'object',
    ...(node.description ? { description: node.description } : {}),
    properties: Object.fromEntries(children.map((c) => [c.name, repeated(c)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function repeated(node: FieldNode): Schema {
  const one = node.type ? leafSchema(node) : groupSchema(node);
  return node.repeats ? { type: 'array', items: one, ...(node.required ? { minItems: 1 } : {}) } : one;
}

function leafSchema(node: FieldNode): Schema {
  const type = FIELD_TYPE[node.type ?? 'text'];
  const asText: Schema = {
    type: 'string',
    ...(type.jsonText?.pattern ? { pattern: type.jsonText.pattern } : {}),
    ...(type.jsonText?.format ? { format: type.jsonText.format } : {}),
    ...(node.required && node.type === 'text' ? { minLength: 1, pattern: '\\S' } : {}),
    ...(node.maxLength ? { maxLength: node.maxLength } : {}),
    ...(node.enum ? { enum: node.enum } : {}),
  };
  const native: Schema =
    type.json === 'number' || type.json === 'number-or-text'
      ? {
          type: 'number',
          ...(node.type === 'percent' ? { minimum: 0, maximum: 100 } : {}),
        }
      : type.json === 'integer'
        ? { type: 'integer' }
        : type.json === 'boolean'
          ? { type: 'boolean' }
          : asText;
  const schema = type.json === 'number-or-text' ? { anyOf: [native, asText] } : native;
  return { ...(node.description ? { description: node.description } : {}), ...schema };
}

function leafPaths(node: FieldNode): string[] {
  return [...(node.type ? [node.path] : []), ...[...node.children.values()].flatMap(leafPaths)];
}

/** An example of the form data: every declared field once, with its example value (or its type's). */
export function exampleDocument(contract: Contract): string {
  if (contract.contentType === 'application/json') {
    return `${JSON.stringify(exampleJson(contract.fields), null, 2)}\n`;
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const element = (node: FieldNode, name: string, depth: number) => {
    const pad = '  '.repeat(depth);
    const attributes = [...node.children.values()]
      .filter((c) => c.name.startsWith('@'))
      .map((c) => ` ${c.name.slice(1)}="${escapeXml(exampleOf(c))}"`)
      .join('');
    if (node.type) {
      lines.push(`${pad}<${name}${attributes}>${escapeXml(exampleOf(node))}</${name}>`);
      return;
    }
    lines.push(`${pad}<${name}${attributes}>`);
    for (const child of node.children.values()) {
      if (!child.name.startsWith('@')) element(child, child.name, depth + 1);
    }
    lines.push(`${pad}</${name}>`);
  };
  element(contract.fields, contract.root ?? 'melding', 0);
  return `${lines.join('\n')}\n`;
}

function exampleJson(node: FieldNode): unknown {
  if (!node.type) {
    return Object.fromEntries(
      [...node.children.values()].map((c) => [c.name, c.repeats ? [exampleJson(c)] : exampleJson(c)]),
    );
  }
  const text = exampleOf(node);
  const type = FIELD_TYPE[node.type];
  if (type.json === 'boolean') return text === 'true';
  if (type.json === 'number' || type.json === 'integer') return Number(text);
  return text;
}

function exampleOf(node: FieldNode): string {
  return node.example ?? node.enum?.[0] ?? FIELD_TYPE[node.type ?? 'text'].example;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
