/**
 * When a mapping cannot be made, the people who must act get told which field and which rule: the integration
 * specialist at start-up (file + JSON pointer), the archive clerk at run time (in Norwegian, without the
 * submission's personal data), and the delivery fails at once instead of being retried as if the archive were down.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import type { FormType } from '../../shared/config/types.ts';
import { deliverToArchive } from '../../shared/delivery/archive-delivery.ts';
import { processDelivery } from '../../shared/delivery/process.ts';
import { MappingError } from '../../shared/mapping/errors.ts';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { previewSubmission } from '../../shared/mapping/preview.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import type { DeliveryRecord, SubmissionRecord } from '../../shared/store/records.ts';
import { refusalIssues } from '../support/config.ts';
import { mappingInput } from '../support/factories.ts';
import { sample } from '../support/hub.ts';
import { changedSample, demoRegistry } from './support.ts';

type Json = Record<string, any>;

/** The demo configuration in a temporary folder, with some of its files changed. */
async function demoWith(changes: Record<string, (json: Json) => void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-mapping-'));
  await cp(DEFAULT_CONFIG_PATH, dir, { recursive: true });
  for (const [file, change] of Object.entries(changes)) {
    const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
    change(json);
    await writeFile(join(dir, file), JSON.stringify(json));
  }
  return dir;
}

const issuesOf = (dir: string) => refusalIssues(() => loadHubConfig(dir));

const TT = 'form-types/tt-kort-soknad.json';
const A = 'form-types/a-skjema-tilsetting.json';

