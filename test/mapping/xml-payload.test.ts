/**
 * The XML payload writer against hostile names. A form's own field names reach a specialist system's XML payload
 * when a template copies a part of the form whole (`{dispensasjon}` in the building case). Whatever the names, the
 * payload is well-formed, has exactly the template's elements at its root, and carries no element an attacker
 * named, no namespace declaration and no xsi:schemaLocation; a name that cannot be written is refused (a
 * permanent mapping failure), never written.
 */

import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { DefinitionCompiler } from '../../shared/mapping/compiler.ts';
import type { MappingInput } from '../../shared/mapping/context.ts';
import { MappingError } from '../../shared/mapping/errors.ts';
import { compilePayload, isPayloadName } from '../../shared/mapping/fagsystem.ts';
import { changedSample, demoRegistry, produce } from './support.ts';

const compiler = new DefinitionCompiler('melding-json');
const payload = compilePayload(compiler, 'meldinger', {
  root: 'melding',
  template: { referanse: '{trackingId}', tekst: '{melding.tekst}', detaljer: '{melding.detaljer}' },
});
const ROOT_CHILDREN = ['referanse', 'tekst', 'detaljer'];

function input(formData: Record<string, unknown>): MappingInput {
  return {
    trackingId: 'sporing-1',
    receivedAt: '2026-11-24T09:15:00Z',
    envelope: {
      submissionId: 'melding-1',
      formType: 'melding-json',
      municipality: '3105',
      submittedAt: '2026-11-24T10:15:00+01:00',
      submitter: { name: 'Kari Nordmann' },
      formData: { contentType: 'application/json', content: '' },
    } as MappingInput['envelope'],
    formData,
  };
}

const write = (detaljer: unknown) => payload(input({ melding: { tekst: 'Gatelyset er mørkt', detaljer } }), 'xml');

const ordered = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: true });

interface Names {
  elements: string[];
  attributes: string[];
  rootChildren: string[];
  roots: string[];
}

/** Every element and attribute name in the document, and the root's children in order. */
function namesIn(xml: string): Names {
  const names: Names = { elements: [], attributes: [], rootChildren: [], roots: [] };
  const walk = (nodes: any[], depth: number) => {
    for (const node of nodes) {
      for (const [key, value] of Object.entries(node)) {
        if (key === ':@') {
          names.attributes.push(...Object.keys(value as object).map((a) => a.slice(1)));
        } else if (key !== '#text' && key !== '?xml') {
          names.elements.push(key);
          if (depth === 0) names.roots.push(key);
          if (depth === 1) names.rootChildren.push(key);
          walk(value as any[], depth + 1);
        }
      }
    }
  };
  walk(ordered.parse(xml), 0);
  return names;
}

// ---- hostile names ----

/** Names a form may well use. */
const PLAIN = ['tekst', 'dato', 'begrunnelse', 'Ødegård', 'æøå', 'felt-1', '_intern', 'a.b', 'x'];
/** Namespace machinery a form's XML brings along: dropped (attributes) or reduced to the local name (elements). */
const NAMESPACED = ['@xmlns', '@xmlns:a', '@xsi:schemaLocation', '@xsi:type', '@xml:lang', 'a:begrunnelse'];
/** Markup that would forge elements if a name were written unchecked: never a name, whatever comes before it. */
const INJECTIONS = [
  '"/><forged>1999/1</forged><x y="',
  '><forged/><x',
  '="1" forged="2',
  ' forged="1"',
  '/><forged',
  '<forged>',
  'forged>',
  '&forged;',
  ']]><forged/>',
  '<!--forged-->',
  '<?forged?>',
  'forged\u0000',
  'forged\n',
  'forged:',
  'a:b:forged',
  '#forged',
];
/** Names that are wrong only in how they start (a digit, '-', '.', reserved "xml", an empty prefix). */
const BAD_STARTS = ['1forged', '-forged', '.forged', 'xmlforged', 'XMLforged', ':forged', '\u00B7forged'];

const plainKey = fc.constantFrom(...PLAIN);
const hostileKey = fc.oneof(
  fc
    .tuple(fc.constantFrom('', '@'), fc.constantFrom('', ...PLAIN), fc.constantFrom(...INJECTIONS))
    .map(([at, name, injection]) => `${at}${name}${injection}`),
  fc.tuple(fc.constantFrom('', '@'), fc.constantFrom(...BAD_STARTS)).map(([at, name]) => `${at}${name}`),
);
const key = fc.oneof(
  { weight: 4, arbitrary: plainKey },
  { weight: 2, arbitrary: plainKey.map((k) => `@${k}`) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMESPACED) },
  { weight: 1, arbitrary: fc.constant('#text') },
  { weight: 2, arbitrary: hostileKey },
);
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('<forged/>', '"/><forged>', 'http://attacker.example/x.xsd'),
);

const { tree } = fc.letrec<{ tree: Record<string, unknown>; node: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { maxKeys: 5, noNullPrototype: true }),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    tie('tree'),
    fc.array(tie('tree'), { maxLength: 2 }),
  ),
}));

