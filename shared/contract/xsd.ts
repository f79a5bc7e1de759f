/**
 * The published XSD of an XML form type, generated from its field declarations (declaration.ts): elements in
 * declaration order, minOccurs 1 for required fields and the groups that hold them, maxOccurs unbounded for
 * repeating ones, and a simple type per field type (field-types.ts). A document the XSD accepts, receive accepts;
 * receive does not hold the provider to the element order.
 */
import type { Contract, FieldNode } from './declaration.ts';
import { FIELD_TYPE, type FieldTypeName } from './field-types.ts';

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function contractXsd(contract: Contract): string {
  const used = new Set<FieldTypeName>();
  const lines: string[] = [];
  const out = (depth: number, line: string) => lines.push(`${'  '.repeat(depth)}${line}`);
  const root = contract.root ?? 'melding';

  const documentation = (depth: number, node: FieldNode) => {
    if (!node.description) return;
    out(depth, '<xs:annotation>');
    out(depth + 1, `<xs:documentation xml:lang="nb">${escapeXml(node.description)}</xs:documentation>`);
    out(depth, '</xs:annotation>');
  };

  const simpleType = (node: FieldNode): { attr: string; inline?: string[] } => {
    const type = node.type ?? 'text';
    used.add(type);
    const name = node.required && type === 'text' ? 'tekst-paakrevd' : typeName(type);
    if (!node.enum && !node.maxLength) return { attr: ` type="${name}"` };
    const facets = [
      ...(node.enum ?? []).map((v) => `<xs:enumeration value="${escapeXml(v)}"/>`),
      ...(node.maxLength ? [`<xs:maxLength value="${node.maxLength}"/>`] : []),
    ];
    return {
      attr: '',
      inline: [
        `<xs:simpleType>`,
        `  <xs:restriction base="${name}">`,
        ...facets.map((f) => `    ${f}`),
        '  </xs:restriction>',
        '</xs:simpleType>',
      ],
    };
  };

  const attribute = (depth: number, node: FieldNode) => {
    const { attr, inline } = simpleType(node);
    const use = node.required ? ' use="required"' : '';
    if (!inline && !node.description) {
      out(depth, `<xs:attribute name="${node.name.slice(1)}"${attr}${use}/>`);
      return;
    }
    out(depth, `<xs:attribute name="${node.name.slice(1)}"${attr}${use}>`);
    documentation(depth + 1, node);
    for (const line of inline ?? []) out(depth + 1, line);
    out(depth, '</xs:attribute>');
  };

  const element = (depth: number, node: FieldNode, occurs: string) => {
    const attributes = [...node.children.values()].filter((c) => c.name.startsWith('@'));
    const elements = [...node.children.values()].filter((c) => !c.name.startsWith('@'));
    if (node.type && attributes.length === 0) {
      const { attr, inline } = simpleType(node);
      if (!inline && !node.description) {
        out(depth, `<xs:element name="${node.name}"${attr}${occurs}/>`);
        return;
      }
      out(depth, `<xs:element name="${node.name}"${attr}${occurs}>`);
      documentation(depth + 1, node);
      for (const line of inline ?? []) out(depth + 1, line);
      out(depth, '</xs:element>');
      return;
    }
    out(depth, `<xs:element name="${node.name}"${occurs}>`);
    documentation(depth + 1, node);
    out(depth + 1, '<xs:complexType>');
    if (node.type) {
      // A value with attributes: <belop valuta="NOK">12</belop>
      const type = node.type;
      used.add(type);
      out(depth + 2, '<xs:simpleContent>');
      out(depth + 3, `<xs:extension base="${typeName(type)}">`);
      for (const a of attributes) attribute(depth + 4, a);
      out(depth + 3, '</xs:extension>');
      out(depth + 2, '</xs:simpleContent>');
    } else {
      if (elements.length > 0) {
        out(depth + 2, '<xs:sequence>');
        for (const child of elements) element(depth + 3, child, occursOf(child));
        out(depth + 2, '</xs:sequence>');
      }
      for (const a of attributes) attribute(depth + 2, a);
    }
    out(depth + 1, '</xs:complexType>');
    out(depth, '</xs:element>');
  };

  if (contract.closed) {
    element(1, { ...contract.fields, name: root }, '');
  } else {
    // Undeclared fields: the document may hold anything; the fields the mappings read are listed for the reader.
    out(1, `<xs:element name="${root}">`);
    out(2, '<xs:annotation>');
    const read = leaves(contract.fields).map((n) => n.path);
    out(
      3,
      `<xs:documentation xml:lang="nb">Skjematypen har ikke deklarert feltene sine. Feltene som leses: ${escapeXml(read.join(', '))}</xs:documentation>`,
    );
    out(2, '</xs:annotation>');
    out(2, '<xs:complexType>');
    out(3, '<xs:sequence>');
    out(4, '<xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>');
    out(3, '</xs:sequence>');
    out(3, '<xs:anyAttribute processContents="lax"/>');
    out(2, '</xs:complexType>');
    out(1, '</xs:element>');
  }

  const types: string[] = [];
  for (const type of [...used].sort()) {
    const spec = FIELD_TYPE[type];
    types.push(`  <xs:simpleType name="${typeName(type)}">`);
    types.push(
      `    <xs:annotation><xs:documentation xml:lang="nb">${escapeXml(spec.label)}</xs:documentation></xs:annotation>`,
    );
    if (spec.xsd.pattern) {
      types.push(`    <xs:restriction base="${spec.xsd.base}">`);
      types.push(`      <xs:pattern value="${escapeXml(spec.xsd.pattern)}"/>`);
      types.push('    </xs:restriction>');
    } else types.push(`    <xs:restriction base="${spec.xsd.base}"/>`);
    types.push('  </xs:simpleType>');
  }
  if (used.has('text')) {
    types.push('  <xs:simpleType name="tekst-paakrevd">');
    types.push('    <xs:annotation><xs:documentation xml:lang="nb">tekst, ikke tom</xs:documentation></xs:annotation>');
    types.push('    <xs:restriction base="xs:string">');
    types.push('      <xs:pattern value="[\\s\\S]*\\S[\\s\\S]*"/>');
    types.push('    </xs:restriction>');
    types.push('  </xs:simpleType>');
  }

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Skjemaflyt: datakontrakten for skjematypen, generert fra feltdeklarasjonen i form-types/' +
      `${escapeXml(contract.formType)}.json -->`,
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">',
    '  <xs:annotation>',
    `    <xs:documentation xml:lang="nb">${escapeXml(contract.title)} (${escapeXml(contract.formType)})</xs:documentation>`,
    '  </xs:annotation>',
    ...lines,
    ...types,
    '</xs:schema>',
    '',
  ].join('\n');
}

function typeName(type: FieldTypeName): string {
  return type === 'text' ? 'tekst' : type;
}

function occursOf(node: FieldNode): string {
  return `${node.required ? '' : ' minOccurs="0"'}${node.repeats ? ' maxOccurs="unbounded"' : ''}`;
}

export function leaves(node: FieldNode): FieldNode[] {
  const children = [...node.children.values()];
  return [...(node.type ? [node] : []), ...children.flatMap(leaves)];
}
