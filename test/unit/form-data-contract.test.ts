import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import type { FormType } from '../../shared/config/types.ts';
import { checkAgainstContract } from '../../shared/contract/check.ts';
import { contractOf } from '../../shared/contract/declaration.ts';
import { contractIssues } from '../../shared/contract/drift.ts';
import { FIELD_TYPE } from '../../shared/contract/field-types.ts';
import { contractJsonSchema, exampleDocument } from '../../shared/contract/json-schema.ts';
import { contractXsd } from '../../shared/contract/xsd.ts';
import type { FormTypeDefinition } from '../../shared/mapping/definition.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import { SAMPLE_NAMES, sample } from '../support/hub.ts';

const definitionOf = async (id: string): Promise<FormTypeDefinition> =>
  JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, 'form-types', `${id}.json`), 'utf8'));

const xsdErrors = async (xsd: string, xml: string) => {
  const result = await validateXML({
    xml: [{ fileName: 'form.xml', contents: xml }],
    schema: [{ fileName: 'contract.xsd', contents: xsd }],
  });
  return result.errors.map((e) => e.message);
};

const contentOf = async (name: string) => ((await sample(name)).formData as { content: string }).content;

/** A JSON form type with its fields declared: the JSON side of the same declaration. */
const JSON_FORM: FormTypeDefinition = {
  id: 'melding-json',
  title: 'Melding (JSON)',
  formData: {
    contentType: 'application/json',
    required: ['melding.tekst', 'melding.dato'],
    fields: {
      'melding.tekst': 'text',
      'melding.dato': 'date',
      'melding.andel': 'percent',
      'melding.antall': 'integer',
      'melding.belop': 'decimal-comma',
      'melding.haster': 'boolean',
      'melding.vedlegg': { type: 'text', repeats: true },
      'melding.sted.postnummer': 'postnummer',
    },
  },
  payloads: { meldinger: { template: { tekst: '{melding.tekst}', n: '{% $number(melding.antall) %}' } } },
};

describe('the published contracts', () => {
  it.each(SAMPLE_NAMES)(
    'the XSD of %s validates its sample and its example, and refuses a misnamed element',
    async (name) => {
      const contract = contractOf(await definitionOf(name));
      const xsd = contractXsd(contract);
      expect(await xsdErrors(xsd, await contentOf(name))).toEqual([]);
      expect(await xsdErrors(xsd, exampleDocument(contract))).toEqual([]);
      const misnamed = (await contentOf(name)).replace(/<(\/?)(fornavn|adresse|kategori|tittel)>/g, '<$1navnet>');
      expect((await xsdErrors(xsd, misnamed)).join(' ')).toMatch(/navnet/);
    },
  );

  it('the JSON Schema of a JSON form type validates its example and refuses what receive refuses', () => {
    const contract = contractOf(JSON_FORM);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(contractJsonSchema(contract, 'https://example.no/melding-json'));
    const example = JSON.parse(exampleDocument(contract));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(checkAgainstContract(contract, { data: example })).toEqual([]);

    const wrong = { melding: { ...example.melding, tekts: 'x', andel: '120', dato: '2027-02-30' } };
    expect(validate(wrong)).toBe(false);
    const errors = checkAgainstContract(contract, { data: wrong });
    expect(errors.map((e) => e.path).sort()).toEqual([
      '/formData/content/melding/andel',
      '/formData/content/melding/dato',
      '/formData/content/melding/tekts',
    ]);
    expect(errors.find((e) => e.path.endsWith('tekts'))?.message).toBe(
      'Feltet «tekts» i «melding» finnes ikke i skjemaet «Melding (JSON)» og ville ikke blitt lest. Mente du «tekst»?',
    );
  });
});

