/**
 * The provider's form-data contract, through the whole hub: receive refuses what the contract does not declare or
 * type (422 naming the element, nothing stored), GET /v1/form-types shows only the caller's own grants, the schema
 * and example endpoints serve the contract, synthetic test persons pass only where the deployment is a test
 * environment, and the sandbox's archives fail on request.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { providerFor, SAMPLE_NAMES, type Sample, sample, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

beforeAll(async () => {
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
});

/** A Tenor person (month + 80) and a Dolly person (month + 40), both with valid control digits. */
const TENOR = '12835410062';
const DOLLY = '12435410160';

let counter = 0;
const fresh = (body: Sample, prefix: string): Sample => ({ ...body, submissionId: `${prefix}-${++counter}` });

const withContent = (body: Sample, edit: (xml: string) => string): Sample => {
  const formData = body.formData as { contentType: string; content: string };
  return { ...body, formData: { ...formData, content: edit(formData.content) } };
};

const get = async (path: string, provider: string) => {
  const response = await fetch(`${t.hub.url}${path}`, {
    headers: { authorization: `Bearer ${await t.token({ provider })}` },
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
};

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

describe('receive holds form data to the form type’s contract', () => {
  it('still accepts every sample', async () => {
    for (const name of SAMPLE_NAMES) {
      const body = fresh(await sample(name), `kontrakt-${name}`);
      const answer = await t.post(body, providerFor(name));
      expect([name, answer.status]).toEqual([name, 202]);
    }
  });

  it('refuses a TT-kort with <gate> and <postnr> for <gateadresse> and <postnummer>, naming both, storing nothing', async () => {
    const correct = fresh(await sample('tt-kort-soknad'), 'tt-feilnavn');
    const misnamed = withContent(correct, (xml) =>
      xml.replace(/(<\/?)gateadresse>/g, '$1gate>').replace(/(<\/?)postnummer>/g, '$1postnr>'),
    );
    const answer = await t.post(misnamed);
    expect(answer.status).toBe(422);
    expect(answer.contentType).toContain('application/problem+json');
    expect(paths(answer.body)).toEqual([
      '/formData/content/soker/adresse/gate',
      '/formData/content/soker/adresse/postnr',
    ]);
    expect(answer.body.errors[0].message).toBe(
      'Elementet <gate> i <soker><adresse> finnes ikke i skjemaet «Søknad om TT-kort» og ville ikke blitt lest. Mente du <gateadresse>?',
    );
    expect(answer.body.errors[1].message).toContain('Mente du <postnummer>?');
    // Nothing was kept: the same submissionId with the right element names is a new submission, not a 409.
    expect((await t.post(correct)).status).toBe(202);
  });

  it('refuses a percentage, a date and a number that do not fit, naming each field and what it must be', async () => {
    const aSkjema = withContent(fresh(await sample('a-skjema-tilsetting'), 'a-feiltype'), (xml) =>
      xml
        .replace('<stillingsprosent>80</stillingsprosent>', '<stillingsprosent>åttifem</stillingsprosent>')
        .replace('<startdato>2027-01-04</startdato>', '<startdato>04.01.2027</startdato>'),
    );
    const answer = await t.post(aSkjema, 'halden-intranett');
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([
      {
        path: '/formData/content/stilling/stillingsprosent',
        code: 'invalid-format',
        message:
          'Elementet <stilling><stillingsprosent> skal være en prosentsats fra 0 til 100, uten prosenttegn (for eksempel 80 eller 62,5).',
      },
      {
        path: '/formData/content/stilling/startdato',
        code: 'invalid-format',
        message: 'Elementet <stilling><startdato> skal være en dato på formen ÅÅÅÅ-MM-DD (for eksempel 2027-01-04).',
      },
    ]);
    // Never the value itself.
    expect(JSON.stringify(answer.body)).not.toContain('åttifem');

    const gatelys = withContent(fresh(await sample('melding-vei-gatelys'), 'gatelys-feiltype'), (xml) =>
      xml.replace('<nord>6556712.4</nord>', '<nord>6556712,4</nord>'),
    );
    const number = await t.post(gatelys);
    expect(number.status).toBe(422);
    expect(number.body.errors).toEqual([
      {
        path: '/formData/content/sted/koordinater/nord',
        code: 'invalid-format',
        message: 'Elementet <sted><koordinater><nord> skal være et tall med desimalpunktum (for eksempel 6556712.4).',
      },
    ]);
  });

  it('accepts a percentage written with a decimal comma', async () => {
    const body = withContent(fresh(await sample('a-skjema-tilsetting'), 'a-komma'), (xml) =>
      xml.replace('<stillingsprosent>80</stillingsprosent>', '<stillingsprosent>62,5</stillingsprosent>'),
    );
    expect((await t.post(body, 'halden-intranett')).status).toBe(202);
  });
});

describe('GET /v1/form-types: what this provider may send, and where', () => {
  const list = async (provider: string) => {
    const answer = await get('/v1/form-types', provider);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/json');
    return JSON.parse(answer.text).formTypes as {
      id: string;
      municipalities: { kommunenummer: string; name: string }[];
      contract: { closed: boolean; schemaUrl: string; schemaContentType: string; exampleUrl: string };
    }[];
  };
  const summary = (formTypes: Awaited<ReturnType<typeof list>>) =>
    formTypes.map((f) => [f.id, f.municipalities.map((m) => m.kommunenummer)]);

  it('shows each provider its own grants only', async () => {
    expect(summary(await list('eskjema'))).toEqual([
      ['melding-vei-gatelys', ['3101']],
      ['soknad-tiltak-uten-ansvarsrett', ['5037', '5038']],
      ['tt-kort-soknad', ['3101']],
    ]);
    expect(summary(await list('halden-intranett'))).toEqual([['a-skjema-tilsetting', ['3101']]]);
    expect(summary(await list('sandkasse'))).toEqual([
      ['a-skjema-tilsetting', ['9901', '9902', '9903']],
      ['melding-vei-gatelys', ['9901']],
      ['soknad-tiltak-uten-ansvarsrett', ['9901', '9902', '9903']],
      ['tt-kort-soknad', ['9901', '9902', '9903']],
    ]);
    const [ttKort] = (await list('eskjema')).filter((f) => f.id === 'tt-kort-soknad');
    expect(ttKort).toMatchObject({
      title: 'Søknad om TT-kort',
      formData: { contentType: 'application/xml', root: 'melding' },
      municipalities: [{ kommunenummer: '3101', name: 'Halden kommune' }],
      contract: {
        closed: true,
        schemaUrl: '/v1/form-types/tt-kort-soknad/schema',
        schemaContentType: 'application/xml',
        exampleUrl: '/v1/form-types/tt-kort-soknad/example',
      },
    });
  });

  it('serves the XSD, which validates the sample and refuses the misnamed TT-kort', async () => {
    const schema = await get('/v1/form-types/tt-kort-soknad/schema', 'eskjema');
    expect(schema.status).toBe(200);
    expect(schema.contentType).toBe('application/xml; charset=utf-8');
    expect(schema.text).toContain('<xs:schema');
    const validate = async (xml: string) =>
      (
        await validateXML({
          xml: [{ fileName: 'tt-kort.xml', contents: xml }],
          schema: [{ fileName: 'tt-kort-soknad.xsd', contents: schema.text }],
        })
      ).errors.map((e) => e.message);
    const content = ((await sample('tt-kort-soknad')).formData as { content: string }).content;
    expect(await validate(content)).toEqual([]);
    const misnamed = await validate(content.replace(/(<\/?)gateadresse>/g, '$1gate>'));
    expect(misnamed.join(' ')).toContain("'gate'");
  });

  it('serves an example the hub accepts (synthetic persons: the sandbox takes it)', async () => {
    for (const id of [
      'tt-kort-soknad',
      'a-skjema-tilsetting',
      'soknad-tiltak-uten-ansvarsrett',
      'melding-vei-gatelys',
    ]) {
      const example = await get(`/v1/form-types/${id}/example`, 'sandkasse');
      expect([id, example.status, example.contentType]).toEqual([id, 200, 'application/xml; charset=utf-8']);
      const body = fresh(await sample(id), `eksempel-${id}`);
      const content = example.text.replaceAll(
        '<kommunenummer>5037</kommunenummer>',
        '<kommunenummer>9901</kommunenummer>',
      );
      const submitter = { ...(body.submitter as object), ...(id === 'tt-kort-soknad' ? { nationalId: TENOR } : {}) };
      const answer = await t.post(
        { ...body, municipality: '9901', submitter, formData: { contentType: 'application/xml', content } },
        'sandkasse',
      );
      expect([id, answer.status, answer.body.errors]).toEqual([id, 202, undefined]);
    }
  });

  it('does not show a form type the caller has no grant for', async () => {
    const answer = await get('/v1/form-types/tt-kort-soknad/schema', 'halden-intranett');
    expect(answer.status).toBe(404);
    expect(answer.contentType).toContain('application/problem+json');
    expect((await get('/v1/form-types/finnes-ikke/example', 'eskjema')).status).toBe(404);
  });

  it('answers 401 without a token', async () => {
    expect((await fetch(`${t.hub.url}/v1/form-types`)).status).toBe(401);
  });
});

describe('synthetic test persons (Tenor, Dolly)', () => {
  const ttKortFor = async (nationalId: string, municipality: string, prefix: string) =>
    withContent(
      { ...fresh(await sample('tt-kort-soknad'), prefix), municipality, submitter: { name: 'Kari Tenor', nationalId } },
      (xml) => xml.replace('12035440095', nationalId),
    );

  it('are refused in production, with a message that says why', async () => {
    for (const [fnr, register] of [
      [TENOR, 'Tenor'],
      [DOLLY, 'Dolly'],
    ] as const) {
      const answer = await t.post(await ttKortFor(fnr, '3101', 'syntetisk-prod'));
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        {
          path: '/submitter/nationalId',
          code: 'synthetic-person',
          message: `Fødselsnummeret er en syntetisk testperson (${register}), og slike tas bare imot i et testmiljø: dette er produksjon.`,
        },
      ]);
      expect(JSON.stringify(answer.body)).not.toContain(fnr);
    }
  });

  it('in the form data too, when the submitter is a real person', async () => {
    const body = withContent(fresh(await sample('tt-kort-soknad'), 'syntetisk-foresatt'), (xml) =>
      xml.replace('</soker>', `</soker><foresatt><fodselsnummer>${TENOR}</fodselsnummer></foresatt>`),
    );
    const answer = await t.post(body);
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toContainEqual({
      path: '/formData/content/foresatt/fodselsnummer',
      code: 'synthetic-person',
      message:
        'Feltet «foresatt.fodselsnummer» er en syntetisk testperson (Tenor), og slike tas bare imot i et testmiljø: dette er produksjon.',
    });
  });

  it('are accepted in a test environment (the sandbox) and delivered', async () => {
    for (const fnr of [TENOR, DOLLY]) {
      const answer = await t.post(await ttKortFor(fnr, '9901', 'syntetisk-test'), 'sandkasse');
      expect(answer.status).toBe(202);
      const status = await t.waitFor(answer.body.trackingId, 'sandkasse', (s) => s.status === 'DELIVERED');
      expect(status.status).toBe('DELIVERED');
    }
    // A wrong control digit is still wrong there.
    const wrong = await t.post(await ttKortFor('12835410063', '9901', 'syntetisk-feil'), 'sandkasse');
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].message).toBe('Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke).');
  });
});

