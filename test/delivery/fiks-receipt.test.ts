import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { toFiksArkivV1Xml } from '../../shared/noark/fiks-arkiv-v1.ts';
import { readFiksArkivAnswer } from '../../shared/targets/fiks-arkiv-receipt.ts';
import { demoRegistry, mappingInput } from '../support/factories.ts';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { sample } from '../support/hub.ts';

const SCHEMAS = resolve(import.meta.dirname, '../../schemas/fiks-arkiv-v1');

async function validateReceipt(xml: string) {
  const file = async (name: string) => ({ fileName: name, contents: await readFile(join(SCHEMAS, name), 'utf8') });
  return validateXML({
    xml: { fileName: 'kvittering.xml', contents: xml },
    schema: await file('no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd'),
    preload: [await file('metadatakatalog.xsd'), await file('feilmeldingBase.xsd')],
  });
}

let archive: FakeArchive;
let arkivmelding: string;

beforeAll(async () => {
  archive = await startFakeArchive();
  const registry = await demoRegistry();
  const body = await sample('soknad-tiltak-uten-ansvarsrett');
  const formType = registry.formType('5037', 'soknad-tiltak-uten-ansvarsrett');
  if (!formType) throw new Error('demo form type missing');
  const { input } = mappingInput(body, {
    trackingId: '0b6f0d3e-3f0e-4a4e-9a43-0c5c3f1f7a11',
    receivedAt: '2026-11-23T08:31:00Z',
  });
  const record = await mapToArchive(formType, input, []);
  arkivmelding = toFiksArkivV1Xml(record.arkivmelding);
});

afterAll(() => archive.close());

async function post(xml: string) {
  const form = new FormData();
  form.append('arkivmelding', new Blob([xml], { type: 'application/xml' }), 'arkivmelding.xml');
  const response = await fetch(archive.url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text() };
}

describe('the Fiks Arkiv protocol between Skjemaflyt and an HTTP archive', () => {
  it('the test archive answers with a receipt that validates against the official kvittering XSD', async () => {
    const first = await post(arkivmelding);
    expect(first.status).toBe(200);
    const validation = await validateReceipt(first.body);
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('reads the receipt: saksnummer, journalpostnummer, and Eksisterende on a re-sent record', async () => {
    const again = await post(arkivmelding);
    const answer = readFiksArkivAnswer(again.body);
    expect(answer.kind).toBe('kvittering');
    if (answer.kind !== 'kvittering') return;
    expect(answer.existing).toBe(true);
    expect(answer.references.saksnummer).toMatch(/^2026\/\d+$/);
    expect(answer.references.journalpostnummer).toBe('1');
    expect(archive.journalposts.size).toBe(1);
  });

  it('reads the protocol’s error messages with the archive’s own words', async () => {
    const rejected = await post(arkivmelding.replace('<journalposttype>', '<tittel>x</tittel><journalposttype>'));
    expect(rejected.status).toBe(400);
    const answer = readFiksArkivAnswer(rejected.body);
    expect(answer).toMatchObject({ kind: 'feil', type: 'ugyldigforespoersel' });
    if (answer.kind === 'feil') expect(answer.feilmelding).toContain('Ugyldig arkivmelding');
  });

  it('refuses to read an answer with a DTD', () => {
    expect(readFiksArkivAnswer('<!DOCTYPE x [<!ENTITY a "b">]><arkivmeldingKvittering/>')).toEqual({ kind: 'ukjent' });
  });
});