describe('receive checks form data against the contract', () => {
  const check = async (name: string, edit: (xml: string) => string) => {
    const contract = contractOf(await definitionOf(name));
    return checkAgainstContract(contract, parseFormData('application/xml', edit(await contentOf(name))));
  };

  it.each(SAMPLE_NAMES)('accepts the sample %s', async (name) => {
    expect(await check(name, (x) => x)).toEqual([]);
  });

  it('names <gate> and <postnr> of a misnamed TT-kort address, with what was meant', async () => {
    const errors = await check('tt-kort-soknad', (x) =>
      x.replace(/(<\/?)gateadresse>/g, '$1gate>').replace(/(<\/?)postnummer>/g, '$1postnr>'),
    );
    expect(errors).toEqual([
      {
        path: '/formData/content/soker/adresse/gate',
        code: 'unknown-field',
        message:
          'Elementet <gate> i <soker><adresse> finnes ikke i skjemaet «Søknad om TT-kort» og ville ikke blitt lest. Mente du <gateadresse>?',
      },
      {
        path: '/formData/content/soker/adresse/postnr',
        code: 'unknown-field',
        message:
          'Elementet <postnr> i <soker><adresse> finnes ikke i skjemaet «Søknad om TT-kort» og ville ikke blitt lest. Mente du <postnummer>?',
      },
    ]);
  });

  it('refuses a value of the wrong type, naming the field and what it must be', async () => {
    const errors = await check('a-skjema-tilsetting', (x) =>
      x
        .replace('<stillingsprosent>80<', '<stillingsprosent>80 %<')
        .replace('<startdato>2027-01-04<', '<startdato>04.01.2027<')
        .replace('<lonnstrinn>52<', '<lonnstrinn>52,5<'),
    );
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      [
        '/formData/content/stilling/stillingsprosent',
        'Elementet <stilling><stillingsprosent> skal være en prosentsats fra 0 til 100, uten prosenttegn (for eksempel 80 eller 62,5).',
      ],
      [
        '/formData/content/stilling/startdato',
        'Elementet <stilling><startdato> skal være en dato på formen ÅÅÅÅ-MM-DD (for eksempel 2027-01-04).',
      ],
      [
        '/formData/content/stilling/lonnstrinn',
        'Elementet <stilling><lonnstrinn> skal være et heltall (for eksempel 52).',
      ],
    ]);
  });

  it('lets a document name its XSD (xmlns:xsi, xsi:noNamespaceSchemaLocation), as any XSD does', async () => {
    const named = (x: string) =>
      x.replace(
        '<melding ',
        '<melding xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="tt-kort-soknad.xsd" ',
      );
    expect(await check('tt-kort-soknad', named)).toEqual([]);
    const contract = contractOf(await definitionOf('tt-kort-soknad'));
    expect(await xsdErrors(contractXsd(contract), named(await contentOf('tt-kort-soknad')))).toEqual([]);
    expect(await check('tt-kort-soknad', (x) => x.replace('<melding ', '<melding versjon="2" '))).toEqual([
      {
        path: '/formData/content/@versjon',
        code: 'unknown-field',
        message: 'Attributtet versjon finnes ikke i skjemaet «Søknad om TT-kort» og ville ikke blitt lest.',
      },
    ]);
  });

  it('accepts a percentage with a decimal comma, and repeats where declared only', async () => {
    expect(
      await check('a-skjema-tilsetting', (x) => x.replace('<stillingsprosent>80<', '<stillingsprosent>62,5<')),
    ).toEqual([]);
    const twice = await check('tt-kort-soknad', (x) =>
      x.replace('</soker>', '</soker><soker><fornavn>Ola</fornavn></soker>'),
    );
    expect(twice).toEqual([
      {
        path: '/formData/content/soker/1',
        code: 'not-repeatable',
        message: 'Elementet <soker> kan bare forekomme én gang i «Søknad om TT-kort».',
      },
    ]);
  });
});