describe('the sandbox fails on request', () => {
  const inSandbox = async (municipality: string, prefix: string) => ({
    ...fresh(await sample('tt-kort-soknad'), prefix),
    municipality,
  });

  it('9902: the archive rejects the record, once and for all (FAILED after one attempt)', async () => {
    const answer = await t.post(await inSandbox('9902', 'sandkasse-avvist'), 'sandkasse');
    expect(answer.status).toBe(202);
    const status = await t.waitFor(answer.body.trackingId, 'sandkasse', (s) => s.status === 'FAILED');
    expect(status.status).toBe('FAILED');
    expect(status.deliveries[0]).toMatchObject({ target: 'sandkasse-arkiv-avviser', status: 'FAILED', attempts: 1 });
    expect(existsSync(join(t.hub.archiveDir, '9902', answer.body.trackingId))).toBe(false);
  });

  it('9903: the archive is down: retried, then FAILED after the last attempt', async () => {
    const answer = await t.post(await inSandbox('9903', 'sandkasse-nede'), 'sandkasse');
    expect(answer.status).toBe(202);
    const status = await t.waitFor(answer.body.trackingId, 'sandkasse', (s) => s.status === 'FAILED', 60_000);
    expect(status.deliveries[0]).toMatchObject({ target: 'sandkasse-arkiv-nede', status: 'FAILED', attempts: 3 });
    expect(status.deliveries[0].history.map((h: { status: string }) => h.status)).toContain('RETRYING');
  });
});