describe('a definition that cannot work stops the start, naming file and field', () => {
  it('syntax, codes and schema', async () => {
    const issues = await issuesOf(
      await demoWith({
        [TT]: (d) => {
          d.archive.tittel = '{% $join(soker.fornavn, %}';
          d.archive.dokumenter.hoveddokument.dokumenttype = 'SOKNAD';
          d.archive.korrespondansepart[0].type = 'XX';
          d.archive.saksmappe.matrikkelnummer = { kommunenummer: 'a', gaardsnummer: 'b', bruksnummer: 'c' };
        },
        [A]: (d) => {
          d.archive.tittle = 'typo';
          d.payloads.lonn.template.stilling.prosent = '{stilling.stillingsprosent';
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { file: TT, path: '/archive/tittel', message: expect.stringContaining('JSONata') },
        {
          file: TT,
          path: '/archive/dokumenter/hoveddokument/dokumenttype',
          message: expect.stringContaining('SOKNAD'),
        },
        { file: TT, path: '/archive/korrespondansepart/0/type', message: expect.stringContaining('XX') },
        { file: TT, path: '/archive/saksmappe/matrikkelnummer', message: 'not used by strategy "person"' },
        { file: A, path: '/archive', message: 'unknown field "tittle"' },
      ]),
    );
    // The payload template is checked too (the schema error above stops the A-skjema first; fix it and look again).
    const again = await issuesOf(
      await demoWith({ [A]: (d) => (d.payloads.lonn.template.stilling.prosent = '{stilling.stillingsprosent') }),
    );
    expect(again).toEqual([
      { file: A, path: '/payloads/lonn/template/stilling/prosent', message: expect.stringContaining('unbalanced') },
    ]);
  });

  it('a screened title needs a public title, and the public title must not name the person', async () => {
    const issues = await issuesOf(
      await demoWith({
        [TT]: (d) => {
          // A template's public title is the title without its personal placeholders; an expression's cannot be.
          d.archive.tittel = "{% 'Søknad om TT-kort – ' & soker.etternavn %}";
          delete d.archive.offentligTittel;
          d.archive.saksmappe.offentligTittel = 'TT-kort – {soker.etternavn}';
        },
      }),
    );
    expect(issues).toEqual([
      { file: TT, path: '/archive/offentligTittel', message: expect.stringContaining('screens the title') },
      {
        file: TT,
        path: '/archive/saksmappe/offentligTittel',
        message: 'the public title must not show soker.etternavn: it names or identifies the person',
      },
    ]);
  });

  it('a value the record needs must read a required form field; a folder key every field of it', async () => {
    const issues = await issuesOf(
      await demoWith({
        [A]: (d) => {
          d.formData.required = d.formData.required.filter((p: string) => p !== 'godkjenning.leder');
        },
        [TT]: (d) => {
          d.archive.saksmappe.noekkel = 'tt-kort/{soker.adresse.postnummer}';
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { file: A, path: '/archive/korrespondansepart/0/navn', message: expect.stringContaining('godkjenning.leder') },
        { file: TT, path: '/archive/saksmappe/noekkel', message: expect.stringContaining('share one folder') },
      ]),
    );
  });

  it('a property folder’s kommunenummer must be checked against the municipality; the submitter’s person required', async () => {
    const B = 'form-types/soknad-tiltak-uten-ansvarsrett.json';
    const issues = await issuesOf(
      await demoWith({
        [B]: (d) => {
          delete d.formData.municipalityNumbers;
        },
        [TT]: (d) => {
          d.formData.required = d.formData.required.filter((p: string) => p !== 'soker.fodselsnummer');
          d.formData.submitterMustBe.orRepresentative = ['foresatt..fodselsnummer'];
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          file: B,
          path: '/archive/saksmappe/matrikkelnummer/kommunenummer',
          message: expect.stringContaining('add eiendom.kommunenummer to formData.municipalityNumbers'),
        },
        {
          file: TT,
          path: '/formData/submitterMustBe/nationalId',
          message: expect.stringContaining('formData.required'),
        },
        {
          file: TT,
          path: '/formData/submitterMustBe/orRepresentative/0',
          message: expect.stringContaining('valid path'),
        },
      ]),
    );
    // Reading the envelope's own municipality needs no check.
    const envelope = await demoWith({
      [B]: (d) => {
        delete d.formData.municipalityNumbers;
        d.archive.saksmappe.matrikkelnummer.kommunenummer = 'municipality';
      },
    });
    await expect(loadHubConfig(envelope)).resolves.toBeDefined();
  });

  it('routing: a missing definition, a payload that needs the archive, a format that cannot hold the record', async () => {
    const issues = await issuesOf(
      await demoWith({
        'halden.json': (h) => {
          h.formTypes[0].id = 'tt-kort-soknad-v2';
          h.providers[0].grants[0].formTypes[0] = 'tt-kort-soknad-v2';
          h.targets[0].format = 'eformidling';
          delete h.formTypes[2].archive.saksansvarlig;
        },
        'innherred.json': (h) => {
          delete h.formTypes[0].deliveries[1].after;
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          file: 'halden.json',
          path: '/formTypes/0/id',
          message: 'form type "tt-kort-soknad-v2" has no mapping definition form-types/tt-kort-soknad-v2.json',
        },
        {
          file: 'halden.json',
          path: '/formTypes/2/archive',
          message:
            'archive target "halden-arkiv" receives eFormidling: a saksmappe needs administrativEnhet and saksansvarlig (for every municipality)',
        },
        { file: 'innherred.json', path: '/formTypes/0/deliveries/1', message: expect.stringContaining('archive.*') },
      ]),
    );
  });
});

describe('archive settings that cannot make a record an archivist signs off stop the start', () => {
  it('a personnel form type without its own arkivdel, a title longer than the limit, settings for a foreign municipality', async () => {
    const issues = await issuesOf(
      await demoWith({
        'halden.json': (h) => {
          delete h.formTypes[2].archive.arkivdel;
        },
        'innherred.json': (h) => {
          h.formTypes[0].archive.perMunicipality['3101'] = { arkivdel: 'BYGG-HALDEN' };
        },
        [A]: (d) => {
          d.archive.titleMaxLength = 20;
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          file: 'halden.json',
          path: '/formTypes/2/archive/arkivdel',
          message: expect.stringContaining('personnel matter (archive.personnel)'),
        },
        {
          file: 'innherred.json',
          path: '/formTypes/0/archive/perMunicipality/3101',
          message: '3101 is not one of this form type’s municipalities (5037, 5038)'.replace('’', "'"),
        },
        { file: A, path: '/archive/tittel', message: expect.stringContaining('more than titleMaxLength 20') },
      ]),
    );
  });

  it('journalstatus J (checked by the records office) is not for records a machine makes', async () => {
    const issues = await issuesOf(
      await demoWith({
        'halden.json': (h) => {
          h.formTypes[0].archive.journalstatus = 'J';
        },
      }),
    );
    expect(issues).toEqual([
      { file: 'halden.json', path: '/formTypes/0/archive/journalstatus', message: expect.stringContaining('allowed') },
    ]);
  });
});

describe('a submission the mapping cannot handle', () => {
  it('names the field and the rule, in words a clerk can act on, without the submission’s values', async () => {
    const registry = await demoRegistry();
    const body = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
      xml.replace('<gardsnummer>314</gardsnummer>', '<gardsnummer>314b</gardsnummer>'),
    );
    const preview = await previewSubmission(registry, body);
    expect(preview.files).toEqual([]);
    const [archive, byggesak] = preview.problems;
    expect(archive).toEqual({
      target: 'innherred-byggesak-arkiv',
      field: '/archive/saksmappe/matrikkelnummer/gaardsnummer',
      message:
        'Gårdsnummeret er ikke et heltall (skjemafelt: eiendom.gardsnummer). Regel i skjemadefinisjonen ' +
        'soknad-tiltak-uten-ansvarsrett, /archive/saksmappe/matrikkelnummer/gaardsnummer: «eiendom.gardsnummer». ' +
        'Rett verdien i innsendingen (send skjemaet på nytt), eller rett regelen i skjemadefinisjonen.',
    });
    expect(archive?.message).not.toContain('314b');
    // The building-case system would never get its payload: it waits for the archive.
    expect(byggesak).toEqual({
      target: 'innherred-byggesak',
      message: 'Venter på arkivleveransen til innherred-byggesak-arkiv, som ikke kan lages.',
    });
  });

  it('says which expression failed and on which field', async () => {
    const registry = await demoRegistry();
    const body = await changedSample('a-skjema-tilsetting', (xml) =>
      xml.replace('<stillingsprosent>80</stillingsprosent>', '<stillingsprosent>åttifem</stillingsprosent>'),
    );
    const preview = await previewSubmission(registry, body, { validate: false });
    expect(preview.files.map((f) => f.target)).toEqual(['halden-arkiv', 'halden-it-tilgang']);
    expect(preview.problems).toEqual([
      {
        target: 'halden-lonn',
        field: '/payloads/lonn/template/stilling/stillingsprosent',
        message: expect.stringMatching(
          /^Feltet «stilling\.stillingsprosent» i nyttelasten til lonn kunne ikke beregnes \(JSONata D3030/,
        ),
      },
    ]);
    expect(preview.problems[0]?.message).toContain('$number($replace(stilling.stillingsprosent');
    expect(preview.problems[0]?.message).not.toContain('åttifem');
  });

  it('a payload that needs the archive’s saksnummer fails when the archive gave none', async () => {
    const registry = await demoRegistry();
    const preview = await previewSubmission(registry, await sample('soknad-tiltak-uten-ansvarsrett'), {
      archiveReferences: { journalpostnummer: '1' },
      validate: false,
    });
    expect(preview.problems).toEqual([
      {
        target: 'innherred-byggesak',
        field: '/payloads/byggesak/template/arkiv/saksnummer',
        message: expect.stringContaining(
          'Feltet «arkiv.saksnummer» i nyttelasten til byggesak ble tomt (arkivet ga ingen verdi)',
        ),
      },
    ]);
  });

  it('an empty value names the empty form fields (a definition loaded without the start-up checks)', async () => {
    const registry = await demoRegistry();
    const tt = registry.formType('3101', 'tt-kort-soknad') as FormType;
    const loose: FormType = {
      ...tt,
      definition: {
        ...tt.definition,
        archive: { ...(tt.definition.archive as any), tittel: '{soker.kallenavn} {soker.mellomnavn}' },
      },
    };
    const { input } = mappingInput(await sample('tt-kort-soknad'), { trackingId: 't' });
    const error = await mapToArchive(loose, input, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).fault).toMatchObject({
      field: '/archive/tittel',
      formFields: ['soker.kallenavn', 'soker.mellomnavn'],
    });
    expect((error as Error).message).toMatch(
      /^Journalpostens tittel ble tom \(skjemafelt: soker.kallenavn, soker.mellomnavn\)/,
    );
  });

  it('fails the delivery at the first attempt, with the reason, instead of retrying', async () => {
    const registry = await demoRegistry();
    const body: any = await changedSample('soknad-tiltak-uten-ansvarsrett', (xml) =>
      xml.replace('<bruksnummer>27</bruksnummer>', '<bruksnummer>27 og 28</bruksnummer>'),
    );
    const { attachments: _, ...envelope } = body;
    const submission = {
      trackingId: 'trk-1',
      municipality: '5037',
      formType: body.formType,
      receivedAt: body.submittedAt,
      documents: [],
    } as unknown as SubmissionRecord;
    const delivery = { target: 'innherred-byggesak-arkiv', status: 'QUEUED', attempts: 0 } as DeliveryRecord;
    const transitions: { to: string; failure?: { code: string; message: string } }[] = [];
    const deps = {
      registry,
      store: {
        get: async () => ({ submission, deliveries: [delivery] }),
        transition: async (_delivery: unknown, change: { to: string; failure?: { code: string; message: string } }) => {
          transitions.push(change);
          return { ...delivery, status: change.to };
        },
      },
      documents: {
        get: async (key: string) => {
          expect(key).toBe(DocumentStore.formKey('trk-1'));
          return Buffer.from(JSON.stringify(envelope));
        },
      },
      queue: { send: async () => {} },
      secrets: { get: async () => undefined },
      logger: { info: () => {}, warn: () => {} },
      once: (_key: string, send: () => Promise<unknown>) => send(),
    } as any;
    const outcome = await processDelivery(
      { trackingId: 'trk-1', targetId: delivery.target },
      { receiveCount: 1, retryAfter: async () => {} },
      deliverToArchive,
      deps,
    );
    expect(outcome).toBe('failed');
    expect(transitions).toEqual([
      expect.objectContaining({
        to: 'FAILED',
        failure: expect.objectContaining({
          code: 'mapping-failed',
          message: expect.stringMatching(/^Bruksnummeret er ikke et heltall/),
        }),
      }),
    ]);
  });
});