describe('the contract and the mappings cannot drift apart', () => {
  it('the demo form types read only declared fields', async () => {
    for (const name of SAMPLE_NAMES) expect(contractIssues(await definitionOf(name)), name).toEqual([]);
  });

  it('a mapping that reads an undeclared field stops the start, in a path, a template or a JSONata expression', async () => {
    const definition = await definitionOf('a-skjema-tilsetting');
    const {
      'stilling.stillingsprosent': _gone,
      'ansatt.kontonummer': _gone2,
      ...fields
    } = definition.formData.fields ?? {};
    const drifted = { ...definition, formData: { ...definition.formData, fields } };
    expect(contractIssues(drifted)).toEqual([
      {
        path: '/payloads/lonn/template/ansatt/kontonummer',
        message: "reads ansatt.kontonummer, which is not declared in formData.fields (the form's data contract)",
      },
      {
        path: '/payloads/lonn/template/stilling/stillingsprosent',
        message: "reads stilling.stillingsprosent, which is not declared in formData.fields (the form's data contract)",
      },
    ]);
  });

  it('the person a form is about (search.person) names declared fields, its number a fødselsnummer', async () => {
    const definition = await definitionOf('a-skjema-tilsetting');
    const drifted = {
      ...definition,
      search: { person: { name: ['ansatt.fornavn', 'ansatt.mellomnavn'], nationalId: 'ansatt.kontonummer' } },
    };
    expect(contractIssues(drifted)).toEqual([
      { path: '/search/person/name/1', message: 'ansatt.mellomnavn is not declared in formData.fields' },
      {
        path: '/search/person/nationalId',
        message: 'ansatt.kontonummer must be declared as "fodselsnummer" in formData.fields',
      },
    ]);
  });

  it('the configuration loader refuses it, naming the definition file', async () => {
    const { mkdtemp, cp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'contract-drift-'));
    await cp(DEFAULT_CONFIG_PATH, dir, { recursive: true });
    const file = join(dir, 'form-types', 'tt-kort-soknad.json');
    const definition = JSON.parse(await readFile(file, 'utf8'));
    delete definition.formData.fields['soker.adresse.poststed'];
    definition.formData.fields['soker.adresse.postnummer'] = 'text';
    definition.formData.nationalIds = ['soker.fodselsnummer'];
    await writeFile(file, JSON.stringify(definition));
    const error = await loadHubConfig(dir).then(
      () => undefined,
      (e: { issues?: unknown[] }) => e,
    );
    expect(error?.issues).toEqual(
      expect.arrayContaining([
        {
          file: 'form-types/tt-kort-soknad.json',
          path: '/archive/part/0/poststed',
          message: "reads soker.adresse.poststed, which is not declared in formData.fields (the form's data contract)",
        },
        {
          file: 'form-types/tt-kort-soknad.json',
          path: '/formData/fields/foresatt.fodselsnummer',
          message: 'a fodselsnummer field must be in formData.nationalIds too, so its control digits are checked',
        },
      ]),
    );
  });

  it('a form type without declared fields has an open contract listing what its mappings read', async () => {
    const definition = await definitionOf('melding-vei-gatelys');
    const { fields: _fields, ...formData } = definition.formData;
    const open = contractOf({ ...definition, formData } as FormType['definition']);
    expect(open.closed).toBe(false);
    expect(checkAgainstContract(open, { root: 'melding', data: { hva: 'som helst' } })).toEqual([]);
    expect(contractXsd(open)).toContain('sted.koordinater.@system');
  });
});

describe('a percentage', () => {
  const fits = (value: string) => FIELD_TYPE.percent.text(value);
  const published = new RegExp(FIELD_TYPE.percent.jsonText?.pattern ?? 'never');

  it('is 0 to 100 with a comma or a point, and no leading zero a mapping would stumble on', () => {
    const accepted = ['0', '5', '62,5', '62.5', '80', '99,99', '100', '100,0'];
    const refused = ['08', '080', '05,5', '100,5', '101', '80 %', '-1', ',5', ''];
    expect(accepted.filter((v) => !fits(v))).toEqual([]);
    expect(refused.filter(fits)).toEqual([]);
    // The receive check and the published contract (XSD / JSON Schema pattern) agree on every one of them.
    expect([...accepted, ...refused].filter((v) => fits(v) !== published.test(v))).toEqual([]);
  });
});