/** Whether a generated subtree uses only names the writer can write (plain, namespaced or #text). */
function writable(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(writable);
  if (!value || typeof value !== 'object') return true;
  return Object.entries(value).every(
    ([k, v]) =>
      (PLAIN.includes(k.replace(/^@/, '')) || NAMESPACED.includes(k) || k === '#text') &&
      // an attribute's value is written as text, whatever it is
      (k.startsWith('@') || writable(v)),
  );
}

describe('the XML payload writer', () => {
  it('refuses the attack of the penetration test: an "@"-key that closes the element and forges root elements', async () => {
    const key = '@a="b"/><arkivsak>1999/1</arkivsak><referanse>forged</referanse><soker c';
    const refused = await write({ [key]: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MappingError);
    expect((refused as MappingError).message).toMatch(/som ikke kan være et XML-attributtnavn/);
    expect((refused as MappingError).message).toContain('melding-json, /payloads/meldinger');
  });

  it('drops the namespace declarations and xsi: attributes a copied subtree brings, and keeps its data', async () => {
    const { body } = await write({
      '@xmlns': 'http://attacker.example/ns',
      '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@xsi:schemaLocation': 'http://attacker.example/ns http://attacker.example/x.xsd',
      '@kode': 'D1',
      'a:begrunnelse': { '@xmlns:a': 'urn:a', '#text': 'Garasjen står 1 m fra nabogrensen' },
    });
    expect(body).not.toMatch(/xmlns|xsi:|attacker\.example/);
    const names = namesIn(body);
    expect(names.rootChildren).toEqual(ROOT_CHILDREN);
    expect(body).toContain('<detaljer kode="D1">');
    expect(body).toContain('<begrunnelse>Garasjen står 1 m fra nabogrensen</begrunnelse>');
  });

  it('with hostile names anywhere: well-formed, exactly the template at the root, nothing an attacker named', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (detaljer) => {
        let body: string;
        try {
          ({ body } = await write(detaljer));
        } catch (error) {
          // Refused: only ever a mapping failure, and only for a name that cannot be written.
          expect(error).toBeInstanceOf(MappingError);
          expect(writable(detaljer)).toBe(false);
          return;
        }
        expect(XMLValidator.validate(body)).toBe(true);
        const names = namesIn(body);
        expect(names.roots).toEqual(['melding']);
        // The template's elements: <detaljer> left out when the copied part holds nothing, repeated when it is a
        // list (as a repeated form element is); nothing else ever joins the root.
        expect(names.rootChildren.slice(0, 2)).toEqual(ROOT_CHILDREN.slice(0, 2));
        expect(names.rootChildren.slice(2).every((name) => name === 'detaljer')).toBe(true);
        // Every name an XML name without a prefix (so no xmlns, no xsi:), none of them the attacker's.
        for (const name of [...names.elements, ...names.attributes]) {
          expect(isPayloadName(name), name).toBe(true);
          expect(name).not.toMatch(/forged/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('checks names by the XML Name production, not by a wider idea of letters', () => {
    for (const name of ['tekst', 'Ødegård', 'æøå', '_x', 'a.b-c', 'ÀÖ', 'Ω', '中文', 'a·b', 'a\u0301']) {
      expect(isPayloadName(name), name).toBe(true);
    }
    // ª and µ are letters to Unicode but cannot start an XML name; ² is a number but no NameChar; ×÷ neither.
    for (const name of ['ª', 'µ', 'a²', 'a×b', '1a', '-a', '.a', 'a b', 'a:b', 'xmlfoo', 'XMLfoo', '', 'a\u0000']) {
      expect(isPayloadName(name), JSON.stringify(name)).toBe(false);
    }
  });
});

describe('the building case’s {dispensasjon}, copied from the citizen’s XML', () => {
  it('reaches the building-case system without the citizen’s xmlns and xsi:schemaLocation', async () => {
    const registry = await demoRegistry();
    const body = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
      xml.replace(
        '<dispensasjon>false</dispensasjon>',
        '<dispensasjon xmlns="http://attacker.example/ns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
          'xmlns:a="urn:a" xsi:schemaLocation="http://attacker.example/ns http://attacker.example/x.xsd" ' +
          'a:kilde="skjema"><a:begrunnelse>Garasjen står 1 m fra nabogrensen</a:begrunnelse>' +
          '<soeknad>true</soeknad></dispensasjon>',
      ),
    );
    const files = await produce(registry, body);
    const payload = files['innherred-byggesak.xml'] ?? '';
    expect(payload).not.toMatch(/xmlns|xsi:|attacker\.example/);
    expect(XMLValidator.validate(payload)).toBe(true);
    expect(payload).toMatch(
      /<dispensasjon>\s*<begrunnelse>Garasjen står 1 m fra nabogrensen<\/begrunnelse>\s*<soeknad>true<\/soeknad>\s*<\/dispensasjon>/,
    );
    expect(namesIn(payload).rootChildren).toEqual([
      'eksternReferanse',
      'kommunenummer',
      'arkiv',
      'eiendom',
      'tiltakshaver',
      'tiltak',
      'dispensasjon',
    ]);
  });
});
